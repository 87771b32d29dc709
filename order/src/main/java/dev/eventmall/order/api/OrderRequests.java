package dev.eventmall.order.api;

import dev.eventmall.common.http.Validation;
import dev.eventmall.order.domain.LineRequest;
import dev.eventmall.order.domain.PaymentMethod;
import dev.eventmall.order.domain.PlaceOrder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Order requests read from bodies that {@code openapi/order.yaml} has already validated (types, ranges, sizes, unknown
 * fields); what stays here is what a schema cannot say: ids in canonical lower case, no product twice, text policy.
 */
final class OrderRequests {

  private OrderRequests() {
  }

  /** {@code {lines:[{productId, quantity}], addressId, paymentMethod}}; 422 when a product is on two lines. */
  static PlaceOrder placeOrder(JsonObject body, String memberId) {
    Validation v = Validation.of(body);
    JsonArray array = body.getJsonArray("lines");
    List<LineRequest> lines = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      JsonObject line = array.getJsonObject(i);
      // canonical lower case: the duplicate check sees one id once (issue 16 row 4)
      String productId = line.getString("productId").toLowerCase(Locale.ROOT);
      v.check(seen.add(productId), "lines[" + i + "].productId", "appears in more than one line");
      lines.add(new LineRequest(productId, line.getInteger("quantity")));
    }
    v.done();
    return new PlaceOrder(memberId, lines, body.getString("addressId").toLowerCase(Locale.ROOT),
      PaymentMethod.valueOf(body.getString("paymentMethod")));
  }

  /** {@code {reason?}} for a cancel; no body is fine; a blank reason or one the text policy refuses is 422. */
  static String cancelReason(JsonObject body) {
    if (body == null) {
      return "requested by the customer";
    }
    Validation v = Validation.of(body);
    String reason = v.optionalString("reason", 1000);
    v.done();
    return reason == null ? "requested by the customer" : reason;
  }
}
