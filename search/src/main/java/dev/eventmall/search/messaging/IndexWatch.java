package dev.eventmall.search.messaging;

import dev.eventmall.common.async.UnderWay;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Rebuilds the index by itself when Redis lost it (FLUSHALL, a restart of a Redis without persistence, a new empty
 * Redis), so search answers completely again without an operator calling {@code POST /admin/search/rebuild}.
 *
 * <p>The index carries a marker key, {@code <prefix>index-built}. A check finds it missing only when Redis lost the
 * index (the live indexer never writes it, so events applied after a flush do not hide the loss). The instance whose
 * {@code SET NX} of {@code building:<token>} (with the rebuild timeout as expiry) wins runs {@link IndexRebuilder}; on
 * success the marker becomes {@code built:<time>} (no expiry) only if it still holds that instance's token, so a flush
 * during the rebuild leaves it missing and the next check rebuilds again; on failure it is removed, and so when the
 * service stops during the rebuild: {@link #stop} cuts it short and removes the marker (if still its own) before the
 * Redis client closes, so the next start rebuilds at once instead of waiting for the marker's expiry (the rebuild
 * timeout, 10 minutes by default). A rebuild reapplies every event by version, so running it on a live or partly
 * rebuilt index is safe.
 */
public final class IndexWatch {
  public static final String MARKER = "index-built";
  private static final Logger LOG = LoggerFactory.getLogger(IndexWatch.class);
  /** KEYS[1] marker; ARGV[1] expected value, ARGV[2] new value (empty: delete). */
  private static final String COMPARE_AND_SET = """
    if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
    if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
    return 1
    """;

  private final RedisAPI redis;
  private final String marker;
  private final IndexRebuilder rebuilder;
  private final Duration rebuildTimeout;
  /** The check under way: a check starts only once it has ended. */
  private final UnderWay checks = new UnderWay();
  private boolean stopped;

  public IndexWatch(RedisAPI redis, String keyPrefix, IndexRebuilder rebuilder, Duration rebuildTimeout) {
    this.redis = redis;
    this.marker = keyPrefix + MARKER;
    this.rebuilder = rebuilder;
    this.rebuildTimeout = rebuildTimeout;
  }

  /**
   * One check (called on the indexer's event loop; a check still running makes this one a no-op): answers whether a
   * rebuild ran and succeeded.
   */
  public Future<Boolean> check() {
    if (stopped || !checks.idle()) {
      return Future.succeededFuture(false);
    }
    String building = "building:" + UUID.randomUUID();
    return checks.track(redis.set(List.of(marker, building, "NX", "PX", Long.toString(rebuildTimeout.toMillis())))
      .compose(set -> set == null ? Future.succeededFuture(false)
        // stopped meanwhile: the marker just set is let go of at once, no rebuild starts
        : stopped ? compareAndSet(building, "").map(false)
        : rebuild(building))
      .onFailure(e -> {
        if (e instanceof IndexRebuilder.Stopped) {
          LOG.info("index rebuild cut short by the stop; its marker removed, the next start rebuilds");
        } else {
          LOG.warn("index check failed (next check retries): {}", e.toString());
        }
      }));
  }

  /**
   * No check starts after this and a rebuild under way is cut short ({@link IndexRebuilder#stop()}); answers once the
   * check under way (if any) has ended, whatever its outcome — a rebuild cut short with its marker removed — so its
   * Redis client is closed only after it (closing it under the check failed the check and logged a warning on every
   * stop that met one, and left a rebuild's marker for the next start to wait out), or once {@code bound} has passed.
   */
  public Future<Void> stop(Duration bound) {
    stopped = true;
    rebuilder.stop();
    return checks.ended(bound);
  }

  private Future<Boolean> rebuild(String building) {
    LOG.warn("index marker {} missing: Redis lost the index (or it is new); rebuilding it from catalog.products", marker);
    return rebuilder.rebuild().transform(ar -> {
      String next = ar.succeeded() ? "built:" + Instant.now() : "";
      return compareAndSet(building, next).transform(cas -> {
        if (ar.failed()) {
          // a marker that could not be removed holds the next rebuild off until it expires: that is worth the warning
          return Future.failedFuture(cas.failed() ? cas.cause() : ar.cause());
        }
        boolean kept = cas.succeeded() && cas.result();
        if (kept) {
          LOG.info("index rebuilt by the index watch: {}", ar.result());
        } else {
          LOG.warn("index rebuilt, but its marker changed meanwhile (flushed again?): the next check rebuilds again");
        }
        return Future.succeededFuture(kept);
      });
    });
  }

  private Future<Boolean> compareAndSet(String expected, String next) {
    return redis.eval(List.of(COMPARE_AND_SET, "1", marker, expected, next)).map(Response::toInteger)
      .map(n -> n == 1);
  }
}
