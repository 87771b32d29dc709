package dev.eventmall.common.http;

import io.vertx.ext.web.RoutingContext;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Request id handler: accepts a sane incoming {@code X-Request-Id} (1-64 chars of {@code [A-Za-z0-9._:-]}) or generates
 * a UUID, echoes it in the response and stores it in the routing context under {@link #KEY} for log lines.
 */
public final class RequestId {

  public static final String HEADER = "X-Request-Id";
  public static final String KEY = "requestId";

  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  private RequestId() {
  }

  /** Route handler: install first on the root router. */
  public static void handle(RoutingContext ctx) {
    String incoming = ctx.request().getHeader(HEADER);
    String id = incoming != null && SANE.matcher(incoming).matches() ? incoming : UUID.randomUUID().toString();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }

  /** The request id of this request, or {@code "-"} when the handler did not run. */
  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }
}
