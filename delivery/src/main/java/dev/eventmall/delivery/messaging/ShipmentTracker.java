package dev.eventmall.delivery.messaging;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.delivery.client.CarrierClient;
import dev.eventmall.delivery.domain.ShipmentStatus;
import dev.eventmall.delivery.persistence.DeliveryRepository;
import dev.eventmall.delivery.persistence.DeliveryRepository.ShipmentRow;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Follows shipments at the carrier. The carrier's shipment is always read with {@code GET /v1/shipments/{tn}} (a webhook
 * body only says which shipment to re-read). Status moves are applied under the shipment's row lock and only forward;
 * each move emits DeliveryStatusChanged, DELIVERED also DeliveryCompleted, FAILED / RETURNED also DeliveryFailed, in
 * one transaction with the new status.
 */
public final class ShipmentTracker {
  private static final Logger LOG = LoggerFactory.getLogger(ShipmentTracker.class);

  /** Outcome of a refresh: which shipment (empty when unknown to delivery or to the carrier) and its status now. */
  public record Refreshed(String orderId, String trackingNumber, ShipmentStatus status) {
  }

  private final Pool pool;
  private final CarrierClient carrier;
  private final DeliveryMetrics metrics;
  private final DeliveryRepository repo = new DeliveryRepository();
  private boolean polling;

  public ShipmentTracker(Pool pool, CarrierClient carrier, DeliveryMetrics metrics) {
    this.pool = pool;
    this.carrier = carrier;
    this.metrics = metrics;
  }

  /** One polling round over the shipments not yet terminal (skipped while the previous round still runs). */
  public Future<Void> poll() {
    if (polling) {
      return Future.succeededFuture();
    }
    polling = true;
    return repo.trackable(pool, 50)
      .compose(tns -> {
        Future<Void> chain = Future.succeededFuture();
        for (String tn : tns) {
          chain = chain.compose(v -> refresh(tn)
            .<Void>map(r -> null)
            .recover(e -> {
              LOG.debug("tracking {} failed: {}", tn, e.toString());
              return Future.succeededFuture();
            }));
        }
        return chain;
      })
      .eventually(() -> {
        polling = false;
        return Future.succeededFuture();
      });
  }

  /** Re-reads a shipment from the carrier and applies what changed; empty when it is unknown here or at the carrier. */
  public Future<Optional<Refreshed>> refresh(String trackingNumber) {
    return repo.findShipmentByTracking(pool, trackingNumber).compose(known -> known.isEmpty()
      ? Future.succeededFuture(Optional.empty())
      : carrier.track(trackingNumber).compose(found -> found.isEmpty()
        ? Future.succeededFuture(Optional.empty())
        : apply(found.get()).map(Optional::of)));
  }

  private Future<Refreshed> apply(JsonObject shipment) {
    String trackingNumber = shipment.getString("trackingNumber");
    List<EventEnvelope> emitted = new ArrayList<>();
    Refreshed[] result = new Refreshed[1];
    return pool.withTransaction(conn -> repo.lockShipmentByTracking(conn, trackingNumber).compose(locked -> {
        ShipmentRow row = locked.orElseThrow();
        String orderId = row.orderId();
        ShipmentStatus current = row.status();
        Future<Void> chain = Future.succeededFuture();
        String failureReason = null;
        for (Step step : steps(shipment)) {
          if (!current.canMoveTo(step.status())) {
            continue;
          }
          ShipmentStatus previous = current;
          current = step.status();
          String description = step.description();
          chain = chain.compose(v -> repo.addEvent(conn, orderId, step.status().name(), description, step.at()));
          emitted.add(DeliveryEvents.statusChanged(orderId, trackingNumber, step.status(), previous, description, step.at()));
          switch (step.status()) {
            case DELIVERED -> emitted.add(DeliveryEvents.completed(orderId, trackingNumber, step.at()));
            case FAILED, RETURNED -> {
              failureReason = "carrier reports " + step.status() + ": "
                + shipment.getString("failureReason", description == null ? "no reason given" : description);
              emitted.add(DeliveryEvents.failed(orderId, null, failureReason, trackingNumber, step.at()));
            }
            default -> {
            }
          }
        }
        result[0] = new Refreshed(orderId, trackingNumber, current);
        if (current == row.status()) {
          return chain;
        }
        ShipmentStatus next = current;
        String reason = failureReason;
        return chain.compose(v -> repo.move(conn, orderId, next, reason, ShipmentDispatcher.now()))
          .compose(v -> Outbox.appendAll(conn, Topics.DELIVERY_EVENTS, emitted));
      }))
      .onSuccess(v -> emitted.forEach(e -> {
        LOG.debug("order {}: {} {}", e.key(), e.type(), e.payload().getString("status", ""));
        switch (e.type()) {
          case "DeliveryCompleted" -> metrics.completed.increment();
          case "DeliveryFailed" -> metrics.failed.increment();
          default -> {
          }
        }
      }))
      .map(v -> result[0]);
  }

  private record Step(ShipmentStatus status, Instant at, String description) {
  }

  /** The carrier's history (events[]) in order, then its current status in case the history lacks it. */
  private static List<Step> steps(JsonObject shipment) {
    List<Step> steps = new ArrayList<>();
    JsonArray events = shipment.getJsonArray("events", new JsonArray());
    for (int i = 0; i < events.size(); i++) {
      JsonObject e = events.getJsonObject(i);
      ShipmentStatus.ofCarrier(e.getString("status"))
        .ifPresent(s -> steps.add(new Step(s, time(e.getString("at")), e.getString("description"))));
    }
    ShipmentStatus.ofCarrier(shipment.getString("status"))
      .ifPresent(s -> steps.add(new Step(s, time(shipment.getString("updatedAt")), null)));
    return steps;
  }

  private static Instant time(String iso) {
    try {
      return iso == null ? ShipmentDispatcher.now() : Instant.parse(iso);
    } catch (DateTimeParseException e) {
      return ShipmentDispatcher.now();
    }
  }
}
