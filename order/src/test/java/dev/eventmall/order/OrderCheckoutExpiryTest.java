package dev.eventmall.order;

import dev.eventmall.common.event.Topics;
import dev.eventmall.common.testing.TopicReader;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16 row 7 (stock hoarding): one customer may hold at most ORDER_MAX_UNPAID_CHECKOUTS unpaid CHECKOUT orders, and
 * a CHECKOUT order still unpaid after ORDER_CHECKOUT_WINDOW_SECONDS is cancelled as the customer's cancel would be
 * (OrderCancelRequested, which makes catalog release its stock). Before: unlimited orders, each holding its stock for
 * ever.
 */
class OrderCheckoutExpiryTest extends OrderTestSupport {

  @Override
  Map<String, String> extraEnv() {
    return Map.of(OrderApp.MAX_UNPAID_CHECKOUTS, "2", OrderApp.CHECKOUT_WINDOW, "3", OrderApp.CHECKOUT_SWEEP_MS, "500");
  }

  @Test
  void unpaidCheckoutsAreCappedPerCustomerAndCancelledWhenTheWindowCloses() {
    String product = product("무선 이어폰", 129_000);
    String member = UUID.randomUUID().toString();
    String addressId = address(member);
    String token = customer(member);
    String first = placed(token, orderBody(addressId, "CHECKOUT", product, 1)).getString("orderId");
    String second = placed(token, orderBody(addressId, "CHECKOUT", product, 1)).getString("orderId");
    for (String orderId : new String[]{first, second}) {
      publish(Topics.CATALOG_STOCK, sagaEvent("StockReserved", orderId, new JsonObject().put("lines", new JsonArray()
        .add(new JsonObject().put("productId", product).put("quantity", 1))).put("reservedAt", Instant.now().toString())));
    }
    awaitStatus(first, token, "AWAITING_PAYMENT");
    awaitStatus(second, token, "AWAITING_PAYMENT");

    HttpResponse<Buffer> third = place(token, orderBody(addressId, "CHECKOUT", product, 1));
    assertProblem(third, 409);
    assertThat(third.bodyAsJsonObject().getString("type")).endsWith("/too-many-unpaid-orders");
    // paying by billing key is not capped
    assertThat(place(token, orderBody(addressId, "BILLING", product, 1)).statusCode()).isEqualTo(201);

    // the window closes: both are cancelled by the service, with the reason on the timeline and the event out
    awaitStatus(first, token, "CANCEL_REQUESTED");
    awaitStatus(second, token, "CANCEL_REQUESTED");
    assertThat(count("SELECT COUNT(*) AS n FROM order_timeline WHERE order_id = ? AND detail = ?", first,
      OrderService.CHECKOUT_EXPIRED)).isEqualTo(1);
    assertThat(published(Topics.ORDER_EVENTS).stream()
      .filter(r -> first.equals(r.key()) && "OrderCancelRequested".equals(TopicReader.type(r)))
      .map(r -> new JsonObject(r.value()).getString("id")).distinct()).as("OrderCancelRequested events of %s", first)
      .hasSize(1);
    // and the customer may check out again
    assertThat(place(token, orderBody(addressId, "CHECKOUT", product, 1)).statusCode()).isEqualTo(201);
  }
}
