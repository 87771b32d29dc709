package dev.eventmall.delivery.messaging;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventPayloads;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.event.payload.OrderCancelRequested;
import dev.eventmall.common.event.payload.OrderPlaced;
import dev.eventmall.common.event.payload.OrderScoped;
import dev.eventmall.common.inbox.Inbox;
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
import java.util.UUID;

import static dev.eventmall.common.event.EventTypes.DELIVERY_FAILED;
import static dev.eventmall.common.event.EventTypes.DELIVERY_STATUS_CHANGED;
import static dev.eventmall.common.event.EventTypes.ORDER_CANCEL_REQUESTED;
import static dev.eventmall.common.event.EventTypes.ORDER_PLACED;
import static dev.eventmall.common.event.EventTypes.PAYMENT_COMPLETED;

/**
 * The {@code delivery-saga} consumer (docs/saga.md, "Delivery rules", decided by {@link DeliveryRules}), a batch of
 * events at a time in ONE transaction: which events are new (inbox), the batch's order and shipment rows locked, every
 * event applied in batch order to the state the previous ones left, then one statement per kind of change (orders
 * placed, orders cancelled, new shipments, timeline entries, outbox) plus one update per shipment a cancel moves.
 * <ul>
 *   <li>OrderPlaced: remember memberId, the shipping address snapshot and the lines.</li>
 *   <li>PaymentCompleted: before OrderPlaced → that event fails alone (retried, not recorded as handled); order
 *   cancelled → a CANCELLED row, no shipment; no shipping address → FAILED + DeliveryFailed; else a PENDING row (UNIQUE
 *   order_id: a second PaymentCompleted adds nothing) which the {@link ShipmentDispatcher} books with the carrier
 *   after the commit, the whole batch's shipments at once.</li>
 *   <li>OrderCancelRequested: remember it (a later PaymentCompleted ships nothing); PENDING → CANCELLED; ACCEPTED →
 *   canceled with the carrier first (before the transaction; an unknown outcome fails that event alone, retried), then
 *   CANCELED + DeliveryStatusChanged(CANCELED); already picked up → recorded in the timeline, nothing emitted.</li>
 * </ul>
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
    return withdrawn(inputs, results).compose(withdrawn -> apply(inputs, results, withdrawn)).map(results);
  }

  /**
   * A cancel of a shipment the carrier holds is withdrawn at the carrier first (idempotent there), outside any
   * transaction, all of the batch's at once. Returns the orders withdrawn; a cancel whose outcome is unknown fails
   * alone and is left out of the batch.
   */
  private Future<Set<String>> withdrawn(List<Input> inputs, List<Future<Void>> results) {
    Set<String> cancels = new LinkedHashSet<>();
    inputs.stream().filter(in -> ORDER_CANCEL_REQUESTED.equals(in.type())).forEach(in -> cancels.add(in.orderId()));
    if (cancels.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    return repo.findShipments(pool, cancels).compose(shipments -> {
      Set<String> withdrawn = new HashSet<>();
      List<Future<Void>> calls = new ArrayList<>();
      for (ShipmentRow s : shipments.values()) {
        if (!DeliveryRules.withdrawAtCarrier(s.status(), s.trackingNumber())) {
          continue;
        }
        calls.add(carrier.cancel(s.trackingNumber()).transform(ar -> {
          if (ar.succeeded()) {
            if (ar.result().isPresent()) {
              withdrawn.add(s.orderId());
            }
          } else {
            inputs.stream().filter(in -> in.orderId().equals(s.orderId()) && ORDER_CANCEL_REQUESTED.equals(in.type()))
              .forEach(in -> results.set(in.index(), Future.failedFuture(ar.cause())));
          }
          return Future.<Void>succeededFuture();
        }));
      }
      return Future.join(calls).transform(ar -> Future.succeededFuture(withdrawn));
    });
  }

  private Future<Void> apply(List<Input> all, List<Future<Void>> results, Set<String> withdrawn) {
    List<Input> inputs = all.stream().filter(in -> !results.get(in.index()).failed()).toList();
    if (inputs.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> dispatch = new ArrayList<>();
    Map<String, String> spans = new HashMap<>();
    int[] failed = {0};
    return pool.withTransaction(conn -> Inbox.firstSeen(conn, CONSUMER,
        inputs.stream().map(in -> in.consumed().event()).toList()).compose(fresh -> {
        Set<String> orderIds = new HashSet<>();
        inputs.forEach(in -> orderIds.add(in.orderId()));
        return repo.lockOrders(conn, orderIds).compose(orders -> repo.lockShipments(conn, orderIds)
          .compose(shipments -> {
            Instant now = ShipmentDispatcher.now();
            Map<String, OrderRow> state = new HashMap<>(orders);
            Map<String, ShipmentRow> ships = new HashMap<>(shipments);
            Map<String, OrderRow> placed = new LinkedHashMap<>();
            Set<String> cancelled = new LinkedHashSet<>();
            List<NewShipment> created = new ArrayList<>();
            List<ShipmentRow> moved = new ArrayList<>();
            List<Map.Entry<String, EventRow>> timeline = new ArrayList<>();
            List<Outbox.Outgoing> emitted = new ArrayList<>();
            List<EventEnvelope> handled = new ArrayList<>();
            Set<UUID> seen = new HashSet<>();
            for (Input in : inputs) {
              Consumed c = in.consumed();
              if (!fresh.contains(c.event().id()) || !seen.add(c.event().id())) {
                continue;
              }
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
                  handled.add(c.event());
                  continue;
                }
                case ORDER_CANCEL_REQUESTED -> {
                  ShipmentRow s = ships.get(orderId);
                  d = DeliveryRules.cancelRequested(known(order), s == null ? null : s.status(),
                    withdrawn.contains(orderId), ((OrderCancelRequested) in.payload()).reason());
                  if (d.action() != DeliveryRules.Action.DUPLICATE) {
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
                handled.add(c.event());
                continue;
              }
              if (d.action() == DeliveryRules.Action.WAIT) {
                seen.remove(c.event().id());
                results.set(in.index(), Future.failedFuture(new NotYet(c.type() + " " + c.event().id()
                  + " for order " + orderId + " before its OrderPlaced; retried")));
                continue;
              }
              handled.add(c.event());
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
            return Inbox.record(conn, CONSUMER, handled)
              .compose(v -> repo.upsertPlacedAll(conn, List.copyOf(placed.values()), now))
              .compose(v -> repo.markCancelRequestedAll(conn, cancelled, now))
              .compose(v -> repo.insertShipments(conn, created, now))
              .compose(v -> moveAll(conn, moved, now))
              .compose(v -> repo.addEvents(conn, timeline))
              .compose(v -> Outbox.appendAll(conn, emitted));
          }));
      }))
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
