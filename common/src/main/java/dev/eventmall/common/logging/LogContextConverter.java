package dev.eventmall.common.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %logctx} in a text pattern: the line's {@link LogContext} fields as {@code [trace=… req=… order=…]}, only those
 * known ({@code ""} when none), so text lines (devstack, tests) can be matched with JSON ones by the same ids.
 */
public class LogContextConverter extends ClassicConverter {
  private static final String[] LABELS = {"trace=", null, "req=", "order="};

  @Override
  public String convert(ILoggingEvent event) {
    String[] values = LogContextFields.values(event);
    StringBuilder out = null;
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null || LABELS[i] == null) {
        continue;
      }
      out = out == null ? new StringBuilder(" [") : out.append(' ');
      out.append(LABELS[i]).append(values[i]);
    }
    return out == null ? "" : out.append(']').toString();
  }
}
