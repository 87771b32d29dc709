package dev.eventmall.common.event;

import java.util.List;

/** Topic names (ARCHITECTURE.md, "Events") and the dead-letter topic of each. */
public final class Topics {
  public static final String MEMBER_EVENTS = "member.events";
  public static final String CATALOG_PRODUCTS = "catalog.products";
  public static final String CATALOG_STOCK = "catalog.stock";
  public static final String ORDER_EVENTS = "order.events";
  public static final String PAYMENT_EVENTS = "payment.events";
  public static final String DELIVERY_EVENTS = "delivery.events";

  /** Every domain topic; each also has a {@link #dlq(String)} companion. */
  public static final List<String> DOMAIN = List.of(MEMBER_EVENTS, CATALOG_PRODUCTS, CATALOG_STOCK, ORDER_EVENTS,
    PAYMENT_EVENTS, DELIVERY_EVENTS);

  private Topics() {
  }

  /** The dead-letter topic where a consumer parks events of {@code topic} it could not handle. */
  public static String dlq(String topic) {
    return topic + ".dlq";
  }

  /** Every domain topic followed by its dead-letter topic. */
  public static List<String> allWithDeadLetters() {
    return DOMAIN.stream().flatMap(t -> java.util.stream.Stream.of(t, dlq(t))).toList();
  }
}
