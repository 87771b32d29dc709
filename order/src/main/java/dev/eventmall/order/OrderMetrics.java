package dev.eventmall.order;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.eventmall.order.domain.OrderStatus;

/**
 * Business counters on {@code /metrics}: {@code orders.placed}, {@code orders.completed} and {@code orders.failed}
 * tagged {@code reason} = rejected | payment_failed | cancelled (Prometheus: {@code orders_placed_total}, ...), so the
 * success rate is {@code completed / placed}.
 */
public final class OrderMetrics {
  private final Counter placed;
  private final Counter completed;
  private final Counter rejected;
  private final Counter paymentFailed;
  private final Counter cancelled;

  public OrderMetrics(MeterRegistry registry) {
    placed = Counter.builder("orders.placed").description("orders accepted by POST /orders").register(registry);
    completed = Counter.builder("orders.completed").description("orders delivered").register(registry);
    rejected = failed(registry, "rejected");
    paymentFailed = failed(registry, "payment_failed");
    cancelled = failed(registry, "cancelled");
  }

  private static Counter failed(MeterRegistry registry, String reason) {
    return Counter.builder("orders.failed").tag("reason", reason)
      .description("orders that ended without delivery").register(registry);
  }

  public void placed() {
    placed.increment();
  }

  /** Counts an order that just reached {@code status}, if it is an outcome. */
  public void reached(OrderStatus status) {
    switch (status) {
      case DELIVERED -> completed.increment();
      case REJECTED -> rejected.increment();
      case PAYMENT_FAILED -> paymentFailed.increment();
      case CANCELLED -> cancelled.increment();
      default -> {
      }
    }
  }
}
