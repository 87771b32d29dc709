package dev.eventmall.search;

import dev.eventmall.common.ServiceMain;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.kafka.KafkaTopics;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.search.api.NearCache;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;

/**
 * Wires the search service: ensures {@code catalog.products} and its dead-letter topic, deploys the indexer (domain
 * handler), the Kafka bridge of group {@code search-indexer}, the near cache's refresher and the HTTP verticles, which
 * share one {@link NearCache}.
 */
public final class SearchApp {

  private SearchApp() {
  }

  /** What {@link #deploy} started: the HTTP port actually bound and the deployment ids (undeploy in reverse). */
  public record Deployment(int port, List<String> deploymentIds) implements ServiceMain.Started {
    @Override
    public int httpPort() {
      return port;
    }

    public Future<Void> undeploy(Vertx vertx) {
      Future<Void> chain = Future.succeededFuture();
      for (int i = deploymentIds.size() - 1; i >= 0; i--) {
        String id = deploymentIds.get(i);
        chain = chain.compose(v -> vertx.undeploy(id));
      }
      return chain;
    }
  }

  public static Future<Deployment> deploy(Vertx vertx, Config config, Metrics metrics) {
    SearchSettings settings;
    try {
      settings = SearchSettings.from(config);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    KafkaEventBridge.Options bridgeOptions =
      new KafkaEventBridge.Options(settings.kafka(), settings.group(), List.of(Topics.CATALOG_PRODUCTS));
    List<String> ids = new ArrayList<>();
    Promise<Integer> port = Promise.promise();
    NearCache nearCache = new NearCache(settings.nearCacheMaxEntries(), settings.nearCacheMaxBytes(),
      settings.nearCacheMaxStaleness().toMillis());
    nearCache.bindTo(metrics.registry());
    return KafkaTopics.ensure(vertx, settings.kafka(),
        List.of(Topics.CATALOG_PRODUCTS, Topics.dlq(Topics.CATALOG_PRODUCTS)), KafkaTopics.partitions(config), 3)
      .compose(v -> vertx.deployVerticle(new IndexerVerticle(settings, nearCache)))
      .compose(id -> {
        ids.add(id);
        return vertx.deployVerticle(new KafkaEventBridge(bridgeOptions));
      })
      .compose(id -> {
        ids.add(id);
        return vertx.deployVerticle(new NearCacheRefresher(settings, nearCache));
      })
      .compose(id -> {
        ids.add(id);
        return vertx.deployVerticle(() -> new SearchVerticle(config, settings, metrics, bridgeOptions, port, nearCache),
          new DeploymentOptions().setInstances(settings.httpInstances()));
      })
      .compose(id -> {
        ids.add(id);
        return port.future();
      })
      .map(p -> new Deployment(p, List.copyOf(ids)))
      .recover(e -> new Deployment(0, List.copyOf(ids)).undeploy(vertx).transform(ar -> Future.failedFuture(e)));
  }
}
