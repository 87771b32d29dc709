package dev.eventmall.devstack;

import dev.eventmall.infra.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Devstack as a user runs it in the background: {@code DevStack --detach} returns once the platform is up (its JVM runs
 * on, heap capped), {@code DevStack stop} stops it through the PID file and reports when all is down. On the way down
 * the services stop first, in reverse start order, then the servers, and nothing is logged at WARN or ERROR and no
 * exception; afterwards every port it used is closed. Its ports are moved by {@code devstack.port-offset}, so it runs
 * beside a devstack on the default ports.
 */
class DevStackBackgroundTest {
  /** The services in start order ({@link Platform#SERVICES}). */
  static final List<String> START_ORDER = Platform.SERVICES.stream().map(Platform.Service::name).toList();

  Path home;
  Optional<Long> pid = Optional.empty();

  @AfterEach
  void cleanUp() throws Exception {
    // a failed test must not leave a devstack running: stop it by its own PID (never anything else)
    pid.flatMap(ProcessHandle::of).ifPresent(p -> {
      p.destroy();
      p.onExit().orTimeout(60, TimeUnit.SECONDS).exceptionally(e -> {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        return p;
      }).join();
    });
    // its data (~150 MB of Kafka, Cassandra and MariaDB files); what a failure needs is in the assertion messages
    if (home != null) {
      try (var paths = Files.walk(home)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  @Test
  void detachedDevstackIsStoppedByItsStopCommandServicesFirstWithoutErrorsAndEveryPortCloses() throws Exception {
    home = Files.createTempDirectory("devstack-background");
    int offset = freeOffset();

    Run detach = run(offset, DevStack.DETACH, "--no-seed");
    assertThat(detach.exit()).as("--detach exit code\n" + detach.output()).isZero();
    Matcher running = Pattern.compile("runs in the background \\(pid (\\d+)\\)").matcher(detach.output());
    assertThat(running.find()).as(detach.output()).isTrue();
    long devstackPid = Long.parseLong(running.group(1));
    pid = Optional.of(devstackPid);
    assertThat(detach.output()).contains(Background.UP);
    ProcessHandle devstack = ProcessHandle.of(devstackPid).orElseThrow();
    assertThat(devstack.isAlive()).as("the devstack JVM outlives the command that started it").isTrue();
    Matcher heap = Pattern.compile("# devstack pid " + devstackPid + ", max heap (\\d+) MiB").matcher(detach.output());
    assertThat(heap.find()).as("its first line\n" + detach.output()).isTrue();
    assertThat(Integer.parseInt(heap.group(1))).as("its JVM's max heap, MiB").isBetween(1, 1536);

    Background.Running fromPidFile = Background.running(home).orElseThrow();
    assertThat(fromPidFile.pid()).isEqualTo(devstackPid);
    List<Integer> ports = fromPidFile.ports();
    assertThat(ports).contains(8081 + offset, 8086 + offset, 8090 + offset, 9092 + offset, 3306 + offset, 6379 + offset,
      9042 + offset);
    assertThat(ports).as("every port accepts while it runs").allMatch(Ports::accepts);

    Run stop = run(offset, DevStack.STOP);
    assertThat(stop.exit()).as("stop exit code\n" + stop.output()).isZero();
    assertThat(stop.output()).contains("# devstack (pid " + devstackPid + ")").contains("are down")
      .contains("closed");
    assertThat(devstack.isAlive()).isFalse();
    assertThat(ports).as("ports open after the stop").noneMatch(Ports::accepts);
    assertThat(Files.exists(Background.pidFile(home))).as("PID file removed").isFalse();
    pid = Optional.empty();

    List<String> log = Files.readAllLines(Background.log(home), StandardCharsets.UTF_8);
    int stopping = IntStream.range(0, log.size()).filter(i -> log.get(i).startsWith(Background.STOPPING)).findFirst()
      .orElseThrow(() -> new AssertionError("no '" + Background.STOPPING + "' in\n" + String.join("\n", log)));
    List<String> wayDown = log.subList(stopping, log.size());
    String shown = String.join("\n", wayDown);
    assertThat(wayDown).as("the way down:\n" + shown)
      .noneMatch(line -> line.matches(".*\\b(ERROR|WARN)\\b.*") || line.contains("Exception") || line.startsWith("\tat "));
    assertThat(wayDown.get(wayDown.size() - 1)).startsWith(Background.STOPPED);

    List<String> stopOrder = new ArrayList<>();
    int serversAt = -1;
    for (int i = 0; i < wayDown.size(); i++) {
      Matcher stopped = Pattern.compile("^# (" + String.join("|", START_ORDER) + ") stopped in \\d+ ms$")
        .matcher(wayDown.get(i));
      if (stopped.matches()) {
        assertThat(serversAt).as("a service stopped after the servers began to:\n" + shown).isEqualTo(-1);
        stopOrder.add(stopped.group(1));
      } else if (wayDown.get(i).contains("stopping the servers")) {
        serversAt = i;
      }
    }
    List<String> reversed = new ArrayList<>(START_ORDER);
    java.util.Collections.reverse(reversed);
    assertThat(stopOrder).as("services stop in reverse start order, before the servers:\n" + shown)
      .isEqualTo(reversed);
    assertThat(serversAt).isPositive();
  }

  /** A port offset at which every port devstack uses is free (the default ones may be another devstack's). */
  static int freeOffset() {
    for (int offset = 10_000; offset <= 30_000; offset += 1_000) {
      int o = offset;
      List<Integer> ports = new ArrayList<>(InfraStack.ports(1, o));
      IntStream.rangeClosed(8080, 8091).forEach(p -> ports.add(p + o));
      if (ports.stream().noneMatch(Ports::accepts)) {
        return offset;
      }
    }
    throw new IllegalStateException("no free port offset for a second devstack");
  }

  record Run(int exit, String output) {
  }

  /** {@code java -cp <this classpath> DevStack <args>} with this test's home and port offset, to its end. */
  Run run(int offset, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"),
      "-Ddevstack.home=" + home, "-Ddevstack.port-offset=" + offset,
      DevStack.class.getName()));
    command.addAll(List.of(args));
    Path output = home.resolve("command-" + args[0].replace("-", "") + ".out");
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(output.toFile()).start();
    process.getOutputStream().close();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", args) + " did not end within 5 min:\n" + Files.readString(output));
    }
    return new Run(process.exitValue(), Files.readString(output));
  }
}
