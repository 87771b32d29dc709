package dev.eventmall.delivery.messaging;

import dev.eventmall.common.event.EventPayloads;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.event.payload.OrderCancelRequested;
import dev.eventmall.common.event.payload.OrderPlaced;
import dev.eventmall.common.event.payload.OrderScoped;
import dev.eventmall.common.kafka.BatchHandler;
import dev.eventmall.common.kafka.Consumed;
import dev.eventmall.common.kafka.NotYet;
import dev.eventmall.common.logging.LogContext;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.delivery.client.CarrierClient;
import dev.eventmall.delivery.domain.DeliveryRules;
import dev.eventmall.delivery.domain.ShipmentStatus;
import dev.eventmall.delivery.persistence.DeliveryRepository;
import dev.eventmall.delivery.persistence.DeliveryRepository.EventRow;
import dev.eventmall.delivery.persistence.DeliveryRepository.NewShipment;
import dev.eventmall.delivery.persistence.DeliveryRepository.OrderRow;
import dev.eventmall.delivery.persistence.DeliveryRepository.ShipmentRow;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.eventmall.common.event.EventTypes.DELIVERY_FAILED;
import static dev.eventmall.common.event.EventTypes.DELIVERY_STATUS_CHANGED;
import static dev.eventmall.common.event.EventTypes.ORDER_CANCEL_REQUESTED;
import static dev.eventmall.common.event.EventTypes.ORDER_PLACED;
import static dev.eventmall.common.event.EventTypes.PAYMENT_COMPLETED;

/**
 * The {@code delivery-saga} consumer (docs/saga.md, "Delivery rules", decided by {@link DeliveryRules}), a batch of
 * events at a time in ONE transaction: the batch's order and shipment rows locked, every event applied in batch order
 * to the state the previous ones left, then one statement per kind of change (orders placed, orders cancelled, new
 * shipments, timeline entries, outbox) plus one update per shipment a cancel moves.
 * <ul>
 *   <li>OrderPlaced: remember memberId, the shipping address snapshot and the lines.</li>
 *   <li>PaymentCompleted: before OrderPlaced → that event fails alone (retried, nothing written); order
 *   cancelled → a CANCELLED row, no shipment; no shipping address → FAILED + DeliveryFailed; else a PENDING row (UNIQUE
 *   order_id: a second PaymentCompleted adds nothing) which the {@link ShipmentDispatcher} books with the carrier
 *   after the commit, the whole batch's shipments at once.</li>
 *   <li>OrderCancelRequested: remember it (a later PaymentCompleted ships nothing); PENDING → CANCELLED; ACCEPTED →
 *   canceled with the carrier first (before the transaction; an unknown outcome fails that event alone, retried), then
 *   CANCELED + DeliveryStatusChanged(CANCELED); already picked up → recorded in the timeline, nothing emitted.</li>
 * </ul>
 *
 * <p><b>Duplicates without an inbox.</b> Kafka delivers at least once, but this consumer writes no {@code inbox} rows
 * (they were two rows per order): what an event did is found again in the rows it locks, and the rules make an event
 * handled before (delivered again, or twice in one batch) change nothing:
 * <ul>
 *   <li>OrderPlaced writes the same snapshot again; the upsert leaves {@code cancel_requested} as it is.</li>
 *   <li>PaymentCompleted finds the order's shipment (one per order) → nothing.</li>
 *   <li>OrderCancelRequested finds the order row {@code cancel_requested} → {@link DeliveryRules.Action#DUPLICATE},
 *   not even a timeline note: an order is cancelled at most once, and a cancel whose carrier withdrawal failed wrote
 *   nothing, so its retry is applied.</li>
 * </ul>
 * It is race-free because every decision rests on rows read with {@code SELECT … FOR UPDATE}, the transaction's first
 * statements ({@code lockOrders}, then {@code lockShipments}, each in order id order), and on nothing else:
 * <ul>
 *   <li>A locking read is a current read: under InnoDB's REPEATABLE READ it returns the newest committed version of
 *   each row whatever the transaction's snapshot, and creates no read view. Two handlings of the same event serialize
 *   on the order row's lock, and the second reads what the first committed. A shipment is only inserted under that
 *   lock or with the order row inserted in the same transaction (PaymentCompleted with no order row waits), so the
 *   order row covers it too.</li>
 *   <li>An order without a row yet: {@code FOR UPDATE} of a missing key locks the gap where it would go. Gap locks do
 *   not exclude each other, so both handlings get past the reads; their inserts of the order row then wait for each
 *   other's gap lock, a deadlock InnoDB breaks by rolling one transaction back (MySQL 1213). The bridge retries that
 *   batch's events, and the retry finds the row.</li>
 *   <li>The transaction makes no plain (consistent, non-locking) read. Under REPEATABLE READ the first one fixes the
 *   snapshot every later plain read sees; one made before the locks (the inbox SELECT was one, made safe only by its
 *   insert's duplicate key) would show the rows as they were before a concurrent handling committed, and a decision
 *   taken from it would apply the event twice. Any read a decision uses must stay a locking one.</li>
 * </ul>
 * The carrier withdrawal before the transaction reads shipments without a lock, on another connection, only to decide
 * whether to call the carrier (idempotent there); the transaction decides again from the locked rows.
 */
