package dev.eventmall.devstack;

import dev.eventmall.infra.Ports;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Devstack in the background: {@code --detach} starts it in a JVM of its own (own session, stdin from /dev/null, output
 * appended to {@code .devstack/logs/devstack.log}, heap capped) and returns once it is up; {@code stop} stops the devstack
 * named by {@code .devstack/devstack.pid} with SIGTERM (services, emulators, then servers) and waits until it and every
 * server process it started have exited and its ports are closed.
 */
final class Background {
  /** Printed by a devstack once its platform is up and seeded: {@code --detach} returns when it sees it. */
  static final String UP = "# devstack is up";
  /** Printed by a devstack when it begins to stop. */
  static final String STOPPING = "# stopping devstack";
  /** Printed by a devstack once everything is down. */
  static final String STOPPED = "# devstack stopped";
  /**
   * The detached JVM's flags unless {@code DEVSTACK_JVM_FLAGS} (space-separated) is set: six services, two emulators
   * and the storefront share this heap (a service as a process gets 512 MiB); a JVM out of memory exits (its servers
   * then stop, as they do when it dies) rather than limp on.
   */
  static final List<String> JVM_FLAGS = List.of("-Xmx1536m", "-XX:+ExitOnOutOfMemoryError",
    "-XX:PerfDataSamplingInterval=1000");
  private static final Duration START_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration STOP_TIMEOUT = Duration.ofMinutes(2);

  private Background() {
  }

  static Path pidFile(Path home) {
    return home.resolve("devstack.pid");
  }

  static Path log(Path home) {
    return home.resolve("logs").resolve("devstack.log");
  }

  /** The running devstack a PID file names. */
  record Running(long pid, Instant started, List<Integer> ports, Path log) {
  }

