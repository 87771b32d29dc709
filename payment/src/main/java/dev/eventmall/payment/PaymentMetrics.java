package dev.eventmall.payment;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Business metrics: {@code payments.succeeded}, {@code payments.failed} (tag {@code code}), {@code payments.refunded}. */
public final class PaymentMetrics {
  private final MeterRegistry registry;
  private final Counter succeeded;
  private final Counter refunded;

  public PaymentMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.succeeded = Counter.builder("payments.succeeded").description("payments Toss approved").register(registry);
    this.refunded = Counter.builder("payments.refunded").description("payments refunded through Toss").register(registry);
  }

  void succeeded() {
    succeeded.increment();
  }

  void failed(String code) {
    Counter.builder("payments.failed").tag("code", code == null ? "UNKNOWN" : code)
      .description("payments that ended FAILED or VOIDED, by code").register(registry).increment();
  }

  void refunded() {
    refunded.increment();
  }
}
