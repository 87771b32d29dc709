package dev.eventmall.order.api;

import dev.eventmall.common.http.ProblemException;
import dev.eventmall.common.http.Validation;
import dev.eventmall.order.domain.LineRequest;
import dev.eventmall.order.domain.PaymentMethod;
import dev.eventmall.order.domain.PlaceOrder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Edge validation of order requests: types, ranges and sizes, before anything is looked up or stored. */
final class OrderRequests {
  static final int MAX_LINES = 50;
  static final int MAX_QUANTITY = 100;
  private static final Set<String> ORDER_FIELDS = Set.of("lines", "addressId", "paymentMethod");
  private static final Set<String> LINE_FIELDS = Set.of("productId", "quantity");
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,100}");

  private OrderRequests() {
  }

  /** {@code {lines:[{productId, quantity}], addressId, paymentMethod}}; 422 listing every field error. */
  static PlaceOrder placeOrder(Validation v, String memberId) {
    JsonObject body = v.body();
    for (String field : body.fieldNames()) {
      v.check(ORDER_FIELDS.contains(field), field, "is not a field of an order request");
    }
    List<LineRequest> lines = lines(v, body.getValue("lines"));
    String addressId = v.uuid("addressId");
    PaymentMethod method = v.enumValue("paymentMethod", PaymentMethod.class);
    v.done();
    return new PlaceOrder(memberId, lines, addressId, method);
  }

  private static List<LineRequest> lines(Validation v, Object value) {
    List<LineRequest> lines = new ArrayList<>();
    if (value == null) {
      v.check(false, "lines", "is required");
      return lines;
    }
    if (!(value instanceof JsonArray array)) {
      v.check(false, "lines", "must be an array");
      return lines;
    }
    if (array.isEmpty() || array.size() > MAX_LINES) {
      v.check(false, "lines", "must have between 1 and " + MAX_LINES + " lines");
      return lines;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      String at = "lines[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject line)) {
        v.check(false, at, "must be an object");
        continue;
      }
      for (String field : line.fieldNames()) {
        v.check(LINE_FIELDS.contains(field), at + "." + field, "unitPrice".equals(field) || "price".equals(field)
          ? "is not accepted: prices are set by the server" : "is not a field of an order line");
      }
      Validation lv = Validation.of(line);
      String productId = lv.uuid("productId"); // canonical lower case: the duplicate check below sees one id once
      int quantity = lv.intInRange("quantity", 1, MAX_QUANTITY);
      if (!lv.valid()) {
        try {
          lv.done();
        } catch (ProblemException e) {
          JsonArray errors = (JsonArray) e.problem().extensions().get("errors");
          for (Object o : errors) {
            JsonObject err = (JsonObject) o;
            v.check(false, at + "." + err.getString("field"), err.getString("message"));
          }
        }
        continue;
      }
      v.check(seen.add(productId), at + ".productId", "appears in more than one line");
      lines.add(new LineRequest(productId, quantity));
    }
    return lines;
  }

  /** The optional {@code Idempotency-Key} header: 1..100 visible ASCII characters; 400 otherwise. */
  static String idempotencyKey(String header) {
    if (header == null) {
      return null;
    }
    if (!IDEMPOTENCY_KEY.matcher(header).matches()) {
      throw ProblemException.of(400, "invalid-idempotency-key", "Invalid Idempotency-Key",
        "Idempotency-Key must be 1 to 100 visible ASCII characters");
    }
    return header;
  }

  /** {@code {reason?}} for a cancel; an empty body is fine. */
  static String cancelReason(io.vertx.ext.web.RoutingContext ctx) {
    if (ctx.body().buffer() == null || ctx.body().buffer().length() == 0) {
      return "requested by the customer";
    }
    Validation v = Validation.of(ctx);
    for (String field : v.body().fieldNames()) {
      v.check("reason".equals(field), field, "is not a field of a cancel request");
    }
    String reason = v.optionalString("reason", 1000);
    v.done();
    return reason == null ? "requested by the customer" : reason;
  }
}
