package dev.eventmall.search;

import dev.eventmall.common.ServiceDeployment;
import dev.eventmall.common.Shutdown;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.ConsumerGroupState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The search service stopped as SIGTERM stops it ({@link Shutdown}, what {@code ServiceMain}'s hook runs): readiness
 * answers 503 while every route still serves; then the server takes no new connection but a request that was in flight
 * (its body still arriving) finishes with its answer; its Kafka consumer has left its group the moment the stop
 * completes (no member waiting for the session timeout), and the port is closed.
 */
@Needs({Infra.KAFKA, Infra.REDIS})
class GracefulShutdownTest {
  static final Duration READINESS_DELAY = Duration.ofMillis(1500);

  Vertx vertx;
  Admin admin;
  String group;
  ServiceDeployment deployment;
  HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void deploy() {
    String run = UUID.randomUUID().toString().substring(0, 8);
    group = "search-shutdown-" + run;
    Metrics metrics = Metrics.create("search");
    vertx = metrics.newVertx(new VertxOptions());
    Config config = Config.of(Map.of(
      Config.KAFKA_BOOTSTRAP_SERVERS, TestInfra.kafka(),
      Config.REDIS_URL, TestInfra.redisUrl(),
      Config.HTTP_PORT, "0",
      Config.JWT_SECRET, "search-test-secret-0123456789-0123456789",
      SearchSettings.KEY_PREFIX, "search-shutdown:" + run + ":",
      SearchSettings.CONSUMER_GROUP, group,
      SearchSettings.HTTP_INSTANCES, "2"));
    deployment = Await.result(SearchApp.deploy(vertx, config, metrics), Duration.ofSeconds(60));
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.kafka()));
  }

  @AfterEach
  void close() {
    admin.close();
    vertx.close();
  }

  @Test
  void readinessTurns503WhileAnInFlightRequestFinishesAndTheConsumerLeavesItsGroup() throws Exception {
    int port = deployment.httpPort();
    Await.until("the indexer's consumer joined " + group, Duration.ofSeconds(30), () -> members() > 0);
    assertThat(ready(port).statusCode()).as("ready before the stop").isEqualTo(200);

    try (Socket inFlight = new Socket("127.0.0.1", port)) {
      inFlight.setSoTimeout(15_000);
      OutputStream out = inFlight.getOutputStream();
      // a search whose body is still on its way: the server has the request, not yet all of it
      out.write(("GET /search?q=shutdown HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        + "Content-Length: 8\r\n\r\nhalf").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(200);

      long began = System.nanoTime();
      CompletableFuture<Void> stopped = Shutdown.run("search", vertx, deployment,
        Shutdown.Options.defaults().readinessDelay(READINESS_DELAY));

      HttpResponse<String> ready = ready(port);
      assertThat(ready.statusCode()).as("readiness while stopping").isEqualTo(503);
      assertThat(new JsonObject(ready.body()).getString("status")).isEqualTo("DOWN");
      assertThat(ready(port).statusCode()).isEqualTo(503);
      assertThat(Duration.ofNanos(System.nanoTime() - began)).as("the 503s came before the drain began")
        .isLessThan(READINESS_DELAY);

      // past the readiness delay the drain has begun: no new connection is taken, the one in flight is kept
      Thread.sleep(Math.max(0, READINESS_DELAY.toMillis() + 500 - (System.nanoTime() - began) / 1_000_000));
      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).as("new connections while draining")
        .isInstanceOf(ConnectException.class);
      assertThat(stopped).as("the stop waits for the request in flight").isNotDone();
      out.write("done".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = readResponse(inFlight.getInputStream());
      assertThat(answer).startsWith("HTTP/1.1 200 OK");
      JsonObject body = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      assertThat(body.getLong("total")).isZero();
      assertThat(body.getJsonArray("items")).isEmpty();

      stopped.get(20, TimeUnit.SECONDS);
    }
    // right after the stop, not after a session timeout: the consumer left its group when it closed
    ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    assertThat(description.members()).as("members of " + group + " right after the stop").isEmpty();
    assertThat(description.state()).isEqualTo(ConsumerGroupState.EMPTY);
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).as("the port is closed")
      .isInstanceOf(ConnectException.class);
  }

  int members() {
    try {
      return admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().size();
    } catch (Exception e) {
      return 0;
    }
  }

  HttpResponse<String> ready(int port) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
      .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Status line, headers and a Content-Length body. */
  static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int headerEnd = -1;
    int contentLength = -1;
    byte[] buffer = new byte[8192];
    while (true) {
      String text = bytes.toString(StandardCharsets.UTF_8);
      if (headerEnd < 0 && (headerEnd = text.indexOf("\r\n\r\n")) >= 0) {
        for (String line : text.substring(0, headerEnd).split("\r\n")) {
          if (line.toLowerCase().startsWith("content-length:")) {
            contentLength = Integer.parseInt(line.substring(15).trim());
          }
        }
      }
      if (headerEnd >= 0 && contentLength >= 0 && bytes.size() >= headerEnd + 4 + contentLength) {
        return text;
      }
      int n = in.read(buffer);
      if (n < 0) {
        return text;
      }
      bytes.write(buffer, 0, n);
    }
  }
}
