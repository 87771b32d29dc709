package dev.eventmall.common.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.opentelemetry.api.trace.SpanContext;
import org.slf4j.event.KeyValuePair;

import java.util.List;

/**
 * The {@link LogContext} fields of one log event, resolved on the thread that logs it: Logback's console appender
 * encodes a line on the calling thread, which is the event loop running the request's or event's context. (An
 * {@code AsyncAppender} would encode on its own thread, where there is no Vert.x context: its lines would carry only
 * the fields given explicitly. Do not wrap these appenders in one.)
 */
final class LogContextFields {
  static final String[] NAMES = {LogContext.TRACE_ID, LogContext.SPAN_ID, LogContext.REQUEST_ID, LogContext.ORDER_ID};

  /** Index in {@link #NAMES} / {@link #values}. */
  static final int TRACE = 0;
  static final int SPAN = 1;
  static final int REQUEST = 2;
  static final int ORDER = 3;

  private LogContextFields() {
  }

  /** Whether {@code event} names field {@code name} itself (SLF4J key-value pairs, as {@link LogContext#about} adds). */
  static boolean explicit(ILoggingEvent event, String name) {
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        if (name.equals(pair.key)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The fields of {@code event}: the ones it names itself, else the current context's; null where neither has one.
   * Explicit fields win because a batch handler's context belongs to no single order or trace.
   */
  static String[] values(ILoggingEvent event) {
    String[] values = new String[NAMES.length];
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        for (int i = 0; i < NAMES.length; i++) {
          if (NAMES[i].equals(pair.key) && pair.value != null) {
            values[i] = String.valueOf(pair.value);
          }
        }
      }
    }
    if (values[TRACE] == null && values[SPAN] == null) {
      SpanContext span = LogContext.span();
      if (span.isValid()) {
        values[TRACE] = span.getTraceId();
        values[SPAN] = span.getSpanId();
      }
    }
    if (values[REQUEST] == null) {
      values[REQUEST] = LogContext.requestId();
    }
    if (values[ORDER] == null) {
      values[ORDER] = LogContext.orderId();
    }
    return values;
  }
}
