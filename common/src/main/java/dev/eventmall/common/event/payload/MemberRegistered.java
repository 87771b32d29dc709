package dev.eventmall.common.event.payload;

import java.time.Instant;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code member.events} MemberRegistered v1: a member account was created; key = memberId. */
public record MemberRegistered(String memberId, String email, String name, String role, Instant registeredAt)
  implements EventPayload {
  public MemberRegistered {
    requiredText(memberId, "memberId");
    requiredText(email, "email");
    requiredText(name, "name");
    requiredText(role, "role");
    required(registeredAt, "registeredAt");
  }
}
