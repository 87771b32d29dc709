package dev.eventmall.common.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.eventmall.common.config.Config;
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

  /** {@code WEBHOOK_RATE_PER_CLIENT}: webhooks a second one client address may send (default 1,000; 0 = off). */
  public static final String WEBHOOK_RATE_PER_CLIENT = "WEBHOOK_RATE_PER_CLIENT";
  /** {@code WEBHOOK_BURST_PER_CLIENT}: the burst allowed above that rate (default 2,000). */
  public static final String WEBHOOK_BURST_PER_CLIENT = "WEBHOOK_BURST_PER_CLIENT";

  /**
   * The limit of a webhook receiver (issue 16 row 11). Generous by default: Toss and the carrier post every status
   * change from a few addresses, and what a webhook makes us do is bounded elsewhere (a key that is not ours costs one
   * indexed statement, re-reads are folded per key and capped); this bounds what one address can make the service
   * do at all.
   */
  public static ClientRateLimit webhooks(Config config, String name) {
    double rate = parse(config, WEBHOOK_RATE_PER_CLIENT, "1000");
    double burst = parse(config, WEBHOOK_BURST_PER_CLIENT, "2000");
    if (rate < 0 || burst < 1) {
      throw new Config.ConfigException(WEBHOOK_RATE_PER_CLIENT + " must not be negative, " + WEBHOOK_BURST_PER_CLIENT
        + " at least 1");
    }
    return of(name, rate, (int) burst);
  }

  private static double parse(Config config, String key, String defaultValue) {
    try {
      return Double.parseDouble(config.get(key, defaultValue));
    } catch (NumberFormatException e) {
      throw new Config.ConfigException(key + " must be a number");
    }
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
