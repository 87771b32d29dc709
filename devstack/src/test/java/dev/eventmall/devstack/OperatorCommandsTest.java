package dev.eventmall.devstack;

import dev.eventmall.common.config.Config;
import dev.eventmall.infra.Containers;
import dev.eventmall.member.MemberSettings;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.eventmall.devstack.ComposeConsistencyTest.ROOT;
import static dev.eventmall.devstack.ComposeConsistencyTest.compose;
import static dev.eventmall.devstack.ComposeConsistencyTest.env;
import static dev.eventmall.devstack.ComposeConsistencyTest.service;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The design's operator commands, verbatim, against docker-compose.yml:
 * <pre>
 *   docker-compose exec mysql-server mysqladmin ping -h localhost -u root -p1234
 *   docker-compose exec cassandra-node-0 cqlsh -e "describe cluster"
 *   docker-compose exec kafka1 kafka-topics --bootstrap-server localhost:9092 --list
 *   docker-compose logs -f &lt;service&gt;
 * </pre>
 * No Docker engine runs here, so the commands themselves cannot be run: this checks what they need from the files, on
 * the parsed compose model (and, where Debian's docker-compose is installed, on what {@code docker-compose config}
 * renders): the services by those names; the broker image putting {@code kafka-topics} on the PATH (its script run here
 * against a stand-in of Kafka's bin directory); a listener on port 9092 inside each broker, advertised under the
 * broker's compose name; the MySQL root password a variable whose default is 1234; the first ADMIN's variables.
 * Whether the images really contain mysqladmin, cqlsh and a shell, and whether /usr/local/bin is on the Kafka image's
 * PATH, is the images' business and needs an engine to see.
 */
class OperatorCommandsTest {
  static final List<String> COMMANDS = List.of(
    "docker-compose exec mysql-server mysqladmin ping -h localhost -u root -p1234",
    "docker-compose exec cassandra-node-0 cqlsh -e \"describe cluster\"",
    "docker-compose exec kafka1 kafka-topics --bootstrap-server localhost:9092 --list");
  static final List<String> BROKERS = List.of("kafka1", "kafka2", "kafka3");
  static final Pattern LISTENER = Pattern.compile("([A-Z_]+)://([^:,]*):(\\d+)");
  static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z_]+)(?::-([^}]*))?}");

  @Test
  @SuppressWarnings("unchecked")
  void theServicesTheCommandsNameExistAndEveryDependencyNamesOne() throws Exception {
    Map<String, Object> services = (Map<String, Object>) compose().get("services");
    assertThat(services).containsKeys("kafka1", "kafka2", "kafka3", "mysql-server", "cassandra-node-0")
      .containsKeys(ComposeConsistencyTest.SERVICES.keySet().toArray(String[]::new))
      .doesNotContainKeys("kafka-1", "kafka-2", "kafka-3", "mysql", "cassandra");
    services.forEach((name, spec) -> {
      Object dependsOn = ((Map<String, Object>) spec).get("depends_on");
      Iterable<String> needed = dependsOn instanceof Map<?, ?> map ? (Iterable<String>) map.keySet()
        : dependsOn == null ? List.of() : (List<String>) dependsOn;
      needed.forEach(dependency -> assertThat(services).as(name + " depends on").containsKey(dependency));
    });
    if (dockerComposeInstalled()) {
      String listed = dockerCompose(Map.of(), "--profile", "sandbox", "config", "--services");
      assertThat(listed.lines()).contains("kafka1", "kafka2", "kafka3", "mysql-server", "cassandra-node-0", "member",
        "payment", "delivery", "search", "catalog", "order");
    }
  }

  @Test
  void eachBrokerListensOn9092InsideAndAdvertisesItUnderItsComposeName() throws IOException {
    Map<String, Object> compose = compose();
    for (String broker : BROKERS) {
      Map<String, Object> service = service(compose, broker);
      Map<String, Object> env = env(service);
      assertThat(String.valueOf(service.get("hostname"))).isEqualTo(broker);
      Map<String, List<String>> listeners = listeners(String.valueOf(env.get("KAFKA_LISTENERS")));
      String name = listeners.entrySet().stream().filter(l -> l.getValue().get(1).equals("9092")).map(Map.Entry::getKey)
        .findFirst().orElseThrow(() -> new AssertionError(broker + " has no listener on 9092: " + listeners));
      // bound to every interface (or to localhost), so localhost:9092 inside the container reaches it
      assertThat(listeners.get(name).get(0)).as(broker + " " + name + " host").isIn("", "0.0.0.0", "localhost");
      assertThat(listeners(String.valueOf(env.get("KAFKA_ADVERTISED_LISTENERS"))).get(name))
        .as(broker + " advertises " + name).containsExactly(broker, "9092");
      assertThat(String.valueOf(env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"))).contains(name + ":PLAINTEXT");
      assertThat(String.valueOf(env.get("KAFKA_CONTROLLER_LISTENER_NAMES"))).isNotEqualTo(name);
      assertThat(String.valueOf(((Map<?, ?>) service.get("healthcheck")).get("test")))
        .contains("--bootstrap-server localhost:9092");
    }
    for (String name : ComposeConsistencyTest.SERVICES.keySet()) {
      assertThat(String.valueOf(env(service(compose, name)).get("KAFKA_BOOTSTRAP_SERVERS"))).as(name)
        .isEqualTo("kafka1:9092,kafka2:9092,kafka3:9092");
    }
  }

  /** NAME://host:port,... → NAME → {host, port}. */
  static Map<String, List<String>> listeners(String spec) {
    Map<String, List<String>> listeners = new LinkedHashMap<>();
    Matcher m = LISTENER.matcher(spec);
    while (m.find()) {
      listeners.put(m.group(1), List.of(m.group(2), m.group(3)));
    }
    assertThat(listeners).as(spec).isNotEmpty();
    return listeners;
  }

  @Test
  @SuppressWarnings("unchecked")
  void theBrokerImageIsApacheKafkaWithItsToolsOnThePath() throws IOException {
    Map<String, Object> compose = compose();
    for (String broker : BROKERS) {
      Map<String, Object> build = (Map<String, Object>) service(compose, broker).get("build");
      assertThat(build).as(broker + " is built from ops/kafka").isNotNull();
      assertThat(String.valueOf(build.get("context"))).isEqualTo("ops/kafka");
      assertThat(build).doesNotContainKey("dockerfile");
      assertThat(env(service(compose, broker))).doesNotContainKey("PATH");
      assertThat(service(compose, broker)).doesNotContainKeys("entrypoint", "command", "user");
    }
    List<String> dockerfile = Files.readAllLines(ROOT.resolve("ops/kafka/Dockerfile")).stream()
      .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    assertThat(dockerfile).contains("FROM " + Containers.KAFKA_IMAGE)
      .contains("RUN sh /tmp/tools-on-path.sh /opt/kafka/bin /usr/local/bin && rm /tmp/tools-on-path.sh");
    assertThat(dockerfile.stream().filter(l -> l.startsWith("FROM "))).hasSize(1);
    // the broker runs as the image's own user, not as the root the RUN needed
    assertThat(dockerfile.get(dockerfile.size() - 1)).isEqualTo("USER appuser");
    assertThat(String.valueOf(service(compose, "kafka1").get("image")))
      .isEqualTo("eventmall/kafka:" + Containers.KAFKA_IMAGE.substring(Containers.KAFKA_IMAGE.indexOf(':') + 1));
  }

  /**
   * ops/kafka/tools-on-path.sh, run on a stand-in of /opt/kafka/bin whose scripts find kafka-run-class.sh next to
   * {@code $0} as Kafka's do: the tool then runs under its short name from the PATH, with its arguments.
   */
  @Test
  void theToolsScriptMakesKafkaTopicsRunnableByName(@TempDir Path dir) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("opt/kafka/bin"));
    script(bin.resolve("kafka-run-class.sh"), "echo \"ran $*\"");
    script(bin.resolve("kafka-topics.sh"),
      "exec $(dirname $0)/kafka-run-class.sh org.apache.kafka.tools.TopicCommand \"$@\"");
    script(bin.resolve("kafka-consumer-groups.sh"),
      "exec $(dirname $0)/kafka-run-class.sh org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \"$@\"");
    Files.writeString(bin.resolve("kafka-run-class.bat"), "rem windows");
    Path path = dir.resolve("usr/local/bin");

    assertThat(run(Map.of(), "sh", ROOT.resolve("ops/kafka/tools-on-path.sh").toString(), bin.toString(),
      path.toString())).isEmpty();

    Map<String, String> env = Map.of("PATH", path + ":/usr/bin:/bin");
    assertThat(run(env, "sh", "-c", "kafka-topics \"$@\"", "sh", "--bootstrap-server", "localhost:9092", "--list"))
      .isEqualTo("ran org.apache.kafka.tools.TopicCommand --bootstrap-server localhost:9092 --list\n");
    assertThat(run(env, "sh", "-c", "kafka-consumer-groups --describe --group 'order service'"))
      .isEqualTo("ran org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --describe --group order service\n");
    try (var tools = Files.list(path)) {
      assertThat(tools.map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("kafka-topics", "kafka-consumer-groups", "kafka-run-class");
    }
  }

  static void script(Path file, String body) throws IOException {
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void mysqlServersRootPasswordIsAVariableWhoseSandboxDefaultIs1234() throws Exception {
    Map<String, Object> mysql = service(compose(), "mysql-server");
    assertThat(String.valueOf(mysql.get("image"))).startsWith("mysql:");
    assertThat(String.valueOf(env(mysql).get("MYSQL_ROOT_PASSWORD"))).isEqualTo("${MYSQL_ROOT_PASSWORD:-1234}");
    assertThat(interpolate(String.valueOf(env(mysql).get("MYSQL_ROOT_PASSWORD")), Map.of())).isEqualTo("1234");
    // the health check follows the variable, so a production password does not make MySQL look down
    assertThat(String.valueOf(((Map<String, Object>) mysql.get("healthcheck")).get("test")))
      .contains("-p$$MYSQL_ROOT_PASSWORD").doesNotContain("1234");
    if (dockerComposeInstalled()) {
      Map<String, String> unset = new HashMap<>();
      unset.put("MYSQL_ROOT_PASSWORD", null);
      assertThat(renderedEnv(unset, "mysql-server").get("MYSQL_ROOT_PASSWORD")).isEqualTo("1234");
      assertThat(renderedEnv(Map.of("MYSQL_ROOT_PASSWORD", "s3cret-root"), "mysql-server").get("MYSQL_ROOT_PASSWORD"))
        .isEqualTo("s3cret-root");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void cassandraNode0IsTheCassandraTheServicesUse() throws IOException {
    Map<String, Object> compose = compose();
    Map<String, Object> cassandra = service(compose, "cassandra-node-0");
    assertThat(String.valueOf(cassandra.get("image"))).startsWith("cassandra:");
    assertThat(String.valueOf(((Map<String, Object>) cassandra.get("healthcheck")).get("test"))).contains("cqlsh");
    assertThat(String.valueOf(env(service(compose, "catalog")).get("CASSANDRA_CONTACT_POINTS")))
      .isEqualTo("cassandra-node-0:9042");
    assertThat((Map<String, Object>) service(compose, "catalog").get("depends_on")).containsKey("cassandra-node-0");
  }

  /**
   * The first ADMIN: compose hands member ADMIN_EMAIL / ADMIN_PASSWORD / ADMIN_NAME; unset they make no account (and
   * do not stop member), set they are the account member seeds at start.
   */
  @Test
  void composePassesTheFirstAdminToMemberAndNoneWhenUnset() throws Exception {
    Map<String, Object> member = env(service(compose(), "member"));
    Map<String, String> unset = new HashMap<>();
    unset.put("ADMIN_EMAIL", null);
    unset.put("ADMIN_PASSWORD", null);
    unset.put("ADMIN_NAME", null);
    Map<String, String> given = Map.of("ADMIN_EMAIL", "Ops@Example.com", "ADMIN_PASSWORD", "a-long-admin-pass");
    assertThat(MemberSettings.from(Config.of(interpolated(member, unset))).adminSeed()).isEmpty();
    MemberSettings.AdminSeed seed = MemberSettings.from(Config.of(interpolated(member, given))).adminSeed()
      .orElseThrow(() -> new AssertionError("no ADMIN seed from " + given));
    assertThat(seed.email()).isEqualTo("ops@example.com");
    assertThat(seed.password()).isEqualTo("a-long-admin-pass");
    assertThat(seed.name()).isEqualTo("Administrator");
    if (dockerComposeInstalled()) {
      assertThat(MemberSettings.from(Config.of(renderedEnv(unset, "member"))).adminSeed()).isEmpty();
      assertThat(MemberSettings.from(Config.of(renderedEnv(given, "member"))).adminSeed()).contains(seed);
    }
  }

  @Test
  void theComposeFileAndTheOperationsGuideQuoteTheCommandsAsTheyRun() throws IOException {
    String composeFile = Files.readString(ROOT.resolve("docker-compose.yml"));
    String operations = Files.readString(ROOT.resolve("docs/operations.md"));
    for (String command : COMMANDS) {
      assertThat(composeFile).contains(command);
      assertThat(operations).contains(command);
    }
    assertThat(operations).contains("docker-compose logs -f order")
      .contains("ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD=");
  }

  // ------------------------------------------------------------------ compose's variable substitution

  /** {@code ${VAR:-default}} and {@code ${VAR}} as compose substitutes them (unset or empty: the default). */
  static String interpolate(String value, Map<String, String> environment) {
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String set = environment.get(m.group(1));
      String replacement = set != null && !set.isEmpty() ? set : m.group(2) == null ? "" : m.group(2);
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    return m.appendTail(out).toString();
  }

  static Map<String, String> interpolated(Map<String, Object> env, Map<String, String> environment) {
    Map<String, String> out = new HashMap<>();
    env.forEach((k, v) -> out.put(k, interpolate(String.valueOf(v), environment)));
    return out;
  }

  // ------------------------------------------------------------------ Debian's docker-compose, where installed

  static boolean dockerComposeInstalled() {
    return Files.isExecutable(Path.of("/usr/bin/docker-compose"));
  }

  /** A service's environment as {@code docker-compose config} renders it with {@code environment} (null: unset). */
  @SuppressWarnings("unchecked")
  static Map<String, String> renderedEnv(Map<String, String> environment, String service) throws Exception {
    Map<String, Object> rendered = new Yaml().load(dockerCompose(environment, "--profile", "sandbox", "config"));
    Map<String, Object> env = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) rendered
      .get("services")).get(service)).get("environment");
    Map<String, String> out = new HashMap<>();
    env.forEach((k, v) -> out.put(k, v == null ? null : String.valueOf(v)));
    return out;
  }

  static String dockerCompose(Map<String, String> environment, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("docker-compose"));
    command.addAll(List.of(args));
    return run(environment, command.toArray(String[]::new));
  }

  /** Runs a command in the repository root with {@code environment} applied (null values unset); its stdout. */
  static String run(Map<String, String> environment, String... command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile())
      .redirectError(ProcessBuilder.Redirect.INHERIT);
    environment.forEach((k, v) -> {
      if (v == null) {
        builder.environment().remove(k);
      } else {
        builder.environment().put(k, v);
      }
    });
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    return out;
  }
}
