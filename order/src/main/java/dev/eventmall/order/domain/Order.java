package dev.eventmall.order.domain;

import java.time.Instant;
import java.util.List;

/** An order as stored. */
public record Order(String orderId, String memberId, OrderStatus status, PaymentMethod paymentMethod, long totalAmount,
                    String orderName, ShippingAddress shippingAddress, List<OrderLine> lines, Instant createdAt,
                    Instant updatedAt) {

  public Order {
    lines = List.copyOf(lines);
  }

  public Order withLines(List<OrderLine> lines) {
    return new Order(orderId, memberId, status, paymentMethod, totalAmount, orderName, shippingAddress, lines,
      createdAt, updatedAt);
  }

  public Order withStatus(OrderStatus status) {
    return new Order(orderId, memberId, status, paymentMethod, totalAmount, orderName, shippingAddress, lines,
      createdAt, updatedAt);
  }

  /** "무선 이어폰 외 2건": the first product's name and how many other lines, at most 100 characters. */
  public static String nameOf(List<OrderLine> lines) {
    String suffix = lines.size() > 1 ? " 외 " + (lines.size() - 1) + "건" : "";
    String first = lines.get(0).productName().strip();
    int room = 100 - suffix.length();
    if (first.length() > room) {
      first = first.substring(0, room - 1) + "…";
    }
    return first + suffix;
  }

  public static long totalOf(List<OrderLine> lines) {
    return lines.stream().mapToLong(OrderLine::amount).sum();
  }
}
