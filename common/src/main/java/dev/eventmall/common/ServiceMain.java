package dev.eventmall.common;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.trace.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * What every service's {@code main} does: a Vert.x instance with the service's metrics, its configuration from the
 * environment, its tracing per the {@code OTEL_*} settings ({@link Tracing}), its
 * {@code <Service>App.deploy}; exit 2 on bad configuration, 1 when it cannot start. On SIGTERM it stops gracefully
 * ({@link Shutdown}): readiness turns 503, the HTTP requests in flight finish, the Kafka consumers leave their groups, the
 * outbox relay releases its lock, then the pools and Vert.x close; bounded by the {@code SHUTDOWN_*} settings (23 s at
 * most by default, {@link Shutdown.Options#total()}), after which the JVM exits anyway.
 */
public final class ServiceMain {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceMain.class);

  /** A started service: the HTTP port it listens on, and how to undeploy it (in reverse order of its start). */
  public interface Started {
    int httpPort();

    Future<Void> undeploy(Vertx vertx);

    static Started of(int httpPort, java.util.function.Function<Vertx, Future<Void>> undeploy) {
      return new Started() {
        @Override
        public int httpPort() {
          return httpPort;
        }

        @Override
        public Future<Void> undeploy(Vertx vertx) {
          return undeploy.apply(vertx);
        }
      };
    }
  }

  /** How a service is started: its {@code <Service>App.deploy}, answering what it started. */
  @FunctionalInterface
  public interface Deployer {
    Future<? extends Started> deploy(Vertx vertx, Config config, Metrics metrics);
  }

  private ServiceMain() {
  }

  public static void run(String service, Deployer deployer) {
    Config config;
    try {
      config = Config.fromEnv();
    } catch (RuntimeException e) {
      LOG.error("{}: bad configuration: {}", service, e.getMessage());
      System.exit(2);
      return;
    }
    Tracing tracing;
    try {
      tracing = Tracing.from(config, service);
    } catch (RuntimeException e) {
      LOG.error("{}: bad configuration: {}", service, e.getMessage());
      System.exit(2);
      return;
    }
    Metrics metrics = Metrics.create(service);
    Vertx vertx = metrics.newVertx(new VertxOptions(), tracing);
    Shutdown.Options stopping = Shutdown.Options.from(config);
    java.util.concurrent.atomic.AtomicReference<Started> running = new java.util.concurrent.atomic.AtomicReference<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        Shutdown.run(service, vertx, running.get(), stopping)
          .get(stopping.total().toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.warn("{}: graceful stop: {}", service, e.toString());
      }
    }, service + "-shutdown"));
    Future<? extends Started> started;
    try {
      started = deployer.deploy(vertx, config, metrics);
    } catch (RuntimeException e) {
      started = Future.failedFuture(e);
    }
    // The main thread waits for the deployment instead of returning at once: until a Vert.x event loop has run
    // something, only daemon threads may be alive (the Kafka admin client's), and the JVM then exits with code 0 in the
    // middle of the start. Search did exactly that as a process (its first step is KafkaTopics.ensure).
    try {
      Started up = started.toCompletionStage().toCompletableFuture().get();
      running.set(up);
      LOG.info("{} service listening on port {}", service, up.httpPort());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.exit(1);
    } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
      LOG.error("{} service failed to start", service, e.getCause() == null ? e : e.getCause());
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
      } catch (Exception closing) {
        LOG.warn("{}: closing Vert.x after a failed start: {}", service, closing.toString());
      }
      System.exit(1);
    }
  }
}
