package dev.eventmall.common.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared Logback configuration (eventmall/logback-base.xml, what every service's logback.xml includes) writes what
 * {@code LOG_FORMAT} asks for, on standard output as the services do.
 */
class LogFormatTest {
  private static final String SERVICE_CONFIG = """
    <configuration>
      <property name="SERVICE" value="order"/>
      <include resource="eventmall/logback-base.xml"/>
    </configuration>
    """;

  @Test
  void jsonWritesOneJsonObjectPerLineNamingTheService() throws Exception {
    String out = logWith("json");
    assertThat(out.lines().filter(l -> l.contains("order 42 placed"))).as("written once, by one appender").hasSize(1);
    JsonObject line = new JsonObject(out.lines().filter(l -> l.contains("order 42 placed")).findFirst().orElseThrow());
    assertThat(line.getString("message")).isEqualTo("order 42 placed");
    assertThat(line.getString("level")).isEqualTo("INFO");
    assertThat(line.getString("logger_name")).isEqualTo("dev.eventmall.order.api.OrderApi");
    assertThat(line.getString("service")).isEqualTo("order");
    assertThat(line.getString("@timestamp")).isNotBlank();
  }

  @Test
  void formatIsCaseInsensitive() throws Exception {
    assertThat(logWith(" JSON ").lines().filter(l -> l.contains("order 42 placed")).findFirst().orElseThrow())
      .startsWith("{");
  }

  @Test
  void textIsTheDefaultAndWhatAnUnknownValueGets() throws Exception {
    for (String format : new String[] {null, "text", "yaml"}) {
      String out = logWith(format);
      assertThat(out.lines().filter(l -> l.contains("order 42 placed"))).as("written once").hasSize(1);
      String line = out.lines().filter(l -> l.contains("order 42 placed")).findFirst().orElseThrow();
      assertThat(line).as(String.valueOf(format)).doesNotStartWith("{")
        .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.*] .*OrderApi - order 42 placed");
    }
  }

  /** Logback prints its whole status list at start when it holds a warning: a valid setting must leave none. */
  @Test
  void aValidSettingLeavesNoWarningAndAnUnknownOneSaysSo() throws Exception {
    assertThat(worstStatusWith("json")).isLessThan(Status.WARN);
    assertThat(worstStatusWith("text")).isLessThan(Status.WARN);
    assertThat(worstStatusWith(null)).isLessThan(Status.WARN);
    assertThat(worstStatusWith("yaml")).isEqualTo(Status.WARN);
  }

  private static int worstStatusWith(String format) throws Exception {
    int[] worst = new int[1];
    logWith(format, context -> worst[0] = new StatusUtil(context).getHighestLevel(0));
    return worst[0];
  }

  /** What a service configured with LOG_FORMAT={@code format} prints for one INFO line (null: unset). */
  private static String logWith(String format) throws Exception {
    return logWith(format, context -> { });
  }

  private static String logWith(String format, java.util.function.Consumer<LoggerContext> inspect) throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    String previous = System.getProperty(LogFormat.PROPERTY);
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    try {
      if (format == null) {
        System.clearProperty(LogFormat.PROPERTY);
      } else {
        System.setProperty(LogFormat.PROPERTY, format);
      }
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      // from a file, as a service's logback.xml is read (a stream has no URL to watch, which Logback warns about)
      Path config = Files.createTempFile("logback", ".xml");
      Files.writeString(config, SERVICE_CONFIG);
      configurator.doConfigure(config.toFile());
      Files.delete(config);
      context.getLogger("dev.eventmall.order.api.OrderApi").info("order {} placed", 42);
      inspect.accept(context);
    } finally {
      context.stop();
      System.setOut(stdout);
      if (previous == null) {
        System.clearProperty(LogFormat.PROPERTY);
      } else {
        System.setProperty(LogFormat.PROPERTY, previous);
      }
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
