package dev.eventmall.loadtests;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

/**
 * Order placement end to end. Per arriving customer: sign up, log in, add an address, register a card (billing key),
 * then the group {@value #SAGA}: {@code POST /orders} and poll {@code GET /orders/{id}} every {@code -DpollMs} ms until
 * the order is SHIPPING or DELIVERED (delivery started) or in a terminal failure state, then one "order outcome" read
 * that fails unless it is SHIPPING/DELIVERED — so a rejected, failed, cancelled or stuck (still moving after
 * {@code -DsagaTimeout} s) order is a failed request. With {@code gatling.charting.useGroupDurationMetric} (our
 * gatling.conf) the group's response time is the saga latency as a customer sees it, to the polling interval.
 *
 * <p>Set-up (not measured): a seller and {@code -Dproducts} products with huge stock, and a probe order that proves the
 * order service's projections know them; with {@code -Dcustomers=N}, N customers (address, card) too, and then each
 * arrival orders as one of them instead of signing up first (so the run measures the saga, not password hashing).
 * Open model, {@code -Drate} customers (= orders) per second.
 */
public class OrderSagaSimulation extends Simulation {
  static final String SAGA = "order saga";
  static final Set<String> DONE = Set.of("SHIPPING", "DELIVERED", "REJECTED", "PAYMENT_FAILED", "CANCELLED");

  final int productCount = Settings.integer("products", 20);
  /** {@code -Dcustomers=N}: N customers made before the run, each arrival orders as one of them (0: each signs up). */
  final int customerCount = Settings.integer("customers", 0);
  volatile List<String> productIds = List.of();
  volatile List<String[]> customers = List.of();

  static ChainBuilder customer() {
    return exec(SignUpAndLoginSimulation.signUpAndLogin("CUSTOMER"))
      .exec(http("add address").post(Settings.memberUrl() + "/members/me/addresses")
        .header("Authorization", "Bearer #{token}")
        .body(StringBody("{\"recipient\":\"홍길동\",\"phone\":\"010-1234-5678\",\"zipCode\":\"04524\","
          + "\"line1\":\"서울시 중구 세종대로 110\",\"line2\":\"101호\"}")).asJson()
        .check(status().is(201), jsonPath("$.id").saveAs("addressId")))
      // the browser's way (issue 13): the billing-auth window (the emulator's sandbox) gives an authKey for the card
      .exec(http("toss keys").get(Settings.paymentUrl() + "/payments/toss-client")
        .header("Authorization", "Bearer #{token}")
        .check(status().is(200), jsonPath("$.customerKey").saveAs("customerKey"),
          jsonPath("$.billingClientKey").saveAs("billingClientKey")))
      .exec(http("billing auth window").post(Settings.tossUrl() + "/sandbox/billing-auth")
        .body(StringBody("{\"customerKey\":\"#{customerKey}\",\"clientKey\":\"#{billingClientKey}\",\"cardNumber\":\""
          + Fixtures.GOOD_CARD + "\"}")).asJson()
        .check(status().is(201), jsonPath("$.authKey").saveAs("authKey")))
      .exec(http("register card").post(Settings.paymentUrl() + "/payments/billing-keys")
        .header("Authorization", "Bearer #{token}")
        .body(StringBody("{\"authKey\":\"#{authKey}\"}")).asJson()
        .check(status().is(201)));
  }

