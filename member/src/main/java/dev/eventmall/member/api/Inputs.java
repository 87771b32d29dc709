package dev.eventmall.member.api;

import dev.eventmall.common.http.ContractRoutes;
import dev.eventmall.common.http.ProblemException;
import dev.eventmall.common.http.Validation;
import dev.eventmall.member.domain.AddressInput;
import dev.eventmall.member.domain.Ids;
import dev.eventmall.member.domain.Passwords;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * What the member document ({@code openapi/member.yaml}) cannot say about a body it has already validated (types,
 * lengths, patterns, unknown fields): trimmed non-blank text under the text policy, passwords counted in code points.
 */
final class Inputs {

  static final int NAME_MAX = 100;

  private Inputs() {
  }

  /** A password of 8..128 characters that passes the text rule, taken as is (never trimmed); null when invalid. */
  static String newPassword(Validation v, String field) {
    String s = v.body().getString(field);
    int length = s.codePointCount(0, s.length());
    boolean ok = length >= Passwords.MIN_LENGTH && length <= Passwords.MAX_LENGTH;
    v.check(ok, field, "must be " + Passwords.MIN_LENGTH + " to " + Passwords.MAX_LENGTH + " characters");
    // the text rule too: a lone surrogate would hash as '?' (two passwords, one hash), and spaces, controls or
    // zero-width characters alone are no password (issue 16 rows 3 and 9)
    ok = ok && v.text(field, s);
    return ok ? s : null;
  }

  /** An e-mail address the document has matched, trimmed and lower-cased. */
  static String email(JsonObject body) {
    return body.getString("email").trim().toLowerCase(Locale.ROOT);
  }

  /** The fields of an address body; raises 422 listing every invalid field. */
  static AddressInput address(JsonObject body) {
    Validation v = Validation.of(body);
    String recipient = v.requiredString("recipient", 100);
    String phone = v.requiredString("phone", 20);
    String zipCode = v.requiredString("zipCode", 10);
    String line1 = v.requiredString("line1", 200);
    String line2 = v.optionalString("line2", 200);
    boolean isDefault = body.getBoolean("isDefault", false);
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

  /** A query parameter the document has typed as an integer, or {@code defaultValue} when absent. */
  static int queryInt(RoutingContext ctx, String name, int defaultValue) {
    var value = ContractRoutes.query(ctx, name);
    return value == null ? defaultValue : value.getInteger();
  }
}
