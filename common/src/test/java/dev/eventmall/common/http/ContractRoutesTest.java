package dev.eventmall.common.http;

import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.ContractCheck;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.validation.RequestParameter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Routes built from an OpenAPI document over real HTTP: what the document refuses and how (422 field list, 400, 404,
 * 415), what reaches the handler, an unbound operation left to a hand-mounted router, the contract check failing a
 * response that breaks the document, and Swagger UI served from the webjar.
 */
@ExtendWith(VertxExtension.class)
class ContractRoutesTest {

  /** An item id whose answer breaks the document (name missing): the contract check must catch it. */
  private static final String BROKEN = "00000000-0000-0000-0000-000000000000";

  private HttpServer server;
  private WebClient client;
  private WebClient checked;

  @BeforeEach
  void start(Vertx vertx) {
    Router root = HttpBootstrap.builder(vertx).openApi("openapi/contract-test.yaml").build();
    ContractRoutes routes = Await.result(ContractRoutes.load(vertx, "openapi/contract-test.yaml"));
    routes
      .operation("createItem").handler(ctx -> ctx.response().setStatusCode(201)
        .putHeader("Content-Type", "application/json").end(ContractRoutes.body(ctx).encode()))
      .operation("getItem").respond(ctx -> {
        String id = ctx.pathParam("itemId");
        RequestParameter size = ContractRoutes.query(ctx, "size");
        RequestParameter note = ContractRoutes.query(ctx, "note");
        RequestParameter tag = ContractRoutes.validated(ctx).getHeaders().get("X-Tag");
        JsonObject item = new JsonObject();
        if (size != null) {
          item.put("size", size.getInteger());
        }
        if (note != null) {
          item.put("note", note.getString());
        }
        if (tag != null && !tag.isNull()) {
          item.put("tag", tag.getString());
        }
        return Future.succeededFuture(BROKEN.equals(id) ? item : item.put("name", "item " + id.substring(0, 4)));
      })
      .mount(root);
    root.get("/unbound").handler(ctx -> ctx.end("by hand"));
    server = Await.result(HttpBootstrap.listen(vertx, root, 0));
    WebClientOptions options = new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.actualPort());
    client = WebClient.create(vertx, options);
    checked = ContractCheck.validating(vertx, WebClient.create(vertx, options), "openapi/contract-test.yaml");
  }

  @AfterEach
  void stop() {
    client.close();
    checked.close();
    Await.result(server.close());
  }

  private HttpResponse<Buffer> post(String contentType, String body) {
    return Await.result(checked.post("/items").putHeader("Content-Type", contentType).sendBuffer(Buffer.buffer(body)));
  }

  @Test
  void aValidBodyReachesTheHandler() {
    HttpResponse<Buffer> res = post("application/json", "{\"name\":\"pen\",\"qty\":2}");
    assertThat(res.statusCode()).isEqualTo(201);
    assertThat(res.bodyAsJsonObject()).isEqualTo(new JsonObject().put("name", "pen").put("qty", 2));
  }

  @Test
  void everyBrokenFieldIsListedIn422() {
    HttpResponse<Buffer> res = post("application/json",
      "{\"name\":\"too long\",\"qty\":0,\"price\":1,\"tags\":[{\"id\":\"nope\"},{\"x\":1}]}");
    assertThat(res.statusCode()).isEqualTo(422);
    assertThat(res.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = res.bodyAsJsonObject();
    assertThat(problem.getString("type")).isEqualTo("https://eventmall.dev/problems/validation-failed");
    assertThat(problem.getString("detail")).isEqualTo("The request body has invalid fields");
    JsonObject byField = new JsonObject();
    problem.getJsonArray("errors").forEach(e -> byField.put(((JsonObject) e).getString("field"),
      ((JsonObject) e).getString("message")));
    assertThat(byField).isEqualTo(new JsonObject()
      .put("name", "must be at most 5 characters")
      .put("qty", "must be at least 1")
      .put("price", "is not accepted here")
      .put("tags[0].id", "must be a UUID")
      .put("tags[1].x", "is not accepted here")
      .put("tags[1].id", "is required"));
    assertThat(post("application/json", "{\"name\":42}").bodyAsJsonObject().getJsonArray("errors")).isEqualTo(
      new JsonArray()
        .add(new JsonObject().put("field", "qty").put("message", "is required"))
        .add(new JsonObject().put("field", "name").put("message", "must be a string")));
  }

  @Test
  void bodiesThatAreNoJsonObjectAre400Or415() {
    assertThat(post("application/json", "{\"name\":\"a\",\"name\":\"b\",\"qty\":1}").bodyAsJsonObject()
      .getString("type")).isEqualTo("https://eventmall.dev/problems/malformed-json");
    assertThat(post("application/json", "[1,2]").statusCode()).isEqualTo(400);
    assertThat(Await.result(checked.post("/items").send()).statusCode()).isEqualTo(400);
    assertThat(post("text/plain", "{\"name\":\"pen\",\"qty\":2}").statusCode()).isEqualTo(415);
  }

  @Test
  void parametersAreValidatedAndTyped() {
    String id = UUID.randomUUID().toString();
    HttpResponse<Buffer> ok = Await.result(checked.get("/items/" + id + "?size=7").send());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.bodyAsJsonObject().getInteger("size")).isEqualTo(7);
    HttpResponse<Buffer> bad = Await.result(checked.get("/items/" + id + "?size=1000").send());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getJsonArray("errors")).isEqualTo(new JsonArray()
      .add(new JsonObject().put("field", "size").put("message", "must be at most 100")));
    assertThat(Await.result(checked.get("/items/not-an-id").send()).statusCode()).isEqualTo(404);
    assertThat(Await.result(checked.get("/unbound").send()).bodyAsString()).isEqualTo("by hand");
    assertThat(Await.result(client.delete("/items").send()).statusCode()).isEqualTo(405);
  }

  /**
   * A query string that is not percent-encoded UTF-8 is a 400 naming the parameter, declared or not (vertx-openapi's
   * reading of the query answered 500 to a broken escape, Netty's turns invalid UTF-8 into U+FFFD); a path parameter
   * that is not UTF-8 is a 404.
   */
  @Test
  void aQueryStringThatIsNotPercentEncodedUtf8Is400NamingTheParameter() {
    String item = "/items/" + UUID.randomUUID();
    Map<String, String> named = new java.util.LinkedHashMap<>();
    for (String bad : List.of("%", "%z", "%zz", "%G1", "%C3%28", "%E2%82", "%E2%82%", "ok%", "%FF", "%C0%AF",
      "%ED%A0%80")) {
      named.put("?size=" + bad, "size");
      named.put("?size=5&note=" + bad, "note");
    }
    named.put("?other=%zz&size=5", "other");
    named.put("?%zz=1", "%zz");
    named.put("?size=1;note=%E2%82", "note");
    for (Map.Entry<String, String> bad : named.entrySet()) {
      HttpResponse<Buffer> res = Await.result(checked.get(item + bad.getKey()).send());
      assertThat(res.statusCode()).as(bad.getKey() + " → " + res.bodyAsString()).isEqualTo(400);
      assertThat(res.getHeader("Content-Type")).isEqualTo("application/problem+json");
      assertThat(res.bodyAsJsonObject().getString("type")).isEqualTo("https://eventmall.dev/problems/invalid-query");
      assertThat(res.bodyAsJsonObject().getJsonArray("errors")).as(bad.getKey()).isEqualTo(new JsonArray()
        .add(new JsonObject().put("field", bad.getValue()).put("message", "is not percent-encoded UTF-8")));
    }
    HttpResponse<Buffer> fine = Await.result(checked.get(item + "?size=5&note=%C3%A9%E2%82%AC%F0%9F%98%80").send());
    assertThat(fine.statusCode()).as(fine.bodyAsString()).isEqualTo(200);
    assertThat(fine.bodyAsJsonObject().getString("note")).isEqualTo("é€\uD83D\uDE00");
    assertThat(Await.result(checked.get("/items/%C3%28").send()).statusCode()).isEqualTo(404);
  }

  /**
   * A string parameter is the text sent, decoded once: never read as JSON first (a number, a boolean, quotes, a
   * leading quote or a control character), never decoded twice (a literal % or +); a header is never percent-decoded.
   */
  @Test
  void aStringParameterIsTheTextSent() {
    String item = "/items/" + UUID.randomUUID();
    for (String note : List.of("123", "-1", "1.5", "true", "null", "[1]", "{}", "\"x\"", "\"", "a\r\nb", "a\u0000b", "100%",
      "%41", "%zz", "a+b", "1e999")) {
      HttpResponse<Buffer> res = Await.result(checked.get(item).addQueryParam("note", note).send());
      assertThat(res.statusCode()).as(note + " → " + res.bodyAsString()).isEqualTo(200);
      assertThat(res.bodyAsJsonObject().getString("note")).as(note).isEqualTo(note);
    }
    HttpResponse<Buffer> plus = Await.result(checked.get(item + "?note=a+b").send());
    assertThat(plus.bodyAsJsonObject().getString("note")).as("+ in a query string is a space").isEqualTo("a b");
    for (String tag : List.of("a%zz", "%41", "100%", "\"x\"", "123")) {
      HttpResponse<Buffer> res = Await.result(checked.get(item).putHeader("X-Tag", tag).send());
      assertThat(res.statusCode()).as(tag + " → " + res.bodyAsString()).isEqualTo(200);
      assertThat(res.bodyAsJsonObject().getString("tag")).isEqualTo(tag);
    }
    HttpResponse<Buffer> refused = Await.result(checked.get(item).addQueryParam("note", "x".repeat(11))
      .putHeader("X-Tag", "two words").send());
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.bodyAsJsonObject().getJsonArray("errors")).containsExactlyInAnyOrder(
      new JsonObject().put("field", "note").put("message", "must be at most 10 characters"),
      new JsonObject().put("field", "X-Tag").put("message", "is malformed"));
  }

  @Test
  void anAnswerThatBreaksTheDocumentFailsTheContractCheck() {
    assertThat(Await.result(client.get("/items/" + BROKEN).send()).statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> Await.result(checked.get("/items/" + BROKEN).send()))
      .hasStackTraceContaining("breaks openapi/contract-test.yaml (operation getItem)");
  }

  @Test
  void anAnswerReceivedByAnotherClientIsVerifiedAgainstTheDocument(Vertx vertx) throws Exception {
    ContractCheck check = ContractCheck.of(vertx, "openapi/contract-test.yaml");
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
      .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    String base = "http://127.0.0.1:" + server.actualPort();
    java.net.http.HttpResponse<String> good = http.send(java.net.http.HttpRequest.newBuilder(
      java.net.URI.create(base + "/items/" + UUID.randomUUID() + "?size=3")).build(),
      java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(good.statusCode()).isEqualTo(200);
    check.verify("GET", "/items/x?size=3", good.statusCode(), good.headers().map(), good.body());
    java.net.http.HttpResponse<String> broken = http.send(java.net.http.HttpRequest.newBuilder(
      java.net.URI.create(base + "/items/" + BROKEN)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(broken.statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> check.verify("GET", "/items/" + BROKEN, broken.statusCode(), broken.headers().map(),
      broken.body()))
      .isInstanceOf(ContractCheck.Violation.class)
      .hasMessageStartingWith("GET /items/" + BROKEN + " → 200 breaks openapi/contract-test.yaml (operation getItem)")
      .hasMessageContaining("required property \"name\"").hasMessageEndingWith("body: {}");
    // a status the operation does not declare
    assertThatThrownBy(() -> check.verify("GET", "/items/" + BROKEN, 503, good.headers().map(), good.body()))
      .isInstanceOf(ContractCheck.Violation.class).hasMessageContaining("→ 503 breaks");
    // paths the document does not have are not checked
    check.verify("GET", "/health/live", 204, java.util.Map.of(), null);
  }

  @Test
  void swaggerUiAndTheDocumentAreServed() {
    HttpResponse<Buffer> doc = Await.result(client.get("/openapi.yaml").send());
    assertThat(doc.statusCode()).isEqualTo(200);
    assertThat(doc.bodyAsString()).contains("operationId: createItem");
    HttpResponse<Buffer> redirect = Await.result(client.get("/docs").followRedirects(false).send());
    assertThat(redirect.statusCode()).isEqualTo(302);
    assertThat(redirect.getHeader("Location")).isEqualTo("/docs/");
    HttpResponse<Buffer> page = Await.result(client.get("/docs/").send());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.bodyAsString()).contains("swagger-ui-bundle.js").doesNotContain("https://");
    assertThat(Await.result(client.get("/docs/swagger-initializer.js").send()).bodyAsString())
      .contains("url: \"/openapi.yaml\"");
    HttpResponse<Buffer> bundle = Await.result(client.get("/docs/swagger-ui-bundle.js").send());
    assertThat(bundle.statusCode()).isEqualTo(200);
    assertThat(bundle.body().length()).isGreaterThan(100_000);
  }
}
