package dev.eventmall.common.logging;

import dev.eventmall.common.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.slf4j.spi.LoggingEventBuilder;
import org.slf4j.spi.NOPLoggingEventBuilder;

/**
 * What a log line is about — {@code traceId}, {@code spanId}, {@code requestId}, {@code orderId} — kept on the current
 * duplicated Vert.x context (a request's or an event's, the one Vert.x keeps the current OpenTelemetry span on) and read
 * when a line is logged, by {@link LogContextJsonProvider} (JSON lines) and {@link LogContextConverter} (text lines).
 *
 * <p>The fields of a request or an event handling start where Vert.x gives it a context of its own ({@link #begin()}:
 * {@code RequestId} for a request, {@code EventHandlers} for an event), kept in a context local
 * ({@link ContextLocals#LOG_FIELDS}); a context nothing began (a verticle's own, a timer's) has none, and setting a
 * field there does nothing, so a field never lands where every later callback of that event loop would see it.
 *
 * <p>Why not SLF4J's MDC: the MDC is a thread-local, and an event loop runs the callbacks of thousands of requests and
 * events interleaved on one thread; a value put in the MDC at a handler's start would still be there for the next
 * request's callback, and gone from this request's own database callback. Setting and clearing it around every handler
 * would have to wrap every callback Vert.x dispatches, which it has no hook for. The duplicated context is what Vert.x
 * itself carries across async hops (a future's callbacks run on the context that created it), so a field put there
 * follows the request or event through every callback and no further. Off a Vert.x thread (a JDBC worker, a Kafka
 * client thread) or on a context nothing began there is nothing: a line carries no such field rather than a wrong one.
 *
 * <p>A batch handler ({@code BatchHandler}) runs many orders of many traces in one context: its lines about one event
 * name their fields explicitly ({@link #about}), which take precedence over the context's.
 *
 * <p>{@link #span()} is the one place that reads "the current trace" for logging: the current OpenTelemetry span
 * ({@link Span#current()}, kept by Vert.x on the duplicated context), none when tracing is off.
 */
public final class LogContext {
  public static final String TRACE_ID = "traceId";
  public static final String SPAN_ID = "spanId";
  public static final String REQUEST_ID = "requestId";
  public static final String ORDER_ID = "orderId";

  /** The fields of one request or event handling; written and read on its context's thread only. */
  static final class Fields {
    String requestId;
    String orderId;
  }

  private LogContext() {
  }

  /** The current span for log lines (invalid outside one): the one place logging learns the current trace. */
  static SpanContext span() {
    return Span.current().getSpanContext();
  }

  /**
   * Starts the (empty) fields of the request or event handling the current context is for; call it where one begins, on
   * the context Vert.x made for it (a request's, an event message's), never on a verticle's own. Nothing off a Vert.x
   * thread.
   */
  public static void begin() {
    Context context = Vertx.currentContext();
    if (context != null) {
      context.putLocal(ContextLocals.LOG_FIELDS, new Fields());
    }
  }

  /** The current request's id (set by {@code RequestId}), or null. */
  public static String requestId() {
    Fields f = fields();
    return f == null ? null : f.requestId;
  }

  /** The current order id, or null. */
  public static String orderId() {
    Fields f = fields();
    return f == null ? null : f.orderId;
  }

  /** Makes {@code id} the request id of the lines logged from now on in this request; nothing outside one ({@link #begin}). */
  public static void requestId(String id) {
    Fields f = fields();
    if (f != null) {
      f.requestId = id;
    }
  }

  /** Makes {@code id} the order id of the lines logged from now on in this request or event handling. */
  public static void orderId(String id) {
    Fields f = fields();
    if (f != null) {
      f.orderId = id;
    }
  }

  /**
   * {@code line} with explicit fields for one event of a batch: {@code orderId} and, from {@code traceparent} (the
   * handling's span, {@code Consumed.span()}), {@code traceId} and {@code spanId}; null arguments are left out.
   * <pre>{@code LogContext.about(LOG.atInfo(), orderId, consumed.span()).log("order {}: {} -> {}", orderId, from, to);}</pre>
   */
  public static LoggingEventBuilder about(LoggingEventBuilder line, String orderId, String traceparent) {
    if (line instanceof NOPLoggingEventBuilder) {
      return line;  // the level is off: nothing to work out
    }
    if (orderId != null) {
      line.addKeyValue(ORDER_ID, orderId);
    }
    SpanContext span = Tracing.spanContext(traceparent);
    if (span.isValid()) {
      line.addKeyValue(TRACE_ID, span.getTraceId()).addKeyValue(SPAN_ID, span.getSpanId());
    }
    return line;
  }

  private static Fields fields() {
    Context context = Vertx.currentContext();
    return context == null ? null : context.getLocal(ContextLocals.LOG_FIELDS);
  }
}
