package dev.eventmall.common.logging;

import net.logstash.logback.encoder.LogstashEncoder;

/**
 * The platform's JSON log line: logstash-logback-encoder's standard fields ({@code @timestamp}, {@code level},
 * {@code logger_name}, {@code thread_name}, {@code message}, {@code stack_trace}, SLF4J key-value pairs as top-level
 * fields) plus the {@link LogContext} fields ({@code traceId}, {@code spanId}, {@code requestId}, {@code orderId}).
 * One JSON object per line. The shared Logback configuration ({@code eventmall/logback-base.xml}) uses it when
 * {@code LOG_FORMAT=json}; tests build the same encoder to read what operators would see.
 */
public class JsonLogEncoder extends LogstashEncoder {

  public JsonLogEncoder() {
    addProvider(new LogContextJsonProvider());
    setIncludeKeyValuePairs(true);
  }
}
