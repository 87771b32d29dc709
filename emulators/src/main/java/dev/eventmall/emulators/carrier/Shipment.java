package dev.eventmall.emulators.carrier;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A shipment inside the carrier emulator; mutated on the event loop, readable from any thread. */
final class Shipment {

  enum Status {
    ACCEPTED, IN_TRANSIT, DELIVERED, FAILED, RETURNED, CANCELED;

    boolean terminal() {
      return this == DELIVERED || this == FAILED || this == RETURNED || this == CANCELED;
    }

    Status next() {
      return switch (this) {
        case ACCEPTED -> IN_TRANSIT;
        case IN_TRANSIT -> DELIVERED;
        default -> null;
      };
    }
  }

  final String shipmentId;
  final String trackingNumber;
  final String orderId;
  final JsonObject recipient;
  final JsonObject address;
  final JsonArray items;
  final String idempotencyKey;
  final Instant createdAt;
  private Status status;
  private Instant updatedAt;
  private String failureReason;
  private final List<JsonObject> events = new ArrayList<>();

  Shipment(String shipmentId, String trackingNumber, String orderId, JsonObject recipient, JsonObject address,
      JsonArray items, String idempotencyKey, Instant now) {
    this.shipmentId = shipmentId;
    this.trackingNumber = trackingNumber;
    this.orderId = orderId;
    this.recipient = recipient;
    this.address = address;
    this.items = items;
    this.idempotencyKey = idempotencyKey;
    this.createdAt = now;
    move(Status.ACCEPTED, "Shipment accepted", null, now);
  }

  synchronized Status status() {
    return status;
  }

  synchronized void move(Status to, String description, String reason, Instant now) {
    status = to;
    updatedAt = now;
    if (reason != null) {
      failureReason = reason;
    }
    events.add(new JsonObject().put("status", to.name()).put("at", now.toString()).put("description", description)
        .put("location", switch (to) {
          case ACCEPTED -> "Origin hub";
          case IN_TRANSIT -> "Sorting center";
          case DELIVERED -> address.getString("line1");
          default -> "Sorting center";
        }));
  }

  synchronized JsonObject toJson() {
    return new JsonObject()
        .put("shipmentId", shipmentId)
        .put("trackingNumber", trackingNumber)
        .put("orderId", orderId)
        .put("status", status.name())
        .put("recipient", recipient.copy())
        .put("address", address.copy())
        .put("items", items.copy())
        .put("failureReason", failureReason)
        .put("createdAt", createdAt.toString())
        .put("updatedAt", updatedAt.toString())
        .put("events", new JsonArray(events.stream().map(JsonObject::copy).toList()));
  }
}
