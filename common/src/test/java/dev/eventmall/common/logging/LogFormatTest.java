package dev.eventmall.common.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

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
      String line = logWith(format).lines().filter(l -> l.contains("order 42 placed")).findFirst().orElseThrow();
      assertThat(line).as(String.valueOf(format)).doesNotStartWith("{")
        .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.*] .*OrderApi - order 42 placed");
    }
  }

  /** What a service configured with LOG_FORMAT={@code format} prints for one INFO line (null: unset). */
  private static String logWith(String format) throws Exception {
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
      configurator.doConfigure(new ByteArrayInputStream(SERVICE_CONFIG.getBytes(StandardCharsets.UTF_8)));
      context.getLogger("dev.eventmall.order.api.OrderApi").info("order {} placed", 42);
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
