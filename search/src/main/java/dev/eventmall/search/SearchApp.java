package dev.eventmall.search;

import dev.eventmall.common.ServiceDeployment;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.kafka.Subscription;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.search.api.NearCache;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;

/**
 * Wires the search service: ensures {@code catalog.products} and its dead-letter topic, deploys the indexer
 * ({@link SearchEvents}), the Kafka bridge of group {@code search-indexer}, the near cache's refresher and the HTTP
 * verticles, which share one {@link NearCache}.
 */
public final class SearchApp {

  private SearchApp() {
  }

  public static Future<ServiceDeployment> deploy(Vertx vertx, Config config, Metrics metrics) {
    return ServiceDeployment.deploy(() -> {
      SearchSettings settings = SearchSettings.from(config);
      Subscription indexer = SearchEvents.indexer(settings);
      KafkaEventBridge.Options bridgeOptions = indexer.bridge(settings.kafka());
      NearCache nearCache = new NearCache(settings.nearCacheMaxEntries(), settings.nearCacheMaxBytes(),
        settings.nearCacheMaxStaleness().toMillis());
      nearCache.bindTo(metrics.registry());
      return ServiceDeployment.steps(vertx, config)
        .topics(List.of(), indexer)
        .verticle(() -> new SearchEvents(settings, nearCache))
        .bridge(bridgeOptions)
        .verticle(() -> new NearCacheRefresher(settings, nearCache))
        .http(() -> new SearchVerticle(config, settings, metrics, bridgeOptions, nearCache), SearchVerticle::port,
          settings.httpInstances())
        .start();
    });
  }
}
