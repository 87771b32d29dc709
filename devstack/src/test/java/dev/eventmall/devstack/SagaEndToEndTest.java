package dev.eventmall.devstack;

import dev.eventmall.common.event.Topics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.common.testing.TopicReader;
import dev.eventmall.emulators.sandbox.Faults;
import dev.eventmall.emulators.toss.TossEmulator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order saga end to end (issue 5): customers and sellers act only through the services' REST APIs; Kafka, MariaDB,
 * Redis and Cassandra are real; Toss Payments and the carrier are the emulators, whose ledgers are the evidence of
 * charges and refunds.
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class SagaEndToEndTest {
  static final String GOOD_CARD = "4330123412341234";
  static final String DECLINED_CARD = "4330123412340000";
  static final Duration SAGA = Duration.ofSeconds(30);

  static E2E.Member seller;

  @BeforeAll
  static void start() {
    E2E.platform();
    seller = E2E.member("SELLER");
  }

  @AfterEach
  void clearFaults() {
    E2E.platform().emulators().toss().clearFaults();
    E2E.platform().emulators().carrier().clearFaults();
  }

  static TossEmulator toss() {
    return E2E.platform().emulators().toss();
  }

  /** A new product with {@code stock} units; returns its id. */
  static String product(int stock, long price) {
    String unique = Long.toHexString(UUID.randomUUID().getMostSignificantBits());
    E2E.Response created = E2E.call("catalog", "POST", "/products", seller.token(), new JsonObject()
      .put("name", "무선 이어폰 " + unique).put("description", "e2e").put("category", "audio").put("price", price)
      .put("stock", stock).put("attributes", new JsonObject()).put("imageUrls", new JsonArray())
      .put("options", new JsonArray()));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json().getString("productId");
  }

  static int stockOf(String productId) {
    E2E.Response product = E2E.call("catalog", "GET", "/products/" + productId, null, null);
    assertThat(product.status()).as(product.body()).isEqualTo(200);
    return product.json().getInteger("stock");
  }

  /** A customer with an address (zip code {@code zip}) and, when {@code card} is not null, a billing key. */
  record Customer(E2E.Member member, String addressId) {
  }

  static Customer customer(String card, String zip) {
    E2E.Member member = E2E.member("CUSTOMER");
    E2E.Response address = E2E.call("member", "POST", "/members/me/addresses", member.token(), new JsonObject()
      .put("recipient", "홍길동").put("phone", "010-1234-5678").put("zipCode", zip).put("line1", "서울시 중구 세종대로 110")
      .put("line2", "101호"));
    assertThat(address.status()).as(address.body()).isEqualTo(201);
    if (card != null) {
      // the browser's way (issue 13): the card goes to Toss's billing-auth window (the emulator's sandbox), the payment
      // service gets the authKey of its success redirect
      JsonObject params = E2E.call("payment", "GET", "/payments/toss-client", member.token(), null).json();
      E2E.Response auth = E2E.call("toss-emulator", "POST", "/sandbox/billing-auth", null, new JsonObject()
        .put("customerKey", params.getString("customerKey")).put("clientKey", params.getString("billingClientKey"))
        .put("cardNumber", card));
      assertThat(auth.status()).as(auth.body()).isEqualTo(201);
      E2E.Response key = E2E.call("payment", "POST", "/payments/billing-keys", member.token(), new JsonObject()
        .put("authKey", auth.json().getString("authKey")));
      assertThat(key.status()).as(key.body()).isEqualTo(201);
    }
    return new Customer(member, address.json().getString("id"));
  }

  static JsonObject orderBody(Customer customer, String productId, int quantity) {
    return new JsonObject()
      .put("lines", new JsonArray().add(new JsonObject().put("productId", productId).put("quantity", quantity)))
      .put("addressId", customer.addressId()).put("paymentMethod", "BILLING");
  }

  /**
   * Places an order, waiting (up to 10 s) until the order service's projections know the new product and address;
   * returns the 201 response.
   */
  static E2E.Response place(Customer customer, JsonObject body, Map<String, String> headers) {
    AtomicReference<E2E.Response> placed = new AtomicReference<>();
    Await.until("the order is accepted", Duration.ofSeconds(10), () -> {
      E2E.Response r = E2E.call("order", "POST", "/orders", customer.member().token(), body, headers);
      placed.set(r);
      return r.status() == 201;
    });
    return placed.get();
  }

  static String place(Customer customer, String productId, int quantity) {
    return place(customer, orderBody(customer, productId, quantity), Map.of()).json().getString("orderId");
  }

  static String status(Customer customer, String orderId) {
    E2E.Response order = E2E.call("order", "GET", "/orders/" + orderId, customer.member().token(), null);
    assertThat(order.status()).as(order.body()).isEqualTo(200);
    return order.json().getString("status");
  }

  static void awaitStatus(Customer customer, String orderId, String expected) {
    awaitAnyOf(customer, orderId, expected, List.of(expected));
  }


  /** The happy path of a billing order, in order. */
  static final List<String> HAPPY_PATH = List.of("PENDING", "PAYMENT_PENDING", "PAID", "SHIPPING", "DELIVERED");

  /**
   * Waits until the order has reached {@code expected} of {@link #HAPPY_PATH} or a later step: with the emulated carrier
   * an order can go PAID → SHIPPING → DELIVERED between two polls, so waiting for exactly PAID can miss it.
   */
  static void awaitReached(Customer customer, String orderId, String expected) {
    awaitAnyOf(customer, orderId, expected + " or later",
      HAPPY_PATH.subList(HAPPY_PATH.indexOf(expected), HAPPY_PATH.size()));
  }

  /** Waits until the order's status is one of {@code accepted}; a timeout names the status, timeline and parked events. */
  private static void awaitAnyOf(Customer customer, String orderId, String what, List<String> accepted) {
    AtomicReference<String> last = new AtomicReference<>();
    Await.until(() -> "order " + orderId + " " + what + " (is " + last.get() + ", timeline "
      + timeline(customer, orderId) + ", parked " + parked(orderId) + ")", SAGA, () -> {
      last.set(status(customer, orderId));
      return accepted.contains(last.get());
    });
  }

  /** What the dead-letter topics hold for {@code orderId} (read for 3 s): the diagnosis of a saga that stopped. */
  static List<String> parked(String orderId) {
    List<TopicReader> readers = Topics.DOMAIN.stream()
      .map(topic -> new TopicReader(TestInfra.kafka(), Topics.dlq(topic))).toList();
    try {
      Thread.sleep(3_000);
      List<String> found = readers.stream().flatMap(r -> r.records().stream()).filter(r -> orderId.equals(r.key()))
        .map(r -> r.topic() + " " + r.value()).toList();
      for (TopicReader reader : readers) {
        reader.close();
      }
      return found;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  static List<String> timeline(Customer customer, String orderId) {
    E2E.Response timeline = E2E.call("order", "GET", "/orders/" + orderId + "/timeline", customer.member().token(), null);
    assertThat(timeline.status()).as(timeline.body()).isEqualTo(200);
    return timeline.json().getJsonArray("items").stream().map(JsonObject.class::cast)
      .map(e -> e.getString("type")).toList();
  }

  @Test
  void theHappyPathEndsDeliveredWithEveryStepOnTheTimelineAndOneCharge() {
    String productId = product(10, 25_000);
    Customer customer = customer(GOOD_CARD, "04524");
    String orderId = place(customer, productId, 2);

    awaitStatus(customer, orderId, "DELIVERED");
    assertThat(timeline(customer, orderId)).containsSubsequence(
      "OrderPlaced", "StockReserved", "PaymentCompleted", "DeliveryStarted", "DeliveryCompleted");
    assertThat(toss().charges(orderId)).hasSize(1);
    assertThat(toss().charges(orderId).get(0).amount()).isEqualTo(50_000L);
    assertThat(stockOf(productId)).isEqualTo(8);
    E2E.Response delivery = E2E.call("delivery", "GET", "/deliveries/" + orderId, customer.member().token(), null);
    assertThat(delivery.status()).as(delivery.body()).isEqualTo(200);
    assertThat(delivery.json().getString("status")).isEqualTo("DELIVERED");
    assertThat(delivery.json().getString("trackingNumber")).isNotBlank();
  }

  @Test
  void aDeclinedCardEndsPaymentFailedAndTheStockComesBack() {
    String productId = product(5, 10_000);
    Customer customer = customer(DECLINED_CARD, "04524");
    String orderId = place(customer, productId, 3);

    awaitStatus(customer, orderId, "PAYMENT_FAILED");
    Await.until("stock restored", SAGA, () -> stockOf(productId) == 5);
    assertThat(toss().charges(orderId)).isEmpty();
  }

  @Test
  void anOrderForMoreThanTheStockIsRejectedAndNobodyIsCharged() {
    String productId = product(2, 10_000);
    Customer customer = customer(GOOD_CARD, "04524");
    String orderId = place(customer, productId, 3);

    awaitStatus(customer, orderId, "REJECTED");
    assertThat(toss().charges(orderId)).isEmpty();
    assertThat(stockOf(productId)).isEqualTo(2);
  }

  @Test
  void aCarrierRefusalRefundsTheChargeRestoresStockAndCancelsTheOrder() {
    String productId = product(4, 30_000);
    Customer customer = customer(GOOD_CARD, "00000"); // the carrier emulator refuses zip 00000
    String orderId = place(customer, productId, 1);

    awaitStatus(customer, orderId, "CANCELLED");
    assertThat(toss().charges(orderId)).hasSize(1);
    Await.until("one refund in the Toss ledger", SAGA, () -> toss().cancels(orderId).size() == 1);
    Await.until("stock restored", SAGA, () -> stockOf(productId) == 4);
    assertThat(timeline(customer, orderId)).contains("DeliveryFailed", "PaymentRefunded");
  }

  @Test
  void aCustomerCancelBeforeShippingRefundsAndCancels() {
    // the carrier is down, so the paid order cannot ship yet
    E2E.platform().emulators().carrier().faults(Faults.none().withOutage(Faults.Outage.SERVICE_UNAVAILABLE));
    String productId = product(3, 40_000);
    Customer customer = customer(GOOD_CARD, "04524");
    String orderId = place(customer, productId, 1);
    awaitStatus(customer, orderId, "PAID");

    E2E.Response cancel = E2E.call("order", "POST", "/orders/" + orderId + "/cancel", customer.member().token(),
      new JsonObject().put("reason", "changed my mind"));
    assertThat(cancel.status()).as(cancel.body()).isIn(200, 202);
    awaitStatus(customer, orderId, "CANCELLED");
    assertThat(toss().charges(orderId)).hasSize(1);
    Await.until("one refund in the Toss ledger", SAGA, () -> toss().cancels(orderId).size() == 1);
    Await.until("stock restored", SAGA, () -> stockOf(productId) == 3);
    E2E.platform().emulators().carrier().clearFaults();
  }

  @Test
  void tossTimingOutThenAnsweringChargesExactlyOnce() {
    String productId = product(3, 15_000);
    Customer customer = customer(GOOD_CARD, "04524");
    // the first billing charge takes 4 s (the client gives up after 1.5 s) but is made
    toss().faults(Faults.none().withTimeout(4_000, true).withPaths(List.of("/v1/billing/")).withCount(1));
    String orderId = place(customer, productId, 1);

    awaitReached(customer, orderId, "PAID");
    assertThat(toss().charges(orderId)).hasSize(1);
  }

  @Test
  void theSamePostSentTwiceWithOneIdempotencyKeyMakesOneOrderAndOneCharge() {
    String productId = product(5, 12_000);
    Customer customer = customer(GOOD_CARD, "04524");
    Map<String, String> key = Map.of("Idempotency-Key", "checkout-" + UUID.randomUUID());
    JsonObject body = orderBody(customer, productId, 1);
    String first = place(customer, body, key).json().getString("orderId");
    E2E.Response again = E2E.call("order", "POST", "/orders", customer.member().token(), body, key);
    assertThat(again.status()).as(again.body()).isIn(200, 201);
    assertThat(again.json().getString("orderId")).isEqualTo(first);

    awaitStatus(customer, first, "DELIVERED");
    assertThat(toss().charges(first)).hasSize(1);
    E2E.Response mine = E2E.call("order", "GET", "/orders?size=50", customer.member().token(), null);
    assertThat(mine.json().getJsonArray("items")).hasSize(1);
    assertThat(stockOf(productId)).isEqualTo(4);
  }

  @Test
  void anotherCustomersAddressOrOrderIsRefused() {
    String productId = product(5, 12_000);
    Customer alice = customer(GOOD_CARD, "04524");
    Customer bob = customer(GOOD_CARD, "04524");
    String orderId = place(alice, productId, 1);

    // Bob orders to Alice's address: refused, nothing placed
    E2E.Response foreignAddress = E2E.call("order", "POST", "/orders", bob.member().token(),
      orderBody(alice, productId, 1));
    assertThat(foreignAddress.status()).isBetween(400, 499);
    assertThat(foreignAddress.contentType()).startsWith("application/problem+json");
    assertThat(E2E.call("order", "GET", "/orders", bob.member().token(), null).json().getJsonArray("items")).isEmpty();

    // Bob reads, cancels or traces Alice's order, or her delivery: not found for him
    assertThat(E2E.call("order", "GET", "/orders/" + orderId, bob.member().token(), null).status()).isEqualTo(404);
    assertThat(E2E.call("order", "POST", "/orders/" + orderId + "/cancel", bob.member().token(), new JsonObject())
      .status()).isEqualTo(404);
    assertThat(E2E.call("order", "GET", "/orders/" + orderId + "/timeline", bob.member().token(), null).status())
      .isEqualTo(404);
    assertThat(E2E.call("payment", "GET", "/payments/orders/" + orderId, bob.member().token(), null).status())
      .isEqualTo(404);
    assertThat(E2E.call("delivery", "GET", "/deliveries/" + orderId, bob.member().token(), null).status())
      .isEqualTo(404);
  }
}
