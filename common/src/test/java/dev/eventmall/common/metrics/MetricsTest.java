package dev.eventmall.common.metrics;

import dev.eventmall.common.http.HttpBootstrap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /metrics} exposes HTTP server metrics labelled by route, method and code, plus business meters. */
@ExtendWith(VertxExtension.class)
class MetricsTest {

  private Metrics metrics;
  private Vertx vertx;
  private WebClient client;
  private int port;

  @BeforeEach
  void start(VertxTestContext ctx) {
    metrics = Metrics.create("test");
    vertx = metrics.newVertx(new VertxOptions().setEventLoopPoolSize(1));
    client = WebClient.create(vertx);
    Router root = HttpBootstrap.builder(vertx).metrics(metrics).build();
    Router items = Router.router(vertx);
    items.get("/").respond(rc -> Future.succeededFuture(new JsonObject().put("items", 0)));
    items.get("/:id").respond(rc -> {
      metrics.registry().counter("eventmall_items_viewed_total").increment();
      return Future.succeededFuture(new JsonObject().put("id", rc.pathParam("id")));
    });
    HttpBootstrap.mount(root, "/items", items);
    HttpBootstrap.listen(vertx, root, 0)
      .onSuccess(server -> port = server.actualPort())
      .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
    "/>/orders, /orders",                    // a route of the OpenAPI router, mounted at the root
    "/>/orders/:orderId, /orders/:orderId",
    "/admin/dlq>/:id, /admin/dlq>/:id",      // a router mounted by hand keeps Vert.x's form
    "/metrics, /metrics",
    "/, /"})
  void theRouteLabelIsThePathTemplateWithoutTheRootMount(String vertx, String label) {
    assertThat(Metrics.route(vertx)).isEqualTo(label);
  }

  @Test
  void onLinuxTheServicesRunOnTheNativeEpollTransport() {
    String arch = System.getProperty("os.arch");
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux")
      && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64")), "epoll is shipped for Linux only");
    assertThat(vertx.isNativeTransportEnabled()).as("native transport (cause: %s)", vertx.unavailableNativeTransportCause())
      .isTrue();
  }

  @Test
  void scrapeShowsRouteLabelledHttpMetricsAndBusinessCounters(VertxTestContext ctx) {
    client.get(port, "127.0.0.1", "/items/17").send()
      .compose(item -> {
        ctx.verify(() -> assertThat(item.bodyAsJsonObject().getString("id")).isEqualTo("17"));
        return client.get(port, "127.0.0.1", "/items").send();
      })
      .compose(collection -> {
        ctx.verify(() -> assertThat(collection.bodyAsJsonObject().getInteger("items")).isZero());
        return client.get(port, "127.0.0.1", "/itemsxyz").send();
      })
      .compose(notMounted -> {
        ctx.verify(() -> assertThat(notMounted.statusCode()).isEqualTo(404));
        return client.get(port, "127.0.0.1", "/metrics").send();
      })
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.getHeader("Content-Type")).startsWith("text/plain");
        String text = res.bodyAsString();
        assertThat(text).containsPattern(
          "vertx_http_server_requests_total\\{[^}]*code=\"200\"[^}]*method=\"GET\"[^}]*route=\"/items>/:id\"[^}]*} 1\\.0");
        assertThat(text).contains("eventmall_items_viewed_total{service=\"test\"} 1.0");
        // latency histograms (the dashboard's p99 panels read the buckets)
        assertThat(text).containsPattern("vertx_http_server_response_time_seconds_bucket\\{[^}]*route=\"/items>/:id\"");
        // the JVM's own meters, for the heap, GC and CPU panels
        assertThat(text).containsPattern("jvm_memory_used_bytes\\{[^}]*area=\"heap\"")
          .contains("jvm_gc_", "jvm_threads_live_threads{", "process_cpu_usage{");
        ctx.completeNow();
      })));
  }

  /**
   * Issue 16 row 1: any method token a client invents used to become a {@code method} label value of its own (a counter
   * and three histograms each, ~630 series per token, unauthenticated). Failed before the fix: the scrape held
   * {@code method="HXMETHODA"}.
   */
  @Test
  void inventedHttpMethodsShareOneLabelValueSoClientsCannotGrowTheScrape(VertxTestContext ctx) {
    Future<?> sent = Future.succeededFuture();
    for (int i = 0; i < 20; i++) {
      String token = "HXMETHOD" + (char) ('A' + i);
      sent = sent.compose(v -> client.request(io.vertx.core.http.HttpMethod.valueOf(token), port, "127.0.0.1", "/items/1")
        .send());
    }
    // the first scrape's own series (route /metrics) show from the second scrape on: measure from the second
    sent.compose(v -> client.get(port, "127.0.0.1", "/metrics").send())
      .compose(v -> client.get(port, "127.0.0.1", "/metrics").send())
      .compose(first -> {
        String size = first.bodyAsString();
        Future<?> more = Future.succeededFuture();
        for (int i = 0; i < 20; i++) {
          String token = "ZZMETHOD" + (char) ('A' + i);
          more = more.compose(v -> client.request(io.vertx.core.http.HttpMethod.valueOf(token), port, "127.0.0.1",
            "/items/1").send());
        }
        return more.compose(v -> client.get(port, "127.0.0.1", "/metrics").send())
          .map(second -> new Object[] {size, second.bodyAsString()});
      })
      .onComplete(ctx.succeeding(pair -> ctx.verify(() -> {
        String text = (String) pair[1];
        assertThat(text).doesNotContain("HXMETHOD").doesNotContain("ZZMETHOD");
        assertThat(text).containsPattern("vertx_http_server_requests_total\\{[^}]*method=\"OTHER\"[^}]*} 40\\.0");
        // 20 more invented methods add no HTTP series, only counts (the JVM's own meters may add series of their own
        // between two scrapes, e.g. a first collection of another GC: the raw scrape size is not the measure)
        assertThat(httpSeries(text)).isNotEmpty().isEqualTo(httpSeries((String) pair[0]));
        ctx.completeNow();
      })));
  }

  /** The HTTP server series of a scrape: each sample line's name and labels, without its value. */
  private static java.util.Set<String> httpSeries(String scrape) {
    return scrape.lines().filter(l -> l.startsWith("vertx_http_server"))
      .map(l -> l.substring(0, l.lastIndexOf(' '))).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
  }
}
