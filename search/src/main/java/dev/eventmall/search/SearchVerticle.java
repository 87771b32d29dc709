package dev.eventmall.search;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.kafka.DeadLetters;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.kafka.KafkaTopics;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.search.api.NearCache;
import dev.eventmall.search.api.SearchApi;
import dev.eventmall.search.messaging.IndexRebuilder;
import dev.eventmall.search.messaging.ProductEventHandler;
import dev.eventmall.search.persistence.SearchIndexRepository;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;

import java.util.concurrent.TimeUnit;

/** The HTTP side: search, rebuild, dead-letter admin, health (Redis, Kafka), metrics, OpenAPI. */
public final class SearchVerticle extends VerticleBase {
  private final Config config;
  private final SearchSettings settings;
  private final Metrics metrics;
  private final KafkaEventBridge.Options bridgeOptions;
  private final Promise<Integer> port;
  private final NearCache nearCache;
  private Redis redis;

  /**
   * {@code port} is completed with the port the server listens on (the first instance to start wins); {@code nearCache}
   * is shared by every instance of the deployment.
   */
  public SearchVerticle(Config config, SearchSettings settings, Metrics metrics, KafkaEventBridge.Options bridgeOptions,
                        Promise<Integer> port, NearCache nearCache) {
    this.config = config;
    this.settings = settings;
    this.metrics = metrics;
    this.bridgeOptions = bridgeOptions;
    this.port = port;
    this.nearCache = nearCache;
  }

  @Override
  public Future<?> start() {
    redis = RedisClients.create(vertx, settings);
    // a rebuild applies changes through this repository: they reach the near cache like the indexer's
    SearchIndexRepository index = new SearchIndexRepository(RedisAPI.api(redis), settings.keyPrefix(),
      settings.tombstoneTtlSeconds(), nearCache::applied);
    IndexRebuilder rebuilder = new IndexRebuilder(vertx, settings.kafka(), Topics.CATALOG_PRODUCTS,
      new ProductEventHandler(index), settings.rebuildTimeout());
    SearchApi api = new SearchApi(index, nearCache, rebuilder, metrics.registry(), settings.cacheTtlSeconds());
    HealthChecks checks = HealthChecks.create(vertx)
      .register("redis", 3_000, promise -> index.ping()
        .timeout(2, TimeUnit.SECONDS).map(v -> Status.OK()).otherwise(Status.KO()).onComplete(promise))
      .register("kafka", 5_000, promise -> KafkaTopics.list(vertx, settings.kafka())
        .timeout(4, TimeUnit.SECONDS).map(t -> Status.OK()).otherwise(Status.KO()).onComplete(promise));
    return Jwt.create(vertx, config).compose(jwt -> {
      Router root = HttpBootstrap.builder(vertx)
        .bodyLimit(config.httpBodyLimitBytes())
        .healthChecks(checks)
        .metrics(metrics)
        .openApi("openapi/search.yaml")
        .build();
      api.mount(root, jwt);
      new DeadLetters(vertx, bridgeOptions)
        .mount(root, "/admin/dlq", AuthHandlers.bearer(jwt), AuthHandlers.requireRole(AuthPrincipal.ADMIN));
      return HttpBootstrap.listen(vertx, root, settings.httpPort());
    }).onSuccess(server -> port.tryComplete(server.actualPort()));
  }

  @Override
  public Future<?> stop() {
    redis.close();
    return Future.succeededFuture();
  }
}
