package dev.eventmall.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Debian's HAProxy ({@code apt-get install haproxy}) in front of the replicas of each service: one frontend per service
 * on the port clients use, its replicas behind it, round robin, each health-checked on {@code GET /health/ready}
 * (200: in the rotation; a draining replica answers 503 and leaves it). It runs in the foreground ({@code -db}) under
 * the {@link Child} watchdog in a session of its own, so it dies with the JVM that started it, like the other servers.
 *
 * <p>Requests pass through unchanged (method, path, body, every header: {@code X-Request-Id}, {@code traceparent},
 * {@code Idempotency-Key}, {@code Authorization}); HAProxy adds {@code X-Forwarded-For}. A request whose connection to
 * a replica fails (a replica that died and was not yet marked down) is sent to another one ({@code retries},
 * {@code option redispatch}); a request a replica received and did not answer is not replayed by the balancer (a POST
 * may have been applied): clients retry, with the same {@code Idempotency-Key} where it matters. The errors HAProxy
 * answers itself (502, 503, 504: no replica up or answering) carry {@code X-Answered-By: haproxy}, so a client can tell
 * them from a service's answers.
 */
public final class Haproxy implements AutoCloseable {

  /** A service's frontend on {@code port} (127.0.0.1) and the ports of its replicas (127.0.0.1). */
  public record Frontend(String name, int port, List<Integer> backends) {
    public Frontend {
      Objects.requireNonNull(name, "name");
      backends = List.copyOf(backends);
      if (port <= 0 || backends.isEmpty()) {
        throw new IllegalArgumentException(name + ": a frontend needs a port and at least one backend");
      }
    }
  }

  /** How often a replica's readiness is checked; 2 failures take it out, 2 successes put it back. */
  static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final Path DEBIAN_BINARY = Path.of("/usr/sbin/haproxy");

  private final Path config;
  private final List<Frontend> frontends;
  private final Child process;

  private Haproxy(Path dir, List<Frontend> frontends, Path binary) {
    this.config = dir.resolve("haproxy.cfg");
    this.frontends = List.copyOf(frontends);
    this.process = new Child("haproxy", dir, dir.resolve("haproxy.log"),
        Child.watched(List.of(binary.toString(), "-f", config.toString(), "-db")));
  }

  /** The {@code haproxy} binary: on the PATH, else Debian's {@code /usr/sbin/haproxy} (not on a non-root PATH). */
  public static Optional<Path> binary() {
    Optional<Path> onPath = Binaries.onPath("haproxy");
    if (onPath.isPresent()) {
      return onPath;
    }
    return Files.isExecutable(DEBIAN_BINARY) ? Optional.of(DEBIAN_BINARY) : Optional.empty();
  }

  /** Why HAProxy cannot run here, or empty when it can. */
  public static Optional<String> unavailable() {
    return binary().isPresent() ? Optional.empty()
        : Optional.of("no haproxy on the PATH or at " + DEBIAN_BINARY + " (Debian: apt-get install haproxy)");
  }

  /**
   * Writes {@code <dir>/haproxy.cfg}, checks it ({@code haproxy -c}), starts HAProxy and waits until every frontend
   * accepts connections. Its output goes to {@code <dir>/haproxy.log}.
   */
  public static Haproxy start(Path dir, List<Frontend> frontends) {
    Path binary = binary().orElseThrow(() -> new IllegalStateException(unavailable().orElseThrow()));
    long began = System.nanoTime();
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("haproxy.cfg"), config(frontends));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve("haproxy.cfg"), e);
    }
    Haproxy haproxy = new Haproxy(dir, frontends, binary);
    new Child("haproxy -c", dir, dir.resolve("haproxy.log"),
        List.of(binary.toString(), "-c", "-q", "-f", haproxy.config.toString())).runToCompletion(START_TIMEOUT);
    try {
      haproxy.process.start();
      for (Frontend frontend : frontends) {
        haproxy.process.awaitReady(START_TIMEOUT, null, frontend.port());
      }
    } catch (RuntimeException e) {
      haproxy.close();
      throw e;
    }
    System.out.printf("[infra] HAProxy (pid %d) in front of %s in %d ms, config %s%n", haproxy.process.pid(),
        frontends.stream().map(f -> f.name() + " :" + f.port() + " -> " + f.backends()).toList(),
        (System.nanoTime() - began) / 1_000_000, haproxy.config);
    return haproxy;
  }

  /** The configuration for {@code frontends}: what {@link #start} writes. */
  public static String config(List<Frontend> frontends) {
    StringBuilder cfg = new StringBuilder()
        .append("# written by dev.eventmall.infra.Haproxy: each service's replicas behind the port clients use\n")
        .append("global\n")
        .append("  # HAProxy needs about 2 file descriptors per connection: 4096 fits a default 20000 limit\n")
        .append("  maxconn 4096\n")
        .append("\n")
        .append("defaults\n")
        .append("  mode http\n")
        .append("  timeout connect 2s\n")
        .append("  timeout client 60s\n")
        .append("  timeout server 60s\n")
        .append("  timeout http-request 10s\n")
        .append("  timeout http-keep-alive 10s\n")
        .append("  timeout queue 10s\n")
        .append("  # a connection a replica refuses (it died, not yet marked down) is retried on another one\n")
        .append("  retries 3\n")
        .append("  option redispatch 1\n")
        .append("  option forwardfor\n")
        .append("  # the errors HAProxy answers itself (no replica up, none answered in time) say so: they are not a service's\n")
        .append("  http-error status 502 content-type text/plain string \"no replica answered\" hdr X-Answered-By haproxy\n")
        .append("  http-error status 503 content-type text/plain string \"no replica is up\" hdr X-Answered-By haproxy\n")
        .append("  http-error status 504 content-type text/plain string \"no replica answered in time\" hdr X-Answered-By haproxy\n")
        .append("  # readiness every ").append(CHECK_INTERVAL.toMillis())
        .append(" ms: 2 failures take a replica out (a draining one answers 503), 2 successes put it back\n")
        .append("  default-server inter ").append(CHECK_INTERVAL.toMillis()).append(" fastinter 500 fall 2 rise 2\n");
    for (Frontend frontend : frontends) {
      cfg.append("\nfrontend ").append(frontend.name()).append('\n')
          .append("  bind 127.0.0.1:").append(frontend.port()).append('\n')
          .append("  default_backend ").append(frontend.name()).append('\n')
          .append("\nbackend ").append(frontend.name()).append('\n')
          .append("  balance roundrobin\n")
          .append("  option httpchk GET /health/ready\n")
          .append("  http-check expect status 200\n");
      for (int i = 0; i < frontend.backends().size(); i++) {
        cfg.append("  server ").append(frontend.name()).append('-').append(i + 1).append(" 127.0.0.1:")
            .append(frontend.backends().get(i)).append(" check\n");
      }
    }
    return cfg.toString();
  }

  public Path config() {
    return config;
  }

  public List<Frontend> frontends() {
    return frontends;
  }

  public long pid() {
    return process.pid();
  }

  /** The last lines of its output. */
  public String tail(int lines) {
    return process.tail(lines);
  }

  /** Stops HAProxy (SIGTERM: it closes its listeners and connections at once), SIGKILL after 5 s. */
  @Override
  public void close() {
    process.stop(Duration.ofSeconds(5));
  }

  @Override
  public String toString() {
    return "haproxy " + frontends.stream().map(f -> f.name() + ":" + f.port()).toList();
  }
}
