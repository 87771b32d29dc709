package dev.eventmall.devstack;

import dev.eventmall.infra.Haproxy;
import dev.eventmall.infra.ServiceProcess;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Starts the dev infrastructure ({@link InfraStack}), prints its endpoints as environment lines
 * ({@code KAFKA_BOOTSTRAP_SERVERS=...}), then the emulators and the services ({@link Platform}) on the seed's ports.
 * It stops on SIGTERM, Ctrl-C (SIGINT), hang-up, or when stdin reaches EOF (unless {@code --no-stdin}), in reverse start
 * order: the services (each gracefully), the emulators and the storefront, then the servers.
 *
 * <p>{@code mvn install -DskipTests && mvn -q -pl devstack exec:java} (three Kafka brokers:
 * {@code -Dexec.args=--cluster}). Then it seeds demo data through the REST APIs ({@link Seed}; {@code --no-seed} skips
 * it) and prints a curl walkthrough. {@code --processes} runs each service as a JVM of its own from its fat jar
 * ({@code <service>/target/<service>.jar}, built by {@code install}), as compose does. Data lives in {@code .devstack/}
 * of the repository ({@code -Ddevstack.home=...}). {@code --detach} runs it in the background ({@link Background});
 * {@code stop} stops the one running from that home. {@code -Ddevstack.port-offset=N} (or {@code DEVSTACK_PORT_OFFSET})
 * moves every port by N, so a second devstack (a test's) runs beside one on the default ports. {@code --replicas N}
 * runs N processes of each service (ports {@link #replicaPort}) behind HAProxy ({@link Haproxy}) on the usual ports.
 */
public final class DevStack {
  /** The services {@code --processes} moves out of this JVM. */
  static final List<String> SERVICE_NAMES = List.of("member", "search", "catalog", "order", "payment", "delivery");
  /**
   * As ops/Dockerfile runs a service (JVM defaults; a bounded heap instead of a share of the container; jstat's counters
   * sampled once a second instead of every 50 ms, which an idle JVM otherwise wakes up for).
   */
  static final List<String> PROCESS_FLAGS = List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError",
    "-XX:PerfDataSamplingInterval=1000");
  static final String DETACH = "--detach";
  static final String NO_STDIN = "--no-stdin";
  /** A MariaDB read replica (port 3307) whose URI every service gets as MYSQL_READ_URI. */
  static final String READ_REPLICA = "--read-replica";
  static final String STOP = "stop";
  static final String REPLICAS = "--replicas";
  /** Replica i (1..N) of a service whose port is p listens on p + 100·i: 8181, 8281 for member (8081). */
  static final int REPLICA_PORT_STEP = 100;
  static final int MAX_REPLICAS = 9;
  static final String BROKERS = "--brokers";
  static final int MAX_BROKERS = 5;

  private DevStack() {
  }

  /** {@link #PROCESS_FLAGS}, or {@code DEVSTACK_SERVICE_JVM_FLAGS} (space-separated) when set. */
  static List<String> processFlags() {
    String flags = System.getenv("DEVSTACK_SERVICE_JVM_FLAGS");
    return flags == null || flags.isBlank() ? PROCESS_FLAGS : List.of(flags.trim().split("\\s+"));
  }

  /** {@code devstack.port-offset}, else {@code DEVSTACK_PORT_OFFSET}, else 0. */
  static int portOffset() {
    String offset = System.getProperty("devstack.port-offset", System.getenv("DEVSTACK_PORT_OFFSET"));
    return offset == null || offset.isBlank() ? 0 : Integer.parseInt(offset.trim());
  }

  /** {@code --replicas N} or {@code --replicas=N}; 1 when absent. */
  static int replicas(List<String> args) {
    return number(args, REPLICAS, 1, MAX_REPLICAS);
  }

  /** Kafka brokers: {@code --brokers N} (1 to {@value #MAX_BROKERS}), 3 with {@code --cluster}, else 1. */
  static int brokers(List<String> args) {
    return number(args, BROKERS, args.contains("--cluster") ? 3 : 1, MAX_BROKERS);
  }

  /** The value of {@code --name N} or {@code --name=N}, between 1 and {@code max}; {@code absent} when not given. */
  static int number(List<String> args, String name, int absent, int max) {
    String value = null;
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals(name)) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(name + " needs a number, e.g. " + name + " 2");
        }
        value = args.get(i + 1);
      } else if (args.get(i).startsWith(name + "=")) {
        value = args.get(i).substring(name.length() + 1);
      }
    }
    if (value == null) {
      return absent;
    }
    int n;
    try {
      n = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs a number between 1 and " + max + ", got " + value);
    }
    if (n < 1 || n > max) {
      throw new IllegalArgumentException(name + " needs a number between 1 and " + max + ", got " + value);
    }
    return n;
  }

  /** The port of replica {@code index} (1-based) of the service HAProxy serves on {@code port}. */
  static int replicaPort(int port, int index) {
    return port + REPLICA_PORT_STEP * index;
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    Path home = Path.of(System.getProperty("devstack.home", ".devstack")).toAbsolutePath().normalize();
    List<String> arguments = List.of(args);
    if (arguments.contains(STOP)) {
      System.exit(Background.stop(home));
    }
    if (arguments.contains(DETACH)) {
      System.exit(Background.detach(home, arguments));
    }
    try {
      run(home, arguments);
    } catch (Throwable e) {
      // whatever failed, this JVM must not stay behind half-started (its servers stop when it exits)
      System.err.println("# devstack failed: " + e);
      e.printStackTrace();
      Background.deletePidFile(home);
      System.exit(1);
    }
  }

  private static void run(Path home, List<String> args) throws IOException, InterruptedException {
    if (System.getProperty("eventmall.http.host") == null && System.getenv("HTTP_HOST") == null) {
      System.setProperty("eventmall.http.host", "127.0.0.1"); // a developer's machine: loopback only
    }
    int brokers = brokers(args);
    boolean seed = !args.contains("--no-seed");
    int replicas = replicas(args);
    // replicas are processes of their own, behind the balancer; fail before anything starts when it is missing
    boolean processes = args.contains("--processes") || replicas > 1;
    if (replicas > 1 && Haproxy.unavailable().isPresent()) {
      System.err.println("# devstack " + REPLICAS + " " + replicas + ": " + Haproxy.unavailable().get());
      System.exit(1);
    }
    boolean readReplica = args.contains(READ_REPLICA);
    int offset = portOffset();
    var other = Background.running(home);
    if (other.isPresent() && other.get().pid() != ProcessHandle.current().pid()) {
      System.err.printf("# another devstack runs from %s (pid %d): stop it first (%s)%n", home, other.get().pid(),
        Background.stopCommand());
      System.exit(1);
    }
    Background.writePidFile(home, List.of());
    CountDownLatch stopRequested = new CountDownLatch(1);
    // the stop is done here, in order; the JVM's default handlers would run every shutdown hook at once, and the servers'
    // hook (dev.eventmall.infra) would stop Kafka and MariaDB while the services still use them
    for (String signal : List.of("TERM", "INT", "HUP")) {
      sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stopRequested.countDown());
    }
    if (!args.contains(NO_STDIN)) {
      Thread stdin = new Thread(() -> {
        try {
          while (System.in.read() >= 0) {
            // wait for EOF
          }
        } catch (IOException e) {
          // stdin is gone: same as EOF
        }
        stopRequested.countDown();
      }, "devstack-stdin");
      stdin.setDaemon(true);
      stdin.start();
    }
    System.out.printf("# devstack pid %d, max heap %d MiB%s%n", ProcessHandle.current().pid(),
      Runtime.getRuntime().maxMemory() >> 20, args.contains(NO_STDIN) ? ""
        : " (Maven's JVM under exec:java: MAVEN_OPTS=-Xmx1536m caps it; --detach caps its JVM at that)");
    long began = System.nanoTime();
    InfraStack stack;
    try {
      stack = InfraStack.start(home, brokers, offset, readReplica);
    } catch (RuntimeException e) {
      Background.deletePidFile(home);
      throw e;
    }
    System.out.printf("# devstack infra up in %d ms, data in %s%n", (System.nanoTime() - began) / 1_000_000, home);
    stack.env().forEach((name, value) -> System.out.println(name + "=" + value));
    Platform platform;
    try {
      Map<String, String> env = new java.util.HashMap<>(stack.env());
      env.put(Platform.TOSS_STATE_FILE, home.resolve("emulators").resolve("toss.json").toString());
      platform = Platform.start(env, offset);
    } catch (RuntimeException e) {
      System.err.println("# devstack failed, stopping: " + e.getMessage());
      e.printStackTrace();
      stack.close();
      Background.deletePidFile(home);
      throw e;
    }
    // per service: its processes (one, or the replicas); stopped in reverse order, a service's replicas together
    List<List<ServiceProcess>> separate = new ArrayList<>();
    List<String> separateNames = new ArrayList<>();
    List<Haproxy> balancer = new ArrayList<>();
    List<Integer> replicaPorts = new ArrayList<>();
    AtomicBoolean stopped = new AtomicBoolean();
    Runnable stopAll = () -> {
      if (!stopped.compareAndSet(false, true)) {
        return;
      }
      long stopping = System.nanoTime();
      System.out.println(Background.STOPPING + ": services, emulators, then servers");
      // services first: with replicas each one's readiness answers 503 (SHUTDOWN_READINESS_DELAY_MS), HAProxy takes it
      // out of the rotation, its HTTP drains; the balancer stops after them, so the requests it passed on still complete
      for (int i = separate.size() - 1; i >= 0; i--) {
        long stoppingOne = System.nanoTime();
        List<ServiceProcess> ofService = separate.get(i);
        CompletableFuture.allOf(ofService.stream().map(p -> CompletableFuture.runAsync(p::stop))
          .toArray(CompletableFuture[]::new)).join();
        System.out.printf("# %s stopped in %d ms (%s: SIGTERM)%n", separateNames.get(i),
          (System.nanoTime() - stoppingOne) / 1_000_000, ofService.size() == 1 ? "its own JVM"
            : ofService.size() + " replicas, each its own JVM");
      }
      for (Haproxy haproxy : balancer) {
        long stoppingOne = System.nanoTime();
        haproxy.close();
        System.out.printf("# haproxy stopped in %d ms%n", (System.nanoTime() - stoppingOne) / 1_000_000);
      }
      platform.close();
      System.out.println("# services, emulators and storefront stopped; stopping the servers");
      stack.close();
      Background.deletePidFile(home);
      System.out.printf("%s in %d ms%n", Background.STOPPED, (System.nanoTime() - stopping) / 1_000_000);
      System.out.flush();
    };
    // a fallback for an exit that did not come through stopRequested (an uncaught error, System.exit elsewhere)
    Runtime.getRuntime().addShutdownHook(new Thread(stopAll, "devstack-stop"));
    if (processes) {
      // the compose topology on this machine: each service in a JVM of its own (or N of them behind HAProxy), same
      // servers, same ports for clients
      List<Haproxy.Frontend> frontends = new ArrayList<>();
      for (String name : List.copyOf(platform.ports().keySet())) {
        if (!SERVICE_NAMES.contains(name)) {
          continue;
        }
        Map<String, String> env = new java.util.HashMap<>(platform.env(name));
        if (replicas == 1) {
          env.putIfAbsent(dev.eventmall.common.Shutdown.READINESS_DELAY_MS, "0"); // no balancer watches it
        }
        int port = platform.ports().get(name);
        platform.stop(name);
        Path jar = Path.of(name, "target", name + ".jar").toAbsolutePath();
        if (replicas == 1) {
          separate.add(List.of(ServiceProcess.start(new ServiceProcess.Options(name, jar, env, port, processFlags(),
            home.resolve("logs").resolve(name + ".log"), Duration.ofSeconds(180)))));
          separateNames.add(name);
          System.out.printf("# %s runs as its own JVM (%s), log in %s%n", name, jar, home.resolve("logs"));
          continue;
        }
        List<CompletableFuture<ServiceProcess>> starting = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        for (int i = 1; i <= replicas; i++) {
          Map<String, String> own = new java.util.HashMap<>(env);
          int replicaPort = replicaPort(port, i);
          own.put(dev.eventmall.common.config.Config.HTTP_PORT, Integer.toString(replicaPort));
          ports.add(replicaPort);
          var options = new ServiceProcess.Options(name, jar, own, replicaPort, processFlags(),
            home.resolve("logs").resolve(name + "-" + i + ".log"), Duration.ofSeconds(180));
          starting.add(CompletableFuture.supplyAsync(() -> ServiceProcess.start(options)));
        }
        List<ServiceProcess> started = new ArrayList<>();
        try {
          for (CompletableFuture<ServiceProcess> replica : starting) {
            started.add(replica.join());
          }
        } finally {
          // what did start is stopped with the rest if another replica failed
          separate.add(started);
          separateNames.add(name);
        }
        replicaPorts.addAll(ports);
        frontends.add(new Haproxy.Frontend(name, port, ports));
        System.out.printf("# %s runs as %d replicas on %s (%s), logs %s-<i>.log in %s%n", name, replicas, ports, jar,
          name, home.resolve("logs"));
      }
      if (!frontends.isEmpty()) {
        balancer.add(Haproxy.start(home.resolve("haproxy"), frontends));
        System.out.printf("# haproxy in front of the replicas on the services' ports, config %s, log %s%n",
          home.resolve("haproxy").resolve("haproxy.cfg"), home.resolve("haproxy").resolve("haproxy.log"));
      }
    }
    System.out.printf("# platform up in %d ms%n", (System.nanoTime() - began) / 1_000_000);
    platform.ports().forEach((name, port) -> System.out.printf("%-17s http://127.0.0.1:%d%n", name, port));
    if (seed && stopRequested.getCount() > 0) {
      try {
        Seed.Result seeded = new Seed(platform.ports(), platform.tossEmulated()).run();
        System.out.println("# demo data: " + (seeded.created().isEmpty() ? "already there"
          : "created " + String.join(", ", seeded.created())) + " (--no-seed skips this)");
        System.out.println(Seed.walkthrough(platform.ports()));
      } catch (RuntimeException e) {
        System.err.println("# seeding the demo data failed (the platform keeps running): " + e.getMessage());
      }
    }
    List<Integer> ports = new ArrayList<>(InfraStack.ports(brokers, offset));
    if (readReplica) {
      ports.add(InfraStack.MYSQL_REPLICA_PORT + offset);
    }
    ports.addAll(platform.ports().values());
    ports.addAll(replicaPorts);
    Background.writePidFile(home, ports);
    System.out.println(Background.UP + (args.contains(NO_STDIN)
      ? "; stop it with " + Background.stopCommand() + " (or kill -TERM " + ProcessHandle.current().pid() + ")"
      : "; Ctrl-C or EOF on stdin (Ctrl-D) stops everything"));
    System.out.flush();
    stopRequested.await();
    stopAll.run();
    System.exit(0);
  }
}
