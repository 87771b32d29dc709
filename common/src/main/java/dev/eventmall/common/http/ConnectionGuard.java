package dev.eventmall.common.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a slow or greedy client may hold on an HTTP/1.x server (issue 16 row 6: idle sockets, headers dribbled one line
 * every 8 s and half-sent bodies were all held open for minutes, one JVM reached 20,000 descriptors). Every deadline is
 * checked by one timer per connection, re-armed at each request; nothing depends on the client sending bytes:
 * <ul>
 *   <li>a new connection must deliver its first request's headers within {@link Limits#requestRead()};</li>
 *   <li>a request's body must be complete within {@link Limits#requestRead()} of its headers, else {@code 408} problem+json
 *   and the connection is closed;</li>
 *   <li>between requests a kept-alive connection may wait {@link Limits#keepAlive()} for the next request's headers,
 *   however the bytes trickle in;</li>
 *   <li>one client address may hold at most {@link Limits#maxConnectionsPerClient()} connections to the server (over that,
 *   new ones are closed at once). Behind a load balancer every client has its address: raise the cap or set it to 0
 *   (off) and let the balancer limit clients.</li>
 * </ul>
 * A request being handled (its response not ended) is never cut, whatever it takes.
 */
final class ConnectionGuard {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

  /**
   * @param requestRead             headers of a new connection's first request, and a body after its headers, must arrive
   *                                within this ({@code HTTP_REQUEST_READ_TIMEOUT_MS}, default 10 s)
   * @param keepAlive               how long a kept-alive connection may go without a complete request
   *                                ({@code HTTP_KEEP_ALIVE_TIMEOUT_MS}, default 30 s)
   * @param maxConnectionsPerClient connections one remote address may hold; 0 = no cap ({@code HTTP_MAX_CONNECTIONS_PER_CLIENT},
   *                                default 512)
   */
  record Limits(Duration requestRead, Duration keepAlive, int maxConnectionsPerClient) {
    static final Limits DEFAULTS = new Limits(Duration.ofSeconds(10), Duration.ofSeconds(30), 512);

    /** System properties ({@code eventmall.http.request-read-timeout-ms}, …) over env variables over the defaults. */
    static Limits fromEnvironment() {
      return new Limits(
        Duration.ofMillis(setting("eventmall.http.request-read-timeout-ms", "HTTP_REQUEST_READ_TIMEOUT_MS",
          DEFAULTS.requestRead().toMillis())),
        Duration.ofMillis(setting("eventmall.http.keep-alive-timeout-ms", "HTTP_KEEP_ALIVE_TIMEOUT_MS",
          DEFAULTS.keepAlive().toMillis())),
        (int) setting("eventmall.http.max-connections-per-client", "HTTP_MAX_CONNECTIONS_PER_CLIENT",
          DEFAULTS.maxConnectionsPerClient()));
    }

    private static long setting(String property, String env, long fallback) {
      String value = HttpBootstrap.setting(property, env);
      if (value == null) {
        return fallback;
      }
      try {
        long parsed = Long.parseLong(value);
        if (parsed < 0) {
          throw new NumberFormatException("negative");
        }
        return parsed;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(env + " must be a non-negative integer, not '" + value + "'");
      }
    }
  }

  private final Vertx vertx;
  private final Limits limits;
  /**
   * Connections per "server port/client address", shared by every server of the JVM: a service's HTTP verticle
   * instances share their port, and the cap is the port's.
   */
  private static final Map<String, AtomicInteger> PER_CLIENT = new ConcurrentHashMap<>();
  private final Map<HttpConnection, Watch> watches = new ConcurrentHashMap<>();

  ConnectionGuard(Vertx vertx, Limits limits) {
    this.vertx = vertx;
    this.limits = limits;
  }

  /** The server's connection handler: counts the client's connections and starts the first deadline. */
  void connected(HttpConnection connection) {
    String client = connection.remoteAddress() == null ? "?" : connection.remoteAddress().hostAddress();
    String slot = (connection.localAddress() == null ? "?" : connection.localAddress().port()) + "/" + client;
    // counted inside compute/computeIfPresent, so an emptied slot is never removed under a new connection's count
    int now = PER_CLIENT.compute(slot, (k, v) -> {
      AtomicInteger held = v == null ? new AtomicInteger() : v;
      held.incrementAndGet();
      return held;
    }).get();
    Watch watch = new Watch(connection);
    watches.put(connection, watch);
    connection.closeHandler(v -> {
      watches.remove(connection);
      vertx.cancelTimer(watch.timer);
      PER_CLIENT.computeIfPresent(slot, (k, held) -> held.decrementAndGet() <= 0 ? null : held);
    });
    // a trusted balancer's connections carry many clients: it limits them itself (its maxconn)
    if (limits.maxConnectionsPerClient() > 0 && now > limits.maxConnectionsPerClient()
        && !HttpBootstrap.trustedProxy(client)) {
      LOG.warn("{} holds {} connections (cap {}); closing the new one", client, now - 1,
        limits.maxConnectionsPerClient());
      connection.close();
      return;
    }
    watch.arm(limits.requestRead().toMillis());
  }

  /** Called with each request before the router: the request's deadlines replace the connection's. */
  void request(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2) {
      return;
    }
    Watch watch = watches.get(request.connection());
    if (watch != null) {
      watch.current = request;
      watch.since = System.nanoTime();
      watch.idleSince = 0;
      watch.arm(limits.requestRead().toMillis());
    }
  }

  private final class Watch {
    final HttpConnection connection;
    HttpServerRequest current;
    long since = System.nanoTime();
    long idleSince;
    long timer = -1;

    Watch(HttpConnection connection) {
      this.connection = connection;
    }

    void arm(long delayMs) {
      vertx.cancelTimer(timer);
      timer = vertx.setTimer(Math.max(1, delayMs), id -> check());
    }

    private void check() {
      long now = System.nanoTime();
      if (current == null) {
        close("no request headers within " + limits.requestRead().toMillis() + " ms of connecting");
      } else if (!current.isEnded()) {
        long waited = (now - since) / 1_000_000;
        if (waited >= limits.requestRead().toMillis()) {
          LOG.info("{}: request body not complete within {} ms; 408", remote(), limits.requestRead().toMillis());
          if (!current.response().headWritten()) {
            FailureHandler.send(current.response().putHeader("Connection", "close"), ProblemException.of(408,
              "request-timeout", "Request Timeout", "The request body did not arrive within "
                + limits.requestRead().toMillis() + " ms").problem()).onComplete(v -> connection.close());
          } else {
            connection.close();
          }
        } else {
          arm(limits.requestRead().toMillis() - waited);
        }
      } else if (!current.response().ended()) {
        arm(limits.requestRead().toMillis()); // being handled: never cut
      } else if (idleSince == 0) {
        idleSince = now;
        arm(limits.keepAlive().toMillis());
      } else if ((now - idleSince) / 1_000_000 >= limits.keepAlive().toMillis()) {
        close("no complete request within " + limits.keepAlive().toMillis() + " ms on a kept-alive connection");
      } else {
        arm(limits.keepAlive().toMillis() - (now - idleSince) / 1_000_000);
      }
    }

    private void close(String why) {
      LOG.debug("{}: closing: {}", remote(), why);
      connection.close();
    }

    private String remote() {
      return String.valueOf(connection.remoteAddress());
    }
  }
}
