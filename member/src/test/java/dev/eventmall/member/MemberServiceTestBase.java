package dev.eventmall.member;

import dev.eventmall.common.ServiceDeployment;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.ContractCheck;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.common.testing.TopicReader;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deploys the member service through {@link MemberApp#deploy} once per test class, over a fresh database on the shared
 * real MariaDB server and the shared real Kafka broker, with {@code HTTP_PORT=0}. Tests talk to it over HTTP and read
 * MySQL directly to check what was (not) stored.
 */
@Needs({Infra.MYSQL, Infra.KAFKA})
@ExtendWith(VertxExtension.class)
abstract class MemberServiceTestBase {

  static final String SECRET = "member-test-jwt-secret-0123456789-abcdefghij";
  static final String ADMIN_EMAIL = "admin@eventmall.test";
  static final String ADMIN_PASSWORD = "admin-password-123";
  static final String PASSWORD = "correct horse battery";

  static Vertx vertx;
  static String mysqlUri;
  static String kafka;
  static ServiceDeployment deployment;
  static WebClient client;
  static Pool db;
  static Config config;

  @BeforeAll
  static void deploy(Vertx v) {
    vertx = v;
    kafka = TestInfra.kafka();
    mysqlUri = TestInfra.freshDatabase("member");
    Map<String, String> env = new HashMap<>();
    env.put(Config.HTTP_PORT, "0");
    env.put(Config.MYSQL_URI, mysqlUri);
    env.put(Config.KAFKA_BOOTSTRAP_SERVERS, kafka);
    env.put(Config.JWT_SECRET, SECRET);
    env.put("HTTP_INSTANCES", "2");
    env.put("ADMIN_EMAIL", ADMIN_EMAIL);
    env.put("ADMIN_PASSWORD", ADMIN_PASSWORD);
    env.put("PASSWORD_RATE_PER_CLIENT", "0"); // every test request comes from 127.0.0.1; MemberSecurityTest turns it on
    config = Config.of(env);
    deployment = Await.result(MemberApp.deploy(vertx, config, Metrics.create("member-test")));
    assertThat(deployment.httpPort()).isPositive();
    // every answer these tests get is checked against the service's OpenAPI document
    client = ContractCheck.validating(vertx, WebClient.create(vertx), "openapi/member.yaml");
    db = Database.pool(vertx, mysqlUri, "member-test-" + UUID.randomUUID(), 2);
  }

  @AfterAll
  static void close() {
    client.close();
    Await.result(db.close());
    Await.shutDown(deployment.undeploy(vertx));
  }

  // ---------------------------------------------------------------- HTTP helpers (blocking, test thread only)

  static String uniqueEmail() {
    return "m-" + UUID.randomUUID() + "@example.com";
  }

  static HttpResponse<Buffer> send(String method, String path, String token, Object body) {
    return send(deployment.httpPort(), method, path, token, body);
  }

  static HttpResponse<Buffer> send(int port, String method, String path, String token, Object body) {
    return Await.result(sending(port, method, path, token, body));
  }

  /** {@link #send}, without waiting for the answer (for requests that must arrive together). */
  static io.vertx.core.Future<HttpResponse<Buffer>> sending(int port, String method, String path, String token,
                                                           Object body) {
    HttpRequest<Buffer> req = client.request(io.vertx.core.http.HttpMethod.valueOf(method), port, "127.0.0.1", path);
    if (token != null) {
      req.putHeader("Authorization", "Bearer " + token);
    }
    if (body == null) {
      return req.send();
    }
    Buffer buffer = body instanceof Buffer b ? b : body instanceof String s ? Buffer.buffer(s)
      : Buffer.buffer(String.valueOf(body instanceof JsonObject j ? j.encode() : io.vertx.core.json.Json.encode(body)));
    return req.putHeader("Content-Type", "application/json").sendBuffer(buffer);
  }

  static HttpResponse<Buffer> post(String path, String token, Object body) {
    return send("POST", path, token, body);
  }

  static HttpResponse<Buffer> get(String path, String token) {
    return send("GET", path, token, null);
  }

  static JsonObject signUpBody(String email, String role) {
    JsonObject body = new JsonObject().put("email", email).put("password", PASSWORD).put("name", "Kim Tester");
    return role == null ? body : body.put("role", role);
  }

  /** Signs up and returns the member JSON. */
  static JsonObject signUp(String email) {
    HttpResponse<Buffer> res = post("/members", null, signUpBody(email, "CUSTOMER"));
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    return res.bodyAsJsonObject();
  }

  static JsonObject login(String email, String password) {
    HttpResponse<Buffer> res = post("/auth/login", null, new JsonObject().put("email", email).put("password", password));
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    return res.bodyAsJsonObject();
  }

  /** Signs up a fresh member and logs in: the token answer (accessToken, refreshToken, memberId). */
  static JsonObject newSession() {
    String email = uniqueEmail();
    signUp(email);
    return login(email, PASSWORD);
  }

  static JsonObject address(String recipient) {
    return new JsonObject().put("recipient", recipient).put("phone", "010-1234-5678").put("zipCode", "06236")
      .put("line1", "123 Teheran-ro, Gangnam-gu").put("line2", "Suite 5");
  }

  static void assertProblem(HttpResponse<Buffer> res, int status) {
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(status);
    assertThat(res.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject body = res.bodyAsJsonObject();
    assertThat(body.getInteger("status")).isEqualTo(status);
    assertThat(body.getString("type")).startsWith("https://eventmall.dev/problems/");
    assertThat(body.getString("title")).isNotBlank();
  }

  /** The field names a 422 validation problem lists. */
  static List<String> errorFields(HttpResponse<Buffer> res) {
    return res.bodyAsJsonObject().getJsonArray("errors").stream()
      .map(e -> ((JsonObject) e).getString("field")).toList();
  }

  // ---------------------------------------------------------------- direct MySQL reads

  /** Every record on {@code topic} once the service's outbox has published everything it held ({@link TopicReader#published}). */
  static List<ConsumerRecord<String, String>> published(String topic) {
    return TopicReader.published(kafka, topic, () -> count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL"));
  }

  static long count(String sql, Object... args) {
    return Await.result(db.preparedQuery(sql).execute(Tuple.from(args))).iterator().next().getLong(0);
  }

  static List<Row> rows(String sql, Object... args) {
    List<Row> out = new java.util.ArrayList<>();
    Await.result(db.preparedQuery(sql).execute(Tuple.from(args))).forEach(out::add);
    return out;
  }
}
