package dev.eventmall.common.http;

import dev.eventmall.common.logging.LogContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One INFO line per HTTP request on logger {@value #LOGGER} (route or silence it apart: {@code ACCESS_LOG_LEVEL=OFF}),
 * written when the response has been sent: {@code method}, {@code path}, {@code status}, {@code durationMs},
 * {@code bytes} (response body bytes written), {@code requestId}, {@code traceId} as key-value pairs (top-level fields
 * of a JSON line), and {@code "POST /orders 201 12 ms 345 B"} as the message; {@code aborted=true} when the
 * connection closed before the response was complete.
 *
 * <p>What it leaves out on purpose: the query string (tokens and keys travel there at times), every header
 * ({@code Authorization}, cookies) and every body (passwords, card data). A request whose logger is off at its start costs
 * one level check: no end handler, no clock read, no formatting.
 */
public final class AccessLog {
  public static final String LOGGER = "eventmall.access";
  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  private AccessLog() {
  }

  /** Route handler: on the root router right after {@link RequestId#handle}. */
  public static void handle(RoutingContext ctx) {
    if (LOG.isInfoEnabled()) {
      long start = System.nanoTime();
      // the request's SERVER span (tracing on): Vert.x ends it, and takes it off the context, before the end handlers run
      SpanContext span = Span.current().getSpanContext();
      ctx.addEndHandler(ended -> log(ctx, start, ended.failed(), span));
    }
    ctx.next();
  }

  private static void log(RoutingContext ctx, long start, boolean aborted, SpanContext span) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    String method = request.method().name();
    String path = request.path();
    int status = response.getStatusCode();
    long durationMs = (System.nanoTime() - start) / 1_000_000;
    long bytes = response.bytesWritten();
    LoggingEventBuilder line = LOG.atInfo()
      .addKeyValue("method", method)
      .addKeyValue("path", path)
      .addKeyValue("status", status)
      .addKeyValue("durationMs", durationMs)
      .addKeyValue("bytes", bytes)
      .addKeyValue(LogContext.REQUEST_ID, RequestId.of(ctx));
    if (span.isValid()) {
      line.addKeyValue(LogContext.TRACE_ID, span.getTraceId()).addKeyValue(LogContext.SPAN_ID, span.getSpanId());
    }
    if (aborted) {
      line.addKeyValue("aborted", true);
    }
    // the message is formatted by Logback only when an appender writes it
    line.log("{} {} {} {} ms {} B", method, path, status, durationMs, bytes);
  }
}
