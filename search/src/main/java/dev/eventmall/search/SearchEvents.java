package dev.eventmall.search;

import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.Subscription;
import dev.eventmall.search.api.NearCache;
import dev.eventmall.search.messaging.IndexRebuilder;
import dev.eventmall.search.messaging.IndexWatch;
import dev.eventmall.search.messaging.ProductEventHandler;
import dev.eventmall.search.persistence.SearchIndexRepository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;

import java.time.Duration;

/**
 * What the search service consumes, in one place: the indexer's consumer group ({@link #indexer}, named by
 * {@code SEARCH_CONSUMER_GROUP}, default {@code search-indexer}) reads catalog.products, handled by
 * {@link ProductEventHandler} one event at a time. It also runs the {@link IndexWatch} (at start, then every
 * {@code SEARCH_INDEX_CHECK_INTERVAL_MS}) that rebuilds a lost index. Every change either applies tells the process's
 * {@link NearCache} the new index version before it counts as handled.
 */
public final class SearchEvents extends VerticleBase {
  /**
   * How long a stop waits for the index check under way (one Redis command; a rebuild running is cut short and its
   * marker removed: a few more).
   */
  private static final Duration CHECK_STOP_WAIT = Duration.ofSeconds(1);

  private final SearchSettings settings;
  private final NearCache nearCache;
  private Redis redis;
  private IndexWatch watch;
  private long timer = -1;

  public SearchEvents(SearchSettings settings, NearCache nearCache) {
    this.settings = settings;
    this.nearCache = nearCache;
  }

  /** The product index, kept from the catalog's product events. */
  public static Subscription indexer(SearchSettings settings) {
    return Subscription.of(settings.group(), Topics.CATALOG_PRODUCTS);
  }

  @Override
  public Future<?> start() {
    redis = RedisClients.create(vertx, settings);
    SearchIndexRepository index = new SearchIndexRepository(RedisAPI.api(redis), settings.keyPrefix(),
      settings.tombstoneTtlSeconds(), nearCache::applied);
    ProductEventHandler handler = new ProductEventHandler(index);
    return indexer(settings).handle(vertx, Topics.CATALOG_PRODUCTS, handler)
      .onSuccess(v -> {
        long interval = settings.indexCheckInterval().toMillis();
        if (interval > 0) {
          watch = new IndexWatch(RedisAPI.api(redis), settings.keyPrefix(), new IndexRebuilder(vertx,
            settings.kafka(), Topics.CATALOG_PRODUCTS, handler, settings.rebuildTimeout()), settings.rebuildTimeout());
          watch.check();
          timer = vertx.setPeriodic(interval, id -> watch.check());
        }
      });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    // the index check under way ends first (bounded): closing the client under it failed it with CONNECTION_CLOSED,
    // and every stop that met one logged a warning
    Future<Void> checked = watch == null ? Future.succeededFuture()
      : watch.stop(CHECK_STOP_WAIT);
    return checked.eventually(() -> {
      redis.close();
      return Future.succeededFuture();
    });
  }
}
