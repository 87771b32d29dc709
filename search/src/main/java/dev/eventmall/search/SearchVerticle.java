package dev.eventmall.search;

import dev.eventmall.common.ServiceHttpVerticle;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.search.api.NearCache;
import dev.eventmall.search.api.SearchApi;
import dev.eventmall.search.messaging.IndexRebuilder;
import dev.eventmall.search.messaging.ProductEventHandler;
import dev.eventmall.search.persistence.SearchIndexRepository;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;

/** The HTTP side: search, rebuild, dead-letter admin, health (Redis, Kafka), metrics, OpenAPI. */
public final class SearchVerticle extends ServiceHttpVerticle {
  private final SearchSettings settings;
  private final KafkaEventBridge.Options bridgeOptions;
  private final NearCache nearCache;
  private Redis redis;

  /** {@code nearCache} is shared by every instance of the deployment. */
  public SearchVerticle(Config config, SearchSettings settings, Metrics metrics, KafkaEventBridge.Options bridgeOptions,
                        NearCache nearCache) {
    super(config, metrics, "openapi/search.yaml", settings.httpPort());
    this.settings = settings;
    this.bridgeOptions = bridgeOptions;
    this.nearCache = nearCache;
  }

  @Override
  protected void routes(Http http) {
    redis = RedisClients.create(vertx, settings);
    // a rebuild applies changes through this repository: they reach the near cache like the indexer's
    SearchIndexRepository index = new SearchIndexRepository(RedisAPI.api(redis), settings.keyPrefix(),
      settings.tombstoneTtlSeconds(), nearCache::applied);
    IndexRebuilder rebuilder = new IndexRebuilder(vertx, settings.kafka(), Topics.CATALOG_PRODUCTS,
      new ProductEventHandler(index), settings.rebuildTimeout());
    http.readiness().check("redis", index::ping).kafka(settings.kafka());
    new SearchApi(index, nearCache, rebuilder, metrics.registry(), settings.cacheTtlSeconds())
      .routes(http.contract(), http.jwt()).mount(http.root());
    deadLetters(http, "/admin/dlq", bridgeOptions);
  }

  @Override
  public Future<?> stop() {
    if (redis != null) {
      redis.close();
    }
    return super.stop();
  }
}
