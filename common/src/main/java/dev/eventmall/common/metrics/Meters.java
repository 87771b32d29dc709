package dev.eventmall.common.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.vertx.micrometer.backends.BackendRegistries;

/** Where the mechanics register their meters: the Vert.x Micrometer registry when metrics are on, else the global one. */
public final class Meters {
  private Meters() {
  }

  public static MeterRegistry registry() {
    MeterRegistry vertx = BackendRegistries.getDefaultNow();
    return vertx != null ? vertx : Metrics.globalRegistry;
  }
}
