package dev.eventmall.member.messaging;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.member.domain.Address;
import dev.eventmall.member.domain.Member;
import io.vertx.core.json.JsonObject;

import static dev.eventmall.common.event.EventTypes.ADDRESS_ADDED;
import static dev.eventmall.common.event.EventTypes.MEMBER_REGISTERED;

/**
 * Builds the events member publishes on {@code member.events} (keyed by member id). Contracts:
 * {@code common/src/main/resources/events/MemberRegistered.v1.schema.json} and {@code AddressAdded.v1.schema.json}.
 * No password material ever goes into an event.
 */
public final class MemberEvents {

  private MemberEvents() {
  }

  public static EventEnvelope memberRegistered(Member m) {
    JsonObject payload = new JsonObject()
      .put("memberId", m.id())
      .put("email", m.email())
      .put("name", m.name())
      .put("role", m.role().name())
      .put("registeredAt", m.createdAt().toString());
    return EventEnvelope.of(MEMBER_REGISTERED, m.id(), payload);
  }

  public static EventEnvelope addressAdded(Address a) {
    JsonObject payload = new JsonObject()
      .put("memberId", a.memberId())
      .put("addressId", a.id())
      .put("recipient", a.recipient())
      .put("phone", a.phone())
      .put("zipCode", a.zipCode())
      .put("line1", a.line1());
    if (a.line2() != null) {
      payload.put("line2", a.line2());
    }
    payload.put("isDefault", a.isDefault()).put("addedAt", a.createdAt().toString());
    return EventEnvelope.of(ADDRESS_ADDED, a.memberId(), payload);
  }
}
