package dev.eventmall.payment;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.testing.Await;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** A crash between "Toss charged" and "row DONE" leaves a CHARGING row; the next start resolves it without charging again. */
class PaymentRecoveryTest extends PaymentTestSupport {

  @Test
  void aChargingRowLeftByACrashIsResolvedAtStartupWithoutASecondCharge() {
    String memberId = memberWithCard(GOOD_CARD);
    JsonObject key = row("SELECT billing_key, customer_key FROM billing_keys WHERE member_id = ?", memberId);
    String orderId = newOrderId();
    // the state a crash leaves: the CHARGING row committed, Toss charged (same Idempotency-Key), the answer lost
    Await.result(db.preparedQuery("INSERT INTO payments (payment_id, order_id, member_id, amount, method, order_name, "
        + "status, created_at, updated_at) VALUES (?, ?, ?, 6000, 'BILLING', 'Crashed order', 'CHARGING', NOW(6), NOW(6))")
      .execute(Tuple.of(UUID.randomUUID().toString(), orderId, memberId)));
    HttpResponse<Buffer> charged = atToss("/v1/billing/" + key.getString("billing_key"), "charge:" + orderId,
      new JsonObject().put("customerKey", key.getString("customer_key")).put("amount", 6000)
        .put("orderId", orderId).put("orderName", "Crashed order"));
    assertThat(charged.statusCode()).as(charged.bodyAsString()).isEqualTo(200);
    assertThat(toss.charges(orderId)).hasSize(1);

    // restart the service
    Await.shutDown(deployment.undeploy(vertx));
    client.close();
    deployment = Await.result(PaymentApp.deploy(vertx, config, Metrics.create("payment-test-restart")),
      Duration.ofSeconds(120));
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(deployment.httpPort()));

    awaitStatus(orderId, "DONE");
    EventEnvelope completed = awaitPaymentEvent(orderId, "PaymentCompleted");
    assertThat(completed.payload().getLong("amount")).isEqualTo(6000L);
    assertThat(toss.charges(orderId)).hasSize(1);
    assertThat(payment(orderId).getString("payment_key")).isEqualTo(charged.bodyAsJsonObject().getString("paymentKey"));
  }
}
