package dev.eventmall.common.http;

import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.auth.TokenIssuer;
import dev.eventmall.common.testing.LogCapture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP conventions over real HTTP: problem+json for every failure, request id, health, OpenAPI. */
@ExtendWith(VertxExtension.class)
class HttpBootstrapTest {

  private static final String SECRET = "test-secret-0123456789-0123456789-abcdef";

  private WebClient client;
  private TestApiVerticle api;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext ctx) {
    api = new TestApiVerticle(Jwt.hs256(vertx, SECRET), null);
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
    vertx.deployVerticle(api).onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void close() {
    client.close();
  }

  static void assertProblem(HttpResponse<Buffer> res, int status, String slug) {
    assertThat(res.statusCode()).isEqualTo(status);
    assertThat(res.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject body = res.bodyAsJsonObject();
    assertThat(body.getString("type")).isEqualTo("https://eventmall.dev/problems/" + slug);
    assertThat(body.getInteger("status")).isEqualTo(status);
    assertThat(body.getString("title")).isNotBlank();
    assertThat(body.getString("requestId")).isEqualTo(res.getHeader(RequestId.HEADER));
  }

  @Test
  void malformedJsonIs400(VertxTestContext ctx) {
    client.post(api.port, "127.0.0.1", "/echo").putHeader("Content-Type", "application/json")
      .sendBuffer(Buffer.buffer("{\"a\": nope}"))
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 400, "malformed-json");
        assertThat(res.bodyAsJsonObject().getString("instance")).isEqualTo("/echo");
        ctx.completeNow();
      })));
  }

  @Test
  void truncatedJsonIs400(VertxTestContext ctx) {
    client.post(api.port, "127.0.0.1", "/echo").putHeader("Content-Type", "application/json")
      .sendBuffer(Buffer.buffer("{\"name\": \"Kim\", \"items\": [1, 2"))
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 400, "malformed-json");
        ctx.completeNow();
      })));
  }

  @Test
  void wellFormedJsonIsEchoed(VertxTestContext ctx) {
    client.post(api.port, "127.0.0.1", "/echo").sendJsonObject(new JsonObject().put("a", 1))
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.getHeader("Content-Type")).startsWith("application/json");
        assertThat(res.bodyAsJsonObject()).isEqualTo(new JsonObject().put("a", 1));
        ctx.completeNow();
      })));
  }

  @Test
  void oversizeBodyIs413(VertxTestContext ctx) {
    Buffer twoMiB = Buffer.buffer(new byte[2 * 1024 * 1024]);
    client.post(api.port, "127.0.0.1", "/echo").putHeader("Content-Type", "application/json")
      .sendBuffer(twoMiB)
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 413, "payload-too-large");
        ctx.completeNow();
      })));
  }

  @Test
  void servicesListenOnTheConfiguredInterfaceOnlyLoopbackInTests() throws Exception {
    assertThat(HttpBootstrap.host()).as("surefire sets eventmall.http.host").isEqualTo("127.0.0.1");
    java.net.InetAddress other = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
      .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
      .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress())
      .findFirst().orElse(null);
    org.junit.jupiter.api.Assumptions.assumeTrue(other != null, "this machine has no non-loopback IPv4 address");
    try (java.net.Socket loopback = new java.net.Socket("127.0.0.1", api.port)) {
      assertThat(loopback.isConnected()).isTrue();
    }
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new java.net.Socket(other, api.port).close()))
      .as("port %d on %s", api.port, other).isInstanceOf(java.net.ConnectException.class);
  }

  @Test
  void anOverlongRequestLineIs414ProblemJsonNotAnEmptyBody() throws Exception {
    String query = "q=" + "a".repeat(100_000);
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", api.port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /echo?" + query + " HTTP/1.1\r\nHost: x\r\n\r\n")
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(answer).matches("(?s)HTTP/1\\.[01] 414 .*").containsIgnoringCase("content-type: application/problem+json")
        .contains("\"status\":414").contains("uri-too-long");
    }
  }

  @Test
  void aFullConnectionPoolIs503OverloadedWithRetryAfterNot500(VertxTestContext ctx) {
    client.get(api.port, "127.0.0.1", "/overloaded").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 503, "overloaded");
        assertThat(res.getHeader("Retry-After")).isEqualTo("1");
        ctx.completeNow();
      })));
  }

  @Test
  void anUnreachableStoreIs503StoreUnavailableWithRetryAfterNot500(VertxTestContext ctx) {
    LogCapture failures = LogCapture.json(FailureHandler.class.getName(), ch.qos.logback.classic.Level.INFO);
    client.get(api.port, "127.0.0.1", "/store-closed").send()
      .compose(closed -> client.get(api.port, "127.0.0.1", "/store-refused").send().map(refused -> List.of(closed, refused)))
      .onComplete(ar -> failures.close())
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        for (HttpResponse<Buffer> answer : res) {
          assertProblem(answer, 503, "store-unavailable");
          assertThat(answer.bodyAsJsonObject().getString("title")).isEqualTo("Service temporarily unavailable");
          assertThat(answer.getHeader("Retry-After")).isEqualTo("2");
          assertThat(answer.getHeader("Retry-After-Ms")).isEqualTo("2000");
          assertThat(answer.getHeader("Cache-Control")).isEqualTo("no-store");
          assertThat(answer.bodyAsString()).doesNotContain("Exception").doesNotContain("3306");
        }
        // a warning per request with its request id, no ERROR and no stack trace
        assertThat(failures.lines()).hasSize(2);
        for (int i = 0; i < 2; i++) {
          JsonObject line = failures.lines().get(i);
          assertThat(line.getString("level")).isEqualTo("WARN");
          assertThat(line.getString("message")).contains(res.get(i).getHeader(RequestId.HEADER))
            .contains("503 store-unavailable");
          assertThat(line.containsKey("stack_trace")).as("stack trace in %s", line).isFalse();
        }
        ctx.completeNow();
      })));
  }

  @Test
  void unknownRouteIs404(VertxTestContext ctx) {
    client.get(api.port, "127.0.0.1", "/nowhere").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 404, "not-found");
        assertThat(res.bodyAsJsonObject().getString("instance")).isEqualTo("/nowhere");
        ctx.completeNow();
      })));
  }

  @Test
  void mountedRouterFailuresAndUnknownRoutesAreProblems(VertxTestContext ctx) {
    var checkpoint = ctx.checkpoint(4);
    client.get(api.port, "127.0.0.1", "/catalog/9").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.bodyAsJsonObject().getString("id")).isEqualTo("9");
        checkpoint.flag();
      })));
    client.get(api.port, "127.0.0.1", "/catalog/9/fail").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 404, "not-found");
        assertThat(res.bodyAsJsonObject().getString("detail")).isEqualTo("item 9 has no failures");
        checkpoint.flag();
      })));
    client.get(api.port, "127.0.0.1", "/catalog/9/nothing/here").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 404, "not-found");
        checkpoint.flag();
      })));
    client.get(api.port, "127.0.0.1", "/secured/nothing-here").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 401, "unauthorized"); // authentication guards the whole mount
        checkpoint.flag();
      })));
  }

  @Test
  void oversizeChunkedBodyIs413(Vertx vertx, VertxTestContext ctx) {
    HttpClient http = vertx.createHttpClient();
    byte[] chunk = new byte[64 * 1024];
    http.request(HttpMethod.POST, api.port, "127.0.0.1", "/echo")
      .compose(req -> {
        req.setChunked(true).putHeader("Content-Type", "application/json");
        for (int i = 0; i < 32; i++) {
          req.write(Buffer.buffer(chunk));
        }
        req.end();
        return req.response().compose(res -> res.body().map(body -> Map.entry(res, body)));
      })
      .eventually(http::close)
      .onComplete(ctx.succeeding(pair -> ctx.verify(() -> {
        assertThat(pair.getKey().statusCode()).isEqualTo(413);
        assertThat(pair.getKey().getHeader("Content-Type")).isEqualTo("application/problem+json");
        assertThat(pair.getValue().toJsonObject().getString("type"))
          .isEqualTo("https://eventmall.dev/problems/payload-too-large");
        ctx.completeNow();
      })));
  }

  @Test
  void wrongMethodIs405(VertxTestContext ctx) {
    client.delete(api.port, "127.0.0.1", "/health/live").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 405, "method-not-allowed");
        ctx.completeNow();
      })));
  }

  @Test
  void unsupportedContentTypeIs415(VertxTestContext ctx) {
    client.post(api.port, "127.0.0.1", "/json-only").putHeader("Content-Type", "text/plain")
      .sendBuffer(Buffer.buffer("hello"))
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 415, "unsupported-media-type");
        ctx.completeNow();
      })));
  }

  @Test
  void problemExceptionThrownInHandlerKeepsItsStatus(VertxTestContext ctx) {
    client.get(api.port, "127.0.0.1", "/problem").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 409, "conflict");
        assertThat(res.bodyAsJsonObject().getString("detail")).isEqualTo("the cart was already checked out");
        ctx.completeNow();
      })));
  }

  @Test
  void failedFutureFromRespondKeepsItsStatus(VertxTestContext ctx) {
    client.get(api.port, "127.0.0.1", "/respond-fail").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 404, "not-found");
        assertThat(res.bodyAsJsonObject().getString("detail")).isEqualTo("order 42 does not exist");
        ctx.completeNow();
      })));
  }

  @Test
  void httpExceptionKeepsItsStatusAndPayload(VertxTestContext ctx) {
    client.get(api.port, "127.0.0.1", "/http-exception").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 409, "conflict");
        assertThat(res.bodyAsJsonObject().getString("detail")).isEqualTo("already exists");
        ctx.completeNow();
      })));
  }

  @Test
  void aDomainRefusalIsItsProblemWithItsHeaders(VertxTestContext ctx) {
    client.get(api.port, "127.0.0.1", "/domain-refusal").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 503, "busy");
        JsonObject body = res.bodyAsJsonObject();
        assertThat(body.getString("title")).isEqualTo("Service Busy");
        assertThat(body.getString("detail")).isEqualTo("Too many checks are waiting; retry shortly");
        assertThat(body.getInteger("queue")).isEqualTo(64);
        assertThat(body.getString("instance")).isEqualTo("/domain-refusal");
        assertThat(res.getHeader("Retry-After")).isEqualTo("2");
        assertThat(res.getHeader("Retry-After-Ms")).isEqualTo("1500");
        assertThat(res.getHeader("Cache-Control")).isEqualTo("no-store");
        ctx.completeNow();
      })));
  }

  @Test
  void anExpectedRefusalIsNotLoggedAsAnErrorWhileAFailureIs(VertxTestContext ctx) {
    LogCapture failures = LogCapture.json(FailureHandler.class.getName(), ch.qos.logback.classic.Level.INFO);
    client.get(api.port, "127.0.0.1", "/boom").send()
      .compose(boom -> client.get(api.port, "127.0.0.1", "/domain-refusal").send().map(refused -> List.of(boom, refused)))
      .onComplete(ar -> failures.close())
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertThat(res.get(0).statusCode()).isEqualTo(500);
        assertThat(res.get(1).statusCode()).isEqualTo(503);
        // the 500 is logged at ERROR; the refusal (a 503 the domain chose, with Retry-After) is not logged at INFO+
        assertThat(failures.lines()).extracting(line -> line.getString("level")).containsExactly("ERROR");
        assertThat(failures.lines().get(0).getString("message")).contains("/boom");
        ctx.completeNow();
      })));
  }

  @Test
  void unexpectedExceptionIs500WithoutItsMessage(VertxTestContext ctx) {
    client.get(api.port, "127.0.0.1", "/boom").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 500, "internal-error");
        assertThat(res.bodyAsString()).doesNotContain("secret").doesNotContain("jdbc").doesNotContain("Exception")
          .doesNotContain("at dev.eventmall");
        ctx.completeNow();
      })));
  }

  @Test
  void requestIdIsEchoedWhenSaneAndGeneratedOtherwise(VertxTestContext ctx) {
    var checkpoint = ctx.checkpoint(2);
    client.get(api.port, "127.0.0.1", "/items/7").putHeader(RequestId.HEADER, "req-abc.123").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.getHeader(RequestId.HEADER)).isEqualTo("req-abc.123");
        assertThat(res.bodyAsJsonObject().getString("id")).isEqualTo("7");
        checkpoint.flag();
      })));
    client.get(api.port, "127.0.0.1", "/nowhere").putHeader(RequestId.HEADER, "bad id\twith <script>").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        String id = res.getHeader(RequestId.HEADER);
        assertThat(id).matches("[0-9a-f-]{36}");
        assertThat(java.util.UUID.fromString(id).version()).as("a random UUID").isEqualTo(4);
        assertThat(res.bodyAsJsonObject().getString("requestId")).isEqualTo(id);
        checkpoint.flag();
      })));
  }

  @Test
  void validationCollectsFieldErrorsInto422(VertxTestContext ctx) {
    JsonObject bad = new JsonObject().put("email", "not-an-email").put("name", "a name that is too long")
      .put("quantity", 0).put("price", "12").put("size", "XL");
    client.post(api.port, "127.0.0.1", "/validate").sendJsonObject(bad)
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 422, "validation-failed");
        JsonArray errors = res.bodyAsJsonObject().getJsonArray("errors");
        assertThat(errors.stream().map(e -> ((JsonObject) e).getString("field")).toList())
          .containsExactly("email", "name", "quantity", "price", "size");
        ctx.completeNow();
      })));
  }

  @Test
  void validationAcceptsAValidBody(VertxTestContext ctx) {
    JsonObject good = new JsonObject().put("email", "Kim@Example.com").put("name", " Kim ")
      .put("quantity", 3).put("price", 12000L).put("size", "M");
    client.post(api.port, "127.0.0.1", "/validate").sendJsonObject(good)
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.bodyAsJsonObject()).isEqualTo(new JsonObject().put("email", "kim@example.com")
          .put("name", "Kim").put("quantity", 3).put("price", 12000).put("size", "M"));
        ctx.completeNow();
      })));
  }

  @Test
  void validationRejectsANonObjectBody(VertxTestContext ctx) {
    client.post(api.port, "127.0.0.1", "/validate").sendBuffer(Buffer.buffer("[1,2]"))
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertProblem(res, 400, "bad-request");
        ctx.completeNow();
      })));
  }

  @Test
  void liveIsAlwaysUp(VertxTestContext ctx) {
    api.dbUp.set(false);
    client.get(api.port, "127.0.0.1", "/health/live").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.bodyAsJsonObject().getString("status")).isEqualTo("UP");
        ctx.completeNow();
      })));
  }

  @Test
  void readyIs200WhenAllChecksAreUpAnd503WhenOneIsDown(VertxTestContext ctx) {
    client.get(api.port, "127.0.0.1", "/health/ready").send()
      .compose(up -> {
        ctx.verify(() -> {
          assertThat(up.statusCode()).isEqualTo(200);
          assertThat(up.bodyAsJsonObject().getString("status")).isEqualTo("UP");
          assertThat(up.bodyAsJsonObject().getJsonObject("checks").getString("db")).isEqualTo("UP");
        });
        api.dbUp.set(false);
        return client.get(api.port, "127.0.0.1", "/health/ready").send();
      })
      .onComplete(ctx.succeeding(down -> ctx.verify(() -> {
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.getHeader("Content-Type")).startsWith("application/json");
        assertThat(down.bodyAsJsonObject().getString("status")).isEqualTo("DOWN");
        assertThat(down.bodyAsJsonObject().getJsonObject("checks").getString("db")).isEqualTo("DOWN");
        ctx.completeNow();
      })));
  }

  @Test
  void openApiDocumentIsServed(VertxTestContext ctx) {
    client.get(api.port, "127.0.0.1", "/openapi.yaml").send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.getHeader("Content-Type")).isEqualTo("application/yaml");
        assertThat(res.bodyAsString()).contains("openapi: 3.1.0").contains("common test API");
        ctx.completeNow();
      })));
  }

  @Test
  void mountedRouterServesAuthenticatedRequests(Vertx vertx, VertxTestContext ctx) {
    String token = TokenIssuer.create(Jwt.hs256(vertx, SECRET), Jwt.HS256, 60).issue("member-1", List.of("CUSTOMER"));
    client.get(api.port, "127.0.0.1", "/secured/me").bearerTokenAuthentication(token).send()
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.bodyAsJsonObject().getString("subject")).isEqualTo("member-1");
        ctx.completeNow();
      })));
  }

  /**
   * A path that is not percent-encoded UTF-8 is refused before any route with a path is matched (Vert.x Web decodes
   * the path to match one, and answered a plain-text 400): a broken escape is 400 {@code invalid-path}, well-formed
   * escapes of bytes that are not UTF-8 a 404 (as ContractRoutes answers for such a path parameter), on the root
   * router's routes and a mounted router's alike, each with its request id, the security headers and an access log
   * line. Escapes of UTF-8 still reach their route, decoded once, and a refused body does not spill into the next
   * request on the connection.
   */
  @Test
  void aPathThatIsNotPercentEncodedUtf8IsAProblemNotPlainText(Vertx vertx) {
    Map<String, Integer> refused = new java.util.LinkedHashMap<>();
    for (String bad : List.of("%", "%z", "%zz", "%G1", "%2", "a%", "%%41", "%C3%2", "%E2%82%", "%%")) {
      refused.put("/items/" + bad, 400);
      refused.put("/catalog/" + bad + "/fail", 400);
    }
    for (String path : List.of("/%", "/health/live%zz", "/health%2Flive%", "/nowhere/%zz", "/secured/me%G1",
      "/openapi.yaml%")) {
      refused.put(path, 400);
    }
    for (String bad : List.of("%C3%28", "%E2%82", "%FF", "%C0%AF", "%ED%A0%80", "%F0%9F%98")) {
      refused.put("/items/" + bad, 404);
      refused.put("/catalog/" + bad + "/fail", 404);
    }
    LogCapture access = LogCapture.json(AccessLog.LOGGER);
    try {
      int n = 0;
      for (Map.Entry<String, Integer> bad : refused.entrySet()) {
        String requestId = "path-check-" + n++;
        HttpResponse<Buffer> res = dev.eventmall.common.testing.Await.result(
          client.get(api.port, "127.0.0.1", bad.getKey()).putHeader(RequestId.HEADER, requestId).send());
        String what = bad.getKey() + " → " + res.statusCode() + " " + res.getHeader("Content-Type") + " "
          + res.bodyAsString();
        assertThat(res.statusCode()).as(what).isEqualTo(bad.getValue());
        assertThat(res.getHeader("Content-Type")).as(what).isEqualTo("application/problem+json");
        assertProblem(res, bad.getValue(), bad.getValue() == 400 ? "invalid-path" : "not-found");
        JsonObject problem = res.bodyAsJsonObject();
        assertThat(problem.getString("instance")).as(what).isEqualTo(bad.getKey());
        assertThat(problem.getString("detail")).as(what).isEqualTo(bad.getValue() == 400
          ? "The path is not percent-encoded: every % must begin an escape of two hexadecimal digits (a % itself is %25)"
          : "Nothing is at " + bad.getKey());
        assertThat(res.getHeader(RequestId.HEADER)).as(what).isEqualTo(requestId);
        assertThat(res.getHeader("X-Content-Type-Options")).as(what).isEqualTo("nosniff");
        assertThat(res.getHeader("Cache-Control")).as(what).isEqualTo("no-store");
      }
    } finally {
      access.close();
    }
    // every refusal has its access line (the last one may still be on its way when the client has the answer)
    Map<String, JsonObject> lines = new java.util.HashMap<>();
    access.lines().forEach(line -> lines.put(line.getString("requestId"), line));
    List<String> paths = List.copyOf(refused.keySet());
    for (int i = 0; i < paths.size() - 1; i++) {
      JsonObject line = lines.get("path-check-" + i);
      assertThat(line).as("access line of " + paths.get(i)).isNotNull();
      assertThat(line.getString("method")).isEqualTo("GET");
      assertThat(line.getString("path")).isEqualTo(paths.get(i));
      assertThat(line.getInteger("status")).isEqualTo(refused.get(paths.get(i)));
    }

    // escapes of UTF-8 are decoded once, by the route
    Map<String, String> served = Map.of("/items/%41", "A", "/items/%C3%A9t%C3%A9", "été", "/items/100%25", "100%",
      "/items/%2541", "%41", "/catalog/%E2%82%AC", "€", "/catalog/%F0%9F%98%80", "\uD83D\uDE00");
    for (Map.Entry<String, String> ok : served.entrySet()) {
      HttpResponse<Buffer> res = dev.eventmall.common.testing.Await.result(
        client.get(api.port, "127.0.0.1", ok.getKey()).send());
      assertThat(res.statusCode()).as(ok.getKey() + " → " + res.bodyAsString()).isEqualTo(200);
      assertThat(res.bodyAsJsonObject().getString("id")).as(ok.getKey()).isEqualTo(ok.getValue());
    }

    // one connection: the body of a refused POST is not read as the next request
    WebClient one = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setKeepAlive(true),
      new io.vertx.core.http.PoolOptions().setHttp1MaxSize(1));
    try {
      String body = new JsonObject().put("smuggled", "GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n").encode();
      HttpResponse<Buffer> first = dev.eventmall.common.testing.Await.result(one.post(api.port, "127.0.0.1", "/echo%zz")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
      assertProblem(first, 400, "invalid-path");
      HttpResponse<Buffer> second = dev.eventmall.common.testing.Await.result(one.post(api.port, "127.0.0.1", "/echo")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
      assertThat(second.statusCode()).as(second.bodyAsString()).isEqualTo(200);
      assertThat(second.bodyAsJsonObject()).isEqualTo(new JsonObject(body));
    } finally {
      one.close();
    }
  }

  /** Issue 16 rows 1 and 14: a method no route knows is answered like every other refusal, as problem+json. */
  @Test
  void anInventedMethodIsAProblem(VertxTestContext ctx) {
    client.request(HttpMethod.valueOf("HXMETHODA"), api.port, "127.0.0.1", "/echo").send()
      .compose(echo -> client.request(HttpMethod.valueOf("HXMETHODA"), api.port, "127.0.0.1", "/").send()
        .map(root -> List.of(echo, root)))
      .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
        for (HttpResponse<Buffer> res : both) {
          assertThat(res.statusCode()).as(res.bodyAsString()).isIn(404, 405, 501);
          assertProblem(res, res.statusCode(), res.statusCode() == 404 ? "not-found"
            : res.statusCode() == 405 ? "method-not-allowed" : "not-implemented");
        }
        ctx.completeNow();
      })));
  }

  /**
   * Issue 16 row 14: a duplicated key (which a proxy and this service could read differently) and comments are malformed
   * JSON; a body declared as anything but JSON is 415. Before: 200 with the last duplicate winning, comments skipped,
   * text/plain parsed.
   */
  @Test
  void duplicateKeysCommentsAndNonJsonTypesAreRefused(VertxTestContext ctx) {
    String good = "{\"email\":\"a@b.co\",\"name\":\"Kim\",\"quantity\":2,\"price\":5,\"size\":\"M\"}";
    client.post(api.port, "127.0.0.1", "/validate").putHeader("Content-Type", "application/json; charset=utf-8")
      .sendBuffer(Buffer.buffer(good))
      .compose(ok -> {
        ctx.verify(() -> assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(200));
        return client.post(api.port, "127.0.0.1", "/validate").putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(good.replace("\"price\":5", "\"price\":5,\"price\":500000")));
      })
      .compose(duplicate -> {
        ctx.verify(() -> {
          assertProblem(duplicate, 400, "malformed-json");
          assertThat(duplicate.bodyAsJsonObject().getString("detail")).contains("field twice");
        });
        return client.post(api.port, "127.0.0.1", "/validate").putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(good.replace("{", "{/* hi */")));
      })
      .compose(comment -> {
        ctx.verify(() -> assertProblem(comment, 400, "malformed-json"));
        return client.post(api.port, "127.0.0.1", "/validate").putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}).appendString(good));
      })
      .compose(bom -> {
        ctx.verify(() -> {
          assertProblem(bom, 400, "malformed-json");
          assertThat(bom.bodyAsJsonObject().getString("detail")).contains("byte order mark");
        });
        return client.post(api.port, "127.0.0.1", "/validate").putHeader("Content-Type", "text/plain")
          .sendBuffer(Buffer.buffer(good));
      })
      .compose(plain -> {
        ctx.verify(() -> assertProblem(plain, 415, "unsupported-media-type"));
        return client.post(api.port, "127.0.0.1", "/validate").putHeader("Content-Type", "application/problem+json")
          .sendBuffer(Buffer.buffer(good));
      })
      .onComplete(ctx.succeeding(plusJson -> ctx.verify(() -> {
        assertThat(plusJson.statusCode()).as("application/*+json is JSON").isEqualTo(200);
        ctx.completeNow();
      })));
  }
}
