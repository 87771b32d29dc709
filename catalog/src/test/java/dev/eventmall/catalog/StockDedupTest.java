package dev.eventmall.catalog;

import dev.eventmall.catalog.messaging.StockHandlers;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.Consumed;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.TopicReader;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stock handler finds duplicates by the order's natural keys, its reservation rows and its rejection row (no inbox
 * rows): {@link StockHandlers#handle} called directly over the service's real MariaDB database, as the bridge would
 * (a failed batch handled again, as its single-record lane does). The events handled here are not put on Kafka, so the
 * deployed service's own catalog-stock consumer never sees them; what the handler emitted is read from catalog.stock
 * once the service's outbox relay published it.
 */
class StockDedupTest extends CatalogTestSupport {

  /** What a handling's insert can meet in a concurrent handling of the same event: a deadlock or a duplicate key. */
  static final List<Integer> COLLISIONS = List.of(1213, Database.DUPLICATE_KEY);

  static final String LOCK_STOCK = "SELECT available FROM stock WHERE product_id = ? FOR UPDATE";
  static final String STOCK_LOCKED = "SELECT s.product_id, s.available, s.reserved, p.deleted FROM stock s %FOR UPDATE";
  static final String LOCK_RESERVATION = "SELECT status FROM reservation WHERE order_id = ? FOR UPDATE";
  static final String RESERVATIONS_LOCKED = "SELECT order_id, product_id, quantity, status FROM reservation %FOR UPDATE";

  Pool pool;
  StockHandlers handlers;

  @BeforeAll
  void setUp() {
    pool = Database.pool(vertx, config.mysqlUri(CatalogApp.DATABASE), "stock-dedup-test-" + UUID.randomUUID(), 4);
    handlers = new StockHandlers(pool);
  }

  @AfterAll
  void closePool() {
    Await.result(pool.close());
  }

  static Consumed placed(String orderId, String productId, int quantity) {
    return new Consumed(Topics.ORDER_EVENTS, orderPlaced(orderId, line(productId, quantity)), null);
  }

  static Consumed paymentFailed(String orderId) {
    return new Consumed(Topics.PAYMENT_EVENTS, EventEnvelope.of("PaymentFailed", orderId, new JsonObject()
      .put("orderId", orderId).put("reason", "card declined").put("failedAt", Instant.now().toString())), null);
  }

  static Consumed orderCancelled(String orderId) {
    return new Consumed(Topics.ORDER_EVENTS, EventEnvelope.of("OrderCancelled", orderId, new JsonObject()
      .put("orderId", orderId).put("reason", "payment failed").put("cancelledAt", Instant.now().toString())), null);
  }

  static String newOrder() {
    return "order-" + UUID.randomUUID();
  }

  /** One handling of {@code events} as one batch: every event acknowledged. */
  void handled(Consumed... events) {
    List<Future<Void>> results = Await.result(handlers.handle(List.of(events)));
    assertThat(results).hasSize(events.length);
    results.forEach(Await::result);
  }

  /**
   * The outcome of a handling that ran concurrently with another: acknowledged, or failed by the collision of the
   * two (then handled again, as the bridge's single-record lane does). Whether it collided.
   */
  boolean handledOrCollided(Future<List<Future<Void>>> handling, Consumed event) {
    try {
      Await.result(handling).forEach(Await::result);
      return false;
    } catch (MySQLException collided) {
      assertThat(collided.getErrorCode()).as("%s", collided).isIn(COLLISIONS);
      handled(event);
      return true;
    }
  }

  /**
   * What the order left: the stock of its product (available/reserved, what the seller and the product page see), its
   * reservation rows (quantity:status), its rejection rows, and the types of its events on catalog.stock (what the
   * order saga and payment see), one per event id, in topic order (one key, one partition), read from Kafka once the
   * outbox is drained.
   */
  String left(String orderId, String productId) {
    JsonObject stock = stock(productId);
    List<String> reservations = Await.result(db.preparedQuery("SELECT quantity, status FROM reservation "
        + "WHERE order_id = ? ORDER BY product_id").execute(Tuple.of(orderId))).stream()
      .map(r -> r.getInteger(0) + ":" + r.getString(1)).toList();
    long rejections = harness.count("SELECT COUNT(*) AS n FROM stock_rejection WHERE order_id = ?", orderId);
    List<String> ids = new ArrayList<>();
    List<String> answers = new ArrayList<>();
    published(Topics.CATALOG_STOCK).stream().filter(r -> orderId.equals(r.key())).forEach(r -> {
      String id = new JsonObject(r.value()).getString("id");
      if (!ids.contains(id)) {
        ids.add(id);
        answers.add(TopicReader.type(r));
      }
    });
    return "stock " + stock.getInteger("available") + "/" + stock.getInteger("reserved") + ", reservations "
      + reservations + ", rejected " + rejections + ", answers " + answers;
  }

  long stockInboxRows() {
    return harness.count("SELECT COUNT(*) AS n FROM inbox WHERE consumer = ?", StockHandlers.CONSUMER);
  }

  /**
   * Waits until {@code n} transactions of this database wait in a statement {@code like} (MariaDB's INNODB_TRX does
   * not list lock waits reliably; the process list does).
   */
  void awaitLockWaits(int n, String like) {
    String waiting = "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE command = 'Execute' "
      + "AND db = DATABASE() AND info LIKE ?";
    Await.until(() -> n + " transactions waiting in " + like + "; running: " + Await.result(db.query(
        "SELECT command, state, time, info FROM information_schema.PROCESSLIST WHERE command <> 'Sleep'").execute())
        .stream().map(r -> r.toJson()).toList(),
      Duration.ofSeconds(30), () -> harness.count(waiting, like) >= n);
  }

  @Test
  void aRedeliveredOrderPlacedOfAReservedOrderReservesNothingMore() {
    String productId = productWithStock(5);
    String orderId = newOrder();
    Consumed placed = placed(orderId, productId, 2);
    handled(placed);
    assertThat(left(orderId, productId)).isEqualTo("stock 3/2, reservations [2:RESERVED], rejected 0, "
      + "answers [StockReserved]");

    handled(placed); // redelivered alone, after the first batch committed
    handled(placed(newOrder(), productId, 1), placed); // and again in a batch with another order (1 unit)

    assertThat(left(orderId, productId)).isEqualTo("stock 2/3, reservations [2:RESERVED], rejected 0, "
      + "answers [StockReserved]");
    assertThat(stockInboxRows()).isZero();
  }

  /**
   * A rejection leaves no reservation: its rejection row is what stops a redelivery from reserving after a restock and
   * answering the order a second time, the other way (StockReserved after StockRejected).
   */
  @Test
  void aRedeliveredOrderPlacedOfARejectedOrderAfterARestockAnswersNothing() {
    String productId = productWithStock(1);
    String orderId = newOrder();
    Consumed placed = placed(orderId, productId, 2);
    handled(placed);
    assertThat(left(orderId, productId)).isEqualTo("stock 1/0, reservations [], rejected 1, answers [StockRejected]");

    restock(productId, 10);
    handled(placed); // redelivered after the restock
    assertThat(left(orderId, productId)).isEqualTo("stock 10/0, reservations [], rejected 1, answers [StockRejected]");

    handled(paymentFailed(orderId), placed); // and again in a batch with a release of the order: nothing to release
    assertThat(left(orderId, productId)).isEqualTo("stock 10/0, reservations [], rejected 1, answers [StockRejected]");
    assertThat(stockInboxRows()).isZero();
  }

  @Test
  void aRedeliveredReleaseReleasesOnce() {
    String productId = productWithStock(5);
    String orderId = newOrder();
    handled(placed(orderId, productId, 3));
    Consumed failed = paymentFailed(orderId);
    handled(failed);
    assertThat(left(orderId, productId)).isEqualTo("stock 5/0, reservations [3:RELEASED], rejected 0, "
      + "answers [StockReserved, StockReleased]");

    handled(failed); // redelivered alone
    handled(failed, orderCancelled(orderId)); // and with another release of the same order

    assertThat(left(orderId, productId)).isEqualTo("stock 5/0, reservations [3:RELEASED], rejected 0, "
      + "answers [StockReserved, StockReleased]");
    assertThat(stockInboxRows()).isZero();
  }

  @Test
  void aBatchHoldingTheSameOrderPlacedTwiceAnswersItOnce() {
    String plenty = productWithStock(5);
    String scarce = productWithStock(1);
    String reserved = newOrder();
    String rejected = newOrder();
    Consumed a = placed(reserved, plenty, 2);
    Consumed b = placed(rejected, scarce, 2);
    handled(a, b, a, b);

    assertThat(left(reserved, plenty)).isEqualTo("stock 3/2, reservations [2:RESERVED], rejected 0, "
      + "answers [StockReserved]");
    assertThat(left(rejected, scarce)).isEqualTo("stock 1/0, reservations [], rejected 1, answers [StockRejected]");
  }

  /**
   * Two handlings of a new order's OrderPlaced at once (a rebalance), both queued behind a lock on the product's stock
   * this test holds, so both have read the order's reservations and rejection (none, gaps locked) before either
   * decides; then released together. The first to decide inserts into a gap the other has locked and waits for it,
   * while the other waits for its stock lock: InnoDB rolls one back (a deadlock); handled again, it finds what the
   * other committed. One answer: here a reservation, stock taken once, one StockReserved.
   */
  @Test
  void twoConcurrentHandlingsOfTheSameOrderPlacedReserveOnce() {
    String productId = productWithStock(5);
    String orderId = newOrder();
    Consumed placed = placed(orderId, productId, 2);

    assertThat(twiceAtOnce(placed, LOCK_STOCK, productId, STOCK_LOCKED))
      .as("both read no rows before either decided: exactly one is rolled back").isEqualTo(1);
    assertThat(left(orderId, productId)).isEqualTo("stock 3/2, reservations [2:RESERVED], rejected 0, "
      + "answers [StockReserved]");
  }

  /**
   * As above for an order that is rejected: a rejection locks no gap (its row is read after the stock locks, without
   * locking), so the second handling waits for the first's stock lock and then reads its rejection: no collision, one
   * rejection, one StockRejected, and a restock changes nothing after.
   */
  @Test
  void twoConcurrentHandlingsOfTheSameOrderPlacedRejectOnce() {
    String productId = productWithStock(1);
    String orderId = newOrder();
    Consumed placed = placed(orderId, productId, 2);

    assertThat(twiceAtOnce(placed, LOCK_STOCK, productId, STOCK_LOCKED))
      .as("the second waits for the first's stock lock, then reads its rejection").isZero();
    restock(productId, 10);
    handled(placed);
    assertThat(left(orderId, productId)).isEqualTo("stock 10/0, reservations [], rejected 1, answers [StockRejected]");
  }

  /**
   * A sold-out product: two batches (two replicas, or a batch and the single-record lane) rejecting different orders of
   * it at once. Neither may roll the other back: with the rejections read under a lock, both would lock the same gap of
   * the small stock_rejection table, and the first to insert its rejection would wait for the other, which waits for the
   * product's stock lock (a deadlock per pair of batches, for as long as the sale lasts).
   */
  @Test
  void concurrentRejectionsOfASoldOutProductDoNotCollide() {
    String productId = productWithStock(1);
    // neighbours in key order, so no other row lies between them: one gap of the table for both (as most new orders
    // share with a small table's gaps)
    String first = newOrder() + "-1";
    String second = first.substring(0, first.length() - 1) + "2";

    assertThat(atOnce(placed(first, productId, 2), placed(second, productId, 3), LOCK_STOCK, productId, STOCK_LOCKED))
      .as("rejections of different orders wait for the stock lock only").isZero();
    assertThat(left(first, productId)).isEqualTo("stock 1/0, reservations [], rejected 1, answers [StockRejected]");
    assertThat(left(second, productId)).isEqualTo("stock 1/0, reservations [], rejected 1, answers [StockRejected]");
  }

  /**
   * Two handlings of the same release at once, queued behind a lock on the order's reservation row this test holds:
   * the rows exist, so the second waits for the first's locks and then finds nothing RESERVED. No collision.
   */
  @Test
  void twoConcurrentHandlingsOfTheSameReleaseReleaseOnce() {
    String productId = productWithStock(5);
    String orderId = newOrder();
    handled(placed(orderId, productId, 3));

    assertThat(twiceAtOnce(paymentFailed(orderId), LOCK_RESERVATION, orderId, RESERVATIONS_LOCKED))
      .as("the rows exist: the second waits for the first").isZero();
    assertThat(left(orderId, productId)).isEqualTo("stock 5/0, reservations [3:RELEASED], rejected 0, "
      + "answers [StockReserved, StockReleased]");
  }

  /**
   * Handles {@code event} twice at once: this test locks a row ({@code lock} with {@code key}), both handlings start
   * and are seen waiting for it (their statement {@code like} {@code waitingIn}), then the lock is released. How many
   * of the two collided (rolled back, then handled again).
   */
  int twiceAtOnce(Consumed event, String lock, String key, String waitingIn) {
    return atOnce(event, event, lock, key, waitingIn);
  }

  /** As {@link #twiceAtOnce} for two events, each handled alone. */
  int atOnce(Consumed first, Consumed second, String lock, String key, String waitingIn) {
    SqlConnection blocker = Await.result(pool.getConnection());
    Future<List<Future<Void>>> one;
    Future<List<Future<Void>>> two;
    try {
      Transaction tx = Await.result(blocker.begin());
      Await.result(blocker.preparedQuery(lock).execute(Tuple.of(key)));
      one = handlers.handle(List.of(first));
      two = handlers.handle(List.of(second));
      awaitLockWaits(2, waitingIn);
      Await.result(tx.rollback());
    } finally {
      Await.result(blocker.close());
    }
    return (handledOrCollided(one, first) ? 1 : 0) + (handledOrCollided(two, second) ? 1 : 0);
  }
}
