package dev.eventmall.common.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A route handler that admits at most {@code perSecond} requests a second per client address, in bursts of
 * {@code burst} ({@link TokenBucket}); past that it answers 429 {@code too-many-requests} problem+json with
 * {@code Retry-After} (seconds) and {@code Retry-After-Ms}, before the route does any work. Buckets live in a Caffeine
 * cache per Vert.x instance and limit name (bounded: 100,000 clients, forgotten after 10 idle minutes), so the HTTP
 * verticle's instances share them. {@code perSecond <= 0} turns it off. Per instance of the service: N replicas admit N
 * times as much (issue 14's balancer is the place for a global limit).
 */
public final class ClientRateLimit implements Handler<RoutingContext> {
  private static final Map<Vertx, Map<String, Cache<String, TokenBucket>>> STORES =
    Collections.synchronizedMap(new WeakHashMap<>());

  private final String name;
  private final double perSecond;
  private final int burst;

  private ClientRateLimit(String name, double perSecond, int burst) {
    this.name = name;
    this.perSecond = perSecond;
    this.burst = Math.max(1, burst);
  }

  /** A limit named {@code name} (buckets are shared by every handler of that name in one Vert.x instance). */
  public static ClientRateLimit of(String name, double perSecond, int burst) {
    return new ClientRateLimit(name, perSecond, burst);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (perSecond <= 0) {
      ctx.next();
      return;
    }
    String client = HttpBootstrap.clientAddress(ctx.request());
    long now = System.nanoTime();
    long[] wait = new long[1];
    store(ctx.vertx()).asMap().compute(client, (k, bucket) -> {
      TokenBucket.Taken taken = (bucket == null ? TokenBucket.full(burst, now) : bucket).take(perSecond, burst, now);
      wait[0] = taken.retryAfterMs();
      return taken.bucket();
    });
    if (wait[0] == 0) {
      ctx.next();
      return;
    }
    ctx.fail(ProblemException.of(429, "too-many-requests", "Too Many Requests",
        "Too many requests from this client; retry after the time given")
      .withHeader("Retry-After", Long.toString(Math.max(1, (wait[0] + 999) / 1000)))
      .withHeader("Retry-After-Ms", Long.toString(wait[0])));
  }

  private Cache<String, TokenBucket> store(Vertx vertx) {
    synchronized (STORES) {
      return STORES.computeIfAbsent(vertx, v -> new HashMap<>()).computeIfAbsent(name, n -> Caffeine.newBuilder()
        .maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build());
    }
  }
}