  /** Written by a devstack when it starts ({@code ports} empty) and again once it is up. */
  static void writePidFile(Path home, List<Integer> ports) {
    ProcessHandle self = ProcessHandle.current();
    Properties props = new Properties();
    props.setProperty("pid", Long.toString(self.pid()));
    props.setProperty("started", Long.toString(self.info().startInstant().map(Instant::toEpochMilli).orElse(0L)));
    props.setProperty("ports", ports.stream().map(String::valueOf).collect(Collectors.joining(",")));
    props.setProperty("log", log(home).toString());
    try {
      Files.createDirectories(home);
      Path tmp = pidFile(home).resolveSibling("devstack.pid.tmp");
      try (var out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        props.store(out, "devstack (" + DevStack.class.getName() + ")");
      }
      Files.move(tmp, pidFile(home), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The devstack {@code home}'s PID file names, if that process still runs (a stale file is deleted). */
  static Optional<Running> running(Path home) {
    Path file = pidFile(home);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties props = new Properties();
    try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long pid = Long.parseLong(props.getProperty("pid", "-1"));
    Instant started = Instant.ofEpochMilli(Long.parseLong(props.getProperty("started", "0")));
    String portList = props.getProperty("ports", "");
    List<Integer> ports = portList.isBlank() ? List.of()
      : Arrays.stream(portList.split(",")).map(Integer::valueOf).toList();
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
      // a recycled pid is another process: its start time differs
      .filter(p -> p.info().startInstant().map(i -> i.toEpochMilli() == started.toEpochMilli()).orElse(true));
    if (process.isEmpty()) {
      deletePidFile(home);
      return Optional.empty();
    }
    return Optional.of(new Running(pid, started, ports, Path.of(props.getProperty("log", log(home).toString()))));
  }

  static void deletePidFile(Path home) {
    try {
      Files.deleteIfExists(pidFile(home));
    } catch (IOException e) {
      // nothing to do: the next start finds a stale file and ignores it
    }
  }

  /**
   * {@code --detach}: starts devstack ({@code args} without {@code --detach}) in a JVM of its own and waits until it is
   * up, echoing its output. Returns the exit code.
   */
  static int detach(Path home, List<String> args) throws IOException, InterruptedException {
    Optional<Running> running = running(home);
    if (running.isPresent()) {
      System.out.printf("# devstack already runs (pid %d, log %s); stop it with: %s%n", running.get().pid(),
        running.get().log(), stopCommand());
      return 1;
    }
    Path log = log(home);
    Files.createDirectories(log.getParent());
    long from = Files.exists(log) ? Files.size(log) : 0;
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      command.add("/usr/bin/setsid"); // a session of its own: the terminal's Ctrl-C and hang-up do not reach it
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags());
    command.add("-cp");
    command.add(classpath());
    command.add("-Ddevstack.home=" + home);
    for (String name : System.getProperties().stringPropertyNames()) {
      if ((name.startsWith("devstack.") || name.startsWith("eventmall.") || name.equals("logback.configurationFile"))
          && !name.equals("devstack.home")) {
        command.add("-D" + name + "=" + System.getProperty(name));
      }
    }
    command.add(DevStack.class.getName());
    command.add(DevStack.NO_STDIN);
    args.stream().filter(a -> !a.equals(DevStack.DETACH)).forEach(command::add);
    Process process = new ProcessBuilder(command)
      .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
      .redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
      .start();
    System.out.printf("# devstack starts in the background (pid %d, JVM flags %s), log %s%n", process.pid(),
      String.join(" ", jvmFlags()), log);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    StringBuilder seen = new StringBuilder();
    while (true) {
      from = echo(log, from, seen);
      if (seen.indexOf(UP) >= 0) {
        System.out.printf("# devstack runs in the background (pid %d); stop it with: %s%n", process.pid(),
          stopCommand());
        return 0;
      }
      if (!process.isAlive()) {
        echo(log, from, seen);
        System.out.printf("# devstack exited with code %d while starting; see %s%n", process.exitValue(), log);
        return 1;
      }
      if (System.nanoTime() > deadline) {
        System.out.printf("# devstack was not up within %d s; stopping it%n", START_TIMEOUT.toSeconds());
        stop(home);
        return 1;
      }
      Thread.sleep(200);
    }
  }

  /**
   * {@code stop}: SIGTERM to the devstack named by the PID file, then waits until it and the server processes it started
   * have exited and its ports are closed. Returns the exit code (0 also when nothing ran).
   */
  static int stop(Path home) throws IOException, InterruptedException {
    Optional<Running> found = running(home);
    if (found.isEmpty()) {
      System.out.println("# devstack is not running (no live process in " + pidFile(home) + ")");
      return 0;
    }
    Running running = found.get();
    ProcessHandle process = ProcessHandle.of(running.pid()).orElseThrow();
    List<ProcessHandle> children = process.descendants().toList();
    long from = Files.exists(running.log()) ? Files.size(running.log()) : 0;
    long began = System.nanoTime();
    System.out.printf("# stopping devstack (pid %d, %d child processes): services, emulators, then servers%n",
      running.pid(), children.size());
    process.destroy(); // SIGTERM: devstack stops everything in order, then exits
    long deadline = began + STOP_TIMEOUT.toNanos();
    List<ProcessHandle> all = new ArrayList<>(children);
    all.add(0, process);
    for (ProcessHandle p : all) {
      long left = deadline - System.nanoTime();
      try {
        p.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        System.out.printf("# devstack did not stop within %d s (pid %d still runs): killing what is left%n",
          STOP_TIMEOUT.toSeconds(), p.pid());
        all.forEach(ProcessHandle::destroyForcibly);
        return 1;
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(e);
      }
    }
    Set<Integer> open = new LinkedHashSet<>(running.ports());
    long portsDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!open.isEmpty() && System.nanoTime() < portsDeadline) {
      open.removeIf(port -> !Ports.accepts(port));
      Thread.sleep(open.isEmpty() ? 0 : 100);
    }
    if (Files.exists(running.log())) {
      echo(running.log(), from, new StringBuilder());
    }
    if (!open.isEmpty()) {
      System.out.printf("# devstack (pid %d) exited, but ports %s still accept connections%n", running.pid(), open);
      return 1;
    }
    deletePidFile(home);
    System.out.printf("# devstack (pid %d) and its %d child processes are down in %d ms; ports %s closed%n",
      running.pid(), children.size(), (System.nanoTime() - began) / 1_000_000,
      running.ports().stream().map(String::valueOf).collect(Collectors.joining(", ")));
    return 0;
  }

  static String stopCommand() {
    return "./mvnw -q -pl devstack exec:java -Dexec.args=stop";
  }

  static List<String> jvmFlags() {
    String flags = System.getenv("DEVSTACK_JVM_FLAGS");
    return flags == null || flags.isBlank() ? JVM_FLAGS : List.of(flags.trim().split("\\s+"));
  }

  /**
   * This devstack's classpath: under {@code exec:java} the project's is the context class loader's (the JVM's own is
   * Maven's), else {@code java.class.path}.
   */
  static String classpath() {
    List<String> entries = new ArrayList<>();
    for (ClassLoader loader = Thread.currentThread().getContextClassLoader(); loader != null;
         loader = loader.getParent()) {
      if (loader instanceof URLClassLoader urls) {
        for (URL url : urls.getURLs()) {
          try {
            entries.add(Path.of(url.toURI()).toString());
          } catch (URISyntaxException | IllegalArgumentException e) {
            // not a file: not a classpath entry for a JVM
          }
        }
        break;
      }
    }
    return entries.isEmpty() ? System.getProperty("java.class.path") : String.join(File.pathSeparator, entries);
  }

  /** Prints what {@code log} got from byte {@code from} on, appends it to {@code seen}; answers the new end. */
  private static long echo(Path log, long from, StringBuilder seen) throws IOException {
    if (!Files.exists(log)) {
      return from;
    }
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long length = file.length();
      if (length <= from) {
        return from;
      }
      byte[] bytes = new byte[(int) Math.min(length - from, 16 << 20)];
      file.seek(from);
      file.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      System.out.print(text);
      System.out.flush();
      seen.append(text);
      return from + bytes.length;
    }
  }
}
