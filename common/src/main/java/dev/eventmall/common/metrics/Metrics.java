package dev.eventmall.common.metrics;

import dev.eventmall.common.trace.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.UUID;

/**
 * Metrics for one Vert.x instance: a Prometheus registry of its own, Vert.x metrics enabled with HTTP server
 * metrics labelled by route, method and status code, and the scrape handler for {@code /metrics}.
 * <pre>{@code
 * Metrics metrics = Metrics.create("order");
 * Vertx vertx = metrics.newVertx(new VertxOptions());
 * Counter placed = metrics.registry().counter("orders_placed_total");
 * }</pre>
 * Each instance uses a unique backend registry name, so several Vert.x instances in one JVM (tests) do not share meters.
 */
public final class Metrics {

  /** Registry of each Vert.x instance made by {@link #newVertx}, so that shared mechanics find it from their Vertx. */
  private static final Map<Vertx, MeterRegistry> BY_VERTX = Collections.synchronizedMap(new WeakHashMap<>());

  /** The HTTP methods of RFC 9110 and PATCH: the only values the {@code method} label takes ({@link #OTHER_METHOD} else). */
  static final Set<String> STANDARD_METHODS =
    Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  static final String OTHER_METHOD = "OTHER";

  private final PrometheusMeterRegistry registry;
  private final String registryName;

  private Metrics(String service) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.registry.config().commonTags("service", service)
      // a client picks the method token: unbounded label values would let anyone grow every meter family at will
      .meterFilter(MeterFilter.replaceTagValues("method", m -> STANDARD_METHODS.contains(m) ? m : OTHER_METHOD))
      // the routes built from a service's OpenAPI document sit in a router mounted at the root, which Vert.x names
      // "/>/orders/:orderId": the label is the document's path, "/orders/:orderId"
      .meterFilter(MeterFilter.replaceTagValues("route", Metrics::route));
    this.registryName = "eventmall-" + service + "-" + UUID.randomUUID();
  }

  /** The {@code route} label of a request: its path template, without the root mount Vert.x puts before it. */
  static String route(String route) {
    return route.startsWith("/>/") ? route.substring(2) : route;
  }

  /** A fresh registry whose meters carry the tag {@code service=<service>}. */
  public static Metrics create(String service) {
    return new Metrics(service);
  }

  /** The Micrometer registry: register business counters, timers and gauges here. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus registry (for the text exposition). */
  public PrometheusMeterRegistry prometheusRegistry() {
    return registry;
  }

  /**
   * The Vert.x metrics options: Prometheus backend, HTTP route/method/code labels, and the JVM's own meters (memory,
   * GC pauses, threads, classes, CPU: {@code jvm_*}, {@code process_*}, {@code system_*}) for the operators' heap and GC
   * panels.
   */
  public MicrometerMetricsOptions options() {
    return new MicrometerMetricsOptions()
      .setEnabled(true)
      .setJvmMetricsEnabled(true)
      .setRegistryName(registryName)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true))
      .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME,
        Label.EB_SIDE));
  }

  /**
   * A Vert.x instance reporting into this registry; {@code base} options are copied, their metrics options replaced.
   * It prefers the native (epoll) transport, which costs fewer system calls per request than NIO and falls back to NIO
   * where the native library does not load.
   */
  public Vertx newVertx(VertxOptions base) {
    return newVertx(base, Tracing.off());
  }

  /** As {@link #newVertx(VertxOptions)}, with {@code tracing} (its tracer when it is on). */
  public Vertx newVertx(VertxOptions base, Tracing tracing) {
    Vertx vertx = tracing.vertxBuilder(new VertxOptions(base).setMetricsOptions(options()).setPreferNativeTransport(true))
      .withMetrics(new MicrometerMetricsFactory(registry))
      .build();
    BY_VERTX.put(vertx, registry);
    return tracing.register(vertx);
  }

  /**
   * Where mechanics (outbox relay, Kafka bridge) register their meters: the registry of {@code vertx} when it was made by
   * {@link #newVertx}, else Micrometer's global registry (tests that do not scrape).
   */
  public static MeterRegistry registryOf(Vertx vertx) {
    MeterRegistry registry = BY_VERTX.get(vertx);
    return registry != null ? registry : io.micrometer.core.instrument.Metrics.globalRegistry;
  }

  /** Route handler serving the Prometheus text exposition of this registry. */
  public Handler<RoutingContext> scrapeHandler() {
    return PrometheusScrapingHandler.create(registry);
  }
}
