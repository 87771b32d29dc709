package dev.eventmall.order;

import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.Consumed;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.TopicReader;
import dev.eventmall.order.messaging.SagaHandlers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The saga's duplicate check reads the order's timeline (no inbox rows): {@link SagaHandlers#handle} called directly
 * over the service's real MariaDB database, on orders placed through the API. The events handled here are not put on Kafka, so
 * the deployed service's own saga consumer never sees these events.
 */
class SagaTimelineDedupTest extends OrderTestSupport {

  String earbuds;
  String token;
  String addressId;
  Pool pool;
  SagaHandlers saga;

  @BeforeAll
  void setUp() {
    earbuds = product("무선 이어폰", 129_000);
    String member = UUID.randomUUID().toString();
    token = customer(member);
    addressId = address(member);
    pool = Database.pool(vertx, config.mysqlUri(OrderApp.DATABASE), "saga-dedup-test-" + UUID.randomUUID(), 4);
    saga = new SagaHandlers(pool, new OrderMetrics(metrics.registry()));
  }

  @AfterAll
  void closePool() {
    Await.result(pool.close());
  }

  String newOrder() {
    return placed(token, orderBody(addressId, "BILLING", earbuds, 2)).getString("orderId");
  }

  String cancelRequested() {
    String orderId = newOrder();
    assertThat(post("/orders/" + orderId + "/cancel", token, null, null).statusCode()).isEqualTo(202);
    return orderId;
  }

  Consumed stockReserved(String orderId) {
    return new Consumed(Topics.CATALOG_STOCK, sagaEvent("StockReserved", orderId, new JsonObject()
      .put("lines", new JsonArray().add(new JsonObject().put("productId", earbuds).put("quantity", 2)))
      .put("reservedAt", Instant.now().toString())), null);
  }

  static Consumed paymentCompleted(String orderId) {
    return new Consumed(Topics.PAYMENT_EVENTS, sagaEvent("PaymentCompleted", orderId, new JsonObject()
      .put("paymentId", "pay-" + orderId).put("paymentKey", "tgen_" + orderId).put("amount", 258_000)
      .put("method", "BILLING").put("approvedAt", Instant.now().toString())), null);
  }

  /** The payment voided after a cancel: applies to CANCEL_REQUESTED, emits OrderCancelled. */
  static Consumed paymentVoided(String orderId) {
    return new Consumed(Topics.PAYMENT_EVENTS, sagaEvent("PaymentFailed", orderId, new JsonObject()
      .put("reason", "ORDER_CANCELLED").put("failedAt", Instant.now().toString())), null);
  }

  void handled(Consumed... events) {
    List<Future<Void>> results = Await.result(saga.handle(List.of(events)));
    assertThat(results).hasSize(events.length);
    results.forEach(Await::result); // every event acknowledged
  }

  String status(String orderId) {
    return row("SELECT status FROM orders WHERE order_id = ?", orderId).getString("status");
  }

  long timelineRows(Consumed c) {
    return count("SELECT COUNT(*) AS n FROM order_timeline WHERE event_id = ?", c.event().id().toString());
  }

  /**
   * The order's events of {@code type} (all types when null) published on order.events, by distinct event id: what the
   * saga emitted, read from Kafka once the outbox is drained (the outbox deletes the rows it published).
   */
  long published(String orderId, String type) {
    return published(Topics.ORDER_EVENTS).stream()
      .filter(r -> orderId.equals(r.key()) && (type == null || type.equals(TopicReader.type(r))))
      .map(r -> new JsonObject(r.value()).getString("id")).distinct().count();
  }

  long sagaInboxRows() {
    return count("SELECT COUNT(*) AS n FROM inbox WHERE consumer = ?", SagaHandlers.CONSUMER);
  }

  List<String> timelineOf(String orderId) {
    return Await.result(db.preparedQuery("SELECT event_type, outcome, to_status FROM order_timeline WHERE order_id = ? "
        + "ORDER BY seq").execute(Tuple.of(orderId))).stream()
      .map(r -> r.getString(0) + ":" + r.getString(1) + ":" + r.getString(2)).toList();
  }

  /**
   * Waits until {@code n} saga transactions wait for the order lock this test holds: their {@code SELECT … FOR UPDATE}
   * of orders is still executing.
   */
  void awaitLockWaits(int n) {
    harness.awaitExecuting(n + " saga transactions waiting for the order lock",
      "SELECT % FROM orders WHERE order_id IN (%FOR UPDATE", n);
  }

  @Test
  void aRedeliveredEventChangesNothingAndNoInboxRowIsWritten() {
    String orderId = cancelRequested();
    Consumed voided = paymentVoided(orderId);
    handled(voided);
    assertThat(status(orderId)).isEqualTo("CANCELLED");
    assertThat(timelineRows(voided)).isEqualTo(1);
    assertThat(published(orderId, "OrderCancelled")).isEqualTo(1);

    handled(voided); // redelivered alone, after the first batch committed
    handled(stockReserved(orderId), voided); // and again in a batch with another event

    assertThat(timelineRows(voided)).isEqualTo(1);
    assertThat(status(orderId)).isEqualTo("CANCELLED");
    assertThat(published(orderId, "OrderCancelled")).isEqualTo(1);
    assertThat(timelineOf(orderId)).containsExactly(
      "OrderPlaced:APPLIED:PENDING",
      "OrderCancelRequested:APPLIED:CANCEL_REQUESTED",
      "PaymentFailed:APPLIED:CANCELLED",
      "OrderCancelled:APPLIED:CANCELLED",
      "StockReserved:IGNORED:CANCELLED");
    assertThat(sagaInboxRows()).isZero();
  }

  @Test
  void aBatchAppliesEachEventOnceAndInOrderAndIgnoresUnknownOrders() {
    String orderId = newOrder();
    Consumed reserved = stockReserved(orderId);
    Consumed paid = paymentCompleted(orderId);
    Consumed stranger = stockReserved(UUID.randomUUID().toString());
    handled(reserved, stranger, reserved, paid, paid);
    assertThat(status(orderId)).isEqualTo("PAID");
    assertThat(timelineOf(orderId)).containsExactly(
      "OrderPlaced:APPLIED:PENDING",
      "StockReserved:APPLIED:PAYMENT_PENDING",
      "PaymentCompleted:APPLIED:PAID");
    assertThat(timelineRows(stranger)).isZero();
    // an unknown order's event delivered again is ignored again
    handled(stranger, paid);
    assertThat(timelineRows(stranger)).isZero();
    assertThat(timelineRows(paid)).isEqualTo(1);
    assertThat(sagaInboxRows()).isZero();
  }

  /**
   * The first handling holds the order's lock, has written its status and timeline row, and has not committed when the
   * second handling of the same event starts: the second waits for the lock and must then see the row (its snapshot is
   * taken after the lock). Fails if the timeline is read before the lock.
   */
  @Test
  void aHandlingThatWaitedForTheLockSeesTheTimelineRowItsHolderCommitted() {
    String orderId = newOrder();
    Consumed reserved = stockReserved(orderId);
    SqlConnection first = Await.result(pool.getConnection());
    try {
      Transaction tx = Await.result(first.begin());
      Await.result(first.preparedQuery("SELECT status FROM orders WHERE order_id = ? FOR UPDATE")
        .execute(Tuple.of(orderId)));
      Await.result(first.preparedQuery("UPDATE orders SET status = 'PAYMENT_PENDING' WHERE order_id = ?")
        .execute(Tuple.of(orderId)));
      Await.result(first.preparedQuery("INSERT INTO order_timeline (order_id, event_id, event_type, source, outcome, "
          + "from_status, to_status, occurred_at, recorded_at) VALUES (?, ?, 'StockReserved', ?, 'APPLIED', 'PENDING', "
          + "'PAYMENT_PENDING', NOW(6), NOW(6))")
        .execute(Tuple.of(orderId, reserved.event().id().toString(), Topics.CATALOG_STOCK)));

      Future<List<Future<Void>>> second = saga.handle(List.of(reserved));
      assertThat(second.isComplete()).as("nothing to wait for: %s", second).isFalse();
      awaitLockWaits(1);
      assertThat(second.isComplete()).as("the second handling waits for the first's lock").isFalse();
      Await.result(tx.commit());
      Await.result(second).forEach(Await::result);
    } finally {
      Await.result(first.close());
    }

    assertThat(timelineRows(reserved)).isEqualTo(1);
    assertThat(timelineOf(orderId)).containsExactly("OrderPlaced:APPLIED:PENDING",
      "StockReserved:APPLIED:PAYMENT_PENDING");
    assertThat(status(orderId)).isEqualTo("PAYMENT_PENDING");
    assertThat(published(orderId, null)).as("only its OrderPlaced: StockReserved emits nothing").isEqualTo(1);
  }

  /**
   * Two handlings of the same event at once, both queued behind a lock on the order this test holds, then released
   * together: one applies it (one transition, one OrderCancelled), the other sees its timeline row and skips it.
   */
  @Test
  void twoConcurrentHandlingsOfTheSameEventApplyItOnce() {
    String orderId = cancelRequested();
    Consumed voided = paymentVoided(orderId);
    SqlConnection blocker = Await.result(pool.getConnection());
    List<Future<Void>> a;
    List<Future<Void>> b;
    try {
      Transaction tx = Await.result(blocker.begin());
      Await.result(blocker.preparedQuery("SELECT status FROM orders WHERE order_id = ? FOR UPDATE")
        .execute(Tuple.of(orderId)));
      Future<List<Future<Void>>> one = saga.handle(List.of(voided));
      Future<List<Future<Void>>> two = saga.handle(List.of(stockReserved(orderId), voided));
      awaitLockWaits(2);
      Await.result(tx.rollback());
      a = Await.result(one);
      b = Await.result(two);
    } finally {
      Await.result(blocker.close());
    }
    a.forEach(Await::result);
    b.forEach(Await::result);

    assertThat(timelineRows(voided)).isEqualTo(1);
    assertThat(status(orderId)).isEqualTo("CANCELLED");
    assertThat(published(orderId, "OrderCancelled")).isEqualTo(1);
    assertThat(timelineOf(orderId)).filteredOn(s -> !s.startsWith("StockReserved")).containsExactly(
      "OrderPlaced:APPLIED:PENDING",
      "OrderCancelRequested:APPLIED:CANCEL_REQUESTED",
      "PaymentFailed:APPLIED:CANCELLED",
      "OrderCancelled:APPLIED:CANCELLED");
    assertThat(sagaInboxRows()).isZero();
  }
}
