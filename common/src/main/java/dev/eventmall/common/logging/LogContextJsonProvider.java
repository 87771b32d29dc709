package dev.eventmall.common.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import net.logstash.logback.composite.AbstractJsonProvider;

import java.io.IOException;

/**
 * Writes {@code traceId}, {@code spanId}, {@code requestId} and {@code orderId} of the current {@link LogContext} as
 * top-level fields of a JSON line, each only when known. A field the event names itself (an SLF4J key-value pair) is
 * left to the encoder's key-value provider, so no field appears twice.
 */
public class LogContextJsonProvider extends AbstractJsonProvider<ILoggingEvent> {

  @Override
  public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
    String[] values = LogContextFields.values(event);
    for (int i = 0; i < values.length; i++) {
      String name = LogContextFields.NAMES[i];
      if (values[i] != null && !LogContextFields.explicit(event, name)) {
        generator.writeStringField(name, values[i]);
      }
    }
  }
}
