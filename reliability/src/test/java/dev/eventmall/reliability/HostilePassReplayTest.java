package dev.eventmall.reliability;

import dev.eventmall.common.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16 "must show": the hostile pass's reproductions of rows 1–7 replayed against the running devstack, twice, and
 * afterwards {@code /metrics} of every service, the dead-letter topics, the payment rows and the stock are as they were
 * before the second replay (the first one may add each service's few bounded series once: an OTHER method, a 409).
 * Every reproduction is also asserted to be refused the way its fix says.
 */
class HostilePassReplayTest {

  record Before(Map<String, Integer> metricsSeries, long dlq, Map<String, String> payments, int stock) {
  }

  @Test
  void replayingRowsOneToSevenLeavesMetricsDlqPaymentsAndStockAsTheyWere() throws Exception {
    Rel.platform();
    Rel.Member seller = Rel.member("SELLER");
    Rel.Customer alice = Rel.customer(Rel.GOOD_CARD, "04524");
    String productId = Rel.product(seller, 40, 10_000);
    // a paid order of alice's: its payment key is what row 2 confirms another order with
    String paid = Rel.place(alice, Rel.orderBody(alice, productId, 1), Map.of()).json().getString("orderId");
    Await.until("alice's order paid", Duration.ofSeconds(60), () -> {
      Rel.Response p = Rel.call("payment", "GET", "/payments/orders/" + paid, alice.member().token(), null);
      return p.status() == 200 && "DONE".equals(p.json().getString("status"));
    });
    String aliceKey = Rel.call("payment", "GET", "/payments/orders/" + paid, alice.member().token(), null).json()
      .getString("paymentKey");

    try (Admin admin = Stores.admin()) {
      // the first time may add bounded series (OTHER, new statuses) once
      settled(admin, productId, replay(seller, productId, aliceKey));
      Before before = settled(admin, productId, List.of());
      List<Placed> second = replay(seller, productId, aliceKey);
      Before after = settled(admin, productId, second);

      System.out.println("# SECURITY replay of rows 1-7: /metrics series " + before.metricsSeries() + " → "
        + after.metricsSeries() + ", DLQ " + before.dlq() + " → " + after.dlq() + ", stock " + before.stock() + " → "
        + after.stock() + ", payment rows " + before.payments().size() + " → " + after.payments().size());
      after.metricsSeries().forEach((service, series) -> assertThat(series).as(service + " /metrics series")
        .isLessThanOrEqualTo(before.metricsSeries().get(service) + 5)); // a histogram bucket set may appear late
      assertThat(after.dlq()).as("dead-lettered events").isEqualTo(before.dlq());
      // the payment rows that were there are unchanged; the replay's checkout orders only add cancelled ones
      before.payments().forEach((order, state) -> assertThat(after.payments().get(order)).as("payment of " + order)
        .isEqualTo(state));
      for (Placed p : second) {
        assertThat(after.payments().get(p.orderId())).as("payment of the replay's order " + p.orderId())
          .startsWith("VOIDED");
      }
      assertThat(after.stock()).as("stock of the product").isEqualTo(before.stock()).isEqualTo(39);
    }
  }

  record Placed(Rel.Customer customer, String orderId) {
  }

  /** One replay of the issue's reproductions, each asserted refused; answers the orders it placed (all cancelled). */
  static List<Placed> replay(Rel.Member seller, String productId, String otherOrdersKey) throws Exception {
    // row 1: invented HTTP methods on every service
    for (String service : services()) {
      for (int i = 0; i < 10; i++) {
        Rel.Response r = Rel.raw(service, "HXREPLAY" + (char) ('A' + i), "/", null, null, Map.of());
        assertThat(r.status()).as(service).isBetween(400, 499);
      }
    }
    // row 3: a lone surrogate in a product name and a member's name
    String surrogate = Rel.productBody("@@", 1_000, 5).encode().replace("@@", "ab\\ud800cd");
    assertThat(Rel.raw("catalog", "POST", "/products", seller.token(), surrogate, Map.of()).status()).isEqualTo(422);
    Rel.Customer bob = Rel.customer(null, "04524");
    assertThat(Rel.raw("member", "PATCH", "/members/me", bob.member().token(), "{\"name\":\"x\\udc00y\"}", Map.of())
      .status()).isEqualTo(422);
    // row 4: one product twice in an order, once upper-cased
    JsonObject twice = new JsonObject().put("addressId", bob.addressId()).put("paymentMethod", "CHECKOUT")
      .put("lines", new JsonArray()
        .add(new JsonObject().put("productId", productId).put("quantity", 1))
        .add(new JsonObject().put("productId", productId.toUpperCase()).put("quantity", 1)));
    Rel.Response dup = Rel.call("order", "POST", "/orders", bob.member().token(), twice);
    assertThat(dup.status()).as(dup.body()).isBetween(400, 499);
    // row 7: unpaid checkout orders up to the cap, then 409; row 2: one of them confirmed with another order's key
    List<String> unpaid = new ArrayList<>();
    JsonObject checkout = new JsonObject().put("addressId", bob.addressId()).put("paymentMethod", "CHECKOUT")
      .put("lines", new JsonArray().add(new JsonObject().put("productId", productId).put("quantity", 1)));
    for (int i = 0; i < 5; i++) {
      unpaid.add(Rel.place(bob, checkout, Map.of()).json().getString("orderId"));
    }
    Rel.Response sixth = Rel.call("order", "POST", "/orders", bob.member().token(), checkout);
    assertThat(sixth.status()).as(sixth.body()).isEqualTo(409);
    assertThat(sixth.json().getString("type")).endsWith("/too-many-unpaid-orders");
    String first = unpaid.get(0);
    Await.until("a checkout payment awaited for " + first, Duration.ofSeconds(60), () -> {
      Rel.Response p = Rel.call("payment", "GET", "/payments/orders/" + first, bob.member().token(), null);
      return p.status() == 200 && "AWAITING_CHECKOUT".equals(p.json().getString("status"));
    });
    Rel.Response foreign = Rel.call("payment", "POST", "/payments/confirm", bob.member().token(), new JsonObject()
      .put("paymentKey", otherOrdersKey).put("orderId", first).put("amount", 10_000));
    assertThat(foreign.status()).as(foreign.body()).isEqualTo(409);
    assertThat(foreign.json().getString("type")).endsWith("/payment-key-in-use");
    // row 5: parallel logins of unknown e-mails, then the real member still logs in
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Integer>> logins = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        int n = i;
        logins.add(pool.submit(() -> Rel.call("member", "POST", "/auth/login", null, new JsonObject()
          .put("email", "nobody-" + n + "-" + System.nanoTime() + "@example.com").put("password", "wrong-pass-123"))
          .status()));
      }
      for (Future<Integer> login : logins) {
        assertThat(login.get(60, TimeUnit.SECONDS)).isIn(401, 429, 503);
      }
      // row 6: a half-sent body on the order service is cut with 408
      String cut = SecuritySweepTest.slowClient("order", Rel.platform().ports().get("order"), false);
      assertThat(cut).contains("closed after").contains("408");
    } finally {
      pool.shutdownNow();
    }
    // the customer's unpaid orders are cancelled (the stock goes back)
    for (String orderId : unpaid) {
      Rel.Response cancel = Rel.call("order", "POST", "/orders/" + orderId + "/cancel", bob.member().token(),
        new JsonObject().put("reason", "replay"));
      assertThat(cancel.status()).as(cancel.body()).isBetween(200, 299);
    }
    return unpaid.stream().map(id -> new Placed(bob, id)).toList();
  }

  /** The figures once the replay's orders are cancelled and their payments closed. */
  static Before settled(Admin admin, String productId, List<Placed> placed) {
    for (Placed p : placed) {
      Await.until("order " + p.orderId() + " cancelled and its payment closed", Duration.ofSeconds(90), () -> {
        Rel.Response pay = Rel.call("payment", "GET", "/payments/orders/" + p.orderId(), p.customer().member().token(),
          null);
        boolean done = "CANCELLED".equals(Rel.status(p.customer(), p.orderId())) && pay.status() == 200
          && "VOIDED".equals(pay.json().getString("status"));
        if (!done) {
          Load.sleep(250);
        }
        return done;
      });
    }
    Map<String, Integer> series = new TreeMap<>();
    for (String service : services()) {
      Rel.raw(service, "GET", "/metrics", null, null, Map.of());
      String text = Rel.raw(service, "GET", "/metrics", null, null, Map.of()).body();
      series.put(service, (int) text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count());
    }
    Map<String, String> payments = new TreeMap<>();
    Stores.rows("payment", "SELECT order_id, status, payment_key FROM payments", r -> {
      try {
        payments.put(r.getString(1), r.getString(2) + " " + r.getString(3));
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
      return null;
    });
    return new Before(series, Stores.dlqRecords(admin), payments, Rel.stockOf(productId));
  }

  static List<String> services() {
    return Rel.platform().ports().keySet().stream().filter(name -> !name.endsWith("emulator")).sorted().toList();
  }
}
