package dev.eventmall.search;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the search service (port 8084 unless {@code HTTP_PORT} says otherwise). */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    Metrics metrics = Metrics.create("search");
    Vertx vertx = metrics.newVertx(new VertxOptions());
    SearchApp.deploy(vertx, Config.fromEnv(), metrics)
      .onSuccess(d -> LOG.info("search listening on port {}", d.port()))
      .onFailure(e -> {
        LOG.error("search failed to start", e);
        vertx.close().onComplete(ar -> System.exit(1));
      });
  }
}
