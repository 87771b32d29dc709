package dev.eventmall.search;

import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.EventHandlers;
import dev.eventmall.search.api.NearCache;
import dev.eventmall.search.messaging.IndexRebuilder;
import dev.eventmall.search.messaging.IndexWatch;
import dev.eventmall.search.messaging.ProductEventHandler;
import dev.eventmall.search.persistence.SearchIndexRepository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;

/**
 * The domain side of the indexer: registers the {@code catalog.products} handler the Kafka bridge feeds, and runs the
 * {@link IndexWatch} (at start, then every {@code SEARCH_INDEX_CHECK_INTERVAL_MS}) that rebuilds a lost index. Every
 * change either applies tells the process's {@link NearCache} the new index version before it counts as handled.
 */
public final class IndexerVerticle extends VerticleBase {
  private final SearchSettings settings;
  private final NearCache nearCache;
  private Redis redis;

  public IndexerVerticle(SearchSettings settings, NearCache nearCache) {
    this.settings = settings;
    this.nearCache = nearCache;
  }

  @Override
  public Future<?> start() {
    redis = RedisClients.create(vertx, settings);
    SearchIndexRepository index = new SearchIndexRepository(RedisAPI.api(redis), settings.keyPrefix(),
      settings.tombstoneTtlSeconds(), nearCache::applied);
    ProductEventHandler handler = new ProductEventHandler(index);
    return EventHandlers.register(vertx, settings.group(), Topics.CATALOG_PRODUCTS, handler)
      .completion()
      .onSuccess(v -> {
        long interval = settings.indexCheckInterval().toMillis();
        if (interval > 0) {
          IndexWatch watch = new IndexWatch(RedisAPI.api(redis), settings.keyPrefix(), new IndexRebuilder(vertx,
            settings.kafka(), Topics.CATALOG_PRODUCTS, handler, settings.rebuildTimeout()), settings.rebuildTimeout());
          watch.check();
          vertx.setPeriodic(interval, id -> watch.check());
        }
      });
  }

  @Override
  public Future<?> stop() {
    redis.close();
    return Future.succeededFuture();
  }
}
