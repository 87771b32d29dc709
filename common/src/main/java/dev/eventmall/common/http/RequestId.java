package dev.eventmall.common.http;

import dev.eventmall.common.logging.LogContext;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Request id handler: accepts a sane incoming {@code X-Request-Id} (1-64 chars of {@code [A-Za-z0-9._:-]}) or generates
 * a UUID, echoes it in the response and stores it in the routing context under {@link #KEY} and in the request's
 * {@link LogContext} (every log line of the request carries it).
 */
public final class RequestId {

  public static final String HEADER = "X-Request-Id";
  public static final String KEY = "requestId";

  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final CharSequence HEADER_NAME = HttpHeaders.createOptimized(HEADER);

  private RequestId() {
  }

  /** Route handler: install first on the root router. */
  public static void handle(RoutingContext ctx) {
    String incoming = ctx.request().getHeader(HEADER_NAME);
    String id = incoming != null && SANE.matcher(incoming).matches() ? incoming : newId();
    ctx.put(KEY, id);
    // the request's own context (Vert.x makes one per request): its log fields start here
    LogContext.begin();
    LogContext.requestId(id);
    ctx.response().putHeader(HEADER_NAME, id);
    ctx.next();
  }

  /**
   * A random (version 4) UUID from {@link ThreadLocalRandom}: a request id only has to be unique enough to find log
   * lines, not unguessable, and {@link UUID#randomUUID()}'s SecureRandom costs a lock and microseconds per request.
   */
  static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  /** The request id of this request, or {@code "-"} when the handler did not run. */
  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }
}
