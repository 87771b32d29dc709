package dev.eventmall.delivery;

import dev.eventmall.common.db.ReadPools;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.ReplicaSet;
import dev.eventmall.emulators.carrier.CarrierConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delivery tracking ({@code GET /deliveries/{orderId}}) over a real MariaDB primary and a GTID replica of it
 * ({@code MYSQL_READ_URI}): served from the replica, from the primary for a read that names a position the replica has
 * not reached; the replica's lag on {@code /metrics}.
 */
class DeliveryReadReplicaTest extends DeliveryTestSupport {
  /** Started before the service is deployed on it, stopped after it is undeployed. */
  @RegisterExtension
  static final ReplicaSet REPLICAS = new ReplicaSet();

  @Override
  CarrierConfig carrierConfig() {
    return CarrierConfig.defaults();
  }

  @Override
  Map<String, String> settings() {
    Map<String, String> settings = new HashMap<>(REPLICAS.env());
    settings.put(DeliverySettings.POLL_INTERVAL_MS, "3600000");
    return settings;
  }

  @Test
  void trackingIsReadOnTheReplica() {
    REPLICAS.connect(vertx, "delivery");
    String orderId = newOrderId();
    String customer = customerToken(memberOf(orderId));

    REPLICAS.stopReplication();
    placeAndPay(orderId, "06236");
    Await.until("shipment on the primary", Duration.ofSeconds(20), () -> shipment(orderId) != null);

    assertThat(getDelivery(orderId, customer).statusCode()).as("the replica has not got the order yet").isEqualTo(404);
    String position = Await.result(db.query("SELECT @@GLOBAL.gtid_binlog_pos").execute()).iterator().next().getString(0);
    HttpResponse<Buffer> atPosition = Await.result(client.get("/deliveries/" + orderId)
      .bearerTokenAuthentication(customer).putHeader(ReadPools.TOKEN_HEADER, position).send());
    assertThat(atPosition.statusCode()).as("a read at the primary's position").isEqualTo(200);
    assertThat(atPosition.bodyAsJsonObject().getString("orderId")).isEqualTo(orderId);

    REPLICAS.startReplication();
    Await.until("the replica serves the delivery", Duration.ofSeconds(20),
      () -> getDelivery(orderId, customer).statusCode() == 200);
    assertThat(getDelivery(orderId, customer).bodyAsJsonObject().getString("status")).isNotBlank();

    Await.until("lag on /metrics", Duration.ofSeconds(10), () -> Await.result(client.get("/metrics").send())
      .bodyAsString().matches("(?s).*eventmall_mysql_replica_running\\{[^}]*database=\"delivery\"[^}]*\\} 1\\.0.*"));
    assertThat(Await.result(client.get("/metrics").send()).bodyAsString())
      .containsPattern("eventmall_mysql_replica_lag_seconds\\{[^}]*database=\"delivery\"[^}]*\\} [0-9.]+");
  }
}
