package dev.eventmall.common.event.payload;

/** A payload about one order (every event of the order saga): its order id, the event's key. */
public interface OrderScoped extends EventPayload {
  String orderId();
}
