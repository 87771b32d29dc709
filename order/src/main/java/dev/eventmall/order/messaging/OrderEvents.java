package dev.eventmall.order.messaging;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.kafka.Consumed;
import dev.eventmall.order.domain.Order;
import dev.eventmall.order.domain.OrderLine;
import dev.eventmall.order.persistence.OrderRepository;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

import static dev.eventmall.common.event.EventTypes.ORDER_CANCELLED;
import static dev.eventmall.common.event.EventTypes.ORDER_CANCEL_REQUESTED;
import static dev.eventmall.common.event.EventTypes.ORDER_COMPLETED;
import static dev.eventmall.common.event.EventTypes.ORDER_PLACED;

/**
 * The events the order service publishes on {@code order.events}, keyed by order id, correlation id = order id.
 * Contracts: {@code common/src/main/resources/events/Order*.v1.schema.json}.
 */
public final class OrderEvents {
  private OrderEvents() {
  }

  public static EventEnvelope placed(Order order) {
    JsonArray lines = new JsonArray();
    for (OrderLine l : order.lines()) {
      lines.add(new JsonObject().put("productId", l.productId()).put("quantity", l.quantity())
        .put("unitPrice", l.unitPrice()));
    }
    JsonObject payload = new JsonObject()
      .put("orderId", order.orderId())
      .put("memberId", order.memberId())
      .put("lines", lines)
      .put("totalAmount", order.totalAmount())
      .put("paymentMethod", order.paymentMethod().name())
      .put("placedAt", order.createdAt().toString())
      .put("orderName", order.orderName())
      .put("shippingAddress", OrderRepository.addressJson(order.shippingAddress()));
    return new EventEnvelope(java.util.UUID.randomUUID(), ORDER_PLACED, 1, order.createdAt(), order.orderId(),
      order.orderId(), null, null, payload);
  }

  public static EventEnvelope cancelRequested(String orderId, String reason, Instant at) {
    return new EventEnvelope(java.util.UUID.randomUUID(), ORDER_CANCEL_REQUESTED, 1, at, orderId, orderId, null, null,
      new JsonObject().put("orderId", orderId).put("reason", reason).put("requestedAt", at.toString()));
  }

  public static EventEnvelope cancelled(Consumed cause, String orderId, String reason, Instant at) {
    return cause.causes(ORDER_CANCELLED, orderId,
      new JsonObject().put("orderId", orderId).put("cancelledAt", at.toString()).put("reason", reason));
  }

  public static EventEnvelope completed(Consumed cause, String orderId, Instant at) {
    return cause.causes(ORDER_COMPLETED, orderId,
      new JsonObject().put("orderId", orderId).put("completedAt", at.toString()));
  }
}
