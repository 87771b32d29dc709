package dev.eventmall.order;

import dev.eventmall.common.db.ReadPools;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.ReplicaSet;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Order over a real MariaDB primary and a GTID replica of it ({@code MYSQL_READ_URI}): {@code GET /orders/{id}},
 * {@code /orders} and the timeline read the replica; right after its own {@code POST /orders} a client that echoes
 * {@value ReadPools#TOKEN_HEADER} gets its order even while the replica has not got it.
 */
class OrderReadReplicaTest extends OrderTestSupport {
  /** Started before the service is deployed on it, stopped after it is undeployed. */
  @RegisterExtension
  static final ReplicaSet REPLICAS = new ReplicaSet();

  @Override
  Map<String, String> extraEnv() {
    return REPLICAS.env();
  }

  @Test
  void theClientsOwnOrderIsThereRightAfterItsPostWhileOtherReadsServeTheReplica() {
    REPLICAS.connect(vertx, "orders");
    String member = UUID.randomUUID().toString();
    String token = customer(member);
    String productId = product("Replica speaker", 30_000);
    String addressId = address(member);

    REPLICAS.stopReplication();
    HttpResponse<Buffer> placed = place(token, orderBody(addressId, "BILLING", productId, 1));
    assertThat(placed.statusCode()).as(placed.bodyAsString()).isEqualTo(201);
    String orderId = placed.bodyAsJsonObject().getString("orderId");
    String readAfter = placed.getHeader(ReadPools.TOKEN_HEADER);
    assertThat(readAfter).as("POST /orders answers with the primary's GTID position").matches("\\d+-\\d+-\\d+.*");

    // the replica has not got the order: a read without the token is served there, and does not find it
    assertThat(get("/orders/" + orderId, token).statusCode()).isEqualTo(404);
    assertThat(get("/orders", token).bodyAsJsonObject().getLong("total")).isZero();
    // the client's own read after its POST: never older than its write (the primary answers)
    HttpResponse<Buffer> own = read("/orders/" + orderId, token, readAfter);
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.bodyAsJsonObject().getString("orderId")).isEqualTo(orderId);
    HttpResponse<Buffer> timeline = read("/orders/" + orderId + "/timeline", token, readAfter);
    assertThat(timeline.statusCode()).isEqualTo(200);
    assertThat(timeline.bodyAsJsonObject().getJsonArray("items")).isNotEmpty();
    assertThat(read("/orders", token, readAfter).bodyAsJsonObject().getLong("total")).isEqualTo(1);

    REPLICAS.startReplication();
    Await.until("the replica serves the order", Duration.ofSeconds(20),
      () -> get("/orders/" + orderId, token).statusCode() == 200);
    assertThat(get("/orders/" + orderId + "/timeline", token).bodyAsJsonObject().getJsonArray("items")).isNotEmpty();

    // replicating: the next POST's read with its token is answered (the replica waits for the position)
    HttpResponse<Buffer> second = place(token, orderBody(addressId, "BILLING", productId, 2));
    assertThat(second.statusCode()).isEqualTo(201);
    String secondId = second.bodyAsJsonObject().getString("orderId");
    assertThat(read("/orders/" + secondId, token, second.getHeader(ReadPools.TOKEN_HEADER)).statusCode())
      .isEqualTo(200);

    // the lag is sampled every 200 ms here: the replica may serve the order before the next sample sees it running
    java.util.function.Supplier<String> scrape = () -> Await.result(client.get("/metrics").send()).bodyAsString();
    Await.until("the scrape shows the replica running with a lag", Duration.ofSeconds(10), () -> {
      String text = scrape.get();
      return text.matches("(?s).*eventmall_mysql_replica_lag_seconds\\{[^}]*database=\"orders\"[^}]*\\} [0-9.]+\n.*")
        && text.matches("(?s).*eventmall_mysql_replica_running\\{[^}]*database=\"orders\"[^}]*\\} 1\\.0\n.*");
    });
  }

  private HttpResponse<Buffer> read(String path, String token, String readAfter) {
    return Await.result(client.get(path).bearerTokenAuthentication(token)
      .putHeader(ReadPools.TOKEN_HEADER, readAfter).send());
  }
}
