package dev.eventmall.delivery.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Builds the carrier's {@code POST /v1/shipments} body from what OrderPlaced told us. */
public final class ShippingRequest {
  private ShippingRequest() {
  }

  /**
   * @param address OrderPlaced.shippingAddress {addressId, recipient, phone, zipCode, line1, line2?}
   * @param lines   OrderPlaced.lines [{productId, quantity, unitPrice}]
   */
  public static JsonObject of(String orderId, JsonObject address, JsonArray lines, String orderName) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < lines.size(); i++) {
      JsonObject line = lines.getJsonObject(i);
      String productId = line.getString("productId");
      items.add(new JsonObject().put("sku", productId)
        .put("name", lines.size() == 1 && orderName != null ? orderName : "product " + productId)
        .put("quantity", line.getInteger("quantity")));
    }
    JsonObject to = new JsonObject().put("zipCode", address.getString("zipCode")).put("line1", address.getString("line1"));
    if (address.getString("line2") != null) {
      to.put("line2", address.getString("line2"));
    }
    return new JsonObject()
      .put("orderId", orderId)
      .put("recipient", new JsonObject().put("name", address.getString("recipient")).put("phone", address.getString("phone")))
      .put("address", to)
      .put("items", items);
  }
}
