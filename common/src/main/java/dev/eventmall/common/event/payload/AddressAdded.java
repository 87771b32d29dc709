package dev.eventmall.common.event.payload;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

import static dev.eventmall.common.event.payload.EventPayload.required;
import static dev.eventmall.common.event.payload.EventPayload.requiredText;

/** {@code member.events} AddressAdded v1: a member added a shipping address; key = memberId. */
public record AddressAdded(String memberId, String addressId, String recipient, String phone, String zipCode,
                           String line1, String line2, @JsonProperty("isDefault") Boolean isDefault,
                           Instant addedAt) implements EventPayload {
  public AddressAdded {
    requiredText(memberId, "memberId");
    requiredText(addressId, "addressId");
    requiredText(recipient, "recipient");
    requiredText(phone, "phone");
    requiredText(zipCode, "zipCode");
    requiredText(line1, "line1");
    required(isDefault, "isDefault");
    required(addedAt, "addedAt");
  }
}
