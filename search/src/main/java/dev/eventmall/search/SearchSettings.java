package dev.eventmall.search;

import dev.eventmall.common.config.Config;

import java.time.Duration;

/**
 * The search service's settings, read from {@link Config} (environment variables):
 * {@code HTTP_PORT} (8084), {@code REDIS_URL}, {@code KAFKA_BOOTSTRAP_SERVERS}, {@code JWT_*},
 * {@code SEARCH_KEY_PREFIX} ({@code search:}), {@code SEARCH_CONSUMER_GROUP} ({@code search-indexer}),
 * {@code SEARCH_CACHE_TTL_SECONDS} (60), {@code SEARCH_TOMBSTONE_TTL_SECONDS} (0 = tombstones are permanent),
 * {@code SEARCH_HTTP_INSTANCES} (number of cores), {@code SEARCH_REDIS_POOL_SIZE} (16),
 * {@code SEARCH_REBUILD_TIMEOUT_SECONDS} (600), {@code SEARCH_INDEX_CHECK_INTERVAL_MS} (5000; how often the index watch
 * looks for a lost index and rebuilds it, 0 = never: rebuilds only on demand).
 */
public record SearchSettings(int httpPort, String redisUrl, String kafka, String keyPrefix, String group,
                             long cacheTtlSeconds, long tombstoneTtlSeconds, int httpInstances, int redisPoolSize,
                             Duration rebuildTimeout, Duration indexCheckInterval) {

  public static final int DEFAULT_PORT = 8084;
  public static final String KEY_PREFIX = "SEARCH_KEY_PREFIX";
  public static final String CONSUMER_GROUP = "SEARCH_CONSUMER_GROUP";
  public static final String CACHE_TTL_SECONDS = "SEARCH_CACHE_TTL_SECONDS";
  public static final String TOMBSTONE_TTL_SECONDS = "SEARCH_TOMBSTONE_TTL_SECONDS";
  public static final String HTTP_INSTANCES = "SEARCH_HTTP_INSTANCES";
  public static final String REDIS_POOL_SIZE = "SEARCH_REDIS_POOL_SIZE";
  public static final String REBUILD_TIMEOUT_SECONDS = "SEARCH_REBUILD_TIMEOUT_SECONDS";
  public static final String INDEX_CHECK_INTERVAL_MS = "SEARCH_INDEX_CHECK_INTERVAL_MS";

  public static SearchSettings from(Config config) {
    long cacheTtl = config.getLong(CACHE_TTL_SECONDS, 60);
    long tombTtl = config.getLong(TOMBSTONE_TTL_SECONDS, 0);
    int instances = config.getInt(HTTP_INSTANCES, Math.max(1, Runtime.getRuntime().availableProcessors()));
    int pool = config.getInt(REDIS_POOL_SIZE, 16);
    long rebuild = config.getLong(REBUILD_TIMEOUT_SECONDS, 600);
    long check = config.getLong(INDEX_CHECK_INTERVAL_MS, 5_000);
    if (cacheTtl < 1 || tombTtl < 0 || instances < 1 || pool < 1 || rebuild < 1 || check < 0) {
      throw new Config.ConfigException("SEARCH_* settings out of range: cache TTL >= 1, tombstone TTL >= 0,"
        + " instances >= 1, pool size >= 1, rebuild timeout >= 1, index check interval >= 0");
    }
    return new SearchSettings(config.httpPort(DEFAULT_PORT), config.redisUrl(), config.kafkaBootstrapServers(),
      config.get(KEY_PREFIX, "search:"), config.get(CONSUMER_GROUP, "search-indexer"), cacheTtl, tombTtl, instances,
      pool, Duration.ofSeconds(rebuild), Duration.ofMillis(check));
  }
}
