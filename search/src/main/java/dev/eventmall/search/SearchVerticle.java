package dev.eventmall.search;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.http.ContractRoutes;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.http.Readiness;
import dev.eventmall.common.kafka.DeadLetters;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.search.api.NearCache;
import dev.eventmall.search.api.SearchApi;
import dev.eventmall.search.messaging.IndexRebuilder;
import dev.eventmall.search.messaging.ProductEventHandler;
import dev.eventmall.search.persistence.SearchIndexRepository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;

/** The HTTP side: search, rebuild, dead-letter admin, health (Redis, Kafka), metrics, OpenAPI. */
public final class SearchVerticle extends VerticleBase {
  private final Config config;
  private final SearchSettings settings;
  private final Metrics metrics;
  private final KafkaEventBridge.Options bridgeOptions;
  private final NearCache nearCache;
  private Redis redis;
  private Readiness readiness;
  private volatile int port;

  /** {@code nearCache} is shared by every instance of the deployment. */
  public SearchVerticle(Config config, SearchSettings settings, Metrics metrics, KafkaEventBridge.Options bridgeOptions,
                        NearCache nearCache) {
    this.config = config;
    this.settings = settings;
    this.metrics = metrics;
    this.bridgeOptions = bridgeOptions;
    this.nearCache = nearCache;
  }

  /** The port this instance listens on. */
  public int port() {
    return port;
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
    readiness = Readiness.create(vertx).check("redis", index::ping).kafka(settings.kafka());
    HealthChecks checks = readiness.checks();
    return Future.all(Jwt.create(vertx, config), ContractRoutes.load(vertx, "openapi/search.yaml")).compose(both -> {
      JWTAuth jwt = both.resultAt(0);
      Router root = HttpBootstrap.builder(vertx)
        .bodyLimit(config.httpBodyLimitBytes())
        .healthChecks(checks)
        .metrics(metrics)
        .openApi("openapi/search.yaml")
        .build();
      api.routes(both.resultAt(1), jwt).mount(root);
      new DeadLetters(vertx, bridgeOptions)
        .mount(root, "/admin/dlq", AuthHandlers.bearer(jwt), AuthHandlers.requireRole(AuthPrincipal.ADMIN));
      return HttpBootstrap.listen(vertx, root, settings.httpPort());
    }).onSuccess(server -> port = server.actualPort());
  }

  @Override
  public Future<?> stop() {
    redis.close();
    return readiness == null ? Future.succeededFuture() : readiness.close();
  }
}
