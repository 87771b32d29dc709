package dev.eventmall.common.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

import java.util.Locale;

/**
 * The switch between the shared configuration's two appenders: {@code <filter class="…LogFormat"><format>json</format>
 * </filter>} lets an appender write only when it is the chosen format, from system property {@value #PROPERTY}, else
 * env {@value #ENV} ({@code json} or {@code text}, any case; unset means text). An unknown value falls back to text
 * with a warning on Logback's status output (printed at start), rather than to no output at all.
 *
 * <p>A filter on each appender rather than an {@code appender-ref} chosen by a variable: Logback warns at every start
 * about an appender that is declared but not referenced, and prints its whole status list with that warning.
 */
public class LogFormat extends Filter<ILoggingEvent> {
  public static final String PROPERTY = "eventmall.log.format";
  public static final String ENV = "LOG_FORMAT";

  private String format = "text";
  private boolean chosen;

  /** The format this filter's appender writes: {@code json} or {@code text}. */
  public void setFormat(String format) {
    this.format = format.trim().toLowerCase(Locale.ROOT);
  }

  @Override
  public void start() {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank()) {
      value = System.getenv(ENV);
    }
    String wanted = value == null || value.isBlank() ? "text" : value.trim().toLowerCase(Locale.ROOT);
    if (!wanted.equals("json") && !wanted.equals("text")) {
      if (format.equals("text")) {
        addWarn(ENV + "=" + value + " is neither json nor text; logging text");
      }
      wanted = "text";
    }
    chosen = wanted.equals(format);
    super.start();
  }

  @Override
  public FilterReply decide(ILoggingEvent event) {
    return chosen ? FilterReply.NEUTRAL : FilterReply.DENY;
  }
}