  /**
   * The saga as the customer sees it. POST /orders answers 422 while the order service has not yet projected the
   * customer's new address (it arrives through member.events): that answer is retried every 20 ms for up to 10 s with
   * the same Idempotency-Key, inside the group (it is part of what the customer waits for). A 503 (the platform sheds
   * load) is retried after its Retry-After-Ms the same way; either counts in the saga's time, not as a failure.
   */
  static ChainBuilder placeAndAwait(Supplier<List<String>> products) {
    Duration sagaTimeout = Duration.ofSeconds(Long.getLong("sagaTimeout", 30));
    Duration poll = Duration.ofMillis(Long.getLong("pollMs", 25));
    return exec(session -> {
      List<String> ids = products.get();
      return session.set("productId", ids.get(ThreadLocalRandom.current().nextInt(ids.size())))
        .set("idempotencyKey", UUID.randomUUID().toString()).set("orderStatus", "PENDING").remove("orderId");
    }).group(SAGA).on(
      asLongAsDuring(session -> !session.contains("orderId"), Duration.ofSeconds(10)).on(
        exec(http("place order").post(Settings.orderUrl() + "/orders")
          .header("Authorization", "Bearer #{token}").header("Idempotency-Key", "#{idempotencyKey}")
          .body(StringBody("{\"lines\":[{\"productId\":\"#{productId}\",\"quantity\":1}],"
            + "\"addressId\":\"#{addressId}\",\"paymentMethod\":\"BILLING\"}")).asJson()
          .check(status().in(200, 201, 422, 503).saveAs("placeStatus"),
            header("Retry-After-Ms").optional().saveAs("retryAfterMs"),
            jsonPath("$.orderId").optional().saveAs("orderId")))
          // 422: the address is not projected yet, try again shortly; 503: the platform sheds load, come back when
          // it says (Retry-After-Ms) as a well-behaved client does
          .doIf(session -> !session.contains("orderId")).then(pause(session -> Duration.ofMillis(
            session.getInt("placeStatus") == 503 && session.contains("retryAfterMs")
              ? Long.parseLong(session.getString("retryAfterMs")) : 20)))),
      doIf(session -> session.contains("orderId")).then(
        asLongAsDuring(session -> !DONE.contains(session.getString("orderStatus")), sagaTimeout).on(
          pause(poll),
          exec(http("poll order").get(Settings.orderUrl() + "/orders/#{orderId}")
            .header("Authorization", "Bearer #{token}")
            .check(status().is(200), jsonPath("$.status").saveAs("orderStatus"))))),
      // a customer refused for 10 s (503 after 503) got no order: the saga group fails, and the assertion on the
      // group's failures sees it (before, the outcome request crashed on the missing orderId and no assertion counted it)
      doIfOrElse(session -> session.contains("orderId")).then(
        exec(http("order outcome").get(Settings.orderUrl() + "/orders/#{orderId}")
          .header("Authorization", "Bearer #{token}")
          .check(status().is(200), jsonPath("$.status").in("SHIPPING", "DELIVERED"))))
        .orElse(exec(session -> session.markAsFailed())));
  }

  @Override
  public void before() {
    String seller = Fixtures.member("SELLER");
    productIds = Fixtures.products(seller, "lt" + Long.toHexString(System.nanoTime()), productCount, 1_000_000);
    Fixtures.awaitOrderable(productIds);
    List<String[]> made = new java.util.ArrayList<>();
    for (int i = 0; i < customerCount; i++) {
      made.add(Fixtures.customer());
    }
    customers = List.copyOf(made);
  }

  /** One of the customers made before the run (token, addressId), round robin. */
  ChainBuilder existingCustomer() {
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    return exec(session -> {
      String[] c = customers.get(Math.floorMod(next.getAndIncrement(), customers.size()));
      return session.set("token", c[0]).set("addressId", c[1]);
    });
  }

  {
    double rate = Settings.rate(50);
    ScenarioBuilder orders = scenario("customer places an order")
      .exec(customerCount > 0 ? existingCustomer() : customer()).exec(placeAndAwait(() -> productIds));
    setUp(orders.injectOpen(
        rampUsersPerSec(1).to(rate).during(Settings.ramp(10)),
        constantUsersPerSec(rate).during(Settings.duration(60))))
      .protocols(BrowseAndSearchSimulation.protocol())
      .assertions(
        details(SAGA).responseTime().percentile(95.0).lte(Settings.millis("sagaP95", 150)),
        details(SAGA).responseTime().percentile(99.0).lte(Settings.millis("sagaP99", 250)),
        global().responseTime().percentile(99.0).lte(Settings.millis("p99", 250)),
        global().failedRequests().percent().lte(Double.parseDouble(System.getProperty("maxFailedPercent", "0"))),
        details(SAGA).failedRequests().percent().lte(Double.parseDouble(System.getProperty("maxFailedPercent", "0"))));
  }
}
