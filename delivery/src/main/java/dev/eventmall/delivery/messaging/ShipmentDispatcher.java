package dev.eventmall.delivery.messaging;

import dev.eventmall.common.event.Topics;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.delivery.client.CarrierClient;
import dev.eventmall.delivery.domain.Backoff;
import dev.eventmall.delivery.domain.ShipmentStatus;
import dev.eventmall.delivery.domain.ShippingRequest;
import dev.eventmall.delivery.persistence.DeliveryRepository;
import dev.eventmall.delivery.persistence.DeliveryRepository.OrderRow;
import dev.eventmall.delivery.persistence.DeliveryRepository.ShipmentRow;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Sends PENDING shipments to the carrier, outside any consumer transaction: {@code POST /v1/shipments} with
 * {@code Idempotency-Key: ship:<orderId>}.
 * <ul>
 *   <li>201 → ACCEPTED + tracking number + DeliveryStarted (one transaction, only from PENDING).</li>
 *   <li>A definite 4xx (ADDRESS_UNDELIVERABLE, INVALID_REQUEST, ...) → FAILED + DeliveryFailed at once.</li>
 *   <li>Outcome unknown (timeout, 5xx, connection error, 409 in flight, breaker open) → attempts + 1, next attempt after
 *   {@link Backoff}; the periodic {@link #dispatchDue()} sends it again with the SAME key. Exhausted → the carrier is
 *   asked for the order's shipments first ({@code GET /v1/shipments?orderId=}); one found is adopted, else FAILED +
 *   DeliveryFailed.</li>
 * </ul>
 * Runs on the saga verticle's event loop; an order is never dispatched twice at the same time by this instance, and the
 * conditional {@code PENDING} update makes concurrent instances harmless (the carrier dedups by key).
 */
public final class ShipmentDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(ShipmentDispatcher.class);

  private final Pool pool;
  private final CarrierClient carrier;
  private final Backoff backoff;
  private final DeliveryMetrics metrics;
  private final DeliveryRepository repo = new DeliveryRepository();
  private final Set<String> inFlight = new HashSet<>();

  public ShipmentDispatcher(Pool pool, CarrierClient carrier, Backoff backoff, DeliveryMetrics metrics) {
    this.pool = pool;
    this.carrier = carrier;
    this.backoff = backoff;
    this.metrics = metrics;
  }

  /** Sends every PENDING shipment whose next attempt is due (restarts resume here too). */
  public Future<Void> dispatchDue() {
    return repo.due(pool, now(), 20).compose(ids -> {
      ids.forEach(this::dispatch);
      return Future.<Void>succeededFuture();
    });
  }

  /** One carrier attempt for the order, unless one is already running. */
  public void dispatch(String orderId) {
    if (!inFlight.add(orderId)) {
      return;
    }
    attempt(orderId)
      .onFailure(e -> LOG.warn("order {}: shipment attempt could not be recorded: {}", orderId, e.toString()))
      .onComplete(ar -> inFlight.remove(orderId));
  }

  private Future<Void> attempt(String orderId) {
    Future<Optional<ShipmentRow>> shipment = repo.findShipment(pool, orderId);
    Future<Optional<OrderRow>> order = repo.findOrder(pool, orderId);
    return Future.all(shipment, order).compose(all -> {
      ShipmentRow row = shipment.result().orElse(null);
      if (row == null || row.status() != ShipmentStatus.PENDING) {
        return Future.succeededFuture();
      }
      OrderRow o = order.result().orElseThrow();
      JsonObject body = ShippingRequest.of(orderId, o.shippingAddress(), o.lines(), o.orderName());
      return carrier.create(row.idempotencyKey(), body)
        .compose(created -> created instanceof CarrierClient.Accepted a
          ? accepted(row, a.shipment())
          : failed(row, "carrier refused the shipment: " + ((CarrierClient.Refused) created).reason()),
          unknown -> unknownOutcome(row, unknown));
    });
  }

  private Future<Void> unknownOutcome(ShipmentRow row, Throwable cause) {
    int attempts = row.attempts() + 1;
    if (!backoff.exhausted(attempts)) {
      Instant next = now().plus(backoff.after(attempts));
      LOG.info("order {}: carrier outcome unknown (attempt {}/{}: {}); next attempt at {}", row.orderId(), attempts,
        backoff.maxAttempts(), cause.getMessage(), next);
      return repo.retryLater(pool, row.orderId(), attempts, next, now());
    }
    String reason = "carrier unavailable after " + attempts + " attempts: " + cause.getMessage();
    return carrier.findByOrder(row.orderId())
      .compose(found -> found.isEmpty() ? failed(row, reason) : accepted(row, found.get(0)),
        lookupFailed -> failed(row, reason));
  }

  private Future<Void> accepted(ShipmentRow row, JsonObject shipment) {
    String orderId = row.orderId();
    String shipmentId = shipment.getString("shipmentId");
    String trackingNumber = shipment.getString("trackingNumber");
    Instant at = now();
    boolean[] started = {false};
    boolean[] cancelAtCarrier = {false};
    return pool.withTransaction(conn -> repo.lockShipment(conn, orderId).compose(locked -> {
        ShipmentRow current = locked.orElseThrow();
        if (current.status() == ShipmentStatus.PENDING) {
          started[0] = true;
          return repo.accept(conn, orderId, shipmentId, trackingNumber, at)
            .compose(v -> repo.addEvent(conn, orderId, ShipmentStatus.ACCEPTED.name(),
              "Carrier accepted the shipment, tracking number " + trackingNumber, at))
            .compose(v -> Outbox.append(conn, Topics.DELIVERY_EVENTS, DeliveryEvents.started(orderId,
              current.causeEventId(), shipmentId, trackingNumber, current.carrier(), at)));
        }
        if (current.status() == ShipmentStatus.CANCELLED && current.trackingNumber() == null) {
          // the order was cancelled while the create call was in flight: keep the ids and withdraw the parcel
          cancelAtCarrier[0] = true;
          return repo.attachTracking(conn, orderId, shipmentId, trackingNumber, at)
            .compose(v -> repo.addEvent(conn, orderId, ShipmentStatus.CANCELLED.name(),
              "Carrier accepted " + trackingNumber + " after the order was cancelled: cancelling it with the carrier", at));
        }
        return Future.succeededFuture();
      }))
      .onSuccess(v -> {
        if (started[0]) {
          metrics.started.increment();
          LOG.info("order {}: carrier accepted shipment {} ({})", orderId, shipmentId, trackingNumber);
        }
        if (cancelAtCarrier[0]) {
          carrier.cancel(trackingNumber).onComplete(ar -> LOG.info("order {}: carrier cancel of {} after the order was "
            + "cancelled: {}", orderId, trackingNumber, ar.succeeded() ? ar.result().isPresent() ? "CANCELED"
            : "not cancelable" : ar.cause().toString()));
        }
      })
      .mapEmpty();
  }

  private Future<Void> failed(ShipmentRow row, String reason) {
    String orderId = row.orderId();
    Instant at = now();
    boolean[] emitted = {false};
    return pool.withTransaction(conn -> repo.lockShipment(conn, orderId).compose(locked -> {
        if (locked.orElseThrow().status() != ShipmentStatus.PENDING) {
          return Future.succeededFuture();
        }
        emitted[0] = true;
        return repo.move(conn, orderId, ShipmentStatus.FAILED, reason, at)
          .compose(v -> repo.addEvent(conn, orderId, ShipmentStatus.FAILED.name(), reason, at))
          .compose(v -> Outbox.append(conn, Topics.DELIVERY_EVENTS,
            DeliveryEvents.failed(orderId, row.causeEventId(), reason, null, at)));
      }))
      .onSuccess(v -> {
        if (emitted[0]) {
          metrics.failed.increment();
          LOG.info("order {}: DeliveryFailed ({})", orderId, reason);
        }
      })
      .mapEmpty();
  }

  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }
}
