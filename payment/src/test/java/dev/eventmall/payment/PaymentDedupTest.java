package dev.eventmall.payment;

import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.Consumed;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.TopicReader;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The saga drops duplicates by the order's payment row, without inbox rows: {@link PaymentSaga#handle} called directly
 * (as the Kafka bridge calls it) over the service's real MariaDB database, against the Toss emulator. What a customer
 * would see is asserted: the order's one payment row, the money movements in the emulator's ledger and the events on
 * payment.events. The events handled here are not put on Kafka, so the deployed service's own saga consumer never sees
 * them.
 */
class PaymentDedupTest extends PaymentTestSupport {

  PaymentSaga saga;

  @BeforeAll
  void saga() {
    saga = new PaymentSaga(deployment.part(Payments.class));
  }

  static Consumed reserved(String orderId, String memberId, long amount) {
    return new Consumed(Topics.CATALOG_STOCK, stockReserved(orderId, memberId, amount, "BILLING"), null);
  }

  static Consumed cancelRequested(String orderId) {
    return new Consumed(Topics.ORDER_EVENTS, orderCancelRequested(orderId), null);
  }

  /** Handles {@code events} as one batch and waits until every one of them is acknowledged (its outcome recorded). */
  void handled(Consumed... events) {
    List<Future<Void>> results = Await.result(saga.handle(List.of(events)));
    assertThat(results).hasSize(events.length);
    results.forEach(Await::result);
  }

  /** The types of the order's events on payment.events in topic order, one per event id, once the outbox drained. */
  List<String> publishedTypes(String orderId) {
    Map<String, String> byId = new LinkedHashMap<>();
    published(Topics.PAYMENT_EVENTS).stream().filter(r -> orderId.equals(r.key()))
      .forEach(r -> byId.putIfAbsent(new JsonObject(r.value()).getString("id"), TopicReader.type(r)));
    return List.copyOf(byId.values());
  }

  /**
   * What the customer sees of the order: one payment row, in {@code status}; {@code charges} charges and
   * {@code refunds} refunds in the Toss emulator's ledger; exactly {@code events} on payment.events. And the saga wrote
   * no inbox row.
   */
  void assertSeen(String orderId, String status, int charges, int refunds, String... events) {
    assertThat(count("SELECT COUNT(*) AS n FROM payments WHERE order_id = ?", orderId)).as("payment rows").isEqualTo(1);
    assertThat(payment(orderId).getString("status")).isEqualTo(status);
    assertThat(toss.charges(orderId)).as("charges at Toss").hasSize(charges);
    assertThat(toss.cancels(orderId)).as("refunds at Toss").hasSize(refunds);
    assertThat(publishedTypes(orderId)).as("published on payment.events").containsExactly(events);
    assertThat(count("SELECT COUNT(*) AS n FROM inbox WHERE consumer = ?", Payments.CONSUMER)).as("saga inbox rows")
      .isZero();
  }

  @Test
  void aStockReservedDeliveredAgainAfterTheChargeChargesNothingAndPublishesNothing() {
    String orderId = newOrderId();
    Consumed reserved = reserved(orderId, memberWithCard(GOOD_CARD), 11_000);
    handled(reserved);
    assertSeen(orderId, "DONE", 1, 0, "PaymentCompleted");
    JsonObject paid = payment(orderId);

    handled(reserved); // delivered again alone, after the first handling committed
    String other = newOrderId();
    handled(reserved(other, memberWithCard(GOOD_CARD), 3_000), reserved); // and again in a batch with another order

    assertSeen(orderId, "DONE", 1, 0, "PaymentCompleted");
    assertThat(payment(orderId).getString("payment_id")).isEqualTo(paid.getString("payment_id"));
    assertThat(payment(orderId).getString("payment_key")).isEqualTo(paid.getString("payment_key"));
    assertSeen(other, "DONE", 1, 0, "PaymentCompleted");
  }

