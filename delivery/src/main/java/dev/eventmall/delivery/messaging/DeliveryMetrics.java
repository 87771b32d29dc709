package dev.eventmall.delivery.messaging;

import dev.eventmall.delivery.client.CarrierClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code deliveries.started}, {@code deliveries.completed}, {@code deliveries.failed} (counted when the event commits)
 * and {@code deliveries.carrier.breaker.state} (0 closed, 1 half-open, 2 open).
 */
public final class DeliveryMetrics {
  final Counter started;
  final Counter completed;
  final Counter failed;

  public DeliveryMetrics(MeterRegistry registry, CarrierClient carrier) {
    started = Counter.builder("deliveries.started").description("shipments the carrier accepted").register(registry);
    completed = Counter.builder("deliveries.completed").description("shipments delivered").register(registry);
    failed = Counter.builder("deliveries.failed").description("DeliveryFailed events emitted").register(registry);
    Gauge.builder("deliveries.carrier.breaker.state", carrier, c -> switch (c.state()) {
        case CLOSED -> 0;
        case HALF_OPEN -> 1;
        case OPEN -> 2;
      }).description("carrier circuit breaker: 0 closed, 1 half-open, 2 open").register(registry);
  }
}
