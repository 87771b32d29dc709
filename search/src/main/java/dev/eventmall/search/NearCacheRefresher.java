package dev.eventmall.search;

import dev.eventmall.search.api.NearCache;
import dev.eventmall.search.persistence.SearchIndexRepository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Reads {@code index-version} from Redis every {@code SEARCH_NEAR_CACHE_REFRESH_MS} and hands it to the
 * {@link NearCache}, so changes applied by other processes reach this process's near cache within one refresh interval
 * plus a round trip. One read at a time; a failed or slow read only lets the near cache's staleness bound expire.
 *
 * <p>Reads only while searches come: after {@code SEARCH_NEAR_CACHE_IDLE_MS} (10 s) without one it pauses (ten reads a
 * second were most of an idle search process's CPU and of Redis's), and the first search after that goes past the near
 * cache until the next tick reads again; that read first drops every entry ({@link NearCache#resumed}).
 */
public final class NearCacheRefresher extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(NearCacheRefresher.class);

  private final SearchSettings settings;
  private final NearCache nearCache;
  private Redis redis;
  private SearchIndexRepository index;
  private long timer = -1;
  private boolean failing;
  private boolean paused;
  private boolean stopping;
  /**
   * The read under way (or the last one): a read starts only once it has completed, and {@link #stop()} closes the
   * connection only after it.
   */
  private Future<Void> current = Future.succeededFuture();

  public NearCacheRefresher(SearchSettings settings, NearCache nearCache) {
    this.settings = settings;
    this.nearCache = nearCache;
  }

  @Override
  public Future<?> start() {
    redis = RedisClients.create(vertx, settings, 1);
    index = new SearchIndexRepository(RedisAPI.api(redis), settings.keyPrefix(), settings.tombstoneTtlSeconds());
    timer = vertx.setPeriodic(settings.nearCacheRefresh().toMillis(), id -> tick());
    // the first read before the HTTP verticles start, so the near cache serves from the first request; not required
    return refresh().otherwiseEmpty();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timer);
    // the read under way ends first (it is bounded by its timeout): closing the connection under it failed it, and
    // every stop that met one logged a warning about a near cache that was going away anyway
    return current.otherwiseEmpty().eventually(() -> {
      redis.close();
      return Future.succeededFuture();
    });
  }

  private void tick() {
    long idle = settings.nearCacheIdle().toNanos();
    if (idle > 0 && nearCache.idleFor(idle)) {
      paused = true;
      return;
    }
    if (paused && current.isComplete()) {
      paused = false;
      nearCache.resumed();
    }
    refresh();
  }

  private Future<Void> refresh() {
    if (stopping || !current.isComplete()) {
      return Future.succeededFuture();
    }
    long sentAt = System.nanoTime();
    long changes = nearCache.localChanges();
    current = index.indexVersion()
      .timeout(settings.nearCacheMaxStaleness().toMillis(), TimeUnit.MILLISECONDS)
      .onSuccess(version -> {
        nearCache.refreshed(version, changes, sentAt);
        if (failing) {
          failing = false;
          LOG.info("index version readable again: the near cache serves again");
        }
      })
      .onFailure(e -> {
        if (!failing && !stopping) {
          failing = true;
          LOG.warn("cannot read the index version ({}): the near cache is bypassed until it can", e.toString());
        }
      })
      .mapEmpty();
    return current;
  }
}
