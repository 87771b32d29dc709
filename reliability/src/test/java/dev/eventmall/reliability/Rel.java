package dev.eventmall.reliability;

import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.PlatformContracts;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.devstack.Platform;
import dev.eventmall.emulators.toss.TossEmulator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One platform per test JVM (as devstack's E2E helper: every service in its own Vert.x instance over TestInfra's real
 * servers, free ports), plus what the reliability suites need: an admin seeded by the member service, and the REST
 * steps of the saga (seller product, customer with address and billing key, order placement, status). Every answer of a
 * service is checked against the service's OpenAPI document ({@link PlatformContracts}): one that breaks it fails the
 * test, whatever fault the scenario injects behind the service; an error HAProxy itself sends
 * ({@value #ANSWERED_BY}{@code : haproxy}, {@link dev.eventmall.infra.Haproxy}) is not the service's and is not checked.
 */
final class Rel {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final String ADMIN_EMAIL = "admin@reliability.test";
  static final String ADMIN_PASSWORD = "reliability-admin-pass";
  /** The header on the errors HAProxy answers itself (no replica up or answering), not a service. */
  static final String ANSWERED_BY = "X-Answered-By";
  static final String GOOD_CARD = "4330123412341234";
  static final String DECLINED_CARD = "4330123412340000";
  private static Platform platform;
  private static String kafka;
  /** Where every answer received goes while a scenario records them ({@link #record()}); null: nowhere. */
  private static volatile List<Answer> recording;

  private Rel() {
  }

  /** Points the platform at another Kafka (the soak's 3-broker cluster); only before it started. */
  static synchronized void useKafka(String bootstrapServers) {
    if (platform != null) {
      throw new IllegalStateException("the platform already runs on " + kafka() + " (run soak tests in a JVM of their own)");
    }
    kafka = bootstrapServers;
  }

  static synchronized String kafka() {
    return kafka != null ? kafka : TestInfra.kafka();
  }

  static synchronized Platform platform() {
    if (platform == null) {
      Map<String, String> env = new HashMap<>(Map.of(
        "KAFKA_BOOTSTRAP_SERVERS", kafka(),
        "MYSQL_URI", TestInfra.mysqlUri(),
        "REDIS_URL", TestInfra.redisUrl(),
        "CASSANDRA_CONTACT_POINTS", TestInfra.cassandraContactPoint(),
        "CASSANDRA_LOCAL_DC", TestInfra.cassandraLocalDc(),
        "CASSANDRA_SCHEMA_WINDOW_MS", "10"));
      // a fast world, as in devstack's E2E: the carrier moves a parcel every 300 ms, Toss answers within 1.5 s
      env.put("CARRIER_STEP_MS", "300");
      env.put("DELIVERY_POLL_INTERVAL_MS", "200");
      env.put("DELIVERY_DISPATCH_INTERVAL_MS", "200");
      env.put("TOSS_READ_TIMEOUT_MS", "1500");
      env.put("TOSS_RETRY_BACKOFF_MS", "100");
      env.put("ADMIN_EMAIL", ADMIN_EMAIL);
      env.put("ADMIN_PASSWORD", ADMIN_PASSWORD);
      platform = Platform.start(env, false);
      Platform started = platform;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "reliability-platform-stop"));
    }
    return platform;
  }

  static TossEmulator toss() {
    return platform().emulators().toss();
  }

  record Response(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /**
   * An answer as a client saw it: its status, the problem {@code type}'s slug (null unless problem+json) and the retry
   * headers.
   */
  record Answer(String service, String method, String path, int status, String problemType, String retryAfter,
                String retryAfterMs) {
    boolean succeeded() {
      return status >= 200 && status < 300;
    }
  }

  /**
   * Starts recording every answer of every service (from all threads) until {@link Recording#close()}; one recording
   * at a time.
   */
  static Recording record() {
    List<Answer> answers = new CopyOnWriteArrayList<>();
    recording = answers;
    return new Recording(answers);
  }

  /** The answers recorded so far, see {@link #record()}. */
  record Recording(List<Answer> answers) implements AutoCloseable {
    @Override
    public void close() {
      recording = null;
    }
  }

  /** No answer: the service is down or restarting (a fault scenario), the connection failed or timed out. */
  static final class NoAnswer extends AssertionError {
    NoAnswer(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Checks {@code response} of {@code service} against the service's document, unless HAProxy answered it; throws a
   * {@link dev.eventmall.common.testing.ContractCheck.Violation} when it breaks it.
   */
  static void verify(String service, String method, String uri, HttpResponse<String> response) {
    if (response.headers().firstValue(ANSWERED_BY).isEmpty()) {
      PlatformContracts.verify(service, method, uri, response.statusCode(), response.headers().map(), response.body());
    }
  }

  /**
   * Registers {@code card} as the browser does (issue 13): Toss's billing-auth window (the emulator's sandbox) takes the
   * card and gives an authKey; the payment service gets only that. The answer of {@code POST /payments/billing-keys}.
   */
  static Response registerCard(String token, String card) {
    Response params = call("payment", "GET", "/payments/toss-client", token, null);
    if (params.status() != 200) {
      return params;
    }
    Response auth = call("toss-emulator", "POST", "/sandbox/billing-auth", null, new JsonObject()
      .put("customerKey", params.json().getString("customerKey"))
      .put("clientKey", params.json().getString("billingClientKey")).put("cardNumber", card));
    assertThat(auth.status()).as(auth.body()).isEqualTo(201);
    return call("payment", "POST", "/payments/billing-keys", token, new JsonObject()
      .put("authKey", auth.json().getString("authKey")));
  }

  static Response call(String service, String method, String path, String token, JsonObject body) {
    return raw(service, method, path, token, body == null ? null : body.encode(), Map.of());
  }

  static Response call(String service, String method, String path, String token, JsonObject body,
                       Map<String, String> headers) {
    return raw(service, method, path, token, body == null ? null : body.encode(), headers);
  }

  /** A request with a raw body (null: none), sent as application/json. */
  static Response raw(String service, String method, String path, String token, String body,
                      Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + platform().ports().get(service) + path))
      .timeout(Duration.ofSeconds(30))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    headers.forEach(request::header);
    HttpResponse<String> response;
    try {
      response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new NoAnswer(method + " " + path + " failed", e);
    }
    verify(service, method, path, response);
    List<Answer> answers = recording;
    if (answers != null) {
      answers.add(answer(service, method, path, response));
    }
    return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
      response.body());
  }

  private static Answer answer(String service, String method, String path, HttpResponse<String> response) {
    String type = null;
    if (response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
      try {
        String uri = new JsonObject(response.body()).getString("type", "");
        type = uri.substring(uri.lastIndexOf('/') + 1);
      } catch (RuntimeException notJson) {
        type = "(not JSON: " + response.body() + ")";
      }
    }
    return new Answer(service, method, path, response.statusCode(), type,
      response.headers().firstValue("Retry-After").orElse(null),
      response.headers().firstValue("Retry-After-Ms").orElse(null));
  }

  /** A signed-up and logged-in member. */
  record Member(String id, String token) {
  }

  static Member member(String role) {
    String email = role.toLowerCase() + "-" + UUID.randomUUID() + "@example.com";
    String password = "pass-" + UUID.randomUUID();
    Response signUp = call("member", "POST", "/members", null, new JsonObject()
      .put("email", email).put("password", password).put("name", "Rel " + role).put("role", role));
    assertThat(signUp.status()).as(signUp.body()).isEqualTo(201);
    return login(email, password);
  }

  static Member login(String email, String password) {
    Response login = call("member", "POST", "/auth/login", null,
      new JsonObject().put("email", email).put("password", password));
    assertThat(login.status()).as(login.body()).isEqualTo(200);
    return new Member(login.json().getString("memberId"), login.json().getString("accessToken"));
  }

  static Member admin() {
    return login(ADMIN_EMAIL, ADMIN_PASSWORD);
  }

  /** A new product of {@code seller} with {@code stock} units; returns its id. */
  static String product(Member seller, int stock, long price) {
    String unique = Long.toHexString(UUID.randomUUID().getMostSignificantBits());
    return product(seller, "무선 이어폰 " + unique, stock, price);
  }

  /** A new product named {@code name}; returns its id. */
  static String product(Member seller, String name, int stock, long price) {
    Response created = call("catalog", "POST", "/products", seller.token(), productBody(name, price, stock));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json().getString("productId");
  }

  static JsonObject productBody(String name, long price, int stock) {
    return new JsonObject().put("name", name).put("description", "reliability").put("category", "audio")
      .put("price", price).put("stock", stock).put("attributes", new JsonObject()).put("imageUrls", new JsonArray())
      .put("options", new JsonArray());
  }

  static int stockOf(String productId) {
    Response product = call("catalog", "GET", "/products/" + productId, null, null);
    assertThat(product.status()).as(product.body()).isEqualTo(200);
    return product.json().getInteger("stock");
  }

  /** A customer with an address and, when {@code card} is not null, a billing key. */
  record Customer(Member member, String addressId) {
  }

  static Customer customer(String card, String zip) {
    Member member = member("CUSTOMER");
    Response address = call("member", "POST", "/members/me/addresses", member.token(), addressBody(zip));
    assertThat(address.status()).as(address.body()).isEqualTo(201);
    if (card != null) {
      // Toss's breaker may still be open after an outage scenario: wait for it to let the registration through
      AtomicReference<Response> key = new AtomicReference<>();
      Await.until("billing key registered (last " + key + ")", Duration.ofSeconds(60), () -> {
        key.set(registerCard(member.token(), card));
        if (key.get().status() == 503) {
          Load.sleep(500);
        }
        return key.get().status() != 503;
      });
      assertThat(key.get().status()).as(key.get().body()).isEqualTo(201);
    }
    return new Customer(member, address.json().getString("id"));
  }

  static JsonObject addressBody(String zip) {
    return new JsonObject().put("recipient", "홍길동").put("phone", "010-1234-5678").put("zipCode", zip)
      .put("line1", "서울시 중구 세종대로 110").put("line2", "101호");
  }

  static JsonObject orderBody(Customer customer, String productId, int quantity) {
    return new JsonObject()
      .put("lines", new JsonArray().add(new JsonObject().put("productId", productId).put("quantity", quantity)))
      .put("addressId", customer.addressId()).put("paymentMethod", "BILLING");
  }

  /**
   * Places an order, waiting (up to 120 s: the order service may be restarting in a fault scenario) until it is
   * accepted, i.e. until the order service's projections know the product and address.
   */
  static Response place(Customer customer, JsonObject body, Map<String, String> headers) {
    AtomicReference<Response> placed = new AtomicReference<>();
    Await.until("the order is accepted (last " + placed + ")", Duration.ofSeconds(120), () -> {
      Response r;
      try {
        r = call("order", "POST", "/orders", customer.member().token(), body, headers);
      } catch (NoAnswer e) {
        // the order service is restarting (a fault scenario): try again
        Load.sleep(200);
        return false;
      }
      placed.set(r);
      if (r.status() != 201) {
        Load.sleep(100);
      }
      return r.status() == 201;
    });
    return placed.get();
  }

  static String status(Customer customer, String orderId) {
    Response order = call("order", "GET", "/orders/" + orderId, customer.member().token(), null);
    assertThat(order.status()).as(order.body()).isEqualTo(200);
    return order.json().getString("status");
  }
}
