package dev.eventmall.infra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Redis server on 127.0.0.1 without persistence: the system's {@code redis-server} if on the PATH, else the
 * linux-amd64 binary shipped in {@code embedded-redis}.
 */
public final class RedisServer implements AutoCloseable {

  private static final String EMBEDDED = "redis-server-6.2.6-v5-linux-amd64";
  private static final String READY = "Ready to accept connections";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final int port;
  private final Child server;

  private RedisServer(int port) {
    this.dir = WorkDirs.create("redis");
    this.port = Ports.orFree(port);
    Path binary = Binaries.onPath("redis-server").orElseGet(() -> Binaries.extractFile(EMBEDDED, "redis-6.2.6"));
    this.server = new Child("redis-server", dir, dir.resolve("redis.log"), Child.watched(List.of(
        binary.toString(), "--port", String.valueOf(this.port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString())))
        .disposable(true);
  }

  /** On a free port. */
  public static RedisServer start() {
    return start(0);
  }

  /** On {@code port}, or a free port if 0 (dev: 6379). */
  public static RedisServer start(int port) {
    return Ports.retryingBindRace(port == 0, () -> startOnce(port));
  }

  private static RedisServer startOnce(int port) {
    long began = System.nanoTime();
    RedisServer redis = new RedisServer(port);
    try {
      redis.server.start().awaitReady(START_TIMEOUT, READY, redis.port);
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
    System.out.printf("[infra] Redis ready at %s in %d ms%n", redis.url(), (System.nanoTime() - began) / 1_000_000);
    return redis;
  }

  /** {@code redis://127.0.0.1:<port>} */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    server.kill();
    WorkDirs.deleteRecursively(dir);
  }
}
