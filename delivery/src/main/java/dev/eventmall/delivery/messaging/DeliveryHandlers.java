package dev.eventmall.delivery.messaging;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.inbox.Inbox;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.delivery.client.CarrierClient;
import dev.eventmall.delivery.domain.ShipmentStatus;
import dev.eventmall.delivery.persistence.DeliveryRepository;
import dev.eventmall.delivery.persistence.DeliveryRepository.ShipmentRow;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Optional;

/**
 * The {@code delivery-saga} consumer (docs/saga.md, "Delivery rules"). Each event's effect commits with its inbox row
 * ({@link Inbox#once}, consumer {@value #CONSUMER}) under the lock of the order's {@code delivery_order} row.
 * <ul>
 *   <li>OrderPlaced: remember memberId, the shipping address snapshot and the lines.</li>
 *   <li>PaymentCompleted: before OrderPlaced → fail (the bridge retries); order cancelled → a CANCELLED row, no
 *   shipment; no shipping address → FAILED + DeliveryFailed; else a PENDING row (UNIQUE order_id: a second
 *   PaymentCompleted adds nothing) which the {@link ShipmentDispatcher} sends to the carrier after the commit.</li>
 *   <li>OrderCancelRequested: remember it (a later PaymentCompleted ships nothing); PENDING → CANCELLED; ACCEPTED →
 *   canceled with the carrier first (outside the transaction; unknown outcome fails the handler, retried), then
 *   CANCELED + DeliveryStatusChanged(CANCELED); already picked up → recorded in the timeline, nothing emitted.</li>
 * </ul>
 */
public final class DeliveryHandlers {
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

  /** {@code order.events}. */
  public Future<?> onOrderEvent(EventEnvelope event) {
    return switch (event.type()) {
      case "OrderPlaced" -> placed(event);
      case "OrderCancelRequested" -> cancelRequested(event);
      default -> Future.succeededFuture();
    };
  }

  /** {@code payment.events}. */
  public Future<?> onPaymentEvent(EventEnvelope event) {
    return "PaymentCompleted".equals(event.type()) ? paymentCompleted(event) : Future.succeededFuture();
  }

  Future<Boolean> placed(EventEnvelope event) {
    JsonObject p = event.payload();
    String orderId = orderId(event);
    return Inbox.once(pool, CONSUMER, event, conn -> repo.upsertPlaced(conn, orderId, p.getString("memberId"),
      p.getJsonObject("shippingAddress"), p.getJsonArray("lines"), p.getString("orderName"), ShipmentDispatcher.now()));
  }

  private enum Next { NOTHING, DISPATCH, FAILED }

  Future<Boolean> paymentCompleted(EventEnvelope event) {
    String orderId = orderId(event);
    Next[] next = {Next.NOTHING};
    return Inbox.once(pool, CONSUMER, event, conn -> repo.lockOrder(conn, orderId).compose(found -> {
        Instant now = ShipmentDispatcher.now();
        if (found.isEmpty() || !found.get().placed() && !found.get().cancelRequested()) {
          return Future.failedFuture(new IllegalStateException(
            "PaymentCompleted " + event.id() + " for order " + orderId + " before its OrderPlaced; retried"));
        }
        var order = found.get();
        String key = "ship:" + orderId;
        String carrierName = CarrierClient.CARRIER;
        if (order.cancelRequested()) {
          return repo.insertShipment(conn, orderId, ShipmentStatus.CANCELLED, carrierName, key,
              "order cancelled before payment completed", event.id().toString(), now)
            .compose(inserted -> inserted ? repo.addEvent(conn, orderId, ShipmentStatus.CANCELLED.name(),
              "Payment completed after the order was cancelled: nothing shipped", now) : Future.succeededFuture());
        }
        if (order.shippingAddress() == null || order.lines() == null || order.lines().isEmpty()) {
          String reason = "order has no shipping address";
          return repo.insertShipment(conn, orderId, ShipmentStatus.FAILED, carrierName, key, reason, event.id().toString(), now)
            .compose(inserted -> {
              if (!inserted) {
                return Future.succeededFuture();
              }
              next[0] = Next.FAILED;
              return repo.addEvent(conn, orderId, ShipmentStatus.FAILED.name(), reason, now)
                .compose(v -> Outbox.append(conn, Topics.DELIVERY_EVENTS,
                  DeliveryEvents.failed(orderId, event.id().toString(), reason, null, now)));
            });
        }
        return repo.insertShipment(conn, orderId, ShipmentStatus.PENDING, carrierName, key, null, event.id().toString(), now)
          .compose(inserted -> {
            if (!inserted) {
              LOG.info("order {} already has a shipment; PaymentCompleted {} adds nothing", orderId, event.id());
              return Future.succeededFuture();
            }
            next[0] = Next.DISPATCH;
            return repo.addEvent(conn, orderId, ShipmentStatus.PENDING.name(), "Payment completed: creating the shipment", now);
          });
      }))
      .onSuccess(first -> {
        switch (next[0]) {
          case DISPATCH -> dispatcher.dispatch(orderId);
          case FAILED -> metrics.failed.increment();
          default -> {
          }
        }
      });
  }

