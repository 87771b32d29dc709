package dev.eventmall.devstack;

import dev.eventmall.common.testing.PlatformContracts;
import dev.eventmall.common.testing.TestInfra;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One platform per test JVM (every service in its own Vert.x instance over the shared real servers), started on first
 * use and stopped at exit, and a small HTTP client for talking to it as users do. Every answer of a service is checked
 * against the service's OpenAPI document ({@link PlatformContracts}): one that breaks it fails the test.
 */
final class E2E {
  // HTTP/1.1: the JDK client's h2c upgrade broke on large answers (a /metrics scrape: "Frame type(120) ... exceeds
  // MAX_FRAME_SIZE")
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();
  private static Platform platform;
  private static Map<String, String> env;

  private E2E() {
  }

  static synchronized Platform platform() {
    if (platform == null) {
      env = new HashMap<>(Map.of(
        "KAFKA_BOOTSTRAP_SERVERS", TestInfra.kafka(),
        "MYSQL_URI", TestInfra.mysqlUri(),
        "REDIS_URL", TestInfra.redisUrl(),
        "CASSANDRA_CONTACT_POINTS", TestInfra.cassandraContactPoint(),
        "CASSANDRA_LOCAL_DC", TestInfra.cassandraLocalDc(),
        "CASSANDRA_SCHEMA_WINDOW_MS", "10"));
      // a fast world: the carrier moves a parcel every 300 ms, delivery polls every 200 ms, Toss answers within 1.5 s
      env.put("CARRIER_STEP_MS", "300");
      env.put("DELIVERY_POLL_INTERVAL_MS", "200");
      env.put("DELIVERY_DISPATCH_INTERVAL_MS", "200");
      env.put("TOSS_READ_TIMEOUT_MS", "1500");
      env.put("TOSS_RETRY_BACKOFF_MS", "100");
      try {
        // as devstack does: the Toss sandbox keeps its state beside the services' data, across restarts
        env.put(Platform.TOSS_STATE_FILE, java.nio.file.Files.createTempDirectory("e2e-toss").resolve("toss.json")
          .toString());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      platform = Platform.start(env, false);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> platform().close(), "e2e-platform-stop"));
    }
    return platform;
  }

  /** Stops every service and the emulators and starts them again over the same data, as a devstack restart does. */
  static synchronized Platform restart() {
    platform().close();
    platform = Platform.start(env, false);
    return platform;
  }

  record Response(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    JsonArray jsonArray() {
      return new JsonArray(body);
    }
  }

  static Response call(String service, String method, String path, String token, JsonObject body) {
    return call(service, method, path, token, body, Map.of());
  }

  static Response call(String service, String method, String path, String token, JsonObject body,
                       Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + platform().ports().get(service) + path))
      .timeout(Duration.ofSeconds(20))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body.encode()));
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
      throw new AssertionError(method + " " + path + " failed", e);
    }
    PlatformContracts.verify(service, method, path, response.statusCode(), response.headers().map(), response.body());
    return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
      response.body());
  }

  /** A signed-up and logged-in member. */
  record Member(String id, String token) {
  }

  static Member member(String role) {
    String email = role.toLowerCase() + "-" + UUID.randomUUID() + "@example.com";
    String password = "pass-" + UUID.randomUUID();
    Response signUp = call("member", "POST", "/members", null, new JsonObject()
      .put("email", email).put("password", password).put("name", "E2E " + role).put("role", role));
    assertThat(signUp.status()).as(signUp.body()).isEqualTo(201);
    Response login = call("member", "POST", "/auth/login", null,
      new JsonObject().put("email", email).put("password", password));
    assertThat(login.status()).as(login.body()).isEqualTo(200);
    return new Member(login.json().getString("memberId"), login.json().getString("accessToken"));
  }
}
