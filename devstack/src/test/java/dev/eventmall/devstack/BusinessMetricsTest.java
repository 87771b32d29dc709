package dev.eventmall.devstack;

import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The business metrics the Grafana dashboard (ops/grafana/dashboards/eventmall.json) is built on move when a customer
 * orders and searches: the services' {@code /metrics} are scraped before and after one order runs to DELIVERED, one
 * ends PAYMENT_FAILED (declined card) and two identical searches run; every name asserted here is the exact Prometheus
 * name the dashboard queries, and every metric the alert rules (ops/prometheus/alerts.yml) query is scraped.
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class BusinessMetricsTest {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");

  /** The scraped text exposition of one service. */
  record Scrape(String text) {
    static Scrape of(String service) {
      E2E.Response metrics = E2E.call(service, "GET", "/metrics", null, null);
      assertThat(metrics.status()).as(service + " /metrics").isEqualTo(200);
      return new Scrape(metrics.body());
    }

    /** Sum of the samples named {@code name} whose labels match every regular expression of {@code labels}. */
    double sum(String name, String... labels) {
      double sum = 0;
      for (String line : text.split("\n")) {
        Matcher m = SAMPLE.matcher(line);
        if (!m.matches() || !m.group(1).equals(name)) {
          continue;
        }
        String found = m.group(3) == null ? "" : m.group(3);
        boolean all = true;
        for (String label : labels) {
          all &= Pattern.compile(label).matcher(found).find();
        }
        if (all) {
          sum += Double.parseDouble(m.group(4));
        }
      }
      return sum;
    }

    String lines(String name) {
      return String.join("\n", text.lines().filter(l -> l.startsWith(name + "{")).toList());
    }

    boolean has(String name) {
      return text.lines().anyMatch(l -> l.startsWith(name + "{") || l.startsWith(name + " "));
    }
  }

  static Map<String, Scrape> scrapeAll() {
    return Map.of("order", Scrape.of("order"), "payment", Scrape.of("payment"), "search", Scrape.of("search"),
      "delivery", Scrape.of("delivery"));
  }

  @Test
  void anOrderToDeliveredAndTwoSearchesMoveEveryBusinessCounter() {
    E2E.platform();
    E2E.Member seller = E2E.member("SELLER");
    String word = "메트릭" + Long.toHexString(UUID.randomUUID().getMostSignificantBits());
    E2E.Response created = E2E.call("catalog", "POST", "/products", seller.token(), new JsonObject()
      .put("name", "무선 스피커 " + word).put("description", "metrics").put("category", "audio").put("price", 15_000)
      .put("stock", 5).put("attributes", new JsonObject()).put("imageUrls", new JsonArray())
      .put("options", new JsonArray()));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String productId = created.json().getString("productId");
    SagaEndToEndTest.Customer customer = SagaEndToEndTest.customer(SagaEndToEndTest.GOOD_CARD, "04524");
    String searchPath = "/search?q=" + URLEncoder.encode(word, StandardCharsets.UTF_8);
    Await.until("the product is indexed", Duration.ofSeconds(20), () -> {
      // another sort than the measured searches: those must start with a cache miss
      E2E.Response found = E2E.call("search", "GET", searchPath + "&sort=price_asc", null, null);
      return found.status() == 200 && found.json().getInteger("total", 0) == 1;
    });

    Map<String, Scrape> before = scrapeAll();
    String orderId = SagaEndToEndTest.place(customer, productId, 1);
    SagaEndToEndTest.awaitStatus(customer, orderId, "DELIVERED");
    // a declined card: the labelled failure counters (created on the first failure) move too
    SagaEndToEndTest.Customer declined = SagaEndToEndTest.customer(SagaEndToEndTest.DECLINED_CARD, "04524");
    String failedId = SagaEndToEndTest.place(declined, productId, 1);
    SagaEndToEndTest.awaitStatus(declined, failedId, "PAYMENT_FAILED");
    List<String> cache = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      E2E.Response search = E2E.call("search", "GET", searchPath, null, null);
      assertThat(search.status()).as(search.body()).isEqualTo(200);
      cache.add(search.body().isEmpty() ? "" : String.valueOf(search.json().getInteger("total")));
    }
    assertThat(cache).containsExactly("1", "1");
    // counters are incremented after the response/the state change commits: give the last ones a moment
    Await.until("deliveries_completed_total moved", Duration.ofSeconds(10), () ->
      Scrape.of("delivery").sum("deliveries_completed_total")
        > before.get("delivery").sum("deliveries_completed_total"));
    Map<String, Scrape> after = scrapeAll();

    String[][] moved = {
      {"order", "orders_placed_total"},
      {"order", "orders_completed_total"},
      {"order", "eventmall_outbox_published_total"},
      {"payment", "payments_succeeded_total"},
      {"payment", "payments_failed_total"},
      {"order", "orders_failed_total"},
      {"payment", "eventmall_outbox_published_total"},
      {"search", "search_cache_hits_total"},
      {"search", "search_cache_misses_total"},
      {"search", "search_latency_seconds_count"},
      {"delivery", "deliveries_started_total"},
      {"delivery", "deliveries_completed_total"},
      {"delivery", "eventmall_outbox_published_total"},
      {"order", "eventmall_kafka_consumed_total"},
    };
    for (String[] m : moved) {
      assertThat(after.get(m[0]).sum(m[1])).as(m[0] + " " + m[1]).isGreaterThan(before.get(m[0]).sum(m[1]));
    }
    // POST /orders is the only POST under /orders answering 201 (the route label is the router's path, "/orders...")
    String[] postOrders = {"method=\"POST\"", "route=\"/orders[^\"]*\"", "code=\"201\""};
    assertThat(after.get("order").sum("vertx_http_server_requests_total", postOrders))
      .as("POST /orders 201 requests in\n" + after.get("order").lines("vertx_http_server_requests_total"))
      .isGreaterThan(before.get("order").sum("vertx_http_server_requests_total", postOrders));
    assertThat(after.get("order").sum("vertx_http_server_response_time_seconds_count", postOrders))
      .as("POST /orders latency histogram count")
      .isGreaterThan(before.get("order").sum("vertx_http_server_response_time_seconds_count", postOrders));
    assertThat(after.get("order").sum("vertx_http_server_response_time_seconds_bucket",
      "method=\"POST\"", "route=\"/orders[^\"]*\"", "le=\"\\+Inf\"")).isPositive();
    // histograms and gauges the dashboard queries exist under these names
    assertThat(after.get("search").has("search_latency_seconds_bucket")).as("search latency histogram").isTrue();
    assertThat(after.get("payment").has("toss_circuit_state")).isTrue();
    assertThat(after.get("delivery").has("deliveries_carrier_breaker_state")).isTrue();
    assertThat(after.get("order").has("eventmall_outbox_backlog")).isTrue();

    // every metric the Grafana dashboard queries is exposed by some service under exactly that name
    StringBuilder all = new StringBuilder();
    for (String service : List.of("member", "catalog", "search", "order", "payment", "delivery")) {
      all.append(Scrape.of(service).text()).append('\n');
    }
    Scrape everything = new Scrape(all.toString());
    for (String metric : dashboardMetrics()) {
      assertThat(everything.has(metric)).as("dashboard metric " + metric + " is scraped").isTrue();
    }
    // and every metric an alert rule (ops/prometheus/alerts.yml) queries: a misspelt name would leave an alert silent
    // (the replica's lag and state exist only where a service has MYSQL_READ_URI, which this platform has not: the
    // Catalog/Order/DeliveryReadReplicaTest scrapes check those two names)
    Set<String> withReplicaOnly = Set.of("eventmall_mysql_replica_lag_seconds", "eventmall_mysql_replica_running");
    assertThat(alertMetrics()).containsAll(withReplicaOnly);
    for (String metric : alertMetrics()) {
      if (!withReplicaOnly.contains(metric)) {
        assertThat(everything.has(metric)).as("alert rule metric " + metric + " is scraped").isTrue();
      }
    }
  }

  /**
   * The metric names in the alert rules' PromQL: identifiers with an underscore outside label matchers and quoted
   * strings that are not PromQL functions ({@code up} is Prometheus' own).
   */
  @SuppressWarnings("unchecked")
  static Set<String> alertMetrics() {
    Map<String, Object> rules;
    try {
      rules = new Yaml().load(Files.readString(ComposeConsistencyTest.ROOT.resolve("ops/prometheus/alerts.yml")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Set<String> functions = Set.of("histogram_quantile", "label_replace");
    Set<String> metrics = new TreeSet<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        String expr = String.valueOf(rule.get("expr")).replaceAll("\\{[^}]*}", "").replaceAll("\"[^\"]*\"", "");
        Matcher m = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)+").matcher(expr);
        while (m.find()) {
          if (!functions.contains(m.group())) {
            metrics.add(m.group());
          }
        }
      }
    }
    assertThat(metrics).contains("eventmall_dlq_unreplayed", "vertx_http_server_requests_total");
    return metrics;
  }

  /** The metric names in the dashboard's PromQL: identifiers with an underscore that are not PromQL functions. */
  static Set<String> dashboardMetrics() {
    JsonObject dashboard;
    try {
      dashboard = new JsonObject(Files.readString(ComposeConsistencyTest.ROOT.resolve("ops/grafana/dashboards/eventmall.json")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Set<String> functions = Set.of("histogram_quantile", "clamp_min");
    Set<String> metrics = new TreeSet<>();
    for (Object panel : dashboard.getJsonArray("panels")) {
      for (Object target : ((JsonObject) panel).getJsonArray("targets")) {
        String expr = ((JsonObject) target).getString("expr").replaceAll("\\{[^}]*}", "");
        Matcher m = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)+").matcher(expr);
        while (m.find()) {
          if (!functions.contains(m.group())) {
            metrics.add(m.group());
          }
        }
      }
    }
    assertThat(metrics).contains("orders_placed_total", "search_latency_seconds_bucket");
    return metrics;
  }
}
