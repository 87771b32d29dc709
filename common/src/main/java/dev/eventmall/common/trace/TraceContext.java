package dev.eventmall.common.trace;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.internal.ContextInternal;
import io.vertx.ext.web.RoutingContext;

import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C trace context ({@code traceparent: 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>}) carried without an
 * OpenTelemetry propagator: the HTTP edge ({@code HttpBootstrap}: the request's span, a child of an incoming
 * traceparent) and the Kafka bridge ({@code EventHandlers}: the handling's span, a child of the event's) put the current
 * traceparent on the request's or the event's duplicated Vert.x context; {@code EventEnvelope.of/causedBy} and
 * {@code Outbox.append} give every event a span of its own in that trace (same trace id, new span id; the outbox row
 * remembers the current span as its parent), which the outbox relay copies into the Kafka header {@code traceparent}.
 * {@link Tracing} exports these very spans over OTLP when an endpoint is configured.
 *
 * <p>Ids come from {@link ThreadLocalRandom} (as OpenTelemetry's default id generator does): the W3C recommendation is
 * random, unique ids, not unguessable ones, and a SecureRandom per request costs a lock and a few microseconds.
 */
public final class TraceContext {
  public static final String HEADER = "traceparent";
  private static final Object KEY = TraceContext.class;
  private static final CharSequence HEADER_NAME = HttpHeaders.createOptimized(HEADER);
  private static final HexFormat HEX = HexFormat.of();
  private static final String ZERO_TRACE_ID = "0".repeat(32);
  private static final String ZERO_SPAN_ID = "0".repeat(16);

  private TraceContext() {
  }

  /** Whether {@code traceparent} is a version-00 W3C traceparent with non-zero ids. */
  public static boolean valid(String traceparent) {
    if (traceparent == null) {
      return false;
    }
    String t = traceparent.trim().toLowerCase(Locale.ROOT);
    return shaped(t) && !t.startsWith(ZERO_TRACE_ID, 3) && !t.startsWith(ZERO_SPAN_ID, 36);
  }

  /**
   * {@code 00-<32 hex>-<16 hex>-<2 hex>} in lower case, checked by hand: this runs for every event published and
   * handled, and the regular expression it replaces was 3 % of the services' CPU samples at load.
   */
  private static boolean shaped(String t) {
    if (t.length() != 55 || t.charAt(0) != '0' || t.charAt(1) != '0' || t.charAt(2) != '-' || t.charAt(35) != '-'
      || t.charAt(52) != '-') {
      return false;
    }
    for (int i = 3; i < 55; i++) {
      char c = t.charAt(i);
      if (i != 35 && i != 52 && !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** The trace id of a valid traceparent. */
  public static String traceId(String traceparent) {
    return traceparent.trim().toLowerCase(Locale.ROOT).substring(3, 35);
  }

  /** The span id of a valid traceparent. */
  public static String spanId(String traceparent) {
    return traceparent.trim().toLowerCase(Locale.ROOT).substring(36, 52);
  }

  /** A new trace (sampled). */
  public static String newTrace() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = random.nextLong();
    long low = nonZero(random.nextLong());
    return "00-" + HEX.toHexDigits(high) + HEX.toHexDigits(low) + "-" + spanId() + "-01";
  }

  /** A new span of {@code parent}'s trace (same trace id and flags, new span id); a new trace when it is not valid. */
  public static String child(String parent) {
    if (!valid(parent)) {
      return newTrace();
    }
    String p = parent.trim().toLowerCase(Locale.ROOT);
    return "00-" + p.substring(3, 35) + "-" + spanId() + "-" + p.substring(53, 55);
  }

  /** The traceparent of the current (duplicated) Vert.x context, or null. */
  public static String current() {
    Context context = Vertx.currentContext();
    return context instanceof ContextInternal internal && internal.isDuplicate() ? internal.getLocal(KEY) : null;
  }

  /**
   * Route handler (on the root router, first): the request's span is a child of a valid incoming {@code traceparent}
   * header (same trace id, new span id), or a new trace; it becomes the current traceparent of the request's context and
   * is stored in the routing context under {@link #HEADER}.
   */
  public static void handle(RoutingContext ctx) {
    String span = child(ctx.request().getHeader(HEADER_NAME));
    ctx.put(HEADER, span);
    setCurrent(span);
    ctx.next();
  }

  /**
   * Makes {@code traceparent} the current one of the current duplicated context (a request's or an event's); does
   * nothing on a non-duplicated context, which is shared by everything its event loop runs.
   */
  public static void setCurrent(String traceparent) {
    Context context = Vertx.currentContext();
    if (context instanceof ContextInternal internal && internal.isDuplicate()) {
      if (traceparent == null) {
        internal.removeLocal(KEY);
      } else {
        internal.putLocal(KEY, traceparent);
      }
    }
  }

  /** A child of the current traceparent, or null when there is none (events from timers, recovery, tests). */
  public static String childOfCurrent() {
    String current = current();
    return current == null ? null : child(current);
  }

  /**
   * The span id of the current traceparent when {@code traceparent} is another span of the same trace (a span made
   * inside the current one, such as an event appended while handling a request or an event), else null.
   */
  public static String parentInCurrent(String traceparent) {
    String current = current();
    if (!valid(current) || !valid(traceparent) || !traceId(current).equals(traceId(traceparent))
      || spanId(current).equals(spanId(traceparent))) {
      return null;
    }
    return spanId(current);
  }

  /** 16 lower-case hex digits, never all zeros (an invalid span id). */
  private static String spanId() {
    return HEX.toHexDigits(nonZero(ThreadLocalRandom.current().nextLong()));
  }

  private static long nonZero(long n) {
    return n == 0 ? 1 : n;
  }
}
