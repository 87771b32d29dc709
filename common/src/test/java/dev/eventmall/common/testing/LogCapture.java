package dev.eventmall.common.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import dev.eventmall.common.logging.JsonLogEncoder;
import dev.eventmall.common.logging.LogContextConverter;
import io.vertx.core.json.JsonObject;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The JSON lines a logger (and its children) writes while open, encoded by the production encoder
 * ({@link JsonLogEncoder}, what {@code LOG_FORMAT=json} writes) on the logging thread, as the console appender does.
 * <pre>{@code
 * try (LogCapture access = LogCapture.json("eventmall.access")) {
 *   ... send a request ...
 *   JsonObject line = access.lines().get(0);
 * }
 * }</pre>
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final Logger logger;
  private final Level previousLevel;
  private final Encoder<ILoggingEvent> encoder;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<String> warnings = new CopyOnWriteArrayList<>();

  private LogCapture(Logger logger, Level level, Encoder<ILoggingEvent> encoder) {
    this.logger = logger;
    this.encoder = encoder;
    this.previousLevel = logger.getLevel();
    LoggerContext context = logger.getLoggerContext();
    setContext(context);
    setName("capture-" + logger.getName());
    encoder.setContext(context);
    encoder.start();
    start();
    if (level != null) {
      logger.setLevel(level);
    }
    logger.addAppender(this);
  }

  /** Captures what {@code loggerName} logs at its configured level. */
  public static LogCapture json(String loggerName) {
    return json(loggerName, null);
  }

  /** Captures what {@code loggerName} logs, its level set to {@code level} until {@link #close()}. */
  public static LogCapture json(String loggerName, Level level) {
    return new LogCapture((Logger) LoggerFactory.getLogger(loggerName), level, new JsonLogEncoder());
  }

  /**
   * Captures what {@code loggerName} logs as text lines of {@code pattern}, which may use the shared configuration's
   * {@code %logctx} ({@link LogContextConverter}).
   */
  public static LogCapture text(String loggerName, String pattern) {
    Logger logger = (Logger) LoggerFactory.getLogger(loggerName);
    PatternLayout layout = new PatternLayout();
    layout.getInstanceConverterMap().put("logctx", LogContextConverter::new);
    layout.setContext(logger.getLoggerContext());
    layout.setPattern(pattern);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setLayout(layout);
    return new LogCapture(logger, null, encoder);
  }

  @Override
  protected void append(ILoggingEvent event) {
    lines.add(new String(encoder.encode(event), StandardCharsets.UTF_8));
    if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
      warnings.add(event.getLoggerName() + ": " + event.getFormattedMessage());
    }
  }

  /** What was logged at WARN or above so far, each as {@code logger: message}. */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** The lines so far as written, each with its line end. */
  public List<String> raw() {
    return List.copyOf(lines);
  }

  /** The JSON lines so far, parsed. */
  public List<JsonObject> lines() {
    return lines.stream().map(JsonObject::new).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    logger.setLevel(previousLevel);
    stop();
    encoder.stop();
  }
}
