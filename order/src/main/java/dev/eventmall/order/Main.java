package dev.eventmall.order;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the order service from the environment; exits non-zero when it cannot start. */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    Metrics metrics = Metrics.create("order");
    Vertx vertx = metrics.newVertx(new VertxOptions());
    Config config;
    try {
      config = Config.fromEnv();
    } catch (RuntimeException e) {
      LOG.error("bad configuration: {}", e.getMessage());
      System.exit(2);
      return;
    }
    OrderApp.deploy(vertx, config, metrics)
      .onSuccess(d -> LOG.info("order service listening on port {}", d.httpPort()))
      .onFailure(err -> {
        LOG.error("order service failed to start", err);
        vertx.close().onComplete(x -> System.exit(1));
      });
  }
}