public final class DeliveryHandlers implements BatchHandler {
  public static final String CONSUMER = "delivery-saga";
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryHandlers.class);

  private final Pool pool;
  private final CarrierClient carrier;
  private final ShipmentDispatcher dispatcher;
  private final DeliveryMetrics metrics;
  private final DeliveryRepository repo = new DeliveryRepository();

  public DeliveryHandlers(Pool pool, CarrierClient carrier, ShipmentDispatcher dispatcher, DeliveryMetrics metrics) {
    this.pool = pool;
    this.carrier = carrier;
    this.dispatcher = dispatcher;
    this.metrics = metrics;
  }

  private record Input(int index, Consumed consumed, String orderId, OrderScoped payload) {
    String type() {
      return consumed.type();
    }
  }

  @Override
  public boolean actsOn(String topic, String type) {
    return Topics.ORDER_EVENTS.equals(topic) && (ORDER_PLACED.equals(type) || ORDER_CANCEL_REQUESTED.equals(type))
      || Topics.PAYMENT_EVENTS.equals(topic) && PAYMENT_COMPLETED.equals(type);
  }

  @Override
  public Future<List<Future<Void>>> handle(List<Consumed> batch) {
    List<Future<Void>> results = new ArrayList<>(BatchHandler.acknowledged(batch.size()));
    List<Input> inputs = keyedActedOn(batch, results)
      .stream().map(k -> new Input(k.index(), k.consumed(), k.key(), k.payload())).toList();
    if (inputs.isEmpty()) {
      return Future.succeededFuture(results);
    }
    return withdrawals(inputs, results).compose(asked -> apply(inputs, results, asked)).map(results);
  }

  /**
   * A cancel of a shipment the carrier holds is withdrawn at the carrier first (idempotent there), outside any
   * transaction, all of the batch's at once. Returns what the carrier said per order asked (an order not in it was not
   * asked); a cancel whose outcome is unknown fails alone and is left out of the batch.
   */
  private Future<Map<String, DeliveryRules.Withdrawal>> withdrawals(List<Input> inputs, List<Future<Void>> results) {
    Set<String> cancels = new LinkedHashSet<>();
    inputs.stream().filter(in -> ORDER_CANCEL_REQUESTED.equals(in.type())).forEach(in -> cancels.add(in.orderId()));
    if (cancels.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return repo.findShipments(pool, cancels).compose(shipments -> {
      Map<String, DeliveryRules.Withdrawal> asked = new HashMap<>();
      List<Future<Void>> calls = new ArrayList<>();
      for (ShipmentRow s : shipments.values()) {
        if (!DeliveryRules.withdrawAtCarrier(s.status(), s.trackingNumber())) {
          continue;
        }
        calls.add(carrier.cancel(s.trackingNumber()).transform(ar -> {
          if (ar.succeeded()) {
            asked.put(s.orderId(), ar.result().isPresent() ? DeliveryRules.Withdrawal.WITHDRAWN
              : DeliveryRules.Withdrawal.REFUSED);
          } else {
            inputs.stream().filter(in -> in.orderId().equals(s.orderId()) && ORDER_CANCEL_REQUESTED.equals(in.type()))
              .forEach(in -> results.set(in.index(), Future.failedFuture(ar.cause())));
          }
          return Future.<Void>succeededFuture();
        }));
      }
      return Future.join(calls).transform(ar -> Future.succeededFuture(asked));
    });
  }

  private Future<Void> apply(List<Input> all, List<Future<Void>> results,
                             Map<String, DeliveryRules.Withdrawal> asked) {
    List<Input> inputs = all.stream().filter(in -> !results.get(in.index()).failed()).toList();
    if (inputs.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> dispatch = new ArrayList<>();
    Map<String, String> spans = new HashMap<>();
    int[] failed = {0};
    Set<String> orderIds = new HashSet<>();
    inputs.forEach(in -> orderIds.add(in.orderId()));
    // the locks are the transaction's first statements and every decision reads only them: see the class comment
    return pool.withTransaction(conn -> repo.lockOrders(conn, orderIds)
        .compose(orders -> repo.lockShipments(conn, orderIds).compose(shipments -> {
          Instant now = ShipmentDispatcher.now();
          Map<String, OrderRow> state = new HashMap<>(orders);
          Map<String, ShipmentRow> ships = new HashMap<>(shipments);
          Map<String, OrderRow> placed = new LinkedHashMap<>();
          Set<String> cancelled = new LinkedHashSet<>();
          List<NewShipment> created = new ArrayList<>();
          List<ShipmentRow> moved = new ArrayList<>();
          List<Map.Entry<String, EventRow>> timeline = new ArrayList<>();
          List<Outbox.Outgoing> emitted = new ArrayList<>();
          for (Input in : inputs) {
            Consumed c = in.consumed();
            String orderId = in.orderId();
            OrderRow order = state.get(orderId);
            DeliveryRules.Decision d;
            switch (in.type()) {
              case ORDER_PLACED -> {
                OrderPlaced p = (OrderPlaced) in.payload();
                OrderRow placedRow = new OrderRow(orderId, p.memberId(), p.shippingAddress() == null ? null
                  : EventPayloads.toJson(p.shippingAddress()), EventPayloads.toJson(p.lines()), p.orderName(), true,
                  order != null && order.cancelRequested());
                state.put(orderId, placedRow);
                placed.put(orderId, placedRow);
                continue;
              }
              case ORDER_CANCEL_REQUESTED -> {
                ShipmentRow s = ships.get(orderId);
                d = DeliveryRules.cancelRequested(known(order), s == null ? null : s.status(),
                  s == null ? null : s.trackingNumber(),
                  asked.getOrDefault(orderId, DeliveryRules.Withdrawal.NOT_ASKED),
                  ((OrderCancelRequested) in.payload()).reason());
                if (d.action() != DeliveryRules.Action.DUPLICATE && d.action() != DeliveryRules.Action.WAIT) {
                  // remembered only by the handling that applies it (a waiting one is retried unremembered)
                  state.put(orderId, order == null ? new OrderRow(orderId, null, null, null, null, false, true)
                    : new OrderRow(orderId, order.memberId(), order.shippingAddress(), order.lines(),
                    order.orderName(), order.placed(), true));
                  cancelled.add(orderId);
                }
              }
              default -> {
                ShipmentRow s = ships.get(orderId);
                d = DeliveryRules.paymentCompleted(known(order), s == null ? null : s.status());
              }
            }
            if (d.action() == DeliveryRules.Action.DUPLICATE) {
              LogContext.about(LOG.atInfo(), orderId, c.span())
                .log("order {} was cancelled here before; {} {} is a duplicate and changes nothing", orderId,
                  c.type(), c.event().id());
              continue;
            }
            if (d.action() == DeliveryRules.Action.WAIT) {
              results.set(in.index(), Future.failedFuture(new NotYet(c.type() + " " + c.event().id()
                + " for order " + orderId + (d.reason() != null ? ": " + d.reason() : " before its OrderPlaced; retried"))));
              continue;
            }
            ShipmentRow s = ships.get(orderId);
            if (d.action() == DeliveryRules.Action.NOTE && d.note() == null) {
              LogContext.about(LOG.atInfo(), orderId, c.span())
                .log("order {} already has a shipment; {} {} adds nothing", orderId, c.type(), c.event().id());
            }
            if (d.action() == DeliveryRules.Action.CREATE) {
              String key = "ship:" + orderId;
              created.add(new NewShipment(orderId, d.status(), CarrierClient.CARRIER, key, d.reason(),
                c.event().id().toString()));
              ships.put(orderId, new ShipmentRow(orderId, d.status(), CarrierClient.CARRIER, null, null, key, 0,
                d.reason(), c.event().id().toString(), now, now));
            }
            if (d.action() == DeliveryRules.Action.MOVE) {
              ShipmentRow m = new ShipmentRow(orderId, d.status(), s.carrier(), s.shipmentId(), s.trackingNumber(),
                s.idempotencyKey(), s.attempts(), d.reason(), s.causeEventId(), s.createdAt(), now);
              ships.put(orderId, m);
              moved.add(m);
            }
            if (d.note() != null) {
              timeline.add(Map.entry(orderId, new EventRow(d.noteStatus(), d.note(), now)));
            }
            switch (d.emit()) {
              case DELIVERY_FAILED -> {
                failed[0]++;
                emitted.add(c.emit(Topics.DELIVERY_EVENTS, c.causes(DELIVERY_FAILED, orderId,
                  DeliveryEvents.failedPayload(orderId, d.reason(), null, now))));
              }
              case STATUS_CHANGED -> emitted.add(c.emit(Topics.DELIVERY_EVENTS, c.causes(DELIVERY_STATUS_CHANGED,
                orderId, DeliveryEvents.statusChangedPayload(orderId, s.trackingNumber(),
                  ShipmentStatus.CANCELED, ShipmentStatus.ACCEPTED, "order cancelled", now))));
              default -> {
              }
            }
            if (d.dispatch()) {
              dispatch.add(orderId);
              if (c.span() != null) {
                spans.put(orderId, c.span());
              }
            }
          }
          return repo.upsertPlacedAll(conn, List.copyOf(placed.values()), now)
            .compose(v -> repo.markCancelRequestedAll(conn, cancelled, now))
            .compose(v -> repo.insertShipments(conn, created, now))
            .compose(v -> moveAll(conn, moved, now))
            .compose(v -> repo.addEvents(conn, timeline))
            .compose(v -> Outbox.appendAll(conn, emitted));
        })))
      .onSuccess(v -> {
        for (int i = 0; i < failed[0]; i++) {
          metrics.failed.increment();
        }
        dispatcher.dispatchAll(dispatch, spans);
      });
  }

  /** What the rules need of an order's locked row (null: no row). */
  private static DeliveryRules.Order known(OrderRow order) {
    return order == null ? null : new DeliveryRules.Order(order.placed(), order.cancelRequested(),
      order.shippingAddress() != null && order.lines() != null && !order.lines().isEmpty());
  }

  /** The shipments a cancel moved (rare: one statement each, in order). */
  private Future<Void> moveAll(SqlConnection conn, List<ShipmentRow> moved, Instant now) {
    Future<Void> chain = Future.succeededFuture();
    for (ShipmentRow m : moved) {
      chain = chain.compose(v -> repo.move(conn, m.orderId(), m.status(), m.failureReason(), now));
    }
    return chain;
  }
}
