package dev.eventmall.member.domain;

import java.util.UUID;
import java.util.regex.Pattern;

/** Identifiers are lower-case UUID strings. */
public final class Ids {
  private static final Pattern UUID_PATTERN =
    Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

  private Ids() {
  }

  public static String newId() {
    return UUID.randomUUID().toString();
  }

  /** Whether {@code id} is a canonical lower-case UUID. */
  public static boolean valid(String id) {
    return id != null && UUID_PATTERN.matcher(id).matches();
  }
}
