package dev.eventmall.delivery.messaging;

import dev.eventmall.delivery.domain.ShipmentStatus;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventTypes;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/**
 * The delivery.events envelopes (payloads per docs/saga.md and common/src/main/resources/events/Delivery*.v1.schema.json),
 * keyed and correlated by orderId. Events caused by a consumed event carry its id as causationId; tracking events
 * (caused by the carrier, not by an event) carry none.
 */
final class DeliveryEvents {
  private DeliveryEvents() {
  }

  static EventEnvelope started(String orderId, String causeId, String shipmentId, String trackingNumber, String carrier,
                               Instant at) {
    return envelope(EventTypes.DELIVERY_STARTED, orderId, causeId, new JsonObject().put("orderId", orderId)
      .put("shipmentId", shipmentId)
      .put("trackingNumber", trackingNumber).put("carrier", carrier).put("startedAt", at.toString()));
  }

  static EventEnvelope statusChanged(String orderId, String trackingNumber, ShipmentStatus status, ShipmentStatus previous,
                                     String description, Instant at) {
    return envelope(EventTypes.DELIVERY_STATUS_CHANGED, orderId, null,
      statusChangedPayload(orderId, trackingNumber, status, previous, description, at));
  }

  static JsonObject statusChangedPayload(String orderId, String trackingNumber, ShipmentStatus status,
                                         ShipmentStatus previous, String description, Instant at) {
    JsonObject payload = new JsonObject().put("orderId", orderId).put("trackingNumber", trackingNumber)
      .put("status", status.name()).put("changedAt", at.toString());
    if (previous == ShipmentStatus.ACCEPTED || previous == ShipmentStatus.IN_TRANSIT) {
      payload.put("previousStatus", previous.name());
    }
    if (description != null) {
      payload.put("description", truncate(description));
    }
    return payload;
  }

  static EventEnvelope completed(String orderId, String trackingNumber, Instant at) {
    return envelope(EventTypes.DELIVERY_COMPLETED, orderId, null, new JsonObject().put("orderId", orderId)
      .put("trackingNumber", trackingNumber).put("deliveredAt", at.toString()));
  }

  static EventEnvelope failed(String orderId, String causeId, String reason, String trackingNumber, Instant at) {
    return envelope(EventTypes.DELIVERY_FAILED, orderId, causeId, failedPayload(orderId, reason, trackingNumber, at));
  }

  static JsonObject failedPayload(String orderId, String reason, String trackingNumber, Instant at) {
    JsonObject payload = new JsonObject().put("orderId", orderId).put("reason", truncate(reason)).put("failedAt", at.toString());
    if (trackingNumber != null) {
      payload.put("trackingNumber", trackingNumber);
    }
    return payload;
  }

  private static EventEnvelope envelope(String type, String orderId, String causeId, JsonObject payload) {
    return new EventEnvelope(UUID.randomUUID(), type, 1, Instant.now(), orderId, orderId, causeId, null, payload);
  }

  private static String truncate(String s) {
    return s == null ? "" : s.length() > 1000 ? s.substring(0, 1000) : s;
  }
}
