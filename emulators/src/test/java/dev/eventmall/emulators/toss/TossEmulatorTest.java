package dev.eventmall.emulators.toss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventmall.emulators.sandbox.Faults;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class TossEmulatorTest {

  static final String CARD_OK = "4330123412341234";
  static final String CARD_REJECT = "4330123412340000";
  static final String CARD_LIMIT = "4330123412340001";
  static final String CARD_INVALID = "4330123412349999";
  static final String AUTH = basic("test_sk_devstack:");

  TossEmulator toss;
  WebClient client;

  static String basic(String userColonPassword) {
    return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
  }

  @BeforeEach
  void start(Vertx vertx, VertxTestContext tc) {
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
    TossEmulator.start(vertx, TossConfig.defaults().webhookRetryDelays(List.of(Duration.ofMillis(50), Duration.ofMillis(50))))
        .onComplete(tc.succeeding(t -> {
          toss = t;
          tc.completeNow();
        }));
  }

  @AfterEach
  void stop() {
    client.close();
  }

  // ---------------------------------------------------------------- helpers

  Future<HttpResponse<Buffer>> call(HttpMethod method, String path, JsonObject body, String... headers) {
    HttpRequest<Buffer> req = client.request(method, toss.actualPort(), "127.0.0.1", path).putHeader("Authorization", AUTH);
    for (int i = 0; i < headers.length; i += 2) {
      req.putHeader(headers[i], headers[i + 1]);
    }
    return body == null ? req.send() : req.sendJsonObject(body);
  }

  Future<HttpResponse<Buffer>> post(String path, JsonObject body, String... headers) {
    return call(HttpMethod.POST, path, body, headers);
  }

  Future<HttpResponse<Buffer>> get(String path) {
    return call(HttpMethod.GET, path, null);
  }

  Future<String> billingKey(String customerKey, String card) {
    return post("/v1/billing/authorizations/card", cardBody(customerKey, card))
        .map(r -> {
          assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
          return r.bodyAsJsonObject().getString("billingKey");
        });
  }

  static JsonObject cardBody(String customerKey, String card) {
    return new JsonObject().put("customerKey", customerKey).put("cardNumber", card)
        .put("cardExpirationYear", "39").put("cardExpirationMonth", "12").put("customerIdentityNumber", "881212");
  }

  Future<HttpResponse<Buffer>> charge(String billingKey, String customerKey, String orderId, long amount, String... headers) {
    return post("/v1/billing/" + billingKey, new JsonObject().put("customerKey", customerKey).put("amount", amount)
        .put("orderId", orderId).put("orderName", "Tumbler x 2"), headers);
  }

  Future<String> checkout(String orderId, long amount, String card) {
    JsonObject body = new JsonObject().put("orderId", orderId).put("amount", amount).put("orderName", "Mug");
    if (card != null) {
      body.put("cardNumber", card);
    }
    return client.post(toss.actualPort(), "127.0.0.1", "/sandbox/checkout").sendJsonObject(body).map(r -> {
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
      return r.bodyAsJsonObject().getString("paymentKey");
    });
  }

  Future<HttpResponse<Buffer>> confirm(String paymentKey, String orderId, long amount, String... headers) {
    return post("/v1/payments/confirm",
        new JsonObject().put("paymentKey", paymentKey).put("orderId", orderId).put("amount", amount), headers);
  }

  Future<HttpResponse<Buffer>> cancel(String paymentKey, Long amount, String... headers) {
    JsonObject body = new JsonObject().put("cancelReason", "customer changed mind");
    if (amount != null) {
      body.put("cancelAmount", amount);
    }
    return post("/v1/payments/" + paymentKey + "/cancel", body, headers);
  }

  Future<HttpResponse<Buffer>> putFaults(JsonObject faults) {
    return client.put(toss.actualPort(), "127.0.0.1", "/sandbox/faults").sendJsonObject(faults);
  }

  static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getString("code")).isEqualTo(code);
    assertThat(body.getString("message")).isNotBlank();
  }

  // ---------------------------------------------------------------- auth

  @Test
  void basicAuthWithoutColonIsRejectedWith403(VertxTestContext tc) {
    client.get(toss.actualPort(), "127.0.0.1", "/v1/payments/orders/order-000001")
        .putHeader("Authorization", basic("test_sk_devstack")).send()
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 403, "INCORRECT_BASIC_AUTH_FORMAT");
          tc.completeNow();
        })));
  }

  @Test
  void unknownKeyIsRejectedWith401(VertxTestContext tc) {
    client.get(toss.actualPort(), "127.0.0.1", "/v1/payments/orders/order-000001")
        .putHeader("Authorization", basic("live_sk_someoneelse:")).send()
        .compose(r -> {
          tc.verify(() -> assertError(r, 401, "UNAUTHORIZED_KEY"));
          return client.get(toss.actualPort(), "127.0.0.1", "/v1/payments/orders/order-000001").send();
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 401, "UNAUTHORIZED_KEY");
          tc.completeNow();
        })));
  }

  @Test
  void messagesAreKoreanByDefaultAndEnglishOnRequest(VertxTestContext tc) {
    get("/v1/payments/nope").compose(ko -> {
      tc.verify(() -> assertThat(ko.bodyAsJsonObject().getString("message")).isEqualTo("존재하지 않는 결제 정보 입니다."));
      return call(HttpMethod.GET, "/v1/payments/nope", null, "Accept-Language", "en-US");
    }).onComplete(tc.succeeding(en -> tc.verify(() -> {
      assertError(en, 404, "NOT_FOUND_PAYMENT");
      assertThat(en.bodyAsJsonObject().getString("message")).isEqualTo("The payment does not exist.");
      tc.completeNow();
    })));
  }

  // ---------------------------------------------------------------- billing

  @Test
  void billingKeyIssueAndChargeGivesADoneBillingPayment(VertxTestContext tc) {
    post("/v1/billing/authorizations/card", cardBody("customer-1", CARD_OK))
        .compose(auth -> {
          JsonObject billing = auth.bodyAsJsonObject();
          tc.verify(() -> {
            assertThat(auth.statusCode()).isEqualTo(200);
            assertThat(billing.getString("customerKey")).isEqualTo("customer-1");
            assertThat(billing.getString("method")).isEqualTo("카드");
            assertThat(billing.getString("authenticatedAt")).endsWith("+09:00");
            assertThat(billing.getJsonObject("card").getString("number")).isEqualTo("43301234****123*");
            assertThat(billing.encode()).doesNotContain(CARD_OK);
          });
          return charge(billing.getString("billingKey"), "customer-1", "order-bill-1", 15000);
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
          JsonObject p = r.bodyAsJsonObject();
          assertThat(p.getString("type")).isEqualTo("BILLING");
          assertThat(p.getString("status")).isEqualTo("DONE");
          assertThat(p.getString("version")).isEqualTo("2022-11-16");
          assertThat(p.getString("orderId")).isEqualTo("order-bill-1");
          assertThat(p.getString("currency")).isEqualTo("KRW");
          assertThat(p.getString("method")).isEqualTo("카드");
          assertThat(p.getLong("totalAmount")).isEqualTo(15000);
          assertThat(p.getLong("balanceAmount")).isEqualTo(15000);
          assertThat(p.getLong("vat")).isEqualTo(1364);
          assertThat(p.getLong("suppliedAmount")).isEqualTo(13636);
          assertThat(p.getString("approvedAt")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+09:00");
          assertThat(p.getString("lastTransactionKey")).isNotBlank();
          assertThat(p.getJsonObject("card").getString("number")).isEqualTo("43301234****123*");
          assertThat(p.getJsonObject("receipt").getString("url")).startsWith("https://");
          assertThat(toss.charges("order-bill-1")).singleElement()
              .satisfies(e -> assertThat(e.amount()).isEqualTo(15000));
          tc.completeNow();
        })));
  }

  @Test
  void billingKeyFromTheBrowserAuthKey(VertxTestContext tc) {
    client.post(toss.actualPort(), "127.0.0.1", "/sandbox/billing-auth")
        .sendJsonObject(new JsonObject().put("customerKey", "customer-2").put("cardNumber", CARD_OK))
        .compose(r -> post("/v1/billing/authorizations/issue", new JsonObject()
            .put("authKey", r.bodyAsJsonObject().getString("authKey")).put("customerKey", "customer-2")))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
          assertThat(r.bodyAsJsonObject().getString("billingKey")).isNotBlank();
          assertThat(r.bodyAsJsonObject().getString("customerKey")).isEqualTo("customer-2");
          tc.completeNow();
        })));
  }

  /**
   * Keys per merchant id (issue 13): a billing key and the payments made under the billing MID's key are invisible under
   * the default MID's key (NOT_FOUND_PAYMENT / unknown billingKey), as at Toss.
   */
  @Test
  void paymentsAndBillingKeysBelongToTheMerchantWhoseKeyMadeThem() {
    String billingAuth = basic(TossConfig.BILLING_SECRET_KEY + ":");
    HttpResponse<Buffer> issued = client.post(toss.actualPort(), "127.0.0.1", "/sandbox/billing-auth")
        .sendJsonObject(new JsonObject().put("customerKey", "customer-mid").put("cardNumber", CARD_OK)
            .put("clientKey", TossConfig.BILLING_CLIENT_KEY)).await();
    String authKey = issued.bodyAsJsonObject().getString("authKey");
    // the default merchant cannot issue it
    assertThat(post("/v1/billing/authorizations/issue", new JsonObject().put("authKey", authKey)
        .put("customerKey", "customer-mid")).await().statusCode()).isEqualTo(400);
    HttpResponse<Buffer> key = client.post(toss.actualPort(), "127.0.0.1", "/v1/billing/authorizations/issue")
        .putHeader("Authorization", billingAuth)
        .sendJsonObject(new JsonObject().put("authKey", authKey).put("customerKey", "customer-mid")).await();
    assertThat(key.statusCode()).as(key.bodyAsString()).isEqualTo(200);
    assertThat(key.bodyAsJsonObject().getString("mId")).isEqualTo(TossConfig.BILLING_MID);
    String billingKey = key.bodyAsJsonObject().getString("billingKey");

    assertThat(charge(billingKey, "customer-mid", "order-mid-1", 1000).await().bodyAsJsonObject().getString("message"))
        .contains("unknown billingKey");
    HttpResponse<Buffer> charged = client.post(toss.actualPort(), "127.0.0.1", "/v1/billing/" + billingKey)
        .putHeader("Authorization", billingAuth).sendJsonObject(new JsonObject().put("customerKey", "customer-mid")
            .put("amount", 1000).put("orderId", "order-mid-1").put("orderName", "Mug")).await();
    assertThat(charged.statusCode()).as(charged.bodyAsString()).isEqualTo(200);
    assertThat(charged.bodyAsJsonObject().getString("mId")).isEqualTo(TossConfig.BILLING_MID);
    String paymentKey = charged.bodyAsJsonObject().getString("paymentKey");

    assertThat(get("/v1/payments/orders/order-mid-1").await().statusCode()).isEqualTo(404);
    assertThat(get("/v1/payments/" + paymentKey).await().bodyAsJsonObject().getString("code"))
        .isEqualTo("NOT_FOUND_PAYMENT");
    assertThat(post("/v1/payments/" + paymentKey + "/cancel", new JsonObject().put("cancelReason", "x")).await()
        .statusCode()).isEqualTo(404);
    assertThat(client.get(toss.actualPort(), "127.0.0.1", "/v1/payments/orders/order-mid-1")
        .putHeader("Authorization", billingAuth).send().await().bodyAsJsonObject().getString("status"))
        .isEqualTo("DONE");
    // order ids are per merchant: the default merchant may use the same one
    assertThat(client.post(toss.actualPort(), "127.0.0.1", "/sandbox/checkout").sendJsonObject(new JsonObject()
        .put("orderId", "order-mid-1").put("amount", 500)).await().statusCode()).isEqualTo(201);
  }

  /**
   * A checkout paid by virtual account: confirm answers WAITING_FOR_DEPOSIT with the account and its deposit secret,
   * nothing is charged yet, and it can be cancelled whole before the deposit.
   */
  @Test
  void aVirtualAccountCheckoutWaitsForItsDepositAndCanBeCancelled() {
    HttpResponse<Buffer> opened = client.post(toss.actualPort(), "127.0.0.1", "/sandbox/checkout")
        .sendJsonObject(new JsonObject().put("orderId", "order-va-1").put("amount", 30_000)
            .put("method", "VIRTUAL_ACCOUNT")).await();
    String paymentKey = opened.bodyAsJsonObject().getString("paymentKey");
    HttpResponse<Buffer> confirmed = confirm(paymentKey, "order-va-1", 30_000).await();
    assertThat(confirmed.statusCode()).as(confirmed.bodyAsString()).isEqualTo(200);
    JsonObject p = confirmed.bodyAsJsonObject();
    assertThat(p.getString("status")).isEqualTo("WAITING_FOR_DEPOSIT");
    assertThat(p.getString("method")).isEqualTo("가상계좌");
    assertThat(p.getJsonObject("virtualAccount").getString("accountNumber")).isNotBlank();
    assertThat(p.getString("secret")).isNotBlank();
    assertThat(p.getValue("card")).isNull();
    assertThat(toss.charges("order-va-1")).isEmpty();

    HttpResponse<Buffer> cancelled = post("/v1/payments/" + paymentKey + "/cancel",
        new JsonObject().put("cancelReason", "only cards")).await();
    assertThat(cancelled.statusCode()).as(cancelled.bodyAsString()).isEqualTo(200);
    assertThat(cancelled.bodyAsJsonObject().getString("status")).isEqualTo("CANCELED");
    assertThat(cancelled.bodyAsJsonObject().getLong("balanceAmount")).isZero();
    assertThat(cancelled.bodyAsJsonObject().getJsonArray("cancels").getJsonObject(0).fieldNames()).containsExactly(
        "transactionKey", "cancelReason", "canceledAt", "cancelAmount", "taxFreeAmount", "refundableAmount",
        "cancelStatus");
    assertThat(post("/v1/payments/" + paymentKey + "/cancel", new JsonObject().put("cancelReason", "again")).await()
        .bodyAsJsonObject().getString("code")).isEqualTo("ALREADY_CANCELED_PAYMENT");
  }

  /**
   * Issue 13 point 6: with a state file the sandbox survives a restart — a billing key issued before is still chargeable,
   * payments can still be read and cancelled, the ledger is kept — so it stays consistent with the services' databases.
   */
  @Test
  void withAStateFileBillingKeysPaymentsAndTheLedgerSurviveARestart(Vertx vertx) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempDirectory("toss-state").resolve("toss.json");
    TossEmulator first = TossEmulator.start(vertx, TossConfig.defaults().stateFile(file)).await();
    toss = first;
    String billingKey = billingKey("customer-restart", CARD_OK).await();
    HttpResponse<Buffer> charged = charge(billingKey, "customer-restart", "order-restart-1", 4_000).await();
    assertThat(charged.statusCode()).as(charged.bodyAsString()).isEqualTo(200);
    String paymentKey = charged.bodyAsJsonObject().getString("paymentKey");
    first.close().await();
    assertThat(file).exists();

    toss = TossEmulator.start(vertx, TossConfig.defaults().stateFile(file)).await();
    assertThat(toss.charges("order-restart-1")).hasSize(1);
    assertThat(get("/v1/payments/orders/order-restart-1").await().bodyAsJsonObject().getString("paymentKey"))
        .isEqualTo(paymentKey);
    HttpResponse<Buffer> again = charge(billingKey, "customer-restart", "order-restart-2", 5_000).await();
    assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(200);
    assertThat(charge(billingKey, "customer-restart", "order-restart-1", 4_000).await().bodyAsJsonObject()
        .getString("code")).isEqualTo("DUPLICATED_ORDER_ID");
    HttpResponse<Buffer> canceled = post("/v1/payments/" + paymentKey + "/cancel",
        new JsonObject().put("cancelReason", "restart")).await();
    assertThat(canceled.bodyAsJsonObject().getString("status")).isEqualTo("CANCELED");
    assertThat(toss.ledger().stream().map(LedgerEntry::seq).toList()).doesNotHaveDuplicates().hasSize(3);

    // kept without a clean stop too: a running emulator appends what changed to the journal (every 250 ms) and leaves
    // the snapshot as the start wrote it (rewriting the whole state cost in proportion to the history); the files as a
    // kill would leave them, read by another emulator, hold everything
    Thread.sleep(600);
    assertThat(new JsonObject(java.nio.file.Files.readString(file)).getJsonArray("ledger")).hasSize(1);
    java.nio.file.Path journal = file.resolveSibling("toss.json.journal");
    assertThat(java.nio.file.Files.readAllLines(journal)).anyMatch(l -> l.contains("\"CANCELED\""));
    java.nio.file.Path crashed = java.nio.file.Files.createTempDirectory("toss-state-killed").resolve("toss.json");
    java.nio.file.Files.copy(file, crashed);
    java.nio.file.Files.copy(journal, crashed.resolveSibling("toss.json.journal"));
    java.nio.file.Files.writeString(crashed.resolveSibling("toss.json.journal"), "{\"payment\":{\"paymentK",
        java.nio.file.StandardOpenOption.APPEND); // a line the kill cut short
    toss.close().await();
    toss = TossEmulator.start(vertx, TossConfig.defaults().stateFile(crashed)).await();
    assertThat(toss.ledger().stream().map(LedgerEntry::seq).toList()).containsExactly(1L, 2L, 3L);
    // read back from the files the same to the byte, its cancel included
    assertThat(get("/v1/payments/" + paymentKey).await().bodyAsString()).isEqualTo(canceled.bodyAsString());
    assertThat(charge(billingKey, "customer-restart", "order-restart-3", 6_000).await().statusCode()).isEqualTo(200);
    assertThat(toss.ledger().stream().map(LedgerEntry::seq).toList()).containsExactly(1L, 2L, 3L, 4L);
    toss.close().await();
  }

  /**
   * The payment window redirects as Toss does: pay → successUrl with paymentKey (which confirm accepts), cancel →
   * failUrl with PAY_PROCESS_CANCELED; what it echoes is escaped; a relative redirect URL is refused.
   */
  @Test
  void thePaymentWindowRedirectsAsTossDoes() {
    String q = "clientKey=test_ck_devstack&customerKey=cust_1&method=CARD&amount=7000&orderId=order-window-1"
        + "&orderName=%3Cscript%3Ealert(1)%3C%2Fscript%3E&successUrl=http%3A%2F%2Fshop.test%2Fpay%2Fsuccess%23top"
        + "&failUrl=http%3A%2F%2Fshop.test%2Fpay%2Ffail";
    HttpResponse<Buffer> page = client.get(toss.actualPort(), "127.0.0.1", "/window/payment?" + q).send().await();
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.bodyAsString()).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert");
    assertThat(client.get(toss.actualPort(), "127.0.0.1", "/window/payment?" + q.replace("http%3A%2F%2Fshop.test", ""))
        .send().await().statusCode()).isEqualTo(400);

    io.vertx.core.MultiMap form = io.vertx.core.MultiMap.caseInsensitiveMultiMap();
    for (String pair : q.split("&")) {
      String[] kv = pair.split("=", 2);
      form.add(kv[0], java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    HttpResponse<Buffer> cancelled = client.post(toss.actualPort(), "127.0.0.1", "/window/payment").followRedirects(false)
        .sendForm(io.vertx.core.MultiMap.caseInsensitiveMultiMap().addAll(form).add("action", "cancel")).await();
    assertThat(cancelled.statusCode()).isEqualTo(303);
    assertThat(cancelled.getHeader("Location")).startsWith("http://shop.test/pay/fail?")
        .contains("code=PAY_PROCESS_CANCELED").contains("orderId=order-window-1");

    HttpResponse<Buffer> paid = client.post(toss.actualPort(), "127.0.0.1", "/window/payment").followRedirects(false)
        .sendForm(io.vertx.core.MultiMap.caseInsensitiveMultiMap().addAll(form).add("action", "pay")
            .add("cardNumber", CARD_OK)).await();
    assertThat(paid.statusCode()).isEqualTo(303);
    String location = paid.getHeader("Location");
    assertThat(location).startsWith("http://shop.test/pay/success?paymentType=NORMAL").endsWith("#top")
        .contains("orderId=order-window-1").contains("amount=7000");
    String paymentKey = location.replaceAll(".*paymentKey=([^&#]+).*", "$1");
    HttpResponse<Buffer> confirmed = confirm(paymentKey, "order-window-1", 7000).await();
    assertThat(confirmed.bodyAsJsonObject().getString("status")).isEqualTo("DONE");
    assertThat(client.get(toss.actualPort(), "127.0.0.1", "/v2/standard").send().await().bodyAsString())
        .contains("window.TossPayments = TossPayments").contains("requestBillingAuth");
  }

  /** TossPayments-Test-Code works with test keys only, as at Toss: a live key's call is executed normally. */
  @Test
  void theTestCodeHeaderIsIgnoredForLiveKeys(Vertx vertx) {
    toss.close().await();
    toss = TossEmulator.start(vertx, TossConfig.defaults().secretKeys(java.util.Set.of("test_sk_devstack",
        "live_sk_merchant"))).await();
    String opened = checkout("order-live-1", 1000, CARD_OK).await();
    HttpResponse<Buffer> live = client.post(toss.actualPort(), "127.0.0.1", "/v1/payments/confirm")
        .putHeader("Authorization", basic("live_sk_merchant:")).putHeader("TossPayments-Test-Code", "REJECT_CARD_COMPANY")
        .sendJsonObject(new JsonObject().put("paymentKey", opened).put("orderId", "order-live-1").put("amount", 1000))
        .await();
    assertThat(live.bodyAsJsonObject().getString("status")).as(live.bodyAsString()).isEqualTo("DONE");
    String second = checkout("order-test-1", 1000, CARD_OK).await();
    assertThat(confirm(second, "order-test-1", 1000, "TossPayments-Test-Code", "REJECT_CARD_COMPANY").await()
        .bodyAsJsonObject().getString("code")).isEqualTo("REJECT_CARD_COMPANY");
  }

  @Test
  void testCardsAreDeclined(VertxTestContext tc) {
    billingKey("customer-3", CARD_REJECT)
        .compose(bk -> charge(bk, "customer-3", "order-decline-1", 1000))
        .compose(r -> {
          tc.verify(() -> assertError(r, 403, "REJECT_CARD_COMPANY"));
          return billingKey("customer-3", CARD_LIMIT).compose(bk -> charge(bk, "customer-3", "order-decline-2", 1000));
        })
        .compose(r -> {
          tc.verify(() -> assertError(r, 400, "EXCEED_MAX_AMOUNT"));
          return post("/v1/billing/authorizations/card", cardBody("customer-3", CARD_INVALID));
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 400, "INVALID_CARD_NUMBER");
          assertThat(toss.charges("order-decline-1")).isEmpty();
          assertThat(toss.ledger()).extracting(LedgerEntry::kind, LedgerEntry::failureCode).containsExactly(
              org.assertj.core.groups.Tuple.tuple(LedgerEntry.Kind.DECLINE, "REJECT_CARD_COMPANY"),
              org.assertj.core.groups.Tuple.tuple(LedgerEntry.Kind.DECLINE, "EXCEED_MAX_AMOUNT"));
          tc.completeNow();
        })));
  }

  @Test
  void duplicateOrderIdAndForeignCustomerKeyAreRefused(VertxTestContext tc) {
    billingKey("customer-4", CARD_OK).compose(bk -> charge(bk, "customer-4", "order-dup-1", 1000)
            .compose(first -> charge(bk, "customer-4", "order-dup-1", 1000))
            .compose(dup -> {
              tc.verify(() -> assertError(dup, 400, "DUPLICATED_ORDER_ID"));
              return charge(bk, "customer-other", "order-dup-2", 1000);
            }))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 400, "NOT_MATCHES_CUSTOMER_KEY");
          assertThat(toss.charges("order-dup-1")).hasSize(1);
          tc.completeNow();
        })));
  }

  @Test
  void fieldRulesAreValidated(VertxTestContext tc) {
    billingKey("customer-5", CARD_OK).compose(bk -> charge(bk, "customer-5", "short", 1000)
            .compose(r -> {
              tc.verify(() -> assertError(r, 400, "INVALID_REQUEST"));
              return post("/v1/billing/" + bk, new JsonObject().put("customerKey", "customer-5").put("amount", 10.5)
                  .put("orderId", "order-frac-1").put("orderName", "x"));
            })
            .compose(r -> {
              tc.verify(() -> assertError(r, 400, "INVALID_REQUEST"));
              return charge(bk, "customer-5", "order-neg-1", -5);
            })
            .compose(r -> {
              tc.verify(() -> assertError(r, 400, "INVALID_REQUEST"));
              return post("/v1/billing/authorizations/card", cardBody("c", CARD_OK));
            }))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 400, "INVALID_REQUEST");
          assertThat(toss.ledger()).isEmpty();
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- idempotency

  @Test
  void sameIdempotencyKeyReplaysTheFirstResponseWithoutChargingAgain(VertxTestContext tc) {
    billingKey("customer-6", CARD_OK).compose(bk -> charge(bk, "customer-6", "order-idem-1", 5000, "Idempotency-Key", "charge:order-idem-1")
            .compose(first -> charge(bk, "customer-6", "order-idem-1", 9999, "Idempotency-Key", "charge:order-idem-1")
                .map(second -> List.of(first, second))))
        .onComplete(tc.succeeding(rs -> tc.verify(() -> {
          assertThat(rs.get(0).statusCode()).isEqualTo(200);
          assertThat(rs.get(1).statusCode()).isEqualTo(200);
          assertThat(rs.get(1).bodyAsString()).isEqualTo(rs.get(0).bodyAsString());
          assertThat(toss.charges("order-idem-1")).singleElement()
              .satisfies(e -> assertThat(e.idempotencyKey()).isEqualTo("charge:order-idem-1"));
          tc.completeNow();
        })));
  }

  @Test
  void repeatWhileTheFirstIsInFlightGets409(VertxTestContext tc) {
    billingKey("customer-7", CARD_OK).compose(bk -> {
      toss.faults(Faults.none().withLatencyMs(400));
      Future<HttpResponse<Buffer>> first = charge(bk, "customer-7", "order-idem-2", 5000, "Idempotency-Key", "k-2");
      Future<HttpResponse<Buffer>> second = charge(bk, "customer-7", "order-idem-2", 5000, "Idempotency-Key", "k-2");
      return Future.all(first, second).map(all -> List.of(first.result(), second.result()));
    }).onComplete(tc.succeeding(rs -> tc.verify(() -> {
      assertThat(rs).extracting(HttpResponse::statusCode).containsExactlyInAnyOrder(200, 409);
      HttpResponse<Buffer> conflict = rs.get(0).statusCode() == 409 ? rs.get(0) : rs.get(1);
      assertError(conflict, 409, "IDEMPOTENT_REQUEST_PROCESSING");
      assertThat(toss.charges("order-idem-2")).hasSize(1);
      tc.completeNow();
    })));
  }

  @Test
  void idempotencyKeyLongerThan300IsRefused(VertxTestContext tc) {
    billingKey("customer-8", CARD_OK)
        .compose(bk -> charge(bk, "customer-8", "order-idem-3", 5000, "Idempotency-Key", "k".repeat(301)))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 400, "INVALID_IDEMPOTENCY_KEY");
          assertThat(toss.ledger()).isEmpty();
          tc.completeNow();
        })));
  }

  @Test
  void errorResponsesAreNotReplayed(VertxTestContext tc) {
    billingKey("customer-9", CARD_OK).compose(bk ->
            charge(bk, "customer-9", "order-idem-4", 5000, "Idempotency-Key", "k-4", "TossPayments-Test-Code", "PROVIDER_ERROR")
                .compose(r -> {
                  tc.verify(() -> assertError(r, 400, "PROVIDER_ERROR"));
                  return charge(bk, "customer-9", "order-idem-4", 5000, "Idempotency-Key", "k-4");
                }))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(toss.charges("order-idem-4")).hasSize(1);
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- checkout confirm

  @Test
  void checkoutConfirmGivesDoneAndASecondConfirmIsAlreadyProcessed(VertxTestContext tc) {
    checkout("order-chk-1", 32000, null).compose(pk -> confirm(pk, "order-chk-1", 31000)
            .compose(mismatch -> {
              tc.verify(() -> assertError(mismatch, 400, "INVALID_REQUEST"));
              return confirm(pk, "order-chk-1", 32000);
            })
            .compose(done -> {
              tc.verify(() -> {
                assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
                JsonObject p = done.bodyAsJsonObject();
                assertThat(p.getString("paymentKey")).isEqualTo(pk);
                assertThat(p.getString("type")).isEqualTo("NORMAL");
                assertThat(p.getString("status")).isEqualTo("DONE");
                assertThat(p.getString("approvedAt")).endsWith("+09:00");
              });
              return confirm(pk, "order-chk-1", 32000);
            }))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 400, "ALREADY_PROCESSED_PAYMENT");
          assertThat(toss.charges("order-chk-1")).hasSize(1);
          tc.completeNow();
        })));
  }

  @Test
  void confirmAfterTenMinutesOrOfAnUnknownSessionIsNotFound(VertxTestContext tc) {
    checkout("order-chk-2", 1000, null).compose(pk -> {
          toss.advanceClock(Duration.ofMinutes(10).plusSeconds(1));
          return confirm(pk, "order-chk-2", 1000);
        })
        .compose(r -> {
          tc.verify(() -> assertError(r, 404, "NOT_FOUND_PAYMENT_SESSION"));
          return get("/v1/payments/orders/order-chk-2");
        })
        .compose(r -> {
          tc.verify(() -> assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("EXPIRED"));
          // the buyer may open the payment window again for the same order
          return checkout("order-chk-2", 1000, null).compose(pk -> confirm(pk, "order-chk-2", 1000));
        })
        .compose(r -> {
          tc.verify(() -> assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("DONE"));
          return confirm("no-such-payment-key", "order-chk-3", 1000);
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 404, "NOT_FOUND_PAYMENT_SESSION");
          tc.completeNow();
        })));
  }

  @Test
  void confirmWithADecliningCardAbortsThePayment(VertxTestContext tc) {
    checkout("order-chk-4", 1000, CARD_REJECT).compose(pk -> confirm(pk, "order-chk-4", 1000))
        .compose(r -> {
          tc.verify(() -> assertError(r, 403, "REJECT_CARD_COMPANY"));
          return get("/v1/payments/orders/order-chk-4");
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          JsonObject p = r.bodyAsJsonObject();
          assertThat(p.getString("status")).isEqualTo("ABORTED");
          assertThat(p.getJsonObject("failure").getString("code")).isEqualTo("REJECT_CARD_COMPANY");
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- cancel and lookup

  @Test
  void partialThenFullCancelThenAlreadyCanceled(VertxTestContext tc) {
    billingKey("customer-10", CARD_OK).compose(bk -> charge(bk, "customer-10", "order-cancel-1", 10000))
        .compose(paid -> {
          String pk = paid.bodyAsJsonObject().getString("paymentKey");
          return cancel(pk, 3000L)
              .compose(partial -> {
                tc.verify(() -> {
                  assertThat(partial.statusCode()).as(partial.bodyAsString()).isEqualTo(200);
                  JsonObject p = partial.bodyAsJsonObject();
                  assertThat(p.getString("status")).isEqualTo("PARTIAL_CANCELED");
                  assertThat(p.getLong("balanceAmount")).isEqualTo(7000);
                  JsonArray cancels = p.getJsonArray("cancels");
                  assertThat(cancels).hasSize(1);
                  assertThat(cancels.getJsonObject(0).getLong("cancelAmount")).isEqualTo(3000);
                  assertThat(cancels.getJsonObject(0).getLong("refundableAmount")).isEqualTo(7000);
                  assertThat(cancels.getJsonObject(0).getString("cancelStatus")).isEqualTo("DONE");
                  assertThat(cancels.getJsonObject(0).getString("canceledAt")).endsWith("+09:00");
                  assertThat(cancels.getJsonObject(0).fieldNames()).containsExactly("transactionKey", "cancelReason",
                      "taxExemptionAmount", "canceledAt", "transferDiscountAmount", "easyPayDiscountAmount",
                      "receiptKey", "cancelAmount", "taxFreeAmount", "refundableAmount", "cancelStatus",
                      "cancelRequestId");
                });
                return cancel(pk, 8000L);
              })
              .compose(over -> {
                tc.verify(() -> assertError(over, 403, "NOT_CANCELABLE_AMOUNT"));
                return post("/v1/payments/" + pk + "/cancel", new JsonObject());
              })
              .compose(noReason -> {
                tc.verify(() -> assertError(noReason, 400, "INVALID_REQUEST"));
                return cancel(pk, null);
              })
              .compose(full -> {
                tc.verify(() -> {
                  JsonObject p = full.bodyAsJsonObject();
                  assertThat(p.getString("status")).isEqualTo("CANCELED");
                  assertThat(p.getLong("balanceAmount")).isZero();
                  assertThat(p.getJsonArray("cancels")).hasSize(2);
                });
                return cancel(pk, null);
              });
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 400, "ALREADY_CANCELED_PAYMENT");
          assertThat(toss.cancels("order-cancel-1")).extracting(LedgerEntry::amount).containsExactly(3000L, 7000L);
          tc.completeNow();
        })));
  }

  @Test
  void cancelOfAnUnknownPaymentIsNotFound(VertxTestContext tc) {
    cancel("unknown-key", null).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertError(r, 404, "NOT_FOUND_PAYMENT");
      tc.completeNow();
    })));
  }

  @Test
  void lookupByOrderIdAndByPaymentKey(VertxTestContext tc) {
    billingKey("customer-11", CARD_OK).compose(bk -> charge(bk, "customer-11", "order-look-1", 2500))
        .compose(paid -> get("/v1/payments/orders/order-look-1").compose(byOrder -> {
          tc.verify(() -> assertThat(byOrder.bodyAsJsonObject()).isEqualTo(paid.bodyAsJsonObject()));
          return get("/v1/payments/" + paid.bodyAsJsonObject().getString("paymentKey"));
        }))
        .compose(byKey -> {
          tc.verify(() -> assertThat(byKey.bodyAsJsonObject().getString("orderId")).isEqualTo("order-look-1"));
          return get("/v1/payments/orders/order-look-unknown");
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 404, "NOT_FOUND_PAYMENT");
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- test code and faults

  @Test
  void testCodeHeaderFailsTheCallWithThatCode(VertxTestContext tc) {
    billingKey("customer-12", CARD_OK).compose(bk -> charge(bk, "customer-12", "order-code-1", 1000,
                "TossPayments-Test-Code", "REJECT_CARD_PAYMENT")
            .compose(r -> {
              tc.verify(() -> assertError(r, 403, "REJECT_CARD_PAYMENT"));
              return charge(bk, "customer-12", "order-code-1", 1000, "TossPayments-Test-Code", "FAILED_INTERNAL_SYSTEM_PROCESSING");
            })
            .compose(r -> {
              tc.verify(() -> assertError(r, 500, "FAILED_INTERNAL_SYSTEM_PROCESSING"));
              return charge(bk, "customer-12", "order-code-1", 1000, "TossPayments-Test-Code", "SOME_NEW_CODE");
            }))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 400, "SOME_NEW_CODE");
          assertThat(toss.ledger()).isEmpty();
          tc.completeNow();
        })));
  }

  @Test
  void errorRateOneAnswers500WithoutCharging(VertxTestContext tc) {
    billingKey("customer-13", CARD_OK).compose(bk -> putFaults(new JsonObject().put("errorRate", 1.0))
            .compose(f -> {
              tc.verify(() -> assertThat(f.bodyAsJsonObject().getString("errorCode")).isEqualTo("FAILED_INTERNAL_SYSTEM_PROCESSING"));
              return charge(bk, "customer-13", "order-fault-1", 1000, "Idempotency-Key", "k-f1");
            })
            .compose(r -> {
              tc.verify(() -> assertError(r, 500, "FAILED_INTERNAL_SYSTEM_PROCESSING"));
              return putFaults(new JsonObject());
            })
            .compose(cleared -> charge(bk, "customer-13", "order-fault-1", 1000, "Idempotency-Key", "k-f1")))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(toss.charges("order-fault-1")).hasSize(1);
          tc.completeNow();
        })));
  }

  @Test
  void timeoutThenEffectIsFoundByOrderIdAndByRetryingWithTheSameKey(VertxTestContext tc) {
    billingKey("customer-14", CARD_OK).compose(bk -> {
      toss.faults(Faults.none().withTimeout(-1, true).withPaths(List.of("/v1/billing/" + bk)).withCount(1));
      return post("/v1/billing/" + bk, new JsonObject().put("customerKey", "customer-14").put("amount", 7000)
              .put("orderId", "order-timeout-1").put("orderName", "Lamp"), "Idempotency-Key", "charge:order-timeout-1")
          .timeout(300, java.util.concurrent.TimeUnit.MILLISECONDS)
          .transform(ar -> {
            tc.verify(() -> assertThat(ar.failed()).as("the client saw a timeout").isTrue());
            return get("/v1/payments/orders/order-timeout-1");
          })
          .compose(found -> {
            tc.verify(() -> {
              assertThat(found.statusCode()).isEqualTo(200);
              assertThat(found.bodyAsJsonObject().getString("status")).isEqualTo("DONE");
            });
            return charge(bk, "customer-14", "order-timeout-1", 7000, "Idempotency-Key", "charge:order-timeout-1")
                .map(retry -> List.of(found, retry));
          });
    }).onComplete(tc.succeeding(rs -> tc.verify(() -> {
      assertThat(rs.get(1).statusCode()).isEqualTo(200);
      assertThat(rs.get(1).bodyAsJsonObject().getString("paymentKey"))
          .isEqualTo(rs.get(0).bodyAsJsonObject().getString("paymentKey"));
      assertThat(toss.charges("order-timeout-1")).hasSize(1);
      tc.completeNow();
    })));
  }

  @Test
  void errorAfterTheEffectIsReplayedAsSuccessOnRetry(VertxTestContext tc) {
    billingKey("customer-17", CARD_OK).compose(bk -> {
      toss.faults(Faults.none().withErrors(1.0, "FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING", 0).withErrorApplyEffect(true)
          .withCount(1));
      return charge(bk, "customer-17", "order-fault-2", 3000, "Idempotency-Key", "charge:order-fault-2")
          .compose(r -> {
            tc.verify(() -> assertError(r, 500, "FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING"));
            return charge(bk, "customer-17", "order-fault-2", 3000, "Idempotency-Key", "charge:order-fault-2");
          });
    }).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("DONE");
      assertThat(toss.charges("order-fault-2")).hasSize(1);
      tc.completeNow();
    })));
  }

  @Test
  void strictModeAcceptsOnlyTheConfiguredKeys(Vertx vertx, VertxTestContext tc) {
    TossEmulator.start(vertx, TossConfig.defaults().strictKeys(true).secretKeys(java.util.Set.of("test_sk_only")))
        .compose(strict -> client.get(strict.actualPort(), "127.0.0.1", "/v1/payments/orders/order-000001")
            .putHeader("Authorization", AUTH).send()
            .compose(r -> {
              tc.verify(() -> assertError(r, 401, "UNAUTHORIZED_KEY"));
              return client.get(strict.actualPort(), "127.0.0.1", "/v1/payments/orders/order-000001")
                  .putHeader("Authorization", basic("test_sk_only:")).send();
            }))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 404, "NOT_FOUND_PAYMENT");
          tc.completeNow();
        })));
  }

  @Test
  void outageAnswers503OrClosesTheConnection(VertxTestContext tc) {
    toss.faults(Faults.none().withOutage(Faults.Outage.SERVICE_UNAVAILABLE));
    get("/v1/payments/orders/order-000001")
        .compose(r -> {
          tc.verify(() -> assertThat(r.statusCode()).isEqualTo(503));
          toss.faults(Faults.none().withOutage(Faults.Outage.CLOSE_CONNECTION));
          return get("/v1/payments/orders/order-000001");
        })
        .onComplete(tc.failing(e -> tc.verify(() -> {
          toss.clearFaults();
          tc.completeNow();
        })));
  }

  @Test
  void ledgerIsReadableOverHttp(VertxTestContext tc) {
    billingKey("customer-15", CARD_OK).compose(bk -> charge(bk, "customer-15", "order-ledger-1", 4200, "Idempotency-Key", "led-1"))
        .compose(r -> client.get(toss.actualPort(), "127.0.0.1", "/sandbox/ledger?orderId=order-ledger-1").send())
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          JsonArray entries = r.bodyAsJsonObject().getJsonArray("entries");
          assertThat(entries).hasSize(1);
          JsonObject e = entries.getJsonObject(0);
          assertThat(e.getString("kind")).isEqualTo("CHARGE");
          assertThat(e.getLong("amount")).isEqualTo(4200);
          assertThat(e.getString("status")).isEqualTo("DONE");
          assertThat(e.getString("idempotencyKey")).isEqualTo("led-1");
          assertThat(e.getString("paymentKey")).isNotBlank();
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- limits

  /**
   * Beyond {@code maxPayments} the oldest payment is dropped and then answers as one Toss never made (its checkout
   * session too), while the newest are served as they were answered, to the byte; the ledger keeps its newest entries.
   */
  @Test
  void beyondTheLimitsTheOldestPaymentsAndLedgerEntriesAreDropped(Vertx vertx) {
    toss.close().await();
    toss = TossEmulator.start(vertx, TossConfig.defaults().maxPayments(2).maxLedgerEntries(2)).await();
    String session = checkout("order-limit-0", 1_000, null).await();
    String bk = billingKey("customer-limit", CARD_OK).await();
    HttpResponse<Buffer> first = charge(bk, "customer-limit", "order-limit-1", 1_000).await();
    HttpResponse<Buffer> second = charge(bk, "customer-limit", "order-limit-2", 2_000).await();
    // the session was the oldest of three payments
    HttpResponse<Buffer> lateConfirm = confirm(session, "order-limit-0", 1_000).await();
    assertError(lateConfirm, 404, "NOT_FOUND_PAYMENT_SESSION");
    assertThat(lateConfirm.bodyAsString())
        .isEqualTo(confirm("never-opened-session", "order-limit-0", 1_000).await().bodyAsString());
    HttpResponse<Buffer> third = charge(bk, "customer-limit", "order-limit-3", 3_000).await();

    String dropped = first.bodyAsJsonObject().getString("paymentKey");
    HttpResponse<Buffer> unknown = get("/v1/payments/never-made-payment-key").await();
    assertError(unknown, 404, "NOT_FOUND_PAYMENT");
    assertThat(get("/v1/payments/" + dropped).await().bodyAsString()).isEqualTo(unknown.bodyAsString());
    assertThat(get("/v1/payments/orders/order-limit-1").await().bodyAsString()).isEqualTo(unknown.bodyAsString());
    assertError(cancel(dropped, null).await(), 404, "NOT_FOUND_PAYMENT");

    assertThat(get("/v1/payments/" + third.bodyAsJsonObject().getString("paymentKey")).await().bodyAsString())
        .isEqualTo(third.bodyAsString());
    assertThat(get("/v1/payments/orders/order-limit-3").await().bodyAsString()).isEqualTo(third.bodyAsString());
    assertThat(get("/v1/payments/orders/order-limit-2").await().bodyAsString()).isEqualTo(second.bodyAsString());
    assertThat(toss.ledger()).extracting(LedgerEntry::orderId).containsExactly("order-limit-2", "order-limit-3");
    assertThat(toss.charges("order-limit-1")).isEmpty();
    // forgotten, so its orderId is no longer a duplicate
    assertThat(charge(bk, "customer-limit", "order-limit-1", 1_000).await().statusCode()).isEqualTo(200);
  }

  /** An Idempotency-Key's stored answer goes 15 days on when any other key is used, not only on a repeat of its own. */
  @Test
  void idempotencyKeysExpireWithoutARepeatOfTheirOwn() {
    String bk = billingKey("customer-expiry", CARD_OK).await();
    HttpResponse<Buffer> first = charge(bk, "customer-expiry", "order-expiry-1", 1_000,
        "Idempotency-Key", "charge:order-expiry-1").await();
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(200);
    assertThat(toss.idempotencyKeysHeld().await()).isEqualTo(1);

    toss.advanceClock(Duration.ofDays(15).plusMinutes(1));
    HttpResponse<Buffer> other = charge(bk, "customer-expiry", "order-expiry-2", 2_000,
        "Idempotency-Key", "charge:order-expiry-2").await();
    assertThat(other.statusCode()).as(other.bodyAsString()).isEqualTo(200);
    assertThat(toss.idempotencyKeysHeld().await()).as("only the new key").isEqualTo(1);
    // the expired key runs as a new request: the order is charged already
    assertError(charge(bk, "customer-expiry", "order-expiry-1", 1_000, "Idempotency-Key", "charge:order-expiry-1")
        .await(), 400, "DUPLICATED_ORDER_ID");
    assertThat(toss.charges("order-expiry-1")).hasSize(1);
  }

  // ---------------------------------------------------------------- webhooks

  @Test
  void webhooksAreSentOnConfirmAndCancelAndRetried(Vertx vertx, VertxTestContext tc) {
    List<JsonObject> received = new CopyOnWriteArrayList<>();
    List<MultiMap> headers = new CopyOnWriteArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    HttpServer hook = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      headers.add(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
      if (calls.incrementAndGet() == 1) {
        req.response().setStatusCode(500).end();
        return;
      }
      received.add(b.toJsonObject());
      req.response().setStatusCode(200).end();
    }));
    hook.listen(0, "127.0.0.1")
        .compose(s -> {
          toss.webhookUrl("http://127.0.0.1:" + s.actualPort() + "/toss/webhook");
          return billingKey("customer-16", CARD_OK).compose(bk -> charge(bk, "customer-16", "order-hook-bill", 1000));
        })
        .compose(billing -> checkout("order-hook-1", 5000, null))
        .compose(pk -> confirm(pk, "order-hook-1", 5000).compose(done -> cancel(pk, 2000L)))
        .onComplete(tc.succeeding(r -> vertx.setPeriodic(50, id -> {
          if (received.size() < 2 || !toss.webhookDeliveries().stream().allMatch(d -> d.delivered())) {
            return;
          }
          vertx.cancelTimer(id);
          tc.verify(() -> {
            assertThat(received).extracting(e -> e.getString("eventType")).containsOnly("PAYMENT_STATUS_CHANGED");
            assertThat(received).extracting(e -> e.getJsonObject("data").getString("status"))
                .containsExactlyInAnyOrder("DONE", "PARTIAL_CANCELED");
            assertThat(received).extracting(e -> e.getJsonObject("data").getString("orderId")).containsOnly("order-hook-1");
            assertThat(toss.webhookDeliveries()).hasSize(2).allMatch(d -> d.delivered());
            assertThat(calls.get()).isEqualTo(3);
            // as Toss sends them: createdAt without offset, with microseconds; the transmission headers, the same id
            // on a retry with retried-count counting up
            assertThat(received).extracting(e -> e.getString("createdAt"))
                .allMatch(c -> c.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}"));
            String retried = headers.get(0).get("tosspayments-webhook-transmission-id"); // the one answered 500
            assertThat(retried).isNotBlank();
            assertThat(headers.stream().filter(m -> retried.equals(m.get("tosspayments-webhook-transmission-id")))
                .map(m -> m.get("tosspayments-webhook-retried-count"))).containsExactly("0", "1");
            assertThat(headers.stream().map(m -> m.get("tosspayments-webhook-transmission-id")).distinct())
                .as("one id per event").hasSize(2).doesNotContainNull();
            assertThat(headers.get(0).get("tosspayments-webhook-transmission-time")).endsWith("+09:00");
            hook.close();
            tc.completeNow();
          });
        })));
  }
}
