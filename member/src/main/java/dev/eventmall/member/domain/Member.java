package dev.eventmall.member.domain;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** A member account. The password hash never leaves the service: {@link #toJson()} omits it. */
public record Member(String id, String email, String passwordHash, String name, Role role, Instant createdAt,
                     Instant updatedAt) {

  /** The public view (GET /members/me, sign-up answer). */
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("email", email).put("name", name).put("role", role.name())
      .put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString());
  }
}
