package dev.eventmall.delivery;

import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.Consumed;
import dev.eventmall.common.kafka.NotYet;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.TopicReader;
import dev.eventmall.delivery.client.CarrierClient;
import dev.eventmall.delivery.messaging.DeliveryHandlers;
import dev.eventmall.delivery.messaging.DeliveryMetrics;
import dev.eventmall.delivery.messaging.ShipmentDispatcher;
import dev.eventmall.emulators.carrier.CarrierConfig;
import dev.eventmall.emulators.sandbox.Faults;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The delivery saga finds its duplicates in the rows it locks (no inbox rows): {@link DeliveryHandlers#handle} called
 * directly, with a handler of this test's own over the service's real MariaDB database and the carrier emulator, so
 * that an event can be handled again, twice in one batch or twice at once. The deployed service publishes what the
 * handler wrote to its outbox (delivery.events) and books PENDING shipments too (the carrier dedups by key); its own
 * saga consumer never sees these events, which are not put on Kafka.
 */
class DeliveryDedupTest extends DeliveryTestSupport {
  /** The saga's {@code SELECT … FOR UPDATE} of its orders (SQL LIKE). */
  static final String ORDER_LOCK = "SELECT % FROM delivery_order WHERE order_id IN (%FOR UPDATE";

  Pool pool;
  CarrierClient carrierClient;
  DeliveryHandlers saga;

  @Override
  CarrierConfig carrierConfig() {
    return CarrierConfig.defaults().stepInterval(Duration.ZERO);
  }

  @Override
  Map<String, String> settings() {
    return Map.of(DeliverySettings.POLL_INTERVAL_MS, "3600000");
  }

  @BeforeAll
  void handlers() {
    pool = Database.pool(vertx, config.mysqlUri(DeliveryApp.DATABASE), "delivery-dedup-test-" + UUID.randomUUID(), 4);
    DeliverySettings settings = DeliverySettings.of(config);
    carrierClient = new CarrierClient(vertx, settings.carrier());
    DeliveryMetrics counters = new DeliveryMetrics(Metrics.create("delivery-dedup-test").registry(), carrierClient);
    saga = new DeliveryHandlers(pool, carrierClient,
      new ShipmentDispatcher(pool, carrierClient, settings.backoff(), counters), counters);
  }

  @AfterAll
  void closeHandlers() {
    Await.result(carrierClient.close());
    Await.result(pool.close());
  }

  @AfterEach
  void clearFaults() {
    carrier.clearFaults();
  }

  // ---------------------------------------------------------------- events in

  static Consumed placed(String orderId) {
    return new Consumed(Topics.ORDER_EVENTS, orderPlaced(orderId, "06236"), null);
  }

  /** OrderPlaced without a shipping address: its PaymentCompleted fails the shipment (DeliveryFailed) in the saga. */
  static Consumed placedWithoutAddress(String orderId) {
    JsonObject payload = orderPlaced(orderId, "06236").payload().copy();
    payload.remove("shippingAddress");
    return new Consumed(Topics.ORDER_EVENTS, EventEnvelope.of("OrderPlaced", orderId, payload), null);
  }

  static Consumed cancel(String orderId) {
    return new Consumed(Topics.ORDER_EVENTS, cancelRequested(orderId), null);
  }

  static Consumed paid(String orderId) {
    return new Consumed(Topics.PAYMENT_EVENTS, paymentCompleted(orderId), null);
  }

  /** Handles {@code events} as one batch; every one of them acknowledged. */
  void handled(Consumed... events) {
    acknowledged(Await.result(saga.handle(List.of(events))), events.length);
  }

  static void acknowledged(List<Future<Void>> results, int n) {
    assertThat(results).hasSize(n);
    results.forEach(Await::result);
  }

  /**
   * {@code paid} and its order's OrderPlaced handled, the shipment accepted by the carrier (DeliveryStarted); answers
   * its tracking number.
   */
  String accepted(Consumed paid) {
    String orderId = paid.event().key();
    handled(placed(orderId), paid);
    return awaitEvent(orderId, "DeliveryStarted").payload().getString("trackingNumber");
  }

  // ---------------------------------------------------------------- what a user sees

  /** The order's tracking timeline (what GET /deliveries/{orderId} lists): "STATUS description". */
  List<String> timeline(String orderId) {
    return Await.result(db.preparedQuery("SELECT status, description FROM shipment_event WHERE order_id = ? "
        + "ORDER BY seq").execute(Tuple.of(orderId))).stream().map(r -> r.getString(0) + " " + r.getString(1)).toList();
  }

  /** The order's events published on delivery.events, by type: the types of distinct event ids, in topic order. */
  List<String> publishedTypes(String orderId) {
    return published(Topics.DELIVERY_EVENTS).stream().filter(r -> orderId.equals(r.key()))
      .map(r -> Map.entry(new JsonObject(r.value()).getString("id"), TopicReader.type(r))).distinct()
      .map(Map.Entry::getValue).toList();
  }

  /**
   * The accepted shipment of {@code orderId} (tracking number {@code tn}) was withdrawn at the carrier once: one
   * shipment, CANCELED here and there, each step once in the timeline, one DeliveryStatusChanged(CANCELED).
   */
  void canceledOnce(String orderId, String tn) {
    assertThat(shipments(orderId)).isEqualTo(1);
    assertThat(status(orderId)).isEqualTo("CANCELED");
    assertThat(carrier.shipmentsFor(orderId)).extracting(s -> s.getString("status")).containsExactly("CANCELED");
    assertThat(timeline(orderId)).containsExactly("PENDING Payment completed: creating the shipment",
      "ACCEPTED Carrier accepted the shipment, tracking number " + tn,
      "CANCELED Shipment canceled with the carrier: order cancelled");
    assertThat(publishedTypes(orderId)).containsExactly("DeliveryStarted", "DeliveryStatusChanged");
    assertThat(awaitEvent(orderId, "DeliveryStatusChanged").payload().getString("status")).isEqualTo("CANCELED");
  }

  long shipments(String orderId) {
    return harness.count("SELECT COUNT(*) AS n FROM shipment WHERE order_id = ?", orderId);
  }

  String status(String orderId) {
    return shipment(orderId).getString("status");
  }

  long sagaInboxRows() {
    return harness.count("SELECT COUNT(*) AS n FROM inbox WHERE consumer = ?", DeliveryHandlers.CONSUMER);
  }

  /**
   * Starts the handlings of {@code batches} at once while this test holds a lock on the order row of {@code orderId}
   * (a gap lock where it has no row yet), waits until each of them waits at a statement like {@code waitingAt} (SQL
   * LIKE), then releases the lock so that they go on together; answers the handlings.
   */
  List<Future<List<Future<Void>>>> releasedTogether(String orderId, String waitingAt, List<List<Consumed>> batches) {
    return releasedTogether(orderId, waitingAt, batches, () -> {
    });
  }

  /** As above, running {@code whileHeld} once they all wait, before the lock is released. */
  List<Future<List<Future<Void>>>> releasedTogether(String orderId, String waitingAt, List<List<Consumed>> batches,
                                                    Runnable whileHeld) {
    SqlConnection blocker = Await.result(pool.getConnection());
    try {
      Transaction tx = Await.result(blocker.begin());
      Await.result(blocker.preparedQuery("SELECT order_id FROM delivery_order WHERE order_id = ? FOR UPDATE")
        .execute(Tuple.of(orderId)));
      List<Future<List<Future<Void>>>> handlings = batches.stream().map(saga::handle).toList();
      harness.awaitExecuting(batches.size() + " handlings waiting for the order's lock", waitingAt, batches.size());
      assertThat(handlings).as("every handling waits for the lock").noneMatch(Future::isComplete);
      whileHeld.run();
      Await.result(tx.rollback());
      return handlings;
    } finally {
      Await.result(blocker.close());
    }
  }

  // ---------------------------------------------------------------- tests

  @Test
  void aRedeliveredPaymentCompletedAddsNothing() {
    String orderId = newOrderId();
    Consumed paid = paid(orderId);
    handled(placed(orderId));
    handled(paid);
    String tn = awaitEvent(orderId, "DeliveryStarted").payload().getString("trackingNumber");

    handled(paid);                    // redelivered alone
    handled(placed(orderId), paid);   // and again with its OrderPlaced

    assertThat(shipments(orderId)).isEqualTo(1);
    assertThat(status(orderId)).isEqualTo("ACCEPTED");
    assertThat(shipment(orderId).getString("tracking_number")).isEqualTo(tn);
    assertThat(carrier.shipmentsFor(orderId)).hasSize(1);
    assertThat(timeline(orderId)).extracting(e -> e.split(" ")[0]).containsExactly("PENDING", "ACCEPTED");
    assertThat(publishedTypes(orderId)).containsExactly("DeliveryStarted");
    assertThat(sagaInboxRows()).isZero();
  }

  /**
   * The cancel is remembered on the order row, so delivered again it adds no timeline note (before: "Order cancel
   * requested while the shipment is CANCELLED: nothing to cancel", once per redelivery). An OrderPlaced delivered again
   * after the cancel keeps it: the payment then ships nothing.
   */
  @Test
  void aRedeliveredCancelAddsNoSecondNoteAndARedeliveredOrderPlacedKeepsTheCancel() {
    String orderId = newOrderId();
    Consumed placed = placed(orderId);
    Consumed cancel = cancel(orderId);
    handled(placed);
    handled(cancel);
    handled(placed);                  // OrderPlaced redelivered after the cancel
    JsonObject order = row("SELECT placed, cancel_requested FROM delivery_order WHERE order_id = ?", orderId);
    assertThat(order.getInteger("placed")).isEqualTo(1);
    assertThat(order.getInteger("cancel_requested")).isEqualTo(1);
    handled(paid(orderId));
    assertThat(status(orderId)).isEqualTo("CANCELLED");

    handled(cancel);                  // the cancel redelivered alone
    handled(placed, cancel);          // and again in a batch

    assertThat(timeline(orderId)).containsExactly(
      "CANCEL_REQUESTED Order cancelled before shipping: nothing will be shipped (changed my mind)",
      "CANCELLED Payment completed after the order was cancelled: nothing shipped");
    assertThat(status(orderId)).isEqualTo("CANCELLED");
    assertThat(getDelivery(orderId, customerToken(memberOf(orderId))).bodyAsJsonObject().getJsonArray("events"))
      .hasSize(2);
    assertThat(carrier.shipmentsFor(orderId)).isEmpty();
    assertThat(publishedTypes(orderId)).isEmpty();
    assertThat(sagaInboxRows()).isZero();
  }

  /** Every event twice in one batch, for three orders: each applies once, in batch order. */
  @Test
  void aBatchWithEveryEventTwiceAppliesEachOnce() {
    String ships = newOrderId();
    String noAddress = newOrderId();
    String cancelled = newOrderId();
    Consumed placedShips = placed(ships);
    Consumed placedNoAddress = placedWithoutAddress(noAddress);
    Consumed placedCancelled = placed(cancelled);
    Consumed cancel = cancel(cancelled);
    Consumed paidShips = paid(ships);
    Consumed paidNoAddress = paid(noAddress);
    Consumed paidCancelled = paid(cancelled);

    handled(placedShips, placedNoAddress, placedCancelled, placedShips, cancel, paidShips, paidNoAddress, cancel,
      placedNoAddress, paidShips, paidNoAddress, placedCancelled, paidCancelled, paidCancelled);

    awaitEvent(ships, "DeliveryStarted");
    assertThat(carrier.shipmentsFor(ships)).hasSize(1);
    assertThat(timeline(ships)).extracting(e -> e.split(" ")[0]).containsExactly("PENDING", "ACCEPTED");
    assertThat(publishedTypes(ships)).containsExactly("DeliveryStarted");

    assertThat(status(noAddress)).isEqualTo("FAILED");
    assertThat(timeline(noAddress)).containsExactly("FAILED order has no shipping address");
    assertThat(publishedTypes(noAddress)).containsExactly("DeliveryFailed");

    assertThat(status(cancelled)).isEqualTo("CANCELLED");
    assertThat(timeline(cancelled)).containsExactly(
      "CANCEL_REQUESTED Order cancelled before shipping: nothing will be shipped (changed my mind)",
      "CANCELLED Payment completed after the order was cancelled: nothing shipped");
    assertThat(publishedTypes(cancelled)).isEmpty();
    assertThat(carrier.shipmentsFor(cancelled)).isEmpty();
    assertThat(sagaInboxRows()).isZero();
  }

  /**
   * Two handlings of the same cancel at once (one batch also holds the PaymentCompleted again), both queued behind a
   * lock on the order row this test holds, then released together: one withdraws the shipment (CANCELED, one
   * DeliveryStatusChanged), the other reads the committed row and changes nothing.
   */
  @Test
  void twoConcurrentHandlingsOfTheSameCancelApplyItOnce() {
    String orderId = newOrderId();
    Consumed paid = paid(orderId);
    String tn = accepted(paid);
    Consumed cancel = cancel(orderId);
    List<Future<List<Future<Void>>>> handlings = releasedTogether(orderId, ORDER_LOCK,
      List.of(List.of(cancel), List.of(paid, cancel)));
    acknowledged(Await.result(handlings.get(0)), 1);
    acknowledged(Await.result(handlings.get(1)), 2);

    canceledOnce(orderId, tn);
  }

  /**
   * Two handlings of a new order's OrderPlaced + PaymentCompleted at once, before the order has any row: both get past
   * their {@code FOR UPDATE} of the missing rows (gap locks do not exclude each other) and both wait at the insert of
   * the order row, held there by a gap lock this test holds. Once it is released, each insert waits for the other's gap
   * lock: InnoDB rolls one back (deadlock, 1213), and retried as the bridge would (each event alone) it finds the
   * rows: one FAILED shipment, one note, one DeliveryFailed.
   */
  @Test
  void twoConcurrentHandlingsOfANewOrderWriteOneShipment() {
    String orderId = newOrderId();
    List<Consumed> batch = List.of(placedWithoutAddress(orderId), paid(orderId));
    List<Future<List<Future<Void>>>> handlings = releasedTogether(orderId, "INSERT INTO delivery_order %",
      List.of(batch, batch));
    Await.result(Future.join(handlings).otherwiseEmpty(), Duration.ofSeconds(90)); // both ended, one way or the other
    int lost = handlings.get(0).failed() ? 0 : 1;
    assertThat(Await.failure(handlings.get(lost))).isInstanceOfSatisfying(MySQLException.class,
      e -> assertThat(e.getErrorCode()).as(e.getMessage()).isEqualTo(1213));
    acknowledged(Await.result(handlings.get(1 - lost)), 2);
    batch.forEach(this::handled);

    assertThat(shipments(orderId)).isEqualTo(1);
    assertThat(status(orderId)).isEqualTo("FAILED");
    assertThat(timeline(orderId)).containsExactly("FAILED order has no shipping address");
    assertThat(publishedTypes(orderId)).containsExactly("DeliveryFailed");
  }

  /**
   * A cancel whose withdrawal at the carrier failed (outcome unknown) fails alone and writes nothing, so the order is
   * not remembered as cancelled and the retry withdraws the shipment.
   */
  @Test
  void aCancelWhoseWithdrawalFailedIsAppliedWhenRetried() {
    String orderId = newOrderId();
    String tn = accepted(paid(orderId));
    Consumed cancel = cancel(orderId);
    carrier.faults(Faults.none().withErrors(1.0, "INTERNAL_ERROR", 503)
      .withPaths(List.of("/v1/shipments/" + tn + "/cancel")));

    List<Future<Void>> first = Await.result(saga.handle(List.of(cancel)));
    failedUnrememberedThenWithdrawnWhenRetried(orderId, tn, cancel, first.get(0), CarrierClient.OutcomeUnknown.class);
  }

  /**
   * A cancel looks at the shipment without a lock to decide whether to ask the carrier first. Here it looks while the
   * booking is in flight (PENDING: the carrier is not asked), then waits for the order's lock while the carrier accepts
   * the booking. Under the lock it finds ACCEPTED with the carrier never asked: it must not note "the carrier no longer
   * allows canceling" (the parcel would ship, paid back, with nobody having tried to stop it), but fail alone,
   * unremembered, so that its retry asks the carrier. Before, it noted that and the retry was a duplicate.
   */
  @Test
  void aCancelThatLookedBeforeTheCarrierAcceptedAsksTheCarrierWhenRetried() {
    String orderId = newOrderId();
    carrier.faults(Faults.none().withLatencyMs(2_000).withPaths(List.of("/v1/shipments")));
    handled(placed(orderId), paid(orderId));                    // its booking is now in flight for 2 s
    Consumed cancel = cancel(orderId);
    String[] tn = new String[1];
    Future<List<Future<Void>>> handling = releasedTogether(orderId, ORDER_LOCK, List.of(List.of(cancel)), () -> {
      assertThat(status(orderId)).as("the booking was still in flight when the cancel looked").isEqualTo("PENDING");
      tn[0] = awaitEvent(orderId, "DeliveryStarted").payload().getString("trackingNumber");
    }).get(0);

    List<Future<Void>> first = Await.result(handling);
    failedUnrememberedThenWithdrawnWhenRetried(orderId, tn[0], cancel, first.get(0), NotYet.class);
  }

  /**
   * The cancel's first handling ({@code first}) failed alone with {@code why} and wrote nothing: the order is not
   * remembered as cancelled, the shipment is still ACCEPTED, the timeline as before. Its retry, the carrier's faults
   * cleared, withdraws the shipment once.
   */
  private void failedUnrememberedThenWithdrawnWhenRetried(String orderId, String tn, Consumed cancel,
                                                          Future<Void> first, Class<? extends Throwable> why) {
    assertThat(Await.failure(first)).isInstanceOf(why);
    assertThat(row("SELECT cancel_requested FROM delivery_order WHERE order_id = ?", orderId)
      .getInteger("cancel_requested")).isZero();
    assertThat(status(orderId)).isEqualTo("ACCEPTED");
    assertThat(timeline(orderId)).hasSize(2);

    carrier.clearFaults();
    handled(cancel);

    canceledOnce(orderId, tn);
  }
}
