package dev.eventmall.reliability;

import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.devstack.Platform;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input on every public write endpoint (and the id-taking reads): malformed and truncated JSON, wrong types, huge
 * bodies and strings, negative and zero amounts, unknown enum values, SQL/CQL/Redis-protocol injection strings and path
 * traversal in ids, forged / expired / alg-none / wrong-role / other-user tokens, a replayed Idempotency-Key with another
 * body, webhooks for payments and shipments we do not have. Each must answer 4xx application/problem+json, and the
 * stores (row counts of every table of every service database, outbox included) and the Toss ledger must not change.
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class SecuritySweepTest {
  static final String TWO_MB = "x".repeat(2 * 1024 * 1024);
  static final String HUNDRED_KB = "y".repeat(100 * 1024);
  static final List<String> INJECTIONS = List.of(
    "' OR 1=1 --",
    "1; DROP TABLE orders; --",
    "x' UNION SELECT password_hash FROM member.members --",
    "'; TRUNCATE catalog.products; --",
    "\r\nFLUSHALL\r\n",
    "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%00",
    "${jndi:ldap://127.0.0.1/x}");

  record Bad(String what, String service, String method, String path, String token, String body,
             Map<String, String> headers) {
  }

  static Rel.Member seller;
  static Rel.Member otherSeller;
  static Rel.Customer alice;
  static Rel.Customer bob;
  static String productId;
  static String orderId;
  static String idempotencyKey;
  static JsonObject idempotentBody;

  @BeforeAll
  static void fixtures() {
    Rel.platform();
    seller = Rel.member("SELLER");
    otherSeller = Rel.member("SELLER");
    alice = Rel.customer(Rel.GOOD_CARD, "04524");
    bob = Rel.customer(Rel.GOOD_CARD, "04524");
    productId = Rel.product(seller, 50, 20_000);
    idempotencyKey = "sweep-" + UUID.randomUUID();
    idempotentBody = Rel.orderBody(alice, productId, 1);
    orderId = Rel.place(alice, idempotentBody, Map.of("Idempotency-Key", idempotencyKey)).json().getString("orderId");
    Await.until("alice's order delivered", Duration.ofSeconds(60), () -> {
      boolean done = "DELIVERED".equals(Rel.status(alice, orderId));
      if (!done) {
        Load.sleep(250);
      }
      return done;
    });
  }

  /**
   * Inputs the platform does not refuse yet (findings of this suite, see RELIABILITY.md): they run after the strict part
   * and are only reported, so that CI stays green on everything else. Remove an entry once its service is fixed.
   */
  static final List<String> KNOWN_FINDINGS = List.of();

  static boolean known(Bad b) {
    return KNOWN_FINDINGS.stream().anyMatch(k -> b.what().startsWith(k));
  }

  @Test
  void everyBadInputGetsA4xxProblemAndChangesNothing() {
    List<Bad> bad = badInputs();
    List<Bad> strict = bad.stream().filter(b -> !known(b)).toList();
    List<Bad> findings = bad.stream().filter(SecuritySweepTest::known).toList();
    Map<String, Long> rowsBefore = quietTableCounts();
    int ledgerBefore = Rel.toss().ledger().size();
    int stockBefore = Rel.stockOf(productId);

    List<String> wrong = sweep(strict);
    Figures.BAD_INPUTS.addAndGet(bad.size());
    System.out.println("# SECURITY bad inputs tried: " + bad.size() + " (" + findings.size()
      + " known findings), answered wrongly or changed a store: " + wrong.size());
    wrong.forEach(w -> System.out.println("#   " + w));

    Map<String, Long> rowsAfter = Stores.tableCounts();
    Map<String, Long> changed = new java.util.TreeMap<>();
    rowsAfter.forEach((t, n) -> {
      if (!n.equals(rowsBefore.get(t))) {
        changed.put(t, n - rowsBefore.getOrDefault(t, 0L));
      }
    });
    System.out.println("# SECURITY tables changed by the strict sweep: " + changed);
    int ledgerAfter = Rel.toss().ledger().size();
    int stockAfter = Rel.stockOf(productId);

    // the known findings, reported only
    int reproducing = 0;
    for (Bad finding : findings) {
      List<String> found = sweep(List.of(finding));
      reproducing += found.isEmpty() ? 0 : 1;
      found.forEach(w -> System.out.println("#   KNOWN " + w));
    }
    System.out.println("# SECURITY known findings still reproducing: " + reproducing + " of " + findings.size());

    assertThat(wrong).as("bad inputs not answered 4xx application/problem+json or that changed a store (of %d)",
      strict.size()).isEmpty();
    assertThat(changed).as("rows added or removed by the sweep, per table").isEmpty();
    assertThat(ledgerAfter).as("Toss ledger entries").isEqualTo(ledgerBefore);
    assertThat(stockAfter).isEqualTo(stockBefore);
    assertThat(Rel.status(alice, orderId)).isEqualTo("DELIVERED");
  }

  /**
   * Issue 16 row 11 on both webhook receivers: a webhook naming a payment or shipment of ours and one naming something
   * we never had get the same status, content type and body (before: 200 with the order id and status for ours, 404
   * for the rest — a lookup oracle), and the unknown ones change nothing and cost no call to Toss. Forged statuses of
   * ours change nothing either (the re-read is what counts). The per-client limit in front of them is off in devstack
   * (every client is 127.0.0.1); ClientRateLimitTest covers it.
   */
  @Test
  void webhooksAnswerTheSameForOursAndForUnknownOnesAndChangeNothing() {
    String paymentKey = Rel.call("payment", "GET", "/payments/orders/" + orderId, alice.member().token(), null).json()
      .getString("paymentKey");
    String trackingNumber = Rel.call("delivery", "GET", "/deliveries/" + orderId, alice.member().token(), null).json()
      .getString("trackingNumber");
    assertThat(paymentKey).isNotBlank();
    assertThat(trackingNumber).isNotBlank();
    Map<String, Long> rowsBefore = quietTableCounts();
    int ledgerBefore = Rel.toss().ledger().size();
    long lookupsBefore = Stores.count("payment", "SELECT COUNT(*) FROM payment_attempts");

    List<Rel.Response> toss = new ArrayList<>();
    List<Rel.Response> carrier = new ArrayList<>();
    for (String key : List.of(paymentKey, "tgen_sweep_" + UUID.randomUUID().toString().replace("-", ""))) {
      toss.add(Rel.call("payment", "POST", "/payments/webhooks/toss", null, new JsonObject()
        .put("eventType", "PAYMENT_STATUS_CHANGED")
        .put("data", new JsonObject().put("paymentKey", key).put("orderId", orderId).put("status", "CANCELED"))));
    }
    for (String tn : List.of(trackingNumber, "699" + (System.nanoTime() % 1_000_000_000L))) {
      carrier.add(Rel.call("delivery", "POST", "/deliveries/webhooks/carrier", null, new JsonObject()
        .put("eventType", "SHIPMENT_STATUS_CHANGED")
        .put("data", new JsonObject().put("trackingNumber", tn).put("status", "RETURNED"))));
    }
    for (List<Rel.Response> pair : List.of(toss, carrier)) {
      assertThat(pair.get(0).status()).as(pair.get(0).body()).isEqualTo(200);
      assertThat(pair.get(1).status()).isEqualTo(pair.get(0).status());
      assertThat(pair.get(1).contentType()).isEqualTo(pair.get(0).contentType());
      assertThat(pair.get(1).body()).isEqualTo(pair.get(0).body()).doesNotContain(orderId);
    }
    // ours is re-read once (logged as a lookup); the unknown key is never sent to Toss
    Await.until("the re-read of alice's payment", Duration.ofSeconds(30),
      () -> Stores.count("payment", "SELECT COUNT(*) FROM payment_attempts") >= lookupsBefore + 1);
    Load.sleep(1_000);
    System.out.println("# SECURITY webhooks: ours and unknown answered alike (" + toss.get(0).body() + "), Toss calls "
      + (Stores.count("payment", "SELECT COUNT(*) FROM payment_attempts") - lookupsBefore));
    assertThat(Stores.count("payment", "SELECT COUNT(*) FROM payment_attempts")).isEqualTo(lookupsBefore + 1);
    Map<String, Long> rowsAfter = new java.util.TreeMap<>(quietTableCounts());
    rowsAfter.merge("payment.payment_attempts", -1L, Long::sum); // the one re-read of ours, asserted above
    assertThat(rowsAfter).isEqualTo(rowsBefore);
    assertThat(Rel.toss().ledger().size()).isEqualTo(ledgerBefore);
    assertThat(Rel.status(alice, orderId)).isEqualTo("DELIVERED");
    assertThat(Rel.call("payment", "GET", "/payments/orders/" + orderId, alice.member().token(), null).json()
      .getString("status")).isEqualTo("DONE");
  }

  /**
   * Issue 16 row 1 on every service: 20 invented HTTP methods are answered 4xx problem+json and add no series to
   * {@code /metrics} (before: ~630 series per token). Row 6 on every service at once, with the services' default limits:
   * a socket that dribbles header lines forever and one that sends half a body are cut off (the half body with 408
   * problem+json) within the 10 s request-read deadline, where before both were held for as long as the client liked.
   */
  @Test
  void inventedMethodsDoNotGrowMetricsAndSlowClientsAreCutOffOnEveryService() throws Exception {
    Map<String, Integer> ports = new java.util.TreeMap<>(Rel.platform().ports());
    ports.keySet().removeIf(name -> name.endsWith("emulator")); // the outside world's stand-ins are not ours
    // the six services and the storefront (served by the same HttpBootstrap, so held to the same rules)
    assertThat(ports).containsOnlyKeys("member", "catalog", "search", "order", "payment", "delivery", "storefront");
    for (String service : ports.keySet()) {
      int[] sizes = new int[2];
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 20; i++) {
          Rel.Response answer = Rel.raw(service, (round == 0 ? "HXSWEEP" : "ZZSWEEP") + (char) ('A' + i), "/", null,
            null, Map.of());
          assertThat(answer.status()).as(service + " invented method").isBetween(400, 499);
          assertThat(answer.contentType()).as(service + " invented method: " + answer.status() + " " + answer.body())
            .isEqualTo("application/problem+json");
        }
        Rel.raw(service, "GET", "/metrics", null, null, Map.of()); // this scrape's own series show from the next one
        String text = Rel.raw(service, "GET", "/metrics", null, null, Map.of()).body();
        assertThat(text).as(service + " /metrics").doesNotContain("HXSWEEP").doesNotContain("ZZSWEEP");
        sizes[round] = text.length();
      }
      // the first round may add the OTHER series once; 20 more invented methods add none
      assertThat(sizes[1]).as(service + " /metrics size after 20 more invented methods").isLessThan(sizes[0] + 4_000);
    }

    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
    try {
      List<java.util.concurrent.Future<String>> cuts = new ArrayList<>();
      for (Map.Entry<String, Integer> service : ports.entrySet()) {
        cuts.add(pool.submit(() -> slowClient(service.getKey(), service.getValue(), true)));
        cuts.add(pool.submit(() -> slowClient(service.getKey(), service.getValue(), false)));
      }
      for (java.util.concurrent.Future<String> cut : cuts) {
        String outcome = cut.get(60, java.util.concurrent.TimeUnit.SECONDS);
        System.out.println("# SECURITY slow client: " + outcome);
        assertThat(outcome).contains("closed after");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * A raw client that dribbles header lines (one a second, never the blank line) or sends half of a JSON body; says when
   * the server closed it and what it answered, or that it was still open after 25 s.
   */
  static String slowClient(String service, int port, boolean dribble) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(1_000);
      long opened = System.nanoTime();
      java.io.OutputStream out = socket.getOutputStream();
      java.io.InputStream in = socket.getInputStream();
      out.write((dribble ? "GET /health/live HTTP/1.1\r\nHost: x\r\n"
        : "POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"a\":")
        .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      StringBuilder answer = new StringBuilder();
      for (int i = 0; i < 25; i++) {
        try {
          int n;
          byte[] buf = new byte[4096];
          while ((n = in.read(buf)) > 0) {
            answer.append(new String(buf, 0, n, StandardCharsets.UTF_8));
          }
          if (n < 0) {
            long ms = (System.nanoTime() - opened) / 1_000_000;
            String head = answer.length() == 0 ? "nothing" : answer.substring(0, answer.indexOf("\r\n"));
            assertThat(ms).as(service + " cut off").isLessThan(15_000L);
            if (!dribble) {
              assertThat(answer.toString()).as(service + " half body").startsWith("HTTP/1.1 408")
                .contains("application/problem+json");
            }
            return service + (dribble ? " dribbled headers" : " half body") + " closed after " + ms + " ms, answered "
              + head;
          }
        } catch (java.net.SocketTimeoutException stillOpen) {
          if (dribble) {
            try {
              out.write(("X-Dribble-" + i + ": y\r\n").getBytes(StandardCharsets.US_ASCII));
              out.flush();
            } catch (java.io.IOException closed) {
              return service + " dribbled headers closed after " + (System.nanoTime() - opened) / 1_000_000
                + " ms (write refused)";
            }
          }
        } catch (java.net.SocketException reset) {
          return service + (dribble ? " dribbled headers" : " half body") + " closed after "
            + (System.nanoTime() - opened) / 1_000_000 + " ms (reset)";
        }
      }
      return service + (dribble ? " dribbled headers" : " half body") + " still open after 25 s";
    }
  }

  /**
   * {@code GET /search} with hostile query strings. Parameters with a domain ({@code page}, {@code size},
   * {@code minPrice}/{@code maxPrice}, {@code sort}, an over-long {@code q}) must be refused with 400 problem+json; free
   * text ({@code q}, {@code category}) is only ever search text: injection strings there must answer 200 with a
   * well-formed result (for {@code category} an empty one: no category has such a name), except a category with
   * control characters, refused with 400. Afterwards the index still
   * answers: a known product is found with its price, and Redis holds no fewer keys (index and tombstones) than before.
   */
  @Test
  void searchWithHostileParametersAnswers400OrAWellFormedResultAndTheIndexStillAnswers() {
    String word = "sweepsearch" + Long.toHexString(UUID.randomUUID().getMostSignificantBits()).replaceAll("[0-9]", "q");
    String known = Rel.product(seller, "무선 이어폰 " + word, 10, 12_345);
    awaitFound(word, known, 12_345);
    long dbBefore = redisCount("DBSIZE");
    long productsBefore = redisCount("KEYS", "search:product:*");
    long tokensBefore = redisCount("KEYS", "search:tok:*");

    // search text: 200 with a well-formed (possibly empty) result
    List<String> text = new ArrayList<>(INJECTIONS);
    text.addAll(List.of("*\r\nFLUSHALL\r\n", "'; DROP TABLE product; --", "\"]) redis.call('flushall') --",
      "') ; redis.call('del', KEYS[1]) --", "*", "?", "[a-z]*", "search:*", "\u0000", "x\u0000FLUSHALL",
      "../../../../etc/passwd", "<script>alert(1)</script>", "$(rm -rf /)"));
    // refused: 400 problem+json
    Map<String, String> refused = new java.util.LinkedHashMap<>();
    refused.put("q 101 characters", "q=" + "a".repeat(101));
    for (String param : List.of("page", "size", "minPrice", "maxPrice")) {
      refused.put(param + " negative", param + "=-1");
      refused.put(param + " overflowing", param + "=99999999999999999999999");
      refused.put(param + " text", param + "=abc");
      refused.put(param + " fraction", param + "=1.5");
      refused.put(param + " injection", param + "=" + enc("1; FLUSHALL"));
    }
    refused.put("page 2^31", "page=2147483648");
    refused.put("page past the deepest offset", "page=10001&size=1");
    refused.put("page * size past the deepest offset", "page=101&size=100");
    refused.put("size 0", "size=0");
    refused.put("size 10,000", "size=10000");
    refused.put("size 101", "size=101");
    refused.put("minPrice above maxPrice", "minPrice=20000&maxPrice=10000");
    refused.put("minPrice Long.MAX_VALUE + 1", "minPrice=9223372036854775808");
    for (String sort : List.of("RANDOM", "price", "price_asc; FLUSHALL", "price_asc\r\nFLUSHALL", "*",
      "relevance' OR 1=1 --", "../../etc/passwd", "\u0000")) {
      refused.put("sort " + quote(sort), "sort=" + enc(sort));
    }
    refused.put("category 101 characters", "category=" + "c".repeat(101));

    List<String> wrong = new ArrayList<>();
    int tried = 0;
    for (String q : text) {
      tried++;
      wellFormed("q " + quote(q), "/search?q=" + enc(q), false, wrong);
      tried++;
      if (q.chars().anyMatch(Character::isISOControl)) {
        // a category is a name, never control characters: 400 (category=%00 used to be trimmed away: finding 5)
        Rel.Response r = Rel.raw("search", "GET", "/search?category=" + enc(q), null, null, Map.of());
        if (r.status() != 400 || !r.contentType().startsWith("application/problem+json")) {
          wrong.add("category " + quote(q) + " → " + r.status() + " " + r.contentType() + " " + abbreviate(r.body()));
        }
      } else {
        wellFormed("category " + quote(q), "/search?category=" + enc(q), true, wrong);
      }
    }
    for (Map.Entry<String, String> e : refused.entrySet()) {
      tried++;
      Rel.Response r = Rel.raw("search", "GET", "/search?" + e.getValue(), null, null, Map.of());
      if (r.status() != 400 || !r.contentType().startsWith("application/problem+json")) {
        wrong.add(e.getKey() + " → " + r.status() + " " + r.contentType() + " " + abbreviate(r.body()));
      }
    }
    // not the search resource at all, or a malformed query string
    // (sent over a plain socket: the JDK's URI refuses malformed escapes)
    for (String path : List.of("/search/..%2F..%2Fetc%2Fpasswd", "/search/%00", "/search?q=%", "/search?q=%zz",
      "/search?size=%", "/search?sort=%E0%A4%A")) {
      tried++;
      Rel.Response r = socketGet(path);
      if (r.status() < 400 || r.status() >= 500 || !r.contentType().startsWith("application/problem+json")) {
        wrong.add(path + " → " + r.status() + " " + r.contentType() + " " + abbreviate(r.body()));
      }
    }
    // a 100 KB query string never reaches search: the HTTP server refuses the request line (over 4 KB) itself, with
    // a 414 problem+json (HttpBootstrap.invalidRequest) and closes the connection
    for (String param : List.of("q", "category", "sort")) {
      tried++;
      Rel.Response r = socketGet("/search?" + param + "=" + HUNDRED_KB);
      if (r.status() != 414 || !r.contentType().startsWith("application/problem+json")) {
        wrong.add(param + " 100 KB → " + r.status() + " " + r.contentType());
      }
    }
    Figures.BAD_INPUTS.addAndGet(tried);
    System.out.println("# SECURITY search: bad inputs tried: " + tried + ", answered wrongly: " + wrong.size());
    wrong.forEach(w -> System.out.println("#   " + w));

    awaitFound(word, known, 12_345);
    long dbAfter = redisCount("DBSIZE");
    long productsAfter = redisCount("KEYS", "search:product:*");
    long tokensAfter = redisCount("KEYS", "search:tok:*");
    System.out.printf("# SECURITY search: redis keys %d → %d, product hashes %d → %d, token sets %d → %d%n",
      dbBefore, dbAfter, productsBefore, productsAfter, tokensBefore, tokensAfter);
    assertThat(wrong).as("search inputs answered wrongly (of %d)", tried).isEmpty();
    assertThat(productsAfter).as("indexed products").isGreaterThanOrEqualTo(productsBefore);
    assertThat(tokensAfter).as("token sets").isGreaterThanOrEqualTo(tokensBefore);
    assertThat(dbAfter).as("redis keys").isGreaterThanOrEqualTo(dbBefore);
  }

  /** Query values that are not percent-encoded UTF-8: broken escapes, invalid and truncated UTF-8. */
  static final List<String> MALFORMED_ESCAPES = List.of("%", "%zz", "%G1", "%C3%28", "%E2%82");

  /**
   * Every query parameter of every GET operation of the six services' OpenAPI documents, sent with each of
   * {@link #MALFORMED_ESCAPES} (over a plain socket: the JDK's URI refuses them), the other required parameters valid
   * and a token that may call the operation: each must answer 400 {@code invalid-query} problem+json naming the
   * parameter (the contract routes answered 500 to {@code %} and {@code %zz}, and took invalid UTF-8 as U+FFFD).
   */
  @Test
  void everyQueryParameterOfEveryDocumentRefusesMalformedEscapesWith400() {
    Map<String, String> tokens = Map.of("/admin/", Rel.admin().token(), "/sellers/", seller.token(),
      "/", alice.member().token());
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    List<String> wrong = new ArrayList<>();
    int tried = 0;
    List<String> operations = new ArrayList<>();
    try {
      for (String service : List.of("member", "catalog", "search", "order", "payment", "delivery")) {
        io.vertx.openapi.contract.OpenAPIContract contract = Await.result(
          dev.eventmall.common.http.ContractRoutes.contract(vertx, "openapi/" + service + ".yaml"));
        for (io.vertx.openapi.contract.Operation op : contract.operations()) {
          List<io.vertx.openapi.contract.Parameter> query = op.getParameters().stream()
            .filter(p -> p.getIn() == io.vertx.openapi.contract.Location.QUERY).toList();
          if (op.getHttpMethod() != io.vertx.core.http.HttpMethod.GET || query.isEmpty()) {
            continue;
          }
          operations.add(service + " " + op.getOperationId());
          String path = op.getOpenAPIPath().replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
          String token = tokens.entrySet().stream().filter(t -> path.startsWith(t.getKey()))
            .max(Map.Entry.comparingByKey(java.util.Comparator.comparingInt(String::length))).orElseThrow().getValue();
          for (io.vertx.openapi.contract.Parameter param : query) {
            StringBuilder others = new StringBuilder();
            query.stream().filter(p -> p != param && p.isRequired())
              .forEach(p -> others.append('&').append(p.getName()).append('=').append(validSample(p)));
            for (String bad : MALFORMED_ESCAPES) {
              tried++;
              String target = path + "?" + param.getName() + "=" + bad + others;
              Rel.Response r = socketGet(service, target, token);
              JsonArray errors = null;
              try {
                errors = r.json().getJsonArray("errors");
              } catch (RuntimeException notJson) {
                // reported below
              }
              if (r.status() != 400 || !r.contentType().startsWith("application/problem+json") || errors == null
                || !errors.equals(new JsonArray().add(new JsonObject().put("field", param.getName())
                .put("message", "is not percent-encoded UTF-8")))) {
                wrong.add(service + " GET " + target + " → " + r.status() + " " + r.contentType() + " "
                  + abbreviate(r.body()));
              }
            }
          }
        }
      }
    } finally {
      vertx.close();
    }
    Figures.BAD_INPUTS.addAndGet(tried);
    System.out.println("# SECURITY malformed escapes: " + tried + " requests over " + operations + ", answered wrongly: "
      + wrong.size());
    wrong.forEach(w -> System.out.println("#   " + w));
    // every service's documented GET operations with query parameters (a new one is swept without a change here)
    assertThat(operations).contains("member listAddresses", "catalog listProducts", "catalog sellerProducts",
      "search search", "order listOrders", "order listAllOrders");
    assertThat(wrong).as("malformed escapes not answered 400 invalid-query naming the parameter (of %d)", tried)
      .isEmpty();
  }

  /**
   * Escapes a path may carry, with the answer each must get: a broken one (a {@code %} without two hexadecimal digits
   * after it) is a malformed request, 400 {@code invalid-path}; well-formed escapes of bytes that are not UTF-8 name
   * nothing, 404 {@code not-found} (as the contract routes answer for such a path parameter).
   */
  static final Map<String, Integer> PATH_ESCAPES = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(
    Map.of("%", 400, "%zz", 400, "%G1", 400, "%2", 400, "%E2%82%", 400, "%C3%28", 404, "%E2%82", 404, "%FF", 404)));

  /** Routes with a path parameter that a service mounts by hand, beside its document's (search's document has none). */
  static final Map<String, List<String>> HAND_MOUNTED = Map.of(
    "search", List.of("POST /admin/dlq/{id}/replay"),
    "storefront", List.of("GET /", "GET /search", "GET /product/{id}", "GET /order/{id}", "GET /seller/product/{id}"));

  /**
   * A path that is not percent-encoded UTF-8, on every service and the storefront: every path of each service's OpenAPI
   * document (and the routes it mounts by hand) with its first path parameter replaced by each of
   * {@link #PATH_ESCAPES}, and every path with the escape appended, sent with its operation's method and no token
   * (over a plain socket: the JDK's URI refuses them). Each must answer 400 {@code invalid-path} or 404 problem+json
   * with its request id and {@code nosniff}, before any authentication; before, Vert.x Web answered a plain-text 400
   * while matching the first route with a path.
   */
  @Test
  void malformedPathEscapesAreProblemsOnEveryService() {
    Map<String, Integer> ports = new java.util.TreeMap<>(Rel.platform().ports());
    ports.keySet().removeIf(name -> name.endsWith("emulator"));
    assertThat(ports).containsOnlyKeys("member", "catalog", "search", "order", "payment", "delivery", "storefront");
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    List<String> wrong = new ArrayList<>();
    Map<String, Integer> tried = new java.util.TreeMap<>();
    Map<String, Integer> withParameter = new java.util.TreeMap<>();
    try {
      for (String service : ports.keySet()) {
        java.util.Set<String> routes = new java.util.LinkedHashSet<>(HAND_MOUNTED.getOrDefault(service, List.of()));
        if (!service.equals("storefront")) {
          io.vertx.openapi.contract.OpenAPIContract contract = Await.result(
            dev.eventmall.common.http.ContractRoutes.contract(vertx, "openapi/" + service + ".yaml"));
          contract.operations().forEach(op -> routes.add(op.getHttpMethod().name() + " " + op.getOpenAPIPath()));
        }
        for (String route : routes) {
          String method = route.substring(0, route.indexOf(' '));
          String path = route.substring(route.indexOf(' ') + 1);
          for (Map.Entry<String, Integer> escape : PATH_ESCAPES.entrySet()) {
            List<String> targets = new ArrayList<>();
            targets.add(path.replaceAll("\\{[^}]+}", UUID.randomUUID().toString()) + escape.getKey());
            if (path.contains("{")) {
              targets.add(path.replaceFirst("\\{[^}]+}", java.util.regex.Matcher.quoteReplacement(escape.getKey()))
                .replaceAll("\\{[^}]+}", UUID.randomUUID().toString()));
              withParameter.merge(service, 1, Integer::sum);
            }
            for (String target : targets) {
              tried.merge(service, 1, Integer::sum);
              Answer a = socket(service, method, target, null);
              String slug = escape.getValue() == 400 ? "invalid-path" : "not-found";
              JsonObject body = null;
              try {
                body = new JsonObject(a.body());
              } catch (RuntimeException notJson) {
                // reported below
              }
              if (a.status() != escape.getValue() || !"application/problem+json".equals(a.header("Content-Type"))
                || body == null || !("https://eventmall.dev/problems/" + slug).equals(body.getString("type"))
                || body.getInteger("status", 0) != a.status() || !target.equals(body.getString("instance"))
                || a.header("X-Request-Id") == null || !a.header("X-Request-Id").equals(body.getString("requestId"))
                || !"nosniff".equals(a.header("X-Content-Type-Options"))) {
                wrong.add(service + " " + method + " " + target + " → " + a.status() + " " + a.header("Content-Type")
                  + " " + abbreviate(a.body()));
              }
            }
          }
        }
      }
    } finally {
      vertx.close();
    }
    int total = tried.values().stream().mapToInt(Integer::intValue).sum();
    Figures.BAD_INPUTS.addAndGet(total);
    System.out.println("# SECURITY malformed path escapes: " + total + " requests " + tried + ", with a path parameter "
      + withParameter + ", answered wrongly: " + wrong.size());
    wrong.forEach(w -> System.out.println("#   " + w));
    assertThat(withParameter).as("services swept with a malformed path parameter").containsOnlyKeys(ports.keySet());
    assertThat(wrong).as("malformed path escapes not answered 400 invalid-path / 404 problem+json (of %d)", total)
      .isEmpty();
  }

  /** An answer read off a plain socket; header names in any case. */
  record Answer(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name);
    }
  }

  /** A value the parameter's schema accepts: its default, its first enum value, its minimum, else 1 or "a". */
  static String validSample(io.vertx.openapi.contract.Parameter param) {
    io.vertx.json.schema.JsonSchema schema = param.getSchema();
    Object value = schema.get("default");
    if (value == null && schema.<Object>get("enum") instanceof JsonArray values && !values.isEmpty()) {
      value = values.getValue(0);
    }
    if (value == null) {
      value = schema.get("minimum");
    }
    if (value == null) {
      value = param.getSchemaType() == io.vertx.json.schema.common.dsl.SchemaType.INTEGER ? 1 : "a";
    }
    return String.valueOf(value);
  }

  /** GET on search over a plain socket, HTTP/1.1, the path sent as is. */
  static Rel.Response socketGet(String path) {
    return socketGet("search", path, null);
  }

  /** GET over a plain socket, HTTP/1.1, the path sent as is, with a bearer token unless null. */
  static Rel.Response socketGet(String service, String path, String token) {
    Answer a = socket(service, "GET", path, token);
    return new Rel.Response(a.status(), a.headers().getOrDefault("Content-Type", ""), a.body());
  }

  /**
   * {@code method target} over a plain socket, HTTP/1.1, the target sent as is, with a bearer token unless null; a
   * method that takes a body sends {@code {}}.
   */
  static Answer socket(String service, String method, String target, String token) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", Rel.platform().ports().get(service))) {
      socket.setSoTimeout(30_000);
      boolean body = List.of("POST", "PUT", "PATCH").contains(method);
      socket.getOutputStream().write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
        + (body ? "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}" : "\r\n"))
        .getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int headersEnd = answer.indexOf("\r\n\r\n");
      String head = headersEnd < 0 ? answer : answer.substring(0, headersEnd);
      int status = Integer.parseInt(head.split(" ", 3)[1]);
      Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      head.lines().skip(1).filter(l -> l.indexOf(':') > 0)
        .forEach(l -> headers.putIfAbsent(l.substring(0, l.indexOf(':')).trim(), l.substring(l.indexOf(':') + 1).trim()));
      return new Answer(status, headers, headersEnd < 0 ? "" : answer.substring(headersEnd + 4));
    } catch (java.io.IOException e) {
      throw new AssertionError(method + " " + abbreviate(target), e);
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** GET path must answer 200 JSON with items (at most size, each with an id and a price), total, page 0, size 20. */
  static void wellFormed(String what, String path, boolean empty, List<String> wrong) {
    Rel.Response r = Rel.raw("search", "GET", path, null, null, Map.of());
    String problem = null;
    if (r.status() != 200 || !r.contentType().startsWith("application/json")) {
      problem = "not 200 JSON";
    } else {
      try {
        JsonObject body = r.json();
        JsonArray items = body.getJsonArray("items");
        long total = body.getLong("total");
        if (items == null || total < items.size() || items.size() > 20 || body.getInteger("page") != 0
          || body.getInteger("size") != 20 || !"relevance".equals(body.getString("sort"))) {
          problem = "malformed result";
        } else if (empty && (total != 0 || !items.isEmpty())) {
          problem = "not empty";
        } else {
          for (Object o : items) {
            JsonObject item = (JsonObject) o;
            if (item.getString("productId") == null || item.getLong("price") == null || item.getLong("price") < 1) {
              problem = "malformed item " + item.encode();
            }
          }
        }
      } catch (RuntimeException e) {
        problem = "unparseable: " + e;
      }
    }
    if (problem != null) {
      wrong.add(what + " [GET " + abbreviate(path) + "] → " + problem + ": " + r.status() + " " + r.contentType() + " "
        + abbreviate(r.body()));
    }
  }

  /** Waits until GET /search?q=word lists {@code productId} with {@code price}. */
  static void awaitFound(String word, String productId, long price) {
    Await.until("search finds " + productId + " at " + price, Duration.ofSeconds(60), () -> {
      Rel.Response r = Rel.call("search", "GET", "/search?q=" + word, null, null);
      boolean found = r.status() == 200 && r.json().getJsonArray("items").stream().map(o -> (JsonObject) o)
        .anyMatch(i -> productId.equals(i.getString("productId")) && i.getLong("price") == price);
      if (!found) {
        Load.sleep(250);
      }
      return found;
    });
  }

  /** A Redis command answering an integer (its value) or an array (its length). */
  static long redisCount(String... command) {
    java.net.URI uri = java.net.URI.create(dev.eventmall.common.testing.TestInfra.redisUrl());
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      StringBuilder out = new StringBuilder("*" + command.length + "\r\n");
      for (String c : command) {
        out.append('$').append(c.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(c).append("\r\n");
      }
      socket.getOutputStream().write(out.toString().getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      java.io.InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c != '\r' && c != -1; c = in.read()) {
        line.append((char) c);
      }
      char type = line.charAt(0);
      if (type != ':' && type != '*') {
        throw new IllegalStateException(String.join(" ", command) + " → " + line);
      }
      return Long.parseLong(line.substring(1));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(String.join(" ", command), e);
    }
  }

  /** Sends each input; answers what was not a 4xx problem+json, or changed one of the watched row counts. */
  static List<String> sweep(List<Bad> inputs) {
    List<String> wrong = new ArrayList<>();
    for (Bad b : inputs) {
      Map<String, Long> before = watched();
      int ledger = Rel.toss().ledger().size();
      Rel.Response r;
      try {
        r = Rel.raw(b.service(), b.method(), b.path(), b.token(), b.body(), b.headers());
      } catch (Rel.NoAnswer e) {
        wrong.add(b.what() + " → no answer: " + e.getCause());
        continue;
      } catch (dev.eventmall.common.testing.ContractCheck.Violation e) {
        wrong.add(b.what() + " → an answer outside the document: " + e.getMessage());
        continue;
      }
      boolean ok = r.status() >= 400 && r.status() < 500 && r.contentType().startsWith("application/problem+json");
      String where = b.what() + " [" + b.method() + " " + abbreviate(b.path()) + "]";
      if (!ok) {
        String body = r.body().length() > 200 ? r.body().substring(0, 200) + "…" : r.body();
        wrong.add(where + " → " + r.status() + " " + r.contentType() + " " + body);
      }
      Map<String, Long> after = watched();
      if (!after.equals(before) || Rel.toss().ledger().size() != ledger) {
        wrong.add(where + " → " + r.status() + " but changed the stores: " + before + " → " + after
          + ", Toss ledger " + ledger + " → " + Rel.toss().ledger().size());
      }
    }
    return wrong;
  }

  private static org.apache.kafka.clients.admin.Admin watchAdmin;

  /** One Kafka admin client for the per-input evidence (hundreds of inputs), closed when the JVM exits. */
  static synchronized org.apache.kafka.clients.admin.Admin watchAdmin() {
    if (watchAdmin == null) {
      org.apache.kafka.clients.admin.Admin admin = Stores.admin();
      Runtime.getRuntime().addShutdownHook(new Thread(admin::close, "security-sweep-admin-close"));
      watchAdmin = admin;
    }
    return watchAdmin;
  }

  /**
   * Cheap per-input evidence: the outboxes, the records on every topic they feed, and the tables a bad input could
   * grow. The outboxes delete what they published, so an event a bad input appended shows as a record on its topic:
   * this waits (up to 10 s) for every outbox to have published what it holds before reading the topics' end offsets.
   */
  static Map<String, Long> watched() {
    Map<String, Long> counts = new java.util.TreeMap<>();
    Await.until("every outbox published what it holds (" + Stores.unsentOutbox() + ")", Duration.ofSeconds(10), () -> {
      boolean empty = Stores.unsentOutbox().values().stream().allMatch(n -> n == 0);
      if (!empty) {
        Load.sleep(50);
      }
      return empty;
    });
    for (String db : Stores.DATABASES) {
      counts.put(db + ".outbox", Stores.count(db, "SELECT COUNT(*) FROM outbox"));
    }
    Stores.topicSizes(watchAdmin(), Stores.PRODUCER.keySet()).forEach((topic, n) -> counts.put("topic " + topic, n));
    counts.put("payment.payment_attempts", Stores.count("payment", "SELECT COUNT(*) FROM payment_attempts"));
    counts.put("payment.payments", Stores.count("payment", "SELECT COUNT(*) FROM payments"));
    counts.put("catalog.product", Stores.count("catalog", "SELECT COUNT(*) FROM product"));
    counts.put("orders.orders", Stores.count("orders", "SELECT COUNT(*) FROM orders"));
    return counts;
  }

  /** Table counts once nothing has moved for a few seconds (earlier tests' sagas may still be finishing). */
  static Map<String, Long> quietTableCounts() {
    java.util.concurrent.atomic.AtomicReference<Map<String, Long>> last =
      new java.util.concurrent.atomic.AtomicReference<>(Stores.tableCounts());
    int[] same = {0};
    Await.until("the stores are quiet", Duration.ofSeconds(60), () -> {
      Load.sleep(1_000);
      Map<String, Long> now = Stores.tableCounts();
      same[0] = now.equals(last.get()) ? same[0] + 1 : 0;
      last.set(now);
      return same[0] >= 3;
    });
    return last.get();
  }

  static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }

  // ------------------------------------------------------------------ the inputs

  record Endpoint(String name, String service, String method, String path, String token, JsonObject valid,
                  List<String> numeric) {
  }

  static List<Endpoint> endpoints() {
    String addressPath = "/members/me/addresses/" + alice.addressId();
    return List.of(
      new Endpoint("sign-up", "member", "POST", "/members", null, new JsonObject().put("email", "x@example.com")
        .put("password", "pass-123456").put("name", "X").put("role", "CUSTOMER"), List.of()),
      new Endpoint("login", "member", "POST", "/auth/login", null,
        new JsonObject().put("email", "x@example.com").put("password", "pass-123456"), List.of()),
      new Endpoint("refresh", "member", "POST", "/auth/refresh", null,
        new JsonObject().put("refreshToken", "not-a-refresh-token"), List.of()),
      new Endpoint("add address", "member", "POST", "/members/me/addresses", alice.member().token(),
        Rel.addressBody("04524"), List.of()),
      new Endpoint("replace address", "member", "PUT", addressPath, alice.member().token(), Rel.addressBody("04524"),
        List.of()),
      new Endpoint("create product", "catalog", "POST", "/products", seller.token(),
        Rel.productBody("sweep", 1000, 5), List.of("price", "stock")),
      new Endpoint("update product", "catalog", "PUT", "/products/" + productId, seller.token(),
        Rel.productBody("sweep", 1000, 5), List.of("price", "stock")),
      new Endpoint("place order", "order", "POST", "/orders", alice.member().token(),
        Rel.orderBody(alice, productId, 1), List.of()),
      new Endpoint("cancel order", "order", "POST", "/orders/" + orderId + "/cancel", alice.member().token(),
        new JsonObject().put("reason", "sweep"), List.of()),
      new Endpoint("billing key", "payment", "POST", "/payments/billing-keys", bob.member().token(),
        new JsonObject().put("authKey", "bln_sweepUnknownAuthKey"), List.of()),
      new Endpoint("checkout confirm", "payment", "POST", "/payments/confirm", alice.member().token(),
        new JsonObject().put("paymentKey", "pk_unknown_1").put("orderId", orderId).put("amount", 20_000),
        List.of("amount")),
      new Endpoint("toss webhook", "payment", "POST", "/payments/webhooks/toss", null,
        new JsonObject().put("eventType", "PAYMENT_STATUS_CHANGED")
          .put("data", new JsonObject().put("paymentKey", "pk_we_never_issued").put("status", "DONE")), List.of()),
      new Endpoint("carrier webhook", "delivery", "POST", "/deliveries/webhooks/carrier", null,
        new JsonObject().put("eventType", "SHIPMENT_STATUS_CHANGED")
          .put("data", new JsonObject().put("trackingNumber", "TRK000000000").put("status", "DELIVERED")), List.of()));
  }

  static List<Bad> badInputs() {
    List<Bad> bad = new ArrayList<>();
    for (Endpoint e : endpoints()) {
      // malformed and truncated JSON, not-an-object bodies, an empty body
      String valid = e.valid().encode();
      for (String body : List.of("{", "{\"a\":", valid.substring(0, valid.length() / 2), "not json", "[]", "null",
        "\"text\"", "42", "", valid + "}", "{\"a\":1,,}")) {
        bad.add(bad(e, "malformed " + quote(body), e.token(), body));
      }
      // a 2 MB body
      bad.add(bad(e, "2 MB body", e.token(), e.valid().copy().put(firstString(e), TWO_MB).encode()));
      for (String field : e.valid().fieldNames()) {
        Object value = e.valid().getValue(field);
        if (value instanceof String) {
          // wrong types, an over-long string, a NoSQL-operator object
          bad.add(bad(e, field + " as an object", e.token(), e.valid().copy().put(field,
            new JsonObject().put("$ne", null)).encode()));
          bad.add(bad(e, field + " as an array", e.token(), e.valid().copy().put(field, new JsonArray().add("a")).encode()));
          bad.add(bad(e, field + " 100 KB long", e.token(), e.valid().copy().put(field, HUNDRED_KB).encode()));
          // issue 16 rows 3 and 12: the text rule on every string field (the lone surrogate as a JSON escape, as curl
          // sends it; a Java string holding one cannot be encoded) — except the password presented at login, which is
          // only compared (an account made before the rule keeps its password; a wrong one is a counted 401)
          if (e.name().equals("login") && field.equals("password")) {
            continue;
          }
          bad.add(bad(e, field + " with a lone surrogate", e.token(), e.valid().copy().put(field, "@@").encode()
            .replace("@@", "ab\\ud800cdefgh")));
          bad.add(bad(e, field + " with a bidi override", e.token(), e.valid().copy().put(field, "abc\u202egnp.exe")
            .encode()));
          bad.add(bad(e, field + " with NUL", e.token(), e.valid().copy().put(field, "abcd\u0000efgh").encode()));
          bad.add(bad(e, field + " zero-width only", e.token(), e.valid().copy().put(field, "\u200b".repeat(8))
            .encode()));
        } else if (value instanceof Number) {
          bad.add(bad(e, field + " as text", e.token(), e.valid().copy().put(field, "abc").encode()));
          bad.add(bad(e, field + " as a boolean", e.token(), e.valid().copy().put(field, true).encode()));
          bad.add(bad(e, field + " as a fraction", e.token(), e.valid().copy().put(field, 1.5).encode()));
          bad.add(bad(e, field + " overflowing", e.token(), e.valid().copy().put(field, new java.math.BigInteger(
            "99999999999999999999999")).encode()));
          bad.add(bad(e, field + " negative", e.token(), e.valid().copy().put(field, -1).encode()));
        } else if (value instanceof JsonArray || value instanceof JsonObject) {
          bad.add(bad(e, field + " as a string", e.token(), e.valid().copy().put(field, "abc").encode()));
        }
      }
      // tokens on authenticated endpoints
      if (e.token() != null) {
        String subject = tokenSubject(e.token());
        List<String> roles = List.of(tokenRole(e.token()));
        Map<String, String> tokens = Map.of(
          "no token", "",
          "garbage token", "not.a.jwt",
          "forged token (another secret)", jwt("another-secret-another-secret-another-secret-0123", subject, roles,
            3600),
          "expired token", jwt(Platform.DEV_JWT_SECRET, subject, roles, -3600),
          "alg none token", algNone(subject, roles),
          "token with ADMIN added by its holder", tamperRoles(e.token()));
        tokens.forEach((what, token) -> bad.add(new Bad(e.name() + ": " + what, e.service(), e.method(), e.path(),
          token.isEmpty() ? null : token, valid, Map.of())));
      }
    }
    // zero amounts
    bad.add(body("create product", "zero price", b -> b.put("price", 0)));
    bad.add(body("place order", "quantity 0", b -> b.put("lines", new JsonArray().add(
      new JsonObject().put("productId", productId).put("quantity", 0)))));
    bad.add(body("place order", "quantity -3", b -> b.put("lines", new JsonArray().add(
      new JsonObject().put("productId", productId).put("quantity", -3)))));
    bad.add(body("place order", "quantity 2^31", b -> b.put("lines", new JsonArray().add(
      new JsonObject().put("productId", productId).put("quantity", 2147483648L)))));
    bad.add(body("place order", "no lines", b -> b.put("lines", new JsonArray())));
    // issue 16 row 4: one product on two lines, once upper-cased (before: 201, then OrderPlaced parked on the DLQ)
    bad.add(body("place order", "one product twice by UUID case", b -> b.put("lines", new JsonArray()
      .add(new JsonObject().put("productId", productId).put("quantity", 1))
      .add(new JsonObject().put("productId", productId.toUpperCase()).put("quantity", 1)))));
    bad.add(body("place order", "a client price", b -> b.put("lines", new JsonArray().add(
      new JsonObject().put("productId", productId).put("quantity", 1).put("unitPrice", -1)))));
    bad.add(body("checkout confirm", "amount 0", b -> b.put("amount", 0)));
    // unknown enum values
    bad.add(body("sign-up", "role ROOT", b -> b.put("role", "ROOT").put("email", "root-" + UUID.randomUUID() + "@x.io")));
    bad.add(body("sign-up", "role ADMIN (self-promotion)", b -> b.put("role", "ADMIN")
      .put("email", "admin-" + UUID.randomUUID() + "@x.io")));
    bad.add(body("place order", "paymentMethod BITCOIN", b -> b.put("paymentMethod", "BITCOIN")));
    // a refresh token we never issued, a confirm of a key Toss never gave for an order paid by billing key (webhooks for
    // a payment or a shipment we do not have are answered like ours: webhooksAnswerTheSame… below)
    for (String name : List.of("refresh", "checkout confirm")) {
      Endpoint e = endpoints().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
      bad.add(bad(e, "unknown to us", e.token(), e.valid().encode()));
    }
    // injection strings and path traversal in ids (bodies and paths)
    for (String inj : INJECTIONS) {
      String enc = URLEncoder.encode(inj, StandardCharsets.UTF_8).replace("+", "%20");
      bad.add(body("place order", "productId " + quote(inj), b -> b.put("lines", new JsonArray().add(
        new JsonObject().put("productId", inj).put("quantity", 1)))));
      bad.add(body("place order", "addressId " + quote(inj), b -> b.put("addressId", inj)));
      bad.add(body("checkout confirm", "orderId " + quote(inj), b -> b.put("orderId", inj)));
      bad.add(body("toss webhook", "paymentKey " + quote(inj), b -> b.put("data", new JsonObject().put("paymentKey", inj))));
      bad.add(body("carrier webhook", "trackingNumber " + quote(inj),
        b -> b.put("data", new JsonObject().put("trackingNumber", inj))));
      bad.add(new Bad("GET product " + quote(inj), "catalog", "GET", "/products/" + enc, null, null, Map.of()));
      bad.add(new Bad("PUT product " + quote(inj), "catalog", "PUT", "/products/" + enc, seller.token(),
        Rel.productBody("x", 1, 1).encode(), Map.of()));
      bad.add(new Bad("DELETE product " + quote(inj), "catalog", "DELETE", "/products/" + enc, seller.token(), null,
        Map.of()));
      bad.add(new Bad("GET order " + quote(inj), "order", "GET", "/orders/" + enc, alice.member().token(), null, Map.of()));
      bad.add(new Bad("cancel order " + quote(inj), "order", "POST", "/orders/" + enc + "/cancel",
        alice.member().token(), "{}", Map.of()));
      bad.add(new Bad("GET payment " + quote(inj), "payment", "GET", "/payments/orders/" + enc,
        alice.member().token(), null, Map.of()));
      bad.add(new Bad("GET delivery " + quote(inj), "delivery", "GET", "/deliveries/" + enc,
        alice.member().token(), null, Map.of()));
      bad.add(new Bad("PUT address " + quote(inj), "member", "PUT", "/members/me/addresses/" + enc,
        alice.member().token(), Rel.addressBody("04524").encode(), Map.of()));
      bad.add(new Bad("DELETE address " + quote(inj), "member", "DELETE", "/members/me/addresses/" + enc,
        alice.member().token(), null, Map.of()));
      bad.add(new Bad("login as " + quote(inj), "member", "POST", "/auth/login", null,
        new JsonObject().put("email", inj).put("password", inj).encode(), Map.of()));
    }
    // wrong role
    bad.add(new Bad("customer creates a product", "catalog", "POST", "/products", alice.member().token(),
      Rel.productBody("x", 1000, 1).encode(), Map.of()));
    bad.add(new Bad("seller places an order", "order", "POST", "/orders", seller.token(),
      Rel.orderBody(alice, productId, 1).encode(), Map.of()));
    bad.add(new Bad("seller registers a billing key", "payment", "POST", "/payments/billing-keys", seller.token(),
      new JsonObject().put("authKey", "bln_sweepUnknownAuthKey").encode(), Map.of()));
    bad.add(new Bad("customer reads the DLQ", "order", "GET", "/admin/dlq", alice.member().token(), null, Map.of()));
    bad.add(new Bad("customer replays the DLQ", "payment", "POST", "/admin/dlq/replay", alice.member().token(), "{}",
      Map.of()));
    bad.add(new Bad("customer rebuilds the search index", "search", "POST", "/admin/search/rebuild",
      alice.member().token(), "{}", Map.of()));
    // another user's resources
    String address = "/members/me/addresses/" + alice.addressId();
    bad.add(new Bad("bob replaces alice's address", "member", "PUT", address, bob.member().token(),
      Rel.addressBody("12345").encode(), Map.of()));
    bad.add(new Bad("bob deletes alice's address", "member", "DELETE", address, bob.member().token(), null, Map.of()));
    bad.add(new Bad("bob reads alice's address", "member", "GET", address, bob.member().token(), null, Map.of()));
    bad.add(new Bad("bob cancels alice's order", "order", "POST", "/orders/" + orderId + "/cancel", bob.member().token(),
      "{}", Map.of()));
    bad.add(new Bad("bob reads alice's order", "order", "GET", "/orders/" + orderId, bob.member().token(), null, Map.of()));
    bad.add(new Bad("bob confirms alice's order", "payment", "POST", "/payments/confirm", bob.member().token(),
      new JsonObject().put("paymentKey", "pk_x").put("orderId", orderId).put("amount", 20_000).encode(), Map.of()));
    bad.add(new Bad("bob orders to alice's address", "order", "POST", "/orders", bob.member().token(),
      Rel.orderBody(alice, productId, 1).encode(), Map.of()));
    bad.add(new Bad("another seller updates the product", "catalog", "PUT", "/products/" + productId,
      otherSeller.token(), Rel.productBody("hijacked", 1, 1).encode(), Map.of()));
    bad.add(new Bad("another seller deletes the product", "catalog", "DELETE", "/products/" + productId,
      otherSeller.token(), null, Map.of()));
    // a replayed Idempotency-Key with another body
    bad.add(new Bad("Idempotency-Key replayed with another quantity", "order", "POST", "/orders", alice.member().token(),
      Rel.orderBody(alice, productId, 2).encode(), Map.of("Idempotency-Key", idempotencyKey)));
    bad.add(new Bad("Idempotency-Key of alice replayed by bob", "order", "POST", "/orders", bob.member().token(),
      idempotentBody.encode(), Map.of("Idempotency-Key", idempotencyKey)));
    // a cancel after delivery
    bad.add(new Bad("cancel of a delivered order", "order", "POST", "/orders/" + orderId + "/cancel",
      alice.member().token(), "{}", Map.of()));
    return bad;
  }

  interface Edit {
    void apply(JsonObject body);
  }

  static Bad body(String endpoint, String what, Edit edit) {
    Endpoint e = endpoints().stream().filter(x -> x.name().equals(endpoint)).findFirst().orElseThrow();
    JsonObject body = e.valid().copy();
    edit.apply(body);
    return bad(e, what, e.token(), body.encode());
  }

  static Bad bad(Endpoint e, String what, String token, String body) {
    return new Bad(e.name() + ": " + what, e.service(), e.method(), e.path(), token, body, Map.of());
  }

  static String firstString(Endpoint e) {
    return e.valid().fieldNames().stream().filter(f -> e.valid().getValue(f) instanceof String).findFirst()
      .orElse("padding");
  }

  static String quote(String s) {
    String q = s.replace("\r", "\\r").replace("\n", "\\n");
    return "'" + (q.length() > 40 ? q.substring(0, 40) + "…" : q) + "'";
  }

  // ------------------------------------------------------------------ tokens

  static JsonObject claims(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  static String tokenSubject(String token) {
    return claims(token).getString("sub");
  }

  static String tokenRole(String token) {
    return claims(token).getJsonArray("roles").getString(0);
  }

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static JsonObject payload(String subject, List<String> roles, long expiresInSeconds) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", subject).put("roles", new JsonArray(roles)).put("jti", UUID.randomUUID().toString())
      .put("iss", "eventmall").put("aud", "eventmall-api").put("iat", now - 7200).put("exp", now + expiresInSeconds);
  }

  static String jwt(String secret, String subject, List<String> roles, long expiresInSeconds) {
    String unsigned = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64(payload(subject, roles, expiresInSeconds)
      .encode());
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return unsigned + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal(unsigned.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String algNone(String subject, List<String> roles) {
    return b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(payload(subject, roles, 3600).encode()) + ".";
  }

  /** The holder's own token with ADMIN added to its roles and the signature kept. */
  static String tamperRoles(String token) {
    String[] parts = token.split("\\.");
    JsonObject claims = claims(token);
    claims.getJsonArray("roles").add("ADMIN");
    return parts[0] + "." + b64(claims.encode()) + "." + parts[2];
  }
}
