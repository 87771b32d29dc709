package dev.eventmall.loadtests;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

/**
 * Anonymous shoppers browsing: every arrival is one request, drawn like a real shop's traffic — keyword search 45 %,
 * product page 35 %, category listing 10 %, filtered and sorted search 10 %. Open model: {@code -Drate} arrivals
 * (= requests) per second for {@code -Dduration} s after a {@code -Dramp} s ramp; connections shared by all users.
 *
 * <p>Set-up (not measured): a seller creates {@code -Dproducts} products tagged with a run id, and the run waits until
 * search indexes them.
 */
public class BrowseAndSearchSimulation extends Simulation {
  static final String[] KEYWORDS = {"무선", "이어폰", "스피커", "카메라", "캠핑", "주전자", "헤드폰", "블루투스"};
  static final String[] CATEGORIES = {"audio", "camera", "kitchen", "outdoor"};
  static final String[] SORTS = {"relevance", "price_asc", "price_desc", "newest"};

  final String tag = "lt" + Long.toHexString(UUID.randomUUID().getMostSignificantBits()).substring(0, 8);
  final int productCount = Settings.integer("products", 40);
  volatile List<String> productIds = List.of();

  /** The four kinds of visit, by weight (the smoke simulation reuses it). */
  static ChainBuilder visit(Supplier<List<String>> products) {
    return exec(session -> {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      List<String> ids = products.get();
      return session.setAll(Map.of(
        "keyword", KEYWORDS[r.nextInt(KEYWORDS.length)],
        "category", CATEGORIES[r.nextInt(CATEGORIES.length)],
        "sort", SORTS[r.nextInt(SORTS.length)],
        "maxPrice", 20_000 + 5_000 * r.nextInt(10),
        "productId", ids.isEmpty() ? "none" : ids.get(r.nextInt(ids.size()))));
    }).randomSwitch().on(
      percent(45.0).then(exec(http("search keyword").get(Settings.searchUrl() + "/search")
        .queryParam("q", "#{keyword}").check(jsonPath("$.items").exists()))),
      percent(35.0).then(exec(http("product page").get(Settings.catalogUrl() + "/products/#{productId}")
        .check(jsonPath("$.productId").exists()))),
      percent(10.0).then(exec(http("category listing").get(Settings.catalogUrl() + "/products")
        .queryParam("category", "#{category}").queryParam("size", "20").check(jsonPath("$.items").exists()))),
      percent(10.0).then(exec(http("search filtered").get(Settings.searchUrl() + "/search")
        .queryParam("q", "#{keyword}").queryParam("category", "#{category}").queryParam("maxPrice", "#{maxPrice}")
        .queryParam("sort", "#{sort}").check(jsonPath("$.items").exists()))));
  }

  @Override
  public void before() {
    String seller = Fixtures.member("SELLER");
    productIds = Fixtures.products(seller, tag, productCount, 1_000);
    Fixtures.awaitSearchable(tag, productCount);
  }

  static HttpProtocolBuilder protocol() {
    return http.shareConnections().acceptHeader("application/json").userAgentHeader("eventmall-load-tests");
  }

  {
    double rate = Settings.rate(200);
    ScenarioBuilder browse = scenario("browse and search").exec(visit(() -> productIds));
    setUp(browse.injectOpen(
        rampUsersPerSec(1).to(rate).during(Settings.ramp(10)),
        constantUsersPerSec(rate).during(Settings.duration(60))))
      .protocols(protocol())
      .assertions(
        global().responseTime().percentile(95.0).lte(Settings.millis("p95", 15)),
        global().responseTime().percentile(99.0).lte(Settings.millis("p99", 25)),
        global().failedRequests().percent().lte(Double.parseDouble(System.getProperty("maxFailedPercent", "0"))));
  }
}
