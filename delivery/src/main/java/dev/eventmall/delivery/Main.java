package dev.eventmall.delivery;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the delivery service from environment variables (see README.md). */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    Metrics metrics = Metrics.create("delivery");
    Vertx vertx = metrics.newVertx(new VertxOptions());
    DeliveryApp.deploy(vertx, Config.fromEnv(), metrics)
      .onSuccess(d -> LOG.info("delivery listening on port {}", d.httpPort()))
      .onFailure(e -> {
        LOG.error("delivery failed to start", e);
        vertx.close().onComplete(v -> System.exit(1));
      });
  }
}
