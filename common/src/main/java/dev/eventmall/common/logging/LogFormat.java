package dev.eventmall.common.logging;

import ch.qos.logback.core.PropertyDefinerBase;

import java.util.Locale;

/**
 * {@code <define name="LOG_APPENDER" class="dev.eventmall.common.logging.LogFormat"/>}: the appender the shared
 * Logback configuration sends lines to, {@code JSON} or {@code TEXT}, from system property {@value #PROPERTY}, else env
 * {@value #ENV} ({@code json} or {@code text}, any case; unset means text). An unknown value falls back to text with a
 * warning on Logback's status output, rather than to an appender name that does not exist (which would log nothing).
 */
public class LogFormat extends PropertyDefinerBase {
  public static final String PROPERTY = "eventmall.log.format";
  public static final String ENV = "LOG_FORMAT";

  @Override
  public String getPropertyValue() {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank()) {
      value = System.getenv(ENV);
    }
    String format = value == null || value.isBlank() ? "text" : value.trim().toLowerCase(Locale.ROOT);
    if (!format.equals("json") && !format.equals("text")) {
      addWarn(ENV + "=" + value + " is neither json nor text; logging text");
      format = "text";
    }
    return format.toUpperCase(Locale.ROOT);
  }
}