  @Test
  void anOrderCancelRequestedDeliveredAgainAfterTheRefundRefundsNothingAndPublishesNothing() {
    String orderId = newOrderId();
    Consumed reserved = reserved(orderId, memberWithCard(GOOD_CARD), 12_000);
    handled(reserved);
    Consumed cancel = cancelRequested(orderId);
    handled(cancel);
    assertSeen(orderId, "REFUNDED", 1, 1, "PaymentCompleted", "PaymentRefunded");

    handled(cancel); // delivered again alone
    handled(reserved, cancel); // again, in a batch with the order's StockReserved delivered again too
    // and the order's delivery failing now (a late or replayed DeliveryFailed) refunds nothing either
    handled(new Consumed(Topics.DELIVERY_EVENTS, deliveryFailed(orderId), null));

    assertSeen(orderId, "REFUNDED", 1, 1, "PaymentCompleted", "PaymentRefunded");
  }

  /** The bridge hands over a whole poll: the same event twice in it is applied once, both copies acknowledged. */
  @Test
  void aBatchHoldingTheSameEventTwiceChargesOnceAndRefundsOnce() {
    String orderId = newOrderId();
    Consumed reserved = reserved(orderId, memberWithCard(GOOD_CARD), 13_000);
    handled(reserved, reserved);
    assertSeen(orderId, "DONE", 1, 0, "PaymentCompleted");

    Consumed cancel = cancelRequested(orderId);
    handled(cancel, cancel);
    assertSeen(orderId, "REFUNDED", 1, 1, "PaymentCompleted", "PaymentRefunded");
  }

  /**
   * Two handlings of the same StockReserved at once (a rebalance hands it to a second consumer while the first one
   * handles it), for an order that has no payment row yet: both pass the row lock (the gap locks they take do not
   * exclude each other; this test holds one more on the same gap so that both get that far before either inserts), both
   * insert, and the unique key on order_id fails one of them. The failed one is retried, as the bridge does, and finds
   * the row: one row, one charge at Toss, one PaymentCompleted.
   */
  @Test
  void twoConcurrentHandlingsOfTheSameStockReservedMakeOneRowOneChargeAndOnePaymentCompleted() {
    String orderId = newOrderId();
    Consumed reserved = reserved(orderId, memberWithCard(GOOD_CARD), 14_000);
    SqlConnection blocker = Await.result(db.getConnection());
    Future<List<Future<Void>>> one;
    Future<List<Future<Void>>> two;
    try {
      Transaction tx = Await.result(blocker.begin());
      Await.result(blocker.preparedQuery("SELECT order_id FROM payments WHERE order_id = ? FOR UPDATE")
        .execute(Tuple.of(orderId)));
      one = saga.handle(List.of(reserved));
      two = saga.handle(List.of(reserved));
      // both passed the row lock and wait to insert the row, behind the gap lock this test holds
      harness.awaitExecuting("2 saga transactions waiting to insert the payment row", "INSERT INTO payments %", 2);
      assertThat(toss.charges(orderId)).as("nothing is charged before a commit").isEmpty();
      Await.result(tx.rollback());
      Future<List<Future<Void>>> a = one;
      Future<List<Future<Void>>> b = two;
      Await.until("both handlings ended", Duration.ofSeconds(30), () -> a.isComplete() && b.isComplete());
    } finally {
      Await.result(blocker.close());
    }

    assertThat(List.of(one, two)).as("one handling's transaction failed").filteredOn(Future::failed).hasSize(1);
    Future<List<Future<Void>>> won = one.succeeded() ? one : two;
    Future<List<Future<Void>>> lost = one.failed() ? one : two;
    assertThat(lost.cause()).isInstanceOf(MySQLException.class);
    assertThat(((MySQLException) lost.cause()).getErrorCode()).as("%s", lost.cause())
      .isIn(1062, 1213); // duplicate key, deadlock
    won.result().forEach(Await::result);
    handled(reserved); // the bridge retries the events of a failed batch: the retry finds the row

    assertSeen(orderId, "DONE", 1, 0, "PaymentCompleted");
  }
}
