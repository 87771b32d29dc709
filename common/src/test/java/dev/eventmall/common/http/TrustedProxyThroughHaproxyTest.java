package dev.eventmall.common.http;

import dev.eventmall.common.testing.Await;
import dev.eventmall.infra.Haproxy;
import dev.eventmall.infra.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ClientAddress} behind the balancer operators run (HAProxy, as devstack {@code --replicas} and compose start it,
 * with {@code option forwardfor}): a service that trusts the balancer's address sees each client's own address, a
 * client cannot pass itself off as another by sending its own {@code X-Forwarded-For}, and a client that reaches the
 * service directly is not believed. Clients connect from distinct loopback addresses (127.0.0.2, 127.0.0.3). Skipped
 * where HAProxy is not installed ({@code .ci/run} installs Debian's package).
 */
@ExtendWith(VertxExtension.class)
class TrustedProxyThroughHaproxyTest {
  /** The balancer's address, as {@code HTTP_TRUSTED_PROXIES} would name it. */
  static final ClientAddress.Trusted TRUSTED = ClientAddress.Trusted.parse("127.0.0.1/32");

  HttpServer service;
  Haproxy haproxy;
  Path dir;
  int balancerPort;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    Assumptions.assumeTrue(Haproxy.unavailable().isEmpty(),
      () -> "skipped: " + Haproxy.unavailable().orElse("") + " (.ci/run installs it where apt-get can)");
    Router router = Router.router(vertx);
    router.get("/health/ready").handler(ctx -> ctx.response().end("UP"));
    // what the service makes of each request: the client it would count, and the header lines it got
    router.get("/who").handler(ctx -> ctx.json(new JsonObject()
      .put("client", ClientAddress.resolve(ctx.request().remoteAddress().hostAddress(),
        ctx.request().headers().getAll("X-Forwarded-For"), TRUSTED))
      .put("forwardedFor", new JsonArray(ctx.request().headers().getAll("X-Forwarded-For")))));
    service = Await.result(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    balancerPort = Ports.free();
    dir = Files.createTempDirectory("trusted-proxy");
    haproxy = Haproxy.start(dir, List.of(new Haproxy.Frontend("order", balancerPort, List.of(service.actualPort()))));
  }

  @AfterEach
  void stop() {
    if (haproxy != null) {
      haproxy.close();
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.io.IOException ignored) {
        // a temporary directory left behind
      }
    }
  }

  JsonObject who(Vertx vertx, String from, int port, String spoofed) {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setLocalAddress(from));
    try {
      var request = client.get(port, "127.0.0.1", "/who");
      if (spoofed != null) {
        request.putHeader("X-Forwarded-For", spoofed);
      }
      HttpResponse<?> response = Await.result(request.send());
      assertThat(response.statusCode()).isEqualTo(200);
      return response.bodyAsJsonObject();
    } finally {
      client.close();
    }
  }

  @Test
  void eachClientIsSeenByItsOwnAddressThroughTheBalancerAndNoneCanClaimAnother(Vertx vertx) {
    JsonObject a = who(vertx, "127.0.0.2", balancerPort, null);
    assertThat(a.getString("client")).isEqualTo("127.0.0.2");
    assertThat(a.getJsonArray("forwardedFor").encode()).as("the balancer named the client").contains("127.0.0.2");

    assertThat(who(vertx, "127.0.0.3", balancerPort, null).getString("client")).as("another client, another address")
      .isEqualTo("127.0.0.3");

    // a client that sends its own X-Forwarded-For: the balancer adds the real address after it, and that one counts
    JsonObject spoofing = who(vertx, "127.0.0.2", balancerPort, "6.6.6.6, 127.0.0.3");
    assertThat(spoofing.getJsonArray("forwardedFor").encode()).contains("6.6.6.6").contains("127.0.0.2");
    assertThat(spoofing.getString("client")).isEqualTo("127.0.0.2");
  }

  @Test
  void aClientThatReachesTheServiceDirectlyIsNotBelieved(Vertx vertx) {
    JsonObject direct = who(vertx, "127.0.0.2", service.actualPort(), "6.6.6.6");
    assertThat(direct.getJsonArray("forwardedFor").encode()).contains("6.6.6.6");
    assertThat(direct.getString("client")).isEqualTo("127.0.0.2");
  }
}