  Future<Boolean> cancelRequested(EventEnvelope event) {
    String orderId = orderId(event);
    // a shipment the carrier holds is withdrawn first (idempotent at the carrier), outside any transaction
    return repo.findShipment(pool, orderId).compose(before -> {
      Optional<ShipmentRow> s = before.filter(r -> r.status() == ShipmentStatus.ACCEPTED && r.trackingNumber() != null);
      Future<Optional<JsonObject>> withdrawn = s.isEmpty()
        ? Future.succeededFuture(Optional.empty())
        : carrier.cancel(s.get().trackingNumber());
      return withdrawn.compose(canceled -> Inbox.once(pool, CONSUMER, event,
        conn -> recordCancel(conn, event, orderId, canceled.isPresent())));
    });
  }

  private Future<Void> recordCancel(SqlConnection conn, EventEnvelope event, String orderId, boolean canceledAtCarrier) {
    Instant now = ShipmentDispatcher.now();
    String reason = event.payload().getString("reason", "");
    return repo.markCancelRequested(conn, orderId, now)
      .compose(v -> repo.lockOrder(conn, orderId))
      .compose(v -> repo.lockShipment(conn, orderId))
      .compose(found -> {
        if (found.isEmpty()) {
          return repo.addEvent(conn, orderId, "CANCEL_REQUESTED", "Order cancelled before shipping: nothing will be shipped ("
            + reason + ")", now);
        }
        ShipmentRow s = found.get();
        return switch (s.status()) {
          case PENDING -> repo.move(conn, orderId, ShipmentStatus.CANCELLED, "order cancelled: " + reason, now)
            .compose(v -> repo.addEvent(conn, orderId, ShipmentStatus.CANCELLED.name(),
              "Order cancelled before the carrier accepted the shipment", now));
          case ACCEPTED -> canceledAtCarrier
            ? repo.move(conn, orderId, ShipmentStatus.CANCELED, "order cancelled: " + reason, now)
              .compose(v -> repo.addEvent(conn, orderId, ShipmentStatus.CANCELED.name(),
                "Shipment canceled with the carrier: order cancelled", now))
              .compose(v -> Outbox.append(conn, Topics.DELIVERY_EVENTS, DeliveryEvents.statusChanged(orderId,
                s.trackingNumber(), ShipmentStatus.CANCELED, ShipmentStatus.ACCEPTED, "order cancelled", now)))
            : repo.addEvent(conn, orderId, "CANCEL_REQUESTED",
              "Order cancel requested but the carrier no longer allows canceling the shipment", now);
          default -> repo.addEvent(conn, orderId, "CANCEL_REQUESTED",
            "Order cancel requested while the shipment is " + s.status() + ": nothing to cancel", now);
        };
      });
  }

  private static String orderId(EventEnvelope event) {
    String orderId = event.payload().getString("orderId");
    if (orderId == null || orderId.isBlank()) {
      throw new IllegalArgumentException(event.type() + " " + event.id() + " has no orderId");
    }
    return orderId;
  }
}
