package dev.eventmall.infra;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One server process started by this JVM, its output appended to a log file. Its stdin is a pipe that this JVM never
 * writes: the child (a {@link ParentWatch} JVM or the {@link #watched(List) sh watchdog}) stops its server on EOF,
 * so it dies with this JVM even when this JVM is SIGKILLed. A shutdown hook stops every live child cleanly.
 */
final class Child {

  private static final Set<Child> LIVE = ConcurrentHashMap.newKeySet();
  /** For parallel starts and waits: the common pool has one thread on a 2-core machine. */
  static final Executor ASYNC = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "eventmall-infra");
    t.setDaemon(true);
    return t;
  });
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(20);

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(Child::stopAll, "eventmall-infra-shutdown"));
  }

  /**
   * Wraps a native server command in sh: the server runs in the background, and when the wrapper's stdin reaches EOF
   * the server gets SIGTERM. {@code exec 3<&0} keeps the pipe: a background list's stdin would be /dev/null.
   */
  private static final String SH_WATCHDOG = "exec 3<&0\n"
      + "\"$@\" </dev/null 3<&- &\n"
      + "pid=$!\n"
      + "{ cat <&3 >/dev/null; kill -TERM $pid 2>/dev/null; } &\n"
      + "wait $pid\n";

  final String name;
  final Path log;
  private final Path dir;
  private final List<String> command;
  private volatile Map<String, String> environment = Map.of();
  private volatile Process process;
  private volatile long logStart;
  private volatile boolean disposable;

  Child(String name, Path dir, Path log, List<String> command) {
    this.name = name;
    this.dir = dir;
    this.log = log;
    this.command = List.copyOf(command);
  }

  /** A disposable child's data is thrown away: at JVM exit it is killed at once instead of stopped cleanly. */
  Child disposable(boolean disposable) {
    this.disposable = disposable;
    return this;
  }

  /** Variables added to (or replacing those of) this JVM's environment for the child. */
  Child environment(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
    return this;
  }

  /**
   * {@code setsid} before the command where there is one: a terminal's Ctrl-C (SIGINT to its foreground process group)
   * and hang-up then reach only the JVM that started the server, which stops its servers itself, after what uses them
   * (devstack stops the services first); the server still stops when its stdin reaches EOF. {@code setsid} execs the
   * command in place (a child of a JVM is no process group leader), so the pid stays the server's or its watchdog's.
   */
  static List<String> inSessionOfItsOwn(List<String> command) {
    if (!Files.isExecutable(SETSID)) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of(SETSID.toString(), "--wait"));
    wrapped.addAll(command);
    return wrapped;
  }

  private static final Path SETSID = Path.of("/usr/bin/setsid");

  static List<String> watched(List<String> serverCommand) {
    List<String> wrapped = new ArrayList<>(List.of("sh", "-c", SH_WATCHDOG, "eventmall-watchdog"));
    wrapped.addAll(serverCommand);
    return wrapped;
  }

  synchronized Child start() {
    if (alive()) {
      throw new IllegalStateException(name + " is already running");
    }
    try {
      Files.createDirectories(log.getParent());
      logStart = Files.exists(log) ? Files.size(log) : 0;
      ProcessBuilder builder = new ProcessBuilder(inSessionOfItsOwn(command));
      builder.environment().putAll(environment);
      process = builder
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      LIVE.add(this);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  boolean alive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** Waits until {@code marker} was logged since the start (if not null) and {@code port} accepts (if > 0). */
  void awaitReady(Duration timeout, String marker, int port) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Process p = process;
      if (!p.isAlive()) {
        LIVE.remove(this);
        throw failure(name + " exited with code " + p.exitValue() + " while starting");
      }
      if ((marker == null || loggedSinceStart(marker)) && (port <= 0 || Ports.accepts(port))) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw failure(name + " was not ready within " + timeout.toSeconds() + " s (waiting for "
            + (marker != null ? "log line '" + marker + "'" : "") + (port > 0 ? " port " + port : "") + ")");
      }
      pause(100);
    }
  }

  /** Clean stop: closes stdin (the child stops its server), waits {@code grace}, then kills what is left. */
  void stop(Duration grace) {
    Process p = process;
    if (p == null) {
      return;
    }
    closeStdin(p);
    try {
      if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        forceKill(p);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      forceKill(p);
    }
    LIVE.remove(this);
  }

  /** SIGKILL to the child and its descendants, like a crash. */
  void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    forceKill(p);
    closeStdin(p);
    LIVE.remove(this);
  }

  /** Runs the command to completion (a one-shot tool): throws with the log's tail on a non-zero exit or a timeout. */
  void runToCompletion(Duration timeout) {
    Process p = start().process; // stdin stays open while it runs: a ParentWatch child would exit on EOF
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        forceKill(p);
        throw failure(name + " did not finish within " + timeout.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      forceKill(p);
      throw failure(name + " interrupted");
    } finally {
      closeStdin(p);
      LIVE.remove(this);
    }
    if (p.exitValue() != 0) {
      throw failure(name + " failed with exit code " + p.exitValue());
    }
  }

  IllegalStateException failure(String message) {
    return new IllegalStateException(message + "\n--- last 50 lines of " + log + " ---\n" + tail(50));
  }

  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private boolean loggedSinceStart(String marker) {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long length = file.length() - logStart;
      if (length <= 0) {
        return false;
      }
      byte[] bytes = new byte[(int) Math.min(length, 64L << 20)];
      file.seek(logStart);
      file.readFully(bytes);
      return new String(bytes, StandardCharsets.ISO_8859_1).contains(marker);
    } catch (IOException e) {
      return false;
    }
  }

  private static void closeStdin(Process p) {
    try {
      p.getOutputStream().close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  private static void forceKill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void stopAll() {
    List<Child> children = new ArrayList<>(LIVE);
    children.stream().filter(c -> c.disposable).forEach(c -> forceKill(c.process));
    children.removeIf(c -> c.disposable);
    children.forEach(c -> closeStdin(c.process));
    long deadline = System.nanoTime() + SHUTDOWN_GRACE.toNanos();
    for (Child child : children) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!child.process.waitFor(left, TimeUnit.NANOSECONDS)) {
          forceKill(child.process);
        }
      } catch (InterruptedException e) {
        forceKill(child.process);
      }
    }
  }
}
