package dev.eventmall.devstack;

import dev.eventmall.common.trace.Tracing;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml, the Prometheus configuration, the MySQL init script and the Grafana provisioning agree with the
 * services' configuration (ports, variables, database names), without a Docker engine. docker-compose.yml is valid
 * against the official Compose Specification JSON schema (vendored in {@code ops/compose-spec/}) on every machine;
 * where Debian's docker-compose or Prometheus' promtool are installed ({@code .ci/run} installs them when it can), they
 * validate the files too.
 */
class ComposeConsistencyTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  /** service → (port, MySQL database or null): the seed's table (ARCHITECTURE.md). */
  static final Map<String, Object[]> SERVICES = Map.of(
    "member", new Object[] {8081, "member"},
    "payment", new Object[] {8082, "payment"},
    "delivery", new Object[] {8083, "delivery"},
    "search", new Object[] {8084, null},
    "catalog", new Object[] {8085, "catalog"},
    "order", new Object[] {8086, "orders"});
  /** Variables every service gets (common Config). */
  static final List<String> COMMON_ENV = List.of("KAFKA_BOOTSTRAP_SERVERS", "CASSANDRA_CONTACT_POINTS",
    "CASSANDRA_LOCAL_DC", "REDIS_URL", "TOSS_BASE_URL", "TOSS_SECRET_KEY", "CARRIER_BASE_URL", "CARRIER_API_KEY",
    "JWT_SECRET", "JWT_ACCESS_TTL_SECONDS", "HTTP_BODY_LIMIT_BYTES", "HTTP_HOST", "HTTP_PORT", "OTEL_EXPORTER_OTLP_ENDPOINT",
    "CORS_ALLOWED_ORIGINS", "LOG_FORMAT", "KAFKA_TOPIC_PARTITIONS");

  @SuppressWarnings("unchecked")
  static Map<String, Object> compose() throws IOException {
    return new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> service(Map<String, Object> compose, String name) {
    Map<String, Object> services = (Map<String, Object>) compose.get("services");
    assertThat(services).as("compose services").containsKey(name);
    return (Map<String, Object>) services.get(name);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> env(Map<String, Object> service) {
    return (Map<String, Object>) service.get("environment");
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyServiceHasItsPortItsDatabaseEveryVariableAndAHealthCheck() throws IOException {
    Map<String, Object> compose = compose();
    String mysqlInit = Files.readString(ROOT.resolve("ops/mysql/init.sql"));
    String haproxyConfig = Files.readString(ROOT.resolve("ops/haproxy/haproxy.cfg"));
    Map<String, Object> haproxy = service(compose, "haproxy");
    assertThat(String.valueOf(haproxy.get("volumes")))
      .contains("./ops/haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro");
    String haproxyAddress = String.valueOf(((Map<String, Object>) ((Map<String, Object>) haproxy.get("networks"))
      .get("default")).get("ipv4_address"));
    assertThat(haproxyAddress).isEqualTo("172.28.0.10");
    for (Map.Entry<String, Object[]> e : SERVICES.entrySet()) {
      String name = e.getKey();
      int port = (Integer) e.getValue()[0];
      String database = (String) e.getValue()[1];
      Map<String, Object> service = service(compose, name);
      Map<String, Object> env = env(service);
      assertThat(env).as(name + " environment").containsKeys(COMMON_ENV.toArray(String[]::new));
      assertThat(String.valueOf(env.get("HTTP_PORT"))).as(name).isEqualTo(Integer.toString(port));
      // compose waits this long after SIGTERM before SIGKILL: the service's whole graceful stop must fit
      String grace = String.valueOf(service.get("stop_grace_period"));
      assertThat(grace).as(name + " stop_grace_period").matches("\\d+s");
      assertThat(java.time.Duration.ofSeconds(Long.parseLong(grace.substring(0, grace.length() - 1))))
        .as(name + " stop_grace_period").isGreaterThanOrEqualTo(dev.eventmall.common.Shutdown.Options.defaults().total());
      // replicas behind the balancer: the service publishes no port, haproxy publishes it and balances its replicas
      assertThat(service.get("ports")).as(name + " publishes no port of its own").isNull();
      assertThat(String.valueOf(((Map<String, Object>) service.get("deploy")).get("replicas"))).as(name)
        .isEqualTo("${SERVICE_REPLICAS:-2}");
      assertThat((List<String>) service(compose, "haproxy").get("ports")).as(name).contains(port + ":" + port);
      assertThat(haproxyConfig).as(name).contains("bind :" + port + "\n")
        .contains("server-template " + name + "- 4 " + name + ":" + port + "\n");
      assertThat(String.valueOf(env.get("HTTP_TRUSTED_PROXIES"))).as(name).isEqualTo(haproxyAddress);
      if (database != null) {
        assertThat(String.valueOf(env.get("MYSQL_URI"))).as(name)
          .matches("mysql://eventmall:.*@mysql-server:3306/" + database);
        assertThat(mysqlInit).contains("CREATE DATABASE IF NOT EXISTS " + database + ";")
          .contains("ON " + database + ".* TO 'eventmall'");
      }
      for (String broker : String.valueOf(env.get("KAFKA_BOOTSTRAP_SERVERS")).split(",")) {
        String host = broker.substring(0, broker.indexOf(':'));
        assertThat(String.valueOf(env(service(compose, host)).get("KAFKA_LISTENERS")))
          .contains("INTERNAL://:" + broker.substring(broker.indexOf(':') + 1));
      }
      assertThat(String.valueOf(env.get("REDIS_URL"))).isEqualTo("redis://redis:6379");
      assertThat(String.valueOf(env.get("CASSANDRA_CONTACT_POINTS"))).isEqualTo("cassandra-node-0:9042");
      assertThat(String.valueOf(((Map<String, Object>) service.get("healthcheck")).get("test")))
        .contains("dev.eventmall.common.http.HealthProbe");
      Map<String, Object> dependsOn = (Map<String, Object>) service.get("depends_on");
      assertThat(dependsOn).as(name + " waits for Kafka").containsKeys("kafka1", "kafka2", "kafka3");
      dependsOn.values().forEach(c -> assertThat(String.valueOf(c)).contains("service_healthy"));
      Map<String, Object> build = (Map<String, Object>) service.get("build");
      assertThat(String.valueOf(((Map<String, Object>) build.get("args")).get("SERVICE"))).isEqualTo(name);
      assertThat(ROOT.resolve(name).resolve("pom.xml")).exists();
    }
    String dockerfile = Files.readString(ROOT.resolve("ops/Dockerfile"));
    assertThat(dockerfile).contains("COPY ${SERVICE}/target/${SERVICE}.jar");
  }

  /**
   * The storefront: on 8080, told the services' URLs as a browser on the host reaches them (their published ports), and
   * every service allows its origin.
   */
  @Test
  @SuppressWarnings("unchecked")
  void theStorefrontPointsTheBrowserAtThePublishedPortsAndTheServicesAllowItsOrigin() throws IOException {
    Map<String, Object> compose = compose();
    Map<String, Object> storefront = service(compose, "storefront");
    assertThat((List<String>) storefront.get("ports")).contains("8080:8080");
    Map<String, Object> env = env(storefront);
    for (Map.Entry<String, Object[]> e : SERVICES.entrySet()) {
      assertThat(String.valueOf(env.get(e.getKey().toUpperCase() + "_URL"))).as(e.getKey())
        .endsWith("localhost:" + e.getValue()[0] + "}");
      assertThat(String.valueOf(env(service(compose, e.getKey())).get("CORS_ALLOWED_ORIGINS")))
        .contains("http://localhost:8080");
    }
    assertThat(String.valueOf(env.get("TOSS_SDK_URL"))).contains("/v2/standard");
    assertThat(ROOT.resolve("storefront/pom.xml")).exists();
  }

  @Test
  void kafkaIsThreeKraftBrokersWithRf3MinIsr2AndHostListeners() throws IOException {
    Map<String, Object> compose = compose();
    for (int i = 1; i <= 3; i++) {
      Map<String, Object> env = env(service(compose, "kafka" + i));
      assertThat(String.valueOf(env.get("KAFKA_NODE_ID"))).isEqualTo(Integer.toString(i));
      assertThat(String.valueOf(env.get("KAFKA_PROCESS_ROLES"))).isEqualTo("broker,controller");
      assertThat(String.valueOf(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")))
        .isEqualTo("1@kafka1:9093,2@kafka2:9093,3@kafka3:9093");
      assertThat(String.valueOf(env.get("KAFKA_DEFAULT_REPLICATION_FACTOR"))).isEqualTo("3");
      assertThat(String.valueOf(env.get("KAFKA_MIN_INSYNC_REPLICAS"))).isEqualTo("2");
      assertThat(String.valueOf(env.get("KAFKA_NUM_PARTITIONS"))).isEqualTo("3");
      int hostPort = 19091 + i;
      assertThat(String.valueOf(env.get("KAFKA_ADVERTISED_LISTENERS")))
        .contains("INTERNAL://kafka" + i + ":9092").contains("EXTERNAL://localhost:" + hostPort);
      assertThat(String.valueOf(service(compose, "kafka" + i).get("ports"))).contains(hostPort + ":" + hostPort);
    }
  }

  /** The broker count is a setting: the profile brokers-6 adds kafka4-6, broker-only nodes of the same cluster. */
  @Test
  void theProfileBrokers6AddsThreeBrokerOnlyNodesToTheSameCluster() throws IOException {
    Map<String, Object> compose = compose();
    Map<String, Object> first = env(service(compose, "kafka1"));
    for (int i = 4; i <= 6; i++) {
      Map<String, Object> broker = service(compose, "kafka" + i);
      Map<String, Object> env = env(broker);
      assertThat(String.valueOf(broker.get("profiles"))).isEqualTo("[brokers-6]");
      assertThat(String.valueOf(env.get("KAFKA_NODE_ID"))).isEqualTo(Integer.toString(i));
      assertThat(String.valueOf(env.get("KAFKA_PROCESS_ROLES"))).as("not a controller").isEqualTo("broker");
      assertThat(String.valueOf(env.get("KAFKA_LISTENERS"))).doesNotContain("CONTROLLER");
      for (String same : List.of("CLUSTER_ID", "KAFKA_CONTROLLER_QUORUM_VOTERS", "KAFKA_CONTROLLER_LISTENER_NAMES",
        "KAFKA_MIN_INSYNC_REPLICAS", "KAFKA_DEFAULT_REPLICATION_FACTOR")) {
        assertThat(env.get(same)).as(same).isEqualTo(first.get(same));
      }
      int hostPort = 19091 + i;
      assertThat(String.valueOf(env.get("KAFKA_ADVERTISED_LISTENERS")))
        .isEqualTo("INTERNAL://kafka" + i + ":9092,EXTERNAL://localhost:" + hostPort);
      assertThat(String.valueOf(broker.get("ports"))).contains(hostPort + ":" + hostPort);
      assertThat(String.valueOf(broker.get("volumes"))).contains("kafka-" + i + ":");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void prometheusScrapesEveryServiceAndGrafanaIsProvisioned() throws IOException {
    Map<String, Object> prometheus = new Yaml().load(Files.readString(ROOT.resolve("ops/prometheus/prometheus.yml")));
    String scrape = String.valueOf(prometheus.get("scrape_configs"));
    // every replica: found through Docker's DNS by the service's name, labelled service=<name>
    SERVICES.forEach((name, spec) -> assertThat(scrape).contains("{names=[" + name + "], type=A, port=" + spec[0] + "}"));
    assertThat(scrape).contains("source_labels=[__meta_dns_name], target_label=service");
    Map<String, Object> datasources = new Yaml().load(
      Files.readString(ROOT.resolve("ops/grafana/provisioning/datasources/prometheus.yml")));
    assertThat(String.valueOf(datasources.get("datasources"))).contains("uid=prometheus").contains("http://prometheus:9090");
    JsonObject dashboard = new JsonObject(Files.readString(ROOT.resolve("ops/grafana/dashboards/eventmall.json")));
    assertThat(dashboard.getJsonArray("panels")).isNotEmpty();
    dashboard.getJsonArray("panels").forEach(p -> assertThat(((JsonObject) p).getJsonObject("datasource")
      .getString("uid")).isEqualTo("prometheus"));
    Map<String, Object> compose = compose();
    assertThat(String.valueOf(service(compose, "emulators").get("profiles"))).contains("sandbox");
  }

  @Test
  void spansGoToTheOptionalCollectorOnlyWhenAnEndpointIsGiven() throws IOException {
    Map<String, Object> compose = compose();
    for (String name : SERVICES.keySet()) {
      // empty unless the operator sets it: Config reads a blank value as unset, so no exporter
      assertThat(String.valueOf(env(service(compose, name)).get(Tracing.OTEL_EXPORTER_OTLP_ENDPOINT))).as(name)
        .isEqualTo("${OTEL_EXPORTER_OTLP_ENDPOINT:-}");
    }
    Map<String, Object> jaeger = service(compose, "jaeger");
    assertThat(String.valueOf(jaeger.get("profiles"))).contains("tracing");
    assertThat(String.valueOf(jaeger.get("ports"))).contains("4318:4318").contains("16686:16686");
    // Jaeger v2 receives OTLP without a switch (v1's COLLECTOR_OTLP_ENABLED is not read any more)
    assertThat(String.valueOf(jaeger.get("image"))).startsWith("jaegertracing/jaeger:2.");
    assertThat(Files.readString(ROOT.resolve("docker-compose.yml")))
      .contains("OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4318 docker compose --profile tracing up -d");
  }

  /** The Compose Specification schema (draft-07), validated as the event schemas are ({@code EventSchemas}). */
  static Validator composeSpec() throws IOException {
    JsonObject schema = new JsonObject(Files.readString(ROOT.resolve("ops/compose-spec/compose-spec.json")));
    return Validator.create(JsonSchema.of(schema), new JsonSchemaOptions().setDraft(Draft.DRAFT7)
      .setBaseUri("https://github.com/compose-spec/compose-spec/schema/").setOutputFormat(OutputFormat.Basic));
  }

  /** The violations of {@code document} against the Compose Specification, empty when it is valid. */
  static List<String> violations(Validator spec, Map<String, Object> document) {
    OutputUnit result = spec.validate(new JsonObject(Json.encode(document)));
    if (Boolean.TRUE.equals(result.getValid())) {
      return List.of();
    }
    List<OutputUnit> errors = result.getErrors() == null ? List.of(result) : result.getErrors();
    return errors.stream().map(e -> e.getInstanceLocation() + ": " + e.getError()).collect(Collectors.toList());
  }

  @Test
  void dockerComposeYmlIsValidAgainstTheComposeSpecification() throws IOException {
    assertThat(violations(composeSpec(), compose())).as("docker-compose.yml against ops/compose-spec/compose-spec.json")
      .isEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void theSchemaCheckRejectsWhatComposeRejects() throws IOException {
    Validator spec = composeSpec();
    Map<String, Consumer<Map<String, Object>>> mistakes = Map.of(
      "a misspelt service key", c -> service(c, "order").put("enviroment", Map.of("A", "b")),
      "an unknown depends_on condition", c -> ((Map<String, Object>) service(c, "order").get("depends_on"))
        .put("kafka1", Map.of("condition", "service_ready")),
      "a healthcheck without its test as string or list", c -> ((Map<String, Object>) service(c, "order")
        .get("healthcheck")).put("test", Map.of("cmd", "true")),
      "an unknown top-level key", c -> c.put("service", Map.of()),
      "a service name compose does not allow", c -> ((Map<String, Object>) c.get("services")).put("order service",
        Map.of("image", "x")),
      "ports as a map", c -> service(c, "member").put("ports", Map.of("8081", "8081")));
    mistakes.forEach((what, mistake) -> {
      Map<String, Object> broken;
      try {
        broken = compose();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      mistake.accept(broken);
      assertThat(violations(spec, broken)).as(what).isNotEmpty();
    });
  }

  @Test
  void debianDockerComposeAndPromtoolAcceptTheFilesWhereInstalled() throws Exception {
    boolean compose = Files.isExecutable(Path.of("/usr/bin/docker-compose"));
    boolean promtool = Files.isExecutable(Path.of("/usr/bin/promtool"));
    Assumptions.assumeTrue(compose || promtool, "neither docker-compose nor promtool is installed");
    if (compose) {
      assertThat(run("docker-compose", "--profile", "sandbox", "config", "-q")).isZero();
      assertThat(run("docker-compose", "--profile", "brokers-6", "config", "-q")).isZero();
    }
    if (promtool) {
      assertThat(run("promtool", "check", "config", "ops/prometheus/prometheus.yml")).isZero();
    }
  }

  /**
   * {@code promtool check rules} accepts ops/prometheus/alerts.yml and {@code promtool test rules} passes every unit test
   * in ops/prometheus/tests/ (each alert firing with its labels and annotations, and staying silent); promtool's own
   * report is the failure message.
   */
  @Test
  void promtoolChecksTheAlertRulesAndEveryRuleUnitTestPasses() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/promtool")),
      "promtool is not installed (.ci/run installs Debian's prometheus package where it can)");
    Result check = runCapturing("promtool", "check", "rules", "ops/prometheus/alerts.yml");
    assertThat(check.exitCode()).as(check.output()).isZero();
    List<String> command = new java.util.ArrayList<>(List.of("promtool", "test", "rules"));
    command.addAll(ruleTests().keySet());
    Result tests = runCapturing(command.toArray(String[]::new));
    assertThat(tests.exitCode()).as(tests.output()).isZero();
    assertThat(tests.output()).contains("SUCCESS").doesNotContain("FAILED");
  }

  /**
   * Compose runs a GTID read replica of mysql-server that refuses writes, and catalog, order and delivery read their
   * own database on it; both servers carry the scripts that set replication up, with distinct server ids.
   */
  @Test
  @SuppressWarnings("unchecked")
  void catalogOrderAndDeliveryReadFromAGtidReplicaOfMysqlServer() throws IOException {
    Map<String, Object> compose = compose();
    Map<String, Object> primary = service(compose, "mysql-server");
    Map<String, Object> replica = service(compose, "mysql-replica");
    assertThat((List<String>) primary.get("command")).contains("--server-id=1", "--gtid-mode=ON",
      "--enforce-gtid-consistency=ON");
    assertThat((List<String>) replica.get("command")).contains("--server-id=2", "--gtid-mode=ON",
      "--enforce-gtid-consistency=ON");
    assertThat((List<String>) primary.get("volumes"))
      .contains("./ops/mysql/replication-source.sh:/docker-entrypoint-initdb.d/replication-source.sh:ro");
    assertThat((List<String>) replica.get("volumes"))
      .contains("./ops/mysql/replica.sh:/docker-entrypoint-initdb.d/replica.sh:ro");
    assertThat(Files.readString(ROOT.resolve("ops/mysql/replica.sh")))
      .contains("SOURCE_HOST = 'mysql-server'", "SOURCE_AUTO_POSITION = 1", "super_read_only = ON");
    assertThat(Files.readString(ROOT.resolve("ops/mysql/replication-source.sh")))
      .contains("GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'");
    for (Map.Entry<String, String> e : Map.of("catalog", "catalog", "order", "orders", "delivery", "delivery")
      .entrySet()) {
      Map<String, Object> env = env(service(compose, e.getKey()));
      assertThat(String.valueOf(env.get("MYSQL_READ_URI"))).as(e.getKey())
        .matches("mysql://eventmall:.*@mysql-replica:3306/" + e.getValue());
    }
  }

  /** Compose's Prometheus loads the rules: prometheus.yml names alerts.yml, and the container has it beside it. */
  @Test
  @SuppressWarnings("unchecked")
  void composePrometheusLoadsTheAlertRules() throws IOException {
    Map<String, Object> config = new Yaml().load(Files.readString(ROOT.resolve("ops/prometheus/prometheus.yml")));
    assertThat((List<String>) config.get("rule_files")).containsExactly("alerts.yml");
    Map<String, Object> prometheus = (Map<String, Object>) ((Map<String, Object>) compose().get("services"))
      .get("prometheus");
    assertThat((List<String>) prometheus.get("volumes"))
      .contains("./ops/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
        "./ops/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
  }

  /** Every alert has a case where it fires and one where it stays silent, and a runbook whose name is the alert's. */
  @Test
  @SuppressWarnings("unchecked")
  void everyAlertIsUnitTestedBothWaysAndHasItsRunbook() throws IOException {
    Map<String, Set<Boolean>> cases = new java.util.TreeMap<>();
    for (Map<String, Object> test : ruleTests().values()) {
      for (Map<String, Object> one : (List<Map<String, Object>>) test.get("tests")) {
        for (Map<String, Object> expectation : (List<Map<String, Object>>) one.get("alert_rule_test")) {
          cases.computeIfAbsent(String.valueOf(expectation.get("alertname")), k -> new java.util.HashSet<>())
            .add(!((List<?>) expectation.get("exp_alerts")).isEmpty());
        }
      }
    }
    String index = Files.readString(ROOT.resolve("ops/runbooks/README.md"));
    Map<String, Map<String, Object>> alerts = alertRules();
    assertThat(alerts).hasSizeGreaterThanOrEqualTo(9);
    alerts.forEach((name, rule) -> {
      assertThat(cases.get(name)).as(name + ": a case where it fires and one where it stays silent")
        .containsExactlyInAnyOrder(true, false);
      String runbook = "ops/runbooks/" + name + ".md";
      assertThat(((Map<String, Object>) rule.get("annotations")).get("runbook_url")).as(name).isEqualTo(runbook);
      assertThat(ROOT.resolve(runbook)).as(name + " runbook").isRegularFile();
      assertThat(index).as("ops/runbooks/README.md lists " + name).contains("(" + name + ".md)");
    });
    assertThat(cases.keySet()).as("alerts the unit tests name").isSubsetOf(alerts.keySet());
  }

  /** A runbook's {@code docker-compose exec|logs|restart <service>} names a service docker-compose.yml has. */
  @Test
  @SuppressWarnings("unchecked")
  void theRunbooksComposeCommandsNameComposeServices() throws IOException {
    Set<String> services = ((Map<String, Object>) compose().get("services")).keySet();
    Pattern command = Pattern.compile(
      "docker-compose (?:exec|logs|restart|stop|start|ps|up)((?: +-{1,2}[a-zA-Z-]+(?:=\\S+)?)*) +([a-z][a-z0-9_-]*)");
    List<String> named = new java.util.ArrayList<>();
    try (var runbooks = Files.list(ROOT.resolve("ops/runbooks"))) {
      for (Path runbook : runbooks.filter(p -> p.toString().endsWith(".md")).toList()) {
        Matcher m = command.matcher(Files.readString(runbook));
        while (m.find()) {
          named.add(m.group(2));
          assertThat(services).as(runbook.getFileName() + ": " + m.group()).contains(m.group(2));
        }
      }
    }
    assertThat(named).as("compose commands in the runbooks").contains("order", "payment", "delivery");
  }

  /** ops/prometheus/alerts.yml's alerting rules by alert name. */
  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> alertRules() throws IOException {
    Map<String, Object> file = new Yaml().load(Files.readString(ROOT.resolve("ops/prometheus/alerts.yml")));
    Map<String, Map<String, Object>> alerts = new java.util.TreeMap<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        if (rule.containsKey("alert")) {
          assertThat(alerts.put(String.valueOf(rule.get("alert")), rule)).as("one rule per alert name").isNull();
        }
      }
    }
    return alerts;
  }

  /** The promtool rule unit tests (ops/prometheus/tests/*.yml) by path from the repository root. */
  static Map<String, Map<String, Object>> ruleTests() throws IOException {
    Map<String, Map<String, Object>> tests = new java.util.TreeMap<>();
    try (var files = Files.list(ROOT.resolve("ops/prometheus/tests"))) {
      for (Path file : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
        tests.put(ROOT.relativize(file).toString(), new Yaml().load(Files.readString(file)));
      }
    }
    assertThat(tests).as("ops/prometheus/tests/*.yml").isNotEmpty();
    return tests;
  }

  record Result(int exitCode, String output) {
  }

  /** Runs {@code command} in the repository root; its standard output and error together. */
  static Result runCapturing(String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    return new Result(process.exitValue(), String.join(" ", command) + "\n" + output);
  }

  static int run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(ROOT.toFile()).inheritIO().start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    return process.exitValue();
  }
}
