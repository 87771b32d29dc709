package dev.eventmall.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A real Kafka cluster in KRaft combined mode (every node is broker and controller), one child JVM per node, bound to
 * 127.0.0.1. One node: replication factors 1. Three nodes: RF 3, {@code min.insync.replicas=2}.
 *
 * <pre>{@code
 * try (KafkaCluster kafka = KafkaCluster.start(KafkaCluster.Options.defaults().brokers(3))) {
 *   String bootstrap = kafka.bootstrapServers();
 *   kafka.kill(1);     // SIGKILL
 *   kafka.restart(1);  // same ports, same data
 * }
 * }</pre>
 */
public final class KafkaCluster implements AutoCloseable {

  static final String READY = "Kafka Server started";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  /**
   * @param brokers         1 or 3
   * @param firstBrokerPort 0: free ports; else broker i listens on firstBrokerPort + i and its controller on
   *                        firstBrokerPort + 20000 + i (dev: 9092 → 9092-9094, controllers 29092-29094)
   * @param dataDir         null: a fresh work dir deleted on close; else kept and reused (formatted only once)
   * @param partitions      num.partitions for auto-created topics
   * @param heap            -Xmx of each broker JVM
   */
  public record Options(int brokers, int firstBrokerPort, Path dataDir, int partitions, String heap) {
    public Options {
      if (brokers != 1 && brokers != 3) {
        throw new IllegalArgumentException("brokers must be 1 or 3, was " + brokers);
      }
    }

    public static Options defaults() {
      return new Options(1, 0, null, 3, "512m");
    }

    public Options brokers(int brokers) {
      return new Options(brokers, firstBrokerPort, dataDir, partitions, heap);
    }

    public Options fixedPorts(int firstBrokerPort) {
      return new Options(brokers, firstBrokerPort, dataDir, partitions, heap);
    }

    public Options dataDir(Path dataDir) {
      return new Options(brokers, firstBrokerPort, dataDir, partitions, heap);
    }

    public Options partitions(int partitions) {
      return new Options(brokers, firstBrokerPort, dataDir, partitions, heap);
    }

    public Options heap(String heap) {
      return new Options(brokers, firstBrokerPort, dataDir, partitions, heap);
    }
  }

  private final Options options;
  private final Path dir;
  private final boolean ownsDir;
  private final String java;
  private final String classpath;
  private final int[] brokerPorts;
  private final int[] controllerPorts;
  private final Child[] nodes;

  private KafkaCluster(Options options) {
    this.options = options;
    this.ownsDir = options.dataDir() == null;
    this.dir = ownsDir ? WorkDirs.create("kafka") : options.dataDir().toAbsolutePath();
    this.java = Jvm.java(major -> major >= 17, "Kafka 4 brokers");
    this.classpath = Jvm.classpath("kafka");
    int n = options.brokers();
    this.brokerPorts = new int[n];
    this.controllerPorts = new int[n];
    int[] free = options.firstBrokerPort() == 0 ? Ports.free(2 * n) : null;
    for (int i = 0; i < n; i++) {
      brokerPorts[i] = free != null ? free[2 * i] : options.firstBrokerPort() + i;
      controllerPorts[i] = free != null ? free[2 * i + 1] : options.firstBrokerPort() + 20000 + i;
    }
    this.nodes = new Child[n];
  }

  public static KafkaCluster start() {
    return start(Options.defaults());
  }

  public static KafkaCluster start(Options options) {
    return Ports.retryingBindRace(options.firstBrokerPort() == 0, () -> startOnce(options));
  }

