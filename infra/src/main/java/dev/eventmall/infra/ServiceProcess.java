package dev.eventmall.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One EventMall service run as its own OS process, {@code java -jar <service>.jar}, configured by environment
 * variables as in production: for tests that crash a service for real ({@link #kill()} is SIGKILL, no shutdown hook
 * runs, no Kafka consumer leaves its group, no lock or connection is released by the service) and start it again.
 * Like the servers, it is started under the {@code sh} watchdog, so it dies with the JVM that started it.
 */
public final class ServiceProcess implements AutoCloseable {

  private static final Duration STOP_GRACE = Duration.ofSeconds(20);

  /**
   * @param name         service name, for logs ({@code order})
   * @param jar          the service's fat jar ({@code order/target/order.jar})
   * @param env          environment added to this JVM's (must include {@code HTTP_PORT} = {@code port})
   * @param port         the HTTP port it listens on: ready when it accepts
   * @param jvmFlags     flags before {@code -jar}
   * @param log          where its output is appended
   * @param startTimeout how long a start may take
   */
  public record Options(String name, Path jar, Map<String, String> env, int port, List<String> jvmFlags, Path log,
                        Duration startTimeout) {
    public Options {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(jar, "jar");
      env = Map.copyOf(env);
      jvmFlags = List.copyOf(jvmFlags);
      Objects.requireNonNull(log, "log");
      Objects.requireNonNull(startTimeout, "startTimeout");
      if (port <= 0) {
        throw new IllegalArgumentException("a service process needs a fixed port, got " + port);
      }
    }
  }

  private final Options options;
  private final Child child;

  private ServiceProcess(Options options) {
    this.options = options;
    if (!Files.isRegularFile(options.jar())) {
      throw new IllegalStateException(options.jar() + " is missing: build the service's fat jar first ("
          + "./mvnw -pl " + options.name() + " -am package -DskipTests)");
    }
    List<String> command = new ArrayList<>();
    command.add(Jvm.java(major -> major >= 17, options.name() + " service"));
    command.addAll(options.jvmFlags());
    command.add("-jar");
    command.add(options.jar().toAbsolutePath().toString());
    Path dir = options.log().toAbsolutePath().getParent();
    this.child = new Child(options.name() + " service", dir, options.log(), Child.watched(command))
        .environment(options.env())
        .disposable(true);
  }

  /** Starts the service and waits until its port accepts connections. */
  public static ServiceProcess start(Options options) {
    ServiceProcess process = new ServiceProcess(options);
    process.startAndAwait();
    return process;
  }

  private void startAndAwait() {
    long began = System.nanoTime();
    child.start().awaitReady(options.startTimeout(), null, options.port());
    System.out.printf("[infra] %s service process (pid %d) listening on %d in %d ms%n", options.name(), pid(),
        options.port(), (System.nanoTime() - began) / 1_000_000);
  }

  /** The pid of the service's JVM (not of its watchdog shell). */
  public long pid() {
    return ProcessHandle.of(child.pid()).stream()
        .flatMap(ProcessHandle::descendants)
        .filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(false))
        .mapToLong(ProcessHandle::pid)
        .findFirst()
        .orElse(child.pid());
  }

  public boolean alive() {
    return child.alive();
  }

  /** SIGKILL to the service's JVM (and its watchdog), as a crash: nothing of the service runs afterwards. */
  public void kill() {
    long pid = pid();
    child.kill();
    System.out.printf("[infra] %s service process (pid %d) SIGKILLed%n", options.name(), pid);
  }

  /** Starts it again (after {@link #kill()} or {@link #stop()}) with the same jar, environment and port. */
  public void restart() {
    if (child.alive()) {
      throw new IllegalStateException(options.name() + " is still running");
    }
    startAndAwait();
  }

  /** Clean stop: SIGTERM (its shutdown hook closes Vert.x), SIGKILL after 20 s. */
  public void stop() {
    child.stop(STOP_GRACE);
  }

  /** The last lines of its output. */
  public String tail(int lines) {
    return child.tail(lines);
  }

  @Override
  public void close() {
    if (child.alive()) {
      stop();
    }
  }
}
