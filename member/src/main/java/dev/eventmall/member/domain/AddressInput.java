package dev.eventmall.member.domain;

/** The editable fields of an address, already validated at the edge. */
public record AddressInput(String recipient, String phone, String zipCode, String line1, String line2, boolean isDefault) {
}
