package dev.eventmall.member.domain;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** A shipping address, always owned by one member. */
public record Address(String id, String memberId, String recipient, String phone, String zipCode, String line1,
                      String line2, boolean isDefault, Instant createdAt, Instant updatedAt) {

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("recipient", recipient).put("phone", phone)
      .put("zipCode", zipCode).put("line1", line1);
    json.put("line2", line2);
    return json.put("isDefault", isDefault).put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString());
  }
}