  private static KafkaCluster startOnce(Options options) {
    long began = System.nanoTime();
    KafkaCluster cluster = new KafkaCluster(options);
    try {
      cluster.writeConfigs();
      cluster.format();
      for (int i = 0; i < cluster.nodes.length; i++) {
        cluster.nodes[i].start();
      }
      cluster.awaitAll();
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    System.out.printf("[infra] Kafka (%d broker%s) ready at %s in %d ms%n", options.brokers(),
        options.brokers() == 1 ? "" : "s", cluster.bootstrapServers(), (System.nanoTime() - began) / 1_000_000);
    return cluster;
  }

  /** {@code 127.0.0.1:p1,127.0.0.1:p2,...} */
  public String bootstrapServers() {
    return IntStream.of(brokerPorts).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  public int size() {
    return nodes.length;
  }

  public int port(int broker) {
    return brokerPorts[broker];
  }

  /** Node id of broker {@code i} (0-based index) as Kafka knows it. */
  public int nodeId(int broker) {
    return broker + 1;
  }

  public boolean isRunning(int broker) {
    return nodes[broker].alive();
  }

  /** SIGKILLs broker {@code i}'s JVM (a crash: no controlled shutdown). */
  public void kill(int broker) {
    nodes[broker].kill();
  }

  /** Stops broker {@code i} cleanly (controlled shutdown). */
  public void stop(int broker) {
    nodes[broker].stop(STOP_GRACE);
  }

  /** Stops broker {@code i} if it runs, then starts it again on the same ports and data and waits until it is up. */
  public void restart(int broker) {
    long began = System.nanoTime();
    if (nodes[broker].alive()) {
      stop(broker);
    }
    nodes[broker].start().awaitReady(START_TIMEOUT, READY, brokerPorts[broker]);
    System.out.printf("[infra] Kafka broker %d restarted in %d ms%n", nodeId(broker),
        (System.nanoTime() - began) / 1_000_000);
  }

  /**
   * With a data dir: stops all brokers cleanly (in parallel). Without: kills them (the data is deleted anyway, and a
   * controlled shutdown of a whole cluster takes long) and deletes the work dir.
   */
  @Override
  public void close() {
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (Child node : nodes) {
      if (node != null) {
        stops.add(CompletableFuture.runAsync(() -> {
          if (ownsDir) {
            node.kill();
          } else {
            node.stop(STOP_GRACE);
          }
        }, Child.ASYNC));
      }
    }
    stops.forEach(CompletableFuture::join);
    if (ownsDir) {
      WorkDirs.deleteRecursively(dir);
    }
  }

  private void writeConfigs() {
    int n = nodes.length;
    int rf = n == 1 ? 1 : 3;
    int minIsr = n == 1 ? 1 : 2;
    String voters = IntStream.range(0, n)
        .mapToObj(i -> nodeId(i) + "@127.0.0.1:" + controllerPorts[i])
        .collect(Collectors.joining(","));
    WorkDirs.write(dir.resolve("log4j2.properties"), String.join("\n",
        "appender.out.type=Console",
        "appender.out.name=STDOUT",
        "appender.out.layout.type=PatternLayout",
        "appender.out.layout.pattern=[%d] %p %m (%c)%n",
        "rootLogger.level=INFO",
        "rootLogger.appenderRef.out.ref=STDOUT",
        "logger.state.name=state.change.logger",
        "logger.state.level=WARN",
        "logger.request.name=kafka.request.logger",
        "logger.request.level=WARN",
        ""));
    for (int i = 0; i < n; i++) {
      Path nodeDir = dir.resolve("broker-" + nodeId(i));
      WorkDirs.write(nodeDir.resolve("server.properties"), String.join("\n",
          "process.roles=broker,controller",
          "node.id=" + nodeId(i),
          "controller.quorum.voters=" + voters,
          "listeners=PLAINTEXT://127.0.0.1:" + brokerPorts[i] + ",CONTROLLER://127.0.0.1:" + controllerPorts[i],
          "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPorts[i],
          "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
          "controller.listener.names=CONTROLLER",
          "inter.broker.listener.name=PLAINTEXT",
          "log.dirs=" + nodeDir.resolve("data"),
          "num.partitions=" + options.partitions(),
          "default.replication.factor=" + rf,
          "min.insync.replicas=" + minIsr,
          "offsets.topic.replication.factor=" + rf,
          "offsets.topic.num.partitions=10",
          "transaction.state.log.replication.factor=" + rf,
          "transaction.state.log.min.isr=" + minIsr,
          "transaction.state.log.num.partitions=10",
          "share.coordinator.state.topic.replication.factor=" + rf,
          "share.coordinator.state.topic.min.isr=" + minIsr,
          "group.initial.rebalance.delay.ms=0",
          "auto.create.topics.enable=true",
          "delete.topic.enable=true",
          "num.network.threads=2",
          "num.io.threads=4",
          "log.cleaner.threads=1",
          "num.recovery.threads.per.data.dir=1",
          ""));
      List<String> flags = List.of("-Xms64m", "-Xmx" + options.heap(), "-XX:+UseSerialGC", "-Xss512k",
          // jstat counters once a second: by default an idle JVM wakes up 20 times a second for them
          "-XX:PerfDataSamplingInterval=1000",
          "-Djava.awt.headless=true", "-Djava.net.preferIPv4Stack=true",
          "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"),
          "-Dkafka.logs.dir=" + nodeDir.resolve("logs"));
      nodes[i] = new Child("kafka broker " + nodeId(i), nodeDir, nodeDir.resolve("broker.log"),
          Jvm.command(java, flags, classpath, "kafka.Kafka", List.of(nodeDir.resolve("server.properties").toString())))
          .disposable(ownsDir);
    }
  }

  /** Formats each node's storage (in parallel) unless it already is: kafka.tools.StorageTool format. */
  private void format() {
    String clusterId = clusterId();
    List<CompletableFuture<Void>> formats = new ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      Path nodeDir = dir.resolve("broker-" + nodeId(i));
      if (Files.exists(nodeDir.resolve("data/meta.properties"))) {
        continue;
      }
      List<String> flags = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"));
      Child tool = new Child("kafka storage format " + nodeId(i), nodeDir, nodeDir.resolve("format.log"),
          Jvm.command(java, flags, classpath, "kafka.tools.StorageTool", List.of("format", "--ignore-formatted",
              "-t", clusterId, "-c", nodeDir.resolve("server.properties").toString())));
      formats.add(CompletableFuture.runAsync(() -> tool.runToCompletion(Duration.ofSeconds(60)), Child.ASYNC));
    }
    joinAll(formats);
  }

  private void awaitAll() {
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      int broker = i;
      waits.add(CompletableFuture.runAsync(() -> nodes[broker].awaitReady(START_TIMEOUT, READY, brokerPorts[broker]), Child.ASYNC));
    }
    joinAll(waits);
  }

  private static void joinAll(List<CompletableFuture<Void>> futures) {
    try {
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** A random cluster id in Kafka's format: 16 bytes, URL-safe base64 without padding. */
  private static String clusterId() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    bytes[0] &= 0x7f; // Kafka rejects ids whose base64 starts with '-'
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
