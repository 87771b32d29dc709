package dev.eventmall.common.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** CORS for the storefront's origin only ({@code CORS_ALLOWED_ORIGINS}); none at all when it is unset. */
@ExtendWith(VertxExtension.class)
class CorsTest {
  static final String STOREFRONT = "http://127.0.0.1:8080";

  @AfterEach
  void clear() {
    System.clearProperty(HttpBootstrap.CORS_ORIGINS_PROPERTY);
  }

  HttpServer serve(Vertx vertx) {
    Router router = HttpBootstrap.builder(vertx).build();
    router.get("/things").handler(ctx -> ctx.json(new io.vertx.core.json.JsonObject().put("ok", true)));
    return HttpBootstrap.listen(vertx, router, 0).await();
  }

  HttpResponse<Buffer> preflight(WebClient client, HttpServer server, String origin) {
    return client.request(HttpMethod.OPTIONS, server.actualPort(), "127.0.0.1", "/things")
      .putHeader("Origin", origin).putHeader("Access-Control-Request-Method", "POST")
      .putHeader("Access-Control-Request-Headers", "authorization,content-type,idempotency-key").send().await();
  }

  @Test
  void theConfiguredOriginMayCallAndOthersMayNot(Vertx vertx) {
    System.setProperty(HttpBootstrap.CORS_ORIGINS_PROPERTY, STOREFRONT + ", http://localhost:8080");
    HttpServer server = serve(vertx);
    WebClient client = WebClient.create(vertx);

    HttpResponse<Buffer> allowed = preflight(client, server, STOREFRONT);
    assertThat(allowed.statusCode()).isIn(200, 204);
    assertThat(allowed.getHeader("Access-Control-Allow-Origin")).isEqualTo(STOREFRONT);
    assertThat(allowed.getHeader("Access-Control-Allow-Headers").toLowerCase())
      .contains("authorization", "content-type", "idempotency-key", "x-read-after");
    assertThat(allowed.getHeader("Access-Control-Allow-Credentials")).isNull();

    HttpResponse<Buffer> get = client.get(server.actualPort(), "127.0.0.1", "/things")
      .putHeader("Origin", "http://localhost:8080").send().await();
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.getHeader("Access-Control-Allow-Origin")).isEqualTo("http://localhost:8080");
    assertThat(get.getHeader("Access-Control-Expose-Headers")).contains("Retry-After-Ms", "X-Read-After");

    HttpResponse<Buffer> evil = preflight(client, server, "https://evil.example");
    assertThat(evil.getHeader("Access-Control-Allow-Origin")).isNull();
    assertThat(evil.statusCode()).isEqualTo(403);
    client.close();
  }

  @Test
  void withoutTheSettingNoOriginIsAllowed(Vertx vertx) {
    HttpServer server = serve(vertx);
    WebClient client = WebClient.create(vertx);
    HttpResponse<Buffer> get = client.get(server.actualPort(), "127.0.0.1", "/things")
      .putHeader("Origin", STOREFRONT).send().await();
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.getHeader("Access-Control-Allow-Origin")).isNull();
    client.close();
  }
}
