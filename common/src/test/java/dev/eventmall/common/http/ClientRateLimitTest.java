package dev.eventmall.common.http;

import dev.eventmall.common.config.Config;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The webhook receivers' per-client limit (issue 16 row 11) from its settings, over HTTP: within the burst the route
 * runs, past it 429 problem+json with Retry-After-Ms and the route does not run; 0 turns it off; a bad setting refuses
 * to start.
 */
class ClientRateLimitTest {
  private Vertx vertx;
  private WebClient client;
  private final AtomicInteger handled = new AtomicInteger();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    client = WebClient.create(vertx);
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private int serve(Map<String, String> settings) {
    Router router = HttpBootstrap.builder(vertx).build();
    router.post("/hook").handler(ClientRateLimit.webhooks(Config.of(settings), "test-webhook-" + settings.hashCode()))
      .handler(ctx -> {
        handled.incrementAndGet();
        ctx.json(new io.vertx.core.json.JsonObject().put("received", true));
      });
    return HttpBootstrap.listen(vertx, router, new HttpServerOptions().setHost("127.0.0.1").setPort(0)).await()
      .actualPort();
  }

  private HttpResponse<Buffer> post(int port) {
    return client.post(port, "127.0.0.1", "/hook").putHeader("Content-Type", "application/json")
      .sendBuffer(Buffer.buffer("{}")).await();
  }

  @Test
  void pastTheBurstAClientGets429WithRetryAfterMsAndTheRouteDoesNotRun() {
    int port = serve(Map.of(ClientRateLimit.WEBHOOK_RATE_PER_CLIENT, "1", ClientRateLimit.WEBHOOK_BURST_PER_CLIENT, "3"));
    for (int i = 0; i < 3; i++) {
      assertThat(post(port).statusCode()).isEqualTo(200);
    }
    HttpResponse<Buffer> refused = post(port);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(refused.bodyAsJsonObject().getString("type")).endsWith("/too-many-requests");
    assertThat(Long.parseLong(refused.getHeader("Retry-After-Ms"))).isBetween(1L, 1_000L);
    assertThat(handled.get()).isEqualTo(3);
  }

  @Test
  void theDefaultAdmitsAThousandAtOnceAndZeroTurnsTheLimitOff() {
    int port = serve(Map.of());
    for (int i = 0; i < 50; i++) {
      assertThat(post(port).statusCode()).isEqualTo(200);
    }
    vertx.close().await();
    vertx = Vertx.vertx();
    client = WebClient.create(vertx);
    int off = serve(Map.of(ClientRateLimit.WEBHOOK_RATE_PER_CLIENT, "0", ClientRateLimit.WEBHOOK_BURST_PER_CLIENT, "1"));
    for (int i = 0; i < 20; i++) {
      assertThat(post(off).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aBadSettingRefusesToStart() {
    assertThatThrownBy(() -> ClientRateLimit.webhooks(Config.of(Map.of(ClientRateLimit.WEBHOOK_RATE_PER_CLIENT, "-1")),
      "x")).isInstanceOf(Config.ConfigException.class).hasMessageContaining(ClientRateLimit.WEBHOOK_RATE_PER_CLIENT);
    assertThatThrownBy(() -> ClientRateLimit.webhooks(Config.of(Map.of(ClientRateLimit.WEBHOOK_BURST_PER_CLIENT, "lots")),
      "x")).isInstanceOf(Config.ConfigException.class).hasMessageContaining(ClientRateLimit.WEBHOOK_BURST_PER_CLIENT);
  }
}
