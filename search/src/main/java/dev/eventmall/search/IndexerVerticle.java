package dev.eventmall.search;

import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.EventHandlers;
import dev.eventmall.search.messaging.ProductEventHandler;
import dev.eventmall.search.persistence.SearchIndexRepository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;

/** The domain side of the indexer: registers the {@code catalog.products} handler the Kafka bridge feeds. */
public final class IndexerVerticle extends VerticleBase {
  private final SearchSettings settings;
  private Redis redis;

  public IndexerVerticle(SearchSettings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    redis = RedisClients.create(vertx, settings);
    SearchIndexRepository index = new SearchIndexRepository(RedisAPI.api(redis), settings.keyPrefix(),
      settings.tombstoneTtlSeconds());
    return EventHandlers.register(vertx, settings.group(), Topics.CATALOG_PRODUCTS, new ProductEventHandler(index))
      .completion();
  }

  @Override
  public Future<?> stop() {
    redis.close();
    return Future.succeededFuture();
  }
}
