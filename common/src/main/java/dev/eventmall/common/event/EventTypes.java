package dev.eventmall.common.event;

import dev.eventmall.common.event.payload.AddressAdded;
import dev.eventmall.common.event.payload.DeliveryCompleted;
import dev.eventmall.common.event.payload.DeliveryFailed;
import dev.eventmall.common.event.payload.DeliveryStarted;
import dev.eventmall.common.event.payload.DeliveryStatusChanged;
import dev.eventmall.common.event.payload.EventPayload;
import dev.eventmall.common.event.payload.MemberRegistered;
import dev.eventmall.common.event.payload.OrderCancelRequested;
import dev.eventmall.common.event.payload.OrderCancelled;
import dev.eventmall.common.event.payload.OrderCompleted;
import dev.eventmall.common.event.payload.OrderPlaced;
import dev.eventmall.common.event.payload.PaymentCompleted;
import dev.eventmall.common.event.payload.PaymentFailed;
import dev.eventmall.common.event.payload.PaymentRefunded;
import dev.eventmall.common.event.payload.ProductChanged;
import dev.eventmall.common.event.payload.ProductDeleted;
import dev.eventmall.common.event.payload.StockRejected;
import dev.eventmall.common.event.payload.StockReleased;
import dev.eventmall.common.event.payload.StockReserved;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every event type's name (the envelope's {@code type}, the record header {@code type}, the schema file
 * {@code events/<type>.v1.schema.json}) and the record its payload reads into ({@link EventPayloads}). Topics and
 * producers are in ARCHITECTURE.md, "Events".
 */
public final class EventTypes {
  // member.events
  public static final String MEMBER_REGISTERED = "MemberRegistered";
  public static final String ADDRESS_ADDED = "AddressAdded";
  // catalog.products
  public static final String PRODUCT_CREATED = "ProductCreated";
  public static final String PRODUCT_UPDATED = "ProductUpdated";
  public static final String PRODUCT_DELETED = "ProductDeleted";
  // catalog.stock
  public static final String STOCK_RESERVED = "StockReserved";
  public static final String STOCK_REJECTED = "StockRejected";
  public static final String STOCK_RELEASED = "StockReleased";
  // order.events
  public static final String ORDER_PLACED = "OrderPlaced";
  public static final String ORDER_CANCEL_REQUESTED = "OrderCancelRequested";
  public static final String ORDER_CANCELLED = "OrderCancelled";
  public static final String ORDER_COMPLETED = "OrderCompleted";
  // payment.events
  public static final String PAYMENT_COMPLETED = "PaymentCompleted";
  public static final String PAYMENT_FAILED = "PaymentFailed";
  public static final String PAYMENT_REFUNDED = "PaymentRefunded";
  // delivery.events
  public static final String DELIVERY_STARTED = "DeliveryStarted";
  public static final String DELIVERY_STATUS_CHANGED = "DeliveryStatusChanged";
  public static final String DELIVERY_COMPLETED = "DeliveryCompleted";
  public static final String DELIVERY_FAILED = "DeliveryFailed";

  private static final Map<String, Class<? extends EventPayload>> PAYLOADS = payloads();

  private EventTypes() {
  }

  private static Map<String, Class<? extends EventPayload>> payloads() {
    Map<String, Class<? extends EventPayload>> m = new LinkedHashMap<>();
    m.put(MEMBER_REGISTERED, MemberRegistered.class);
    m.put(ADDRESS_ADDED, AddressAdded.class);
    // both carry the product's whole new state (one schema shape)
    m.put(PRODUCT_CREATED, ProductChanged.class);
    m.put(PRODUCT_UPDATED, ProductChanged.class);
    m.put(PRODUCT_DELETED, ProductDeleted.class);
    m.put(STOCK_RESERVED, StockReserved.class);
    m.put(STOCK_REJECTED, StockRejected.class);
    m.put(STOCK_RELEASED, StockReleased.class);
    m.put(ORDER_PLACED, OrderPlaced.class);
    m.put(ORDER_CANCEL_REQUESTED, OrderCancelRequested.class);
    m.put(ORDER_CANCELLED, OrderCancelled.class);
    m.put(ORDER_COMPLETED, OrderCompleted.class);
    m.put(PAYMENT_COMPLETED, PaymentCompleted.class);
    m.put(PAYMENT_FAILED, PaymentFailed.class);
    m.put(PAYMENT_REFUNDED, PaymentRefunded.class);
    m.put(DELIVERY_STARTED, DeliveryStarted.class);
    m.put(DELIVERY_STATUS_CHANGED, DeliveryStatusChanged.class);
    m.put(DELIVERY_COMPLETED, DeliveryCompleted.class);
    m.put(DELIVERY_FAILED, DeliveryFailed.class);
    return Map.copyOf(m);
  }

  /** Every event type and the record of its payload. */
  public static Map<String, Class<? extends EventPayload>> all() {
    return PAYLOADS;
  }

  /** The record the payload of {@code type} reads into; empty for a type EventMall does not know. */
  public static Optional<Class<? extends EventPayload>> payloadOf(String type) {
    return Optional.ofNullable(PAYLOADS.get(type));
  }
}
