package dev.eventmall.reliability;

import dev.eventmall.infra.ServiceProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A service of the platform moved out of the test JVM into a process of its own ({@code java -jar <service>.jar}, the
 * fat jar the service module's {@code package} phase builds), so a scenario can SIGKILL it: its in-JVM instance is
 * stopped, the process gets the same environment and port; {@link #backInJvm} returns to the in-JVM service.
 */
final class Processes {
  /** The repository root (the reliability module's parent; surefire sets {@code eventmall.root}). */
  static final Path ROOT = Path.of(System.getProperty("eventmall.root", "..")).toAbsolutePath().normalize();
  /** Small heap, quick JIT: four of these share two busy cores with the test JVM. */
  static final List<String> JVM_FLAGS = List.of("-Xms64m", "-Xmx320m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
    "-Xss512k", "-XX:-UsePerfData");
  private static final AtomicInteger RUNS = new AtomicInteger();

  private Processes() {
  }

  static Path jar(String service) {
    return ROOT.resolve(service).resolve("target").resolve(service + ".jar");
  }

  /** Stops {@code service} in the test JVM and starts it as a process on the same port with the same environment. */
  static ServiceProcess asProcess(String service) {
    var platform = Rel.platform();
    var env = platform.env(service);
    int port = platform.ports().get(service);
    Path log = ROOT.resolve("reliability/target/services/" + service + "-" + RUNS.incrementAndGet() + ".log");
    platform.stop(service);
    try {
      return ServiceProcess.start(new ServiceProcess.Options(service, jar(service), env, port, JVM_FLAGS, log,
        Duration.ofSeconds(180)));
    } catch (RuntimeException e) {
      platform.start(service);
      throw e;
    }
  }

  /** Stops the process (SIGTERM) and deploys the service in the test JVM again, for the scenarios that follow. */
  static void backInJvm(String service, ServiceProcess process) {
    process.stop();
    Rel.platform().start(service);
  }
}
