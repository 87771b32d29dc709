package dev.eventmall.member.api;

import dev.eventmall.common.http.ProblemException;
import dev.eventmall.common.http.Validation;
import dev.eventmall.member.domain.AddressInput;
import dev.eventmall.member.domain.Ids;
import dev.eventmall.member.domain.Passwords;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Pattern;

/** Edge validation helpers the common {@link Validation} does not have. */
final class Inputs {

  static final int NAME_MAX = 100;
  static final int MAX_PAGE_SIZE = 100;
  static final int DEFAULT_PAGE_SIZE = 20;
  private static final Pattern PHONE = Pattern.compile("^\\+?[0-9][0-9 ()-]{3,19}$");
  private static final Pattern ZIP = Pattern.compile("^[0-9A-Za-z][0-9A-Za-z -]{1,9}$");

  static final java.util.Set<String> ADDRESS_FIELDS =
    java.util.Set.of("recipient", "phone", "zipCode", "line1", "line2", "isDefault");

  private Inputs() {
  }

  /** A password of 8..128 characters that passes the text rule, taken as is (never trimmed); null when invalid. */
  static String newPassword(Validation v, String field) {
    Object raw = v.body().getValue(field);
    if (raw == null) {
      v.check(false, field, "is required");
      return null;
    }
    if (!(raw instanceof String s)) {
      v.check(false, field, "must be a string");
      return null;
    }
    int length = s.codePointCount(0, s.length());
    boolean ok = length >= Passwords.MIN_LENGTH && length <= Passwords.MAX_LENGTH;
    v.check(ok, field, "must be " + Passwords.MIN_LENGTH + " to " + Passwords.MAX_LENGTH + " characters");
    // the text rule too: a lone surrogate would hash as '?' (two passwords, one hash), and spaces, controls or
    // zero-width characters alone are no password (issue 16 rows 3 and 9)
    ok = ok && v.text(field, s);
    return ok ? s : null;
  }

  /** A presented password: a non-empty string of at most 128 characters (longer ones cannot match any account). */
  static String presentedPassword(Validation v, String field) {
    Object raw = v.body().getValue(field);
    if (raw == null) {
      v.check(false, field, "is required");
      return null;
    }
    if (!(raw instanceof String s)) {
      v.check(false, field, "must be a string");
      return null;
    }
    v.check(!s.isEmpty() && s.length() <= Passwords.MAX_LENGTH, field, "must be 1 to 128 characters");
    return s;
  }

  /** An optional boolean (default false). */
  static boolean optionalBoolean(Validation v, String field) {
    Object raw = v.body().getValue(field);
    if (raw == null) {
      return false;
    }
    v.check(raw instanceof Boolean, field, "must be a boolean");
    return Boolean.TRUE.equals(raw);
  }

  /** The fields of an address body; raises 422 listing every invalid field. */
  static AddressInput address(RoutingContext ctx) {
    Validation v = Validation.of(ctx);
    v.onlyFields(ADDRESS_FIELDS, "an address"); // refused like every other endpoint's unknown fields (issue 16 row 14)
    String recipient = v.requiredString("recipient", 100);
    String phone = v.requiredString("phone", 20);
    if (phone != null) {
      v.check(PHONE.matcher(phone).matches(), "phone", "must be a phone number (digits, spaces, +, -, parentheses)");
    }
    String zipCode = v.requiredString("zipCode", 10);
    if (zipCode != null) {
      v.check(ZIP.matcher(zipCode).matches(), "zipCode", "must be 2 to 10 letters, digits, spaces or hyphens");
    }
    String line1 = v.requiredString("line1", 200);
    String line2 = v.optionalString("line2", 200);
    boolean isDefault = optionalBoolean(v, "isDefault");
    v.done();
    return new AddressInput(recipient, phone, zipCode, line1, line2 == null || line2.isEmpty() ? null : line2, isDefault);
  }

  /** A path id: anything but a canonical UUID cannot name a resource, so it is a 404. */
  static String pathId(RoutingContext ctx, String param) {
    String id = ctx.pathParam(param);
    if (!Ids.valid(id)) {
      throw ProblemException.notFound("No such resource");
    }
    return id;
  }

  /** A non-negative int query parameter with a default, bounded by {@code max}; 400 otherwise. */
  static int queryInt(RoutingContext ctx, String name, int defaultValue, int min, int max) {
    String raw = ctx.queryParams().get(name);
    if (raw == null || raw.isBlank()) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(raw.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw ProblemException.badRequest("Query parameter '" + name + "' must be an integer between " + min + " and " + max);
  }
}
