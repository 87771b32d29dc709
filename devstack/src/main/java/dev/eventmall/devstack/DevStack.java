package dev.eventmall.devstack;

import dev.eventmall.infra.ServiceProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the dev infrastructure ({@link InfraStack}), prints its endpoints as environment lines
 * ({@code KAFKA_BOOTSTRAP_SERVERS=...}), then the emulators and the services ({@link Platform}) on the seed's ports;
 * stops everything on Ctrl-C or when stdin reaches EOF.
 *
 * <p>{@code mvn install -DskipTests && mvn -q -pl devstack exec:java} (three Kafka brokers:
 * {@code -Dexec.args=--cluster}). Then it seeds demo data through the REST APIs ({@link Seed}; {@code --no-seed} skips
 * it) and prints a curl walkthrough. {@code --processes} runs each service as a JVM of its own from its fat jar
 * ({@code <service>/target/<service>.jar}, built by {@code install}), as compose does. Data lives in {@code .devstack/} of the repository ({@code -Ddevstack.home=...}).
 */
public final class DevStack {
  /** The services {@code --processes} moves out of this JVM. */
  static final List<String> SERVICE_NAMES = List.of("member", "search", "catalog", "order", "payment", "delivery");
  /** As ops/Dockerfile runs a service (JVM defaults; a bounded heap instead of a share of the container). */
  static final List<String> PROCESS_FLAGS = List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError");

  private DevStack() {
  }

  /** {@link #PROCESS_FLAGS}, or {@code DEVSTACK_SERVICE_JVM_FLAGS} (space-separated) when set. */
  static List<String> processFlags() {
    String flags = System.getenv("DEVSTACK_SERVICE_JVM_FLAGS");
    return flags == null || flags.isBlank() ? PROCESS_FLAGS : List.of(flags.trim().split("\\s+"));
  }

  public static void main(String[] args) throws IOException {
    if (System.getProperty("eventmall.http.host") == null && System.getenv("HTTP_HOST") == null) {
      System.setProperty("eventmall.http.host", "127.0.0.1"); // a developer's machine: loopback only
    }
    boolean cluster = List.of(args).contains("--cluster");
    boolean seed = !List.of(args).contains("--no-seed");
    boolean processes = List.of(args).contains("--processes");
    Path home = Path.of(System.getProperty("devstack.home", ".devstack")).toAbsolutePath().normalize();
    long began = System.nanoTime();
    InfraStack stack = InfraStack.start(home, cluster);
    System.out.printf("# devstack infra up in %d ms, data in %s%n", (System.nanoTime() - began) / 1_000_000, home);
    stack.env().forEach((name, value) -> System.out.println(name + "=" + value));
    Platform platform;
    try {
      Map<String, String> env = new java.util.HashMap<>(stack.env());
      env.put(Platform.TOSS_STATE_FILE, home.resolve("emulators").resolve("toss.json").toString());
      platform = Platform.start(env);
    } catch (RuntimeException e) {
      System.err.println("# devstack failed, stopping: " + e.getMessage());
      e.printStackTrace();
      stack.close();
      throw e;
    }
    List<ServiceProcess> separate = new ArrayList<>();
    if (processes) {
      // the compose topology on this machine: each service in a JVM of its own, same servers, same ports
      for (String name : List.copyOf(platform.ports().keySet())) {
        if (!SERVICE_NAMES.contains(name)) {
          continue;
        }
        Map<String, String> env = platform.env(name);
        int port = platform.ports().get(name);
        platform.stop(name);
        Path jar = Path.of(name, "target", name + ".jar").toAbsolutePath();
        separate.add(ServiceProcess.start(new ServiceProcess.Options(name, jar, env, port, processFlags(),
          home.resolve("logs").resolve(name + ".log"), Duration.ofSeconds(180))));
        System.out.printf("# %s runs as its own JVM (%s), log in %s%n", name, jar, home.resolve("logs"));
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      separate.forEach(ServiceProcess::stop);
      platform.close();
      stack.close();
    }, "devstack-stop"));
    System.out.printf("# platform up in %d ms%n", (System.nanoTime() - began) / 1_000_000);
    platform.ports().forEach((name, port) -> System.out.printf("%-17s http://127.0.0.1:%d%n", name, port));
    if (seed) {
      try {
        Seed.Result seeded = new Seed(platform.ports(), platform.tossEmulated()).run();
        System.out.println("# demo data: " + (seeded.created().isEmpty() ? "already there"
          : "created " + String.join(", ", seeded.created())) + " (--no-seed skips this)");
        System.out.println(Seed.walkthrough(platform.ports()));
      } catch (RuntimeException e) {
        System.err.println("# seeding the demo data failed (the platform keeps running): " + e.getMessage());
      }
    }
    System.out.println("# Ctrl-C or EOF on stdin (Ctrl-D) stops everything");
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait for EOF
    }
    System.exit(0); // the shutdown hook stops the stack
  }
}
