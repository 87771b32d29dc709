package dev.eventmall.common.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Per Vert.x instance (one service): whether it is shutting down, and the HTTP servers {@link HttpBootstrap#listen}
 * started. {@link #begin()} turns {@code /health/ready} to 503 while every route keeps serving; {@link #shutdownServers}
 * then stops accepting connections and lets the requests in flight finish (Vert.x's {@link HttpServer#shutdown}: an
 * HTTP/1.1 connection closes after its current request, an idle one at once).
 */
public final class Draining {
  private static final Map<Vertx, Draining> BY_VERTX = Collections.synchronizedMap(new WeakHashMap<>());

  private final Set<HttpServer> servers = ConcurrentHashMap.newKeySet();
  private volatile boolean draining;

  private Draining() {
  }

  /** The state of {@code vertx}'s service (created on first use). */
  public static Draining of(Vertx vertx) {
    return BY_VERTX.computeIfAbsent(vertx, v -> new Draining());
  }

  /** Whether the service is shutting down: readiness answers 503 from then on. */
  public boolean draining() {
    return draining;
  }

  /** Readiness answers 503 from now on; the servers keep serving. */
  public void begin() {
    draining = true;
  }

  void register(HttpServer server) {
    servers.add(server);
  }

  /** HTTP servers still registered (those of undeployed verticles are closed already; shutting them down is a no-op). */
  public int servers() {
    return servers.size();
  }

  /**
   * Every registered server stops accepting connections; requests in flight may finish within {@code grace}, after which
   * their connections are closed. Completes when all servers are closed.
   */
  public Future<Void> shutdownServers(Duration grace) {
    List<Future<Void>> closed = new ArrayList<>();
    for (HttpServer server : servers) {
      closed.add(server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS));
    }
    servers.clear();
    return Future.join(closed).mapEmpty();
  }
}
