package dev.eventmall.emulators.carrier;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A shipment inside the carrier emulator; mutated on the event loop, readable from any thread. What the sender gave
 * (recipient, address, items) is kept encoded and its history as small records: {@link #toJson()} renders them.
 */
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

  /** One status change of the shipment's history. */
  private record Event(Status status, Instant at, String description) {}

  final String shipmentId;
  final String trackingNumber;
  final String orderId;
  /** {@code {recipient, address, items}} as the sender gave them, encoded. */
  private final byte[] parcel;
  final String idempotencyKey;
  final Instant createdAt;
  private Status status;
  private Instant updatedAt;
  private String failureReason;
  private final List<Event> events = new ArrayList<>(3);
  /** {@code GET /v1/shipments/{trackingNumber}} answered for it (written on the emulator's event loop only). */
  private volatile int reads;

  Shipment(String shipmentId, String trackingNumber, String orderId, JsonObject recipient, JsonObject address,
      JsonArray items, String idempotencyKey, Instant now) {
    this.shipmentId = shipmentId;
    this.trackingNumber = trackingNumber;
    this.orderId = orderId;
    this.parcel = new JsonObject().put("recipient", recipient).put("address", address).put("items", items).toBuffer()
        .getBytes();
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
    events.add(new Event(to, now, description));
  }

  synchronized JsonObject toJson() {
    JsonObject given = new JsonObject(Buffer.buffer(parcel));
    // a DELIVERED event says the parcel is at the address's first line
    String addressLine1 = given.getJsonObject("address").getString("line1");
    List<Object> history = new ArrayList<>(events.size());
    for (Event e : events) {
      history.add(new JsonObject().put("status", e.status().name()).put("at", e.at().toString())
          .put("description", e.description()).put("location", switch (e.status()) {
            case ACCEPTED -> "Origin hub";
            case IN_TRANSIT -> "Sorting center";
            case DELIVERED -> addressLine1;
            default -> "Sorting center";
          }));
    }
    return new JsonObject()
        .put("shipmentId", shipmentId)
        .put("trackingNumber", trackingNumber)
        .put("orderId", orderId)
        .put("status", status.name())
        .put("recipient", given.getJsonObject("recipient"))
        .put("address", given.getJsonObject("address"))
        .put("items", given.getJsonArray("items"))
        .put("failureReason", failureReason)
        .put("createdAt", createdAt.toString())
        .put("updatedAt", updatedAt.toString())
        .put("events", new JsonArray(history));
  }

  void read() {
    reads++;
  }

  int reads() {
    return reads;
  }
}
