package dev.eventmall.order;

import dev.eventmall.common.event.Topics;
import dev.eventmall.common.testing.Await;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Overload: with a saga budget of 2, a third order while two are still in the saga is refused at once with 503 and a
 * retry hint, stores nothing, and orders are admitted again by themselves once the saga has moved the others on.
 */
class OrderAdmissionTest extends OrderTestSupport {

  @Override
  Map<String, String> extraEnv() {
    return Map.of(OrderApp.SAGA_BUDGET, "2");
  }

  @Test
  void beyondTheBudgetAPostIsRefusedFastWithRetryAfterAndAdmittedAgainOnceTheSagaMovesOn() throws Exception {
    String product = product("무선 이어폰", 129_000);
    String member = UUID.randomUUID().toString();
    String addressId = address(member);
    String first = placed(customer(member), orderBody(addressId, "BILLING", product, 1)).getString("orderId");
    String second = placed(customer(member), orderBody(addressId, "BILLING", product, 1)).getString("orderId");
    Thread.sleep(3 * SagaAdmission.SAMPLE_MS); // the two are counted

    String refusedMember = UUID.randomUUID().toString();
    String refusedAddress = address(refusedMember);
    double shedBefore = counter("orders.shed");
    long started = System.nanoTime();
    HttpResponse<Buffer> refused = place(customer(refusedMember), orderBody(refusedAddress, "BILLING", product, 1));
    long tookMs = (System.nanoTime() - started) / 1_000_000;

    assertProblem(refused, 503);
    assertThat(refused.bodyAsJsonObject().getString("detail")).contains("retry in");
    long retryAfterMs = Long.parseLong(refused.getHeader("Retry-After-Ms"));
    assertThat(retryAfterMs).isBetween(100L, 5_000L);
    assertThat(Long.parseLong(refused.getHeader("Retry-After"))).isEqualTo((retryAfterMs + 999) / 1000);
    assertThat(tookMs).as("refused before any work (a generous bound for a noisy machine)").isLessThan(2_000);
    assertThat(counter("orders.shed")).isEqualTo(shedBefore + 1);
    assertNothingStoredFor(refusedMember);

    // the saga moves both on (catalog rejects them): the door opens again by itself
    for (String orderId : new String[]{first, second}) {
      publish(Topics.CATALOG_STOCK, sagaEvent("StockRejected", orderId, new JsonObject().put("reason",
        "insufficient stock").put("lines", new JsonArray().add(new JsonObject().put("productId", product)
        .put("requested", 1).put("available", 0))).put("rejectedAt", java.time.Instant.now().toString())));
    }
    awaitStatus(first, customer(member), "REJECTED");
    awaitStatus(second, customer(member), "REJECTED");
    Await.until("admitted again", Duration.ofSeconds(10),
      () -> place(customer(refusedMember), orderBody(refusedAddress, "BILLING", product, 1)).statusCode() == 201);
  }

  void assertNothingStoredFor(String member) {
    assertThat(count("SELECT COUNT(*) AS n FROM orders WHERE member_id = ?", member)).isZero();
    assertThat(count("SELECT COUNT(*) AS n FROM outbox WHERE envelope LIKE ?", "%" + member + "%")).isZero();
    assertThat(published(Topics.ORDER_EVENTS)).as("events published for %s", member)
      .noneMatch(r -> r.value().contains(member));
  }
}
