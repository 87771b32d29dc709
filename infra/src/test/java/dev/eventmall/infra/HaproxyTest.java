package dev.eventmall.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HAProxy as devstack's {@code --replicas} runs it, in front of two plain HTTP backends standing in for replicas: it
 * spreads requests over both, passes method, body and headers through unchanged, takes a replica whose readiness
 * answers 503 out of the rotation (and back when it is 200 again), and sends nothing to a replica that died. Skipped
 * when HAProxy is not installed ({@code .ci/run} installs Debian's package).
 */
class HaproxyTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Backend> backends = new ArrayList<>();
  private Haproxy haproxy;
  private Path dir;
  private int port;

  /** A stand-in replica: {@code /health/ready} answers {@code ready}; any other request is echoed with its name. */
  static final class Backend {
    final String name;
    final HttpServer server;
    final AtomicInteger ready = new AtomicInteger(200);
    final AtomicInteger served = new AtomicInteger();
    final AtomicReference<String> lastRequest = new AtomicReference<>();

    Backend(String name) throws IOException {
      this.name = name;
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/health/ready", exchange -> {
        exchange.sendResponseHeaders(ready.get(), -1);
        exchange.close();
      });
      server.createContext("/", exchange -> {
        served.incrementAndGet();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
        lastRequest.set(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + headers.get("x-request-id")
            + " " + headers.get("traceparent") + " " + headers.get("idempotency-key") + " "
            + headers.get("authorization") + " " + body);
        byte[] answer = name.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
      });
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }
  }

  @BeforeEach
  void start() throws IOException {
    Assumptions.assumeTrue(Haproxy.unavailable().isEmpty(),
        () -> "skipped: " + Haproxy.unavailable().orElse("") + " (.ci/run installs it where apt-get can)");
    backends.add(new Backend("replica-1"));
    backends.add(new Backend("replica-2"));
    port = Ports.free();
    dir = Files.createTempDirectory("haproxy-test");
    haproxy = Haproxy.start(dir, List.of(new Haproxy.Frontend("order", port,
        backends.stream().map(Backend::port).toList())));
  }

  @AfterEach
  void stop() {
    if (haproxy != null) {
      haproxy.close();
    }
    backends.forEach(b -> b.server.stop(0));
    if (dir != null) {
      WorkDirs.deleteRecursively(dir);
    }
  }

  @Test
  void spreadsRequestsOverTheReplicasAndPassesThemThroughUnchanged() throws Exception {
    Map<String, Integer> answeredBy = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      URI uri = URI.create("http://127.0.0.1:" + port + "/orders?x=" + i);
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
          .header("X-Request-Id", "req-" + i)
          .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
          .header("Idempotency-Key", "key-" + i).header("Authorization", "Bearer token-" + i)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + i + ",\"name\":\"무선 이어폰\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      answeredBy.merge(r.body(), 1, Integer::sum);
      Backend backend = backends.stream().filter(b -> b.name.equals(r.body())).findFirst().orElseThrow();
      assertEquals("POST /orders?x=" + i + " req-" + i + " 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 key-"
          + i + " Bearer token-" + i + " {\"n\":" + i + ",\"name\":\"무선 이어폰\"}", backend.lastRequest.get());
    }
    assertEquals(Map.of("replica-1", 5, "replica-2", 5), answeredBy, "round robin over both replicas");
    assertTrue(Files.readString(haproxy.config()).contains("option httpchk GET /health/ready"));
  }

  @Test
  void aReplicaWhoseReadinessIs503LeavesTheRotationAndComesBackAndADeadOneGetsNothing() throws Exception {
    Backend draining = backends.get(0);
    Backend other = backends.get(1);
    draining.ready.set(503);
    // 2 failed checks, 1 s apart (then 500 ms), take it out
    awaitOnly(other, Duration.ofSeconds(10));
    draining.ready.set(200);
    awaitBoth(Duration.ofSeconds(10));
    // a replica that dies: its connections are refused; HAProxy sends those requests to the other, then marks it down
    draining.server.stop(0);
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = get();
      assertEquals(200, r.statusCode(), "request " + i + " after a replica died");
      assertEquals(other.name, r.body());
    }
  }

  @Test
  void theErrorsHaproxyAnswersItselfAreMarkedAndAReplicasAnswersAreNot() throws Exception {
    HttpResponse<String> served = get();
    assertEquals(200, served.statusCode());
    assertEquals(java.util.Optional.empty(), served.headers().firstValue("X-Answered-By"), "a replica's answer");
    backends.forEach(b -> b.server.stop(0));
    HttpResponse<String> none = get();
    assertEquals(503, none.statusCode(), none.body());
    assertEquals(java.util.Optional.of("haproxy"), none.headers().firstValue("X-Answered-By"));
    assertEquals("no replica is up", none.body());
  }

  /**
   * The configuration proposed for compose ({@code ops/haproxy/haproxy.cfg}) is one HAProxy accepts
   * ({@code haproxy -c}) and balances every service on its port, health-checked on readiness.
   */
  @Test
  void theComposeConfigurationIsValidAndCoversEveryService() throws Exception {
    Path config = Path.of(System.getProperty("user.dir")).resolve("../ops/haproxy/haproxy.cfg").normalize();
    Process check = new ProcessBuilder(Haproxy.binary().orElseThrow().toString(), "-c", "-f", config.toString())
        .redirectErrorStream(true).start();
    String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, check.waitFor(), "haproxy -c -f " + config + ":\n" + output);
    String text = Files.readString(config);
    Map<String, Integer> services = Map.of("member", 8081, "payment", 8082, "delivery", 8083, "search", 8084,
        "catalog", 8085, "order", 8086);
    services.forEach((service, servicePort) -> {
      assertTrue(text.contains("frontend " + service + "\n  bind :" + servicePort + "\n"), service + " frontend");
      assertTrue(text.contains("server-template " + service + "- 4 " + service + ":" + servicePort),
          service + " backend");
    });
    assertTrue(text.contains("option httpchk GET /health/ready") && text.contains("http-check expect status 200"));
  }

  private void awaitOnly(Backend backend, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    int inARow = 0;
    while (inARow < 6) {
      assertTrue(System.nanoTime() < deadline, "only " + backend.name + " answers within " + timeout);
      inARow = get().body().equals(backend.name) ? inARow + 1 : 0;
      Thread.sleep(50);
    }
  }

  private void awaitBoth(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      assertTrue(System.nanoTime() < deadline, "both replicas answer again within " + timeout);
      String first = get().body();
      String second = get().body();
      if (!first.equals(second)) {
        return;
      }
      Thread.sleep(200);
    }
  }

  private HttpResponse<String> get() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders")).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
