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
 * looks for a lost index and rebuilds it, 0 = never: rebuilds only on demand); the in-process near cache
 * ({@code api.NearCache}): {@code SEARCH_NEAR_CACHE_MAX_ENTRIES} (10000, 0 = off), {@code SEARCH_NEAR_CACHE_MAX_BYTES}
 * (64 MiB), {@code SEARCH_NEAR_CACHE_REFRESH_MS} (100: how often the index version is read from Redis, which bounds how
 * long a change made by another process can go unseen here) and {@code SEARCH_NEAR_CACHE_MAX_STALENESS_MS} (1000: the
 * near cache is bypassed when the version could not be confirmed for that long; more than the refresh interval) and
 * {@code SEARCH_NEAR_CACHE_IDLE_MS} (10000: after that long without a search the version is no longer read, so an idle
 * process costs Redis nothing; the next search reads past the near cache until the next refresh; 0 = always read).
 */
public record SearchSettings(int httpPort, String redisUrl, String kafka, String keyPrefix, String group,
                             long cacheTtlSeconds, long tombstoneTtlSeconds, int httpInstances, int redisPoolSize,
                             Duration rebuildTimeout, Duration indexCheckInterval, int nearCacheMaxEntries,
                             long nearCacheMaxBytes, Duration nearCacheRefresh, Duration nearCacheMaxStaleness,
                             Duration nearCacheIdle) {

  public static final int DEFAULT_PORT = 8084;
  public static final String KEY_PREFIX = "SEARCH_KEY_PREFIX";
  public static final String CONSUMER_GROUP = "SEARCH_CONSUMER_GROUP";
  public static final String CACHE_TTL_SECONDS = "SEARCH_CACHE_TTL_SECONDS";
  public static final String TOMBSTONE_TTL_SECONDS = "SEARCH_TOMBSTONE_TTL_SECONDS";
  public static final String HTTP_INSTANCES = "SEARCH_HTTP_INSTANCES";
  public static final String REDIS_POOL_SIZE = "SEARCH_REDIS_POOL_SIZE";
  public static final String REBUILD_TIMEOUT_SECONDS = "SEARCH_REBUILD_TIMEOUT_SECONDS";
  public static final String INDEX_CHECK_INTERVAL_MS = "SEARCH_INDEX_CHECK_INTERVAL_MS";
  public static final String NEAR_CACHE_MAX_ENTRIES = "SEARCH_NEAR_CACHE_MAX_ENTRIES";
  public static final String NEAR_CACHE_MAX_BYTES = "SEARCH_NEAR_CACHE_MAX_BYTES";
  public static final String NEAR_CACHE_REFRESH_MS = "SEARCH_NEAR_CACHE_REFRESH_MS";
  public static final String NEAR_CACHE_MAX_STALENESS_MS = "SEARCH_NEAR_CACHE_MAX_STALENESS_MS";
  public static final String NEAR_CACHE_IDLE_MS = "SEARCH_NEAR_CACHE_IDLE_MS";

  public static SearchSettings from(Config config) {
    long cacheTtl = config.getLong(CACHE_TTL_SECONDS, 60);
    long tombTtl = config.getLong(TOMBSTONE_TTL_SECONDS, 0);
    int instances = config.getInt(HTTP_INSTANCES, Math.max(1, Runtime.getRuntime().availableProcessors()));
    int pool = config.getInt(REDIS_POOL_SIZE, 16);
    long rebuild = config.getLong(REBUILD_TIMEOUT_SECONDS, 600);
    long check = config.getLong(INDEX_CHECK_INTERVAL_MS, 5_000);
    int nearEntries = config.getInt(NEAR_CACHE_MAX_ENTRIES, 10_000);
    long nearBytes = config.getLong(NEAR_CACHE_MAX_BYTES, 64L * 1024 * 1024);
    long refreshMs = config.getLong(NEAR_CACHE_REFRESH_MS, 100);
    long stalenessMs = config.getLong(NEAR_CACHE_MAX_STALENESS_MS, 1_000);
    long idleMs = config.getLong(NEAR_CACHE_IDLE_MS, 10_000);
    if (cacheTtl < 1 || tombTtl < 0 || instances < 1 || pool < 1 || rebuild < 1 || check < 0) {
      throw new Config.ConfigException("SEARCH_* settings out of range: cache TTL >= 1, tombstone TTL >= 0,"
        + " instances >= 1, pool size >= 1, rebuild timeout >= 1, index check interval >= 0");
    }
    if (nearEntries < 0 || nearBytes < 0 || refreshMs < 10 || stalenessMs <= refreshMs
      || idleMs != 0 && idleMs < stalenessMs) {
      throw new Config.ConfigException("SEARCH_NEAR_CACHE_* settings out of range: max entries >= 0, max bytes >= 0,"
        + " refresh >= 10 ms, max staleness > refresh, idle 0 or >= max staleness");
    }
    return new SearchSettings(config.httpPort(DEFAULT_PORT), config.redisUrl(), config.kafkaBootstrapServers(),
      config.get(KEY_PREFIX, "search:"), config.get(CONSUMER_GROUP, "search-indexer"), cacheTtl, tombTtl, instances,
      pool, Duration.ofSeconds(rebuild), Duration.ofMillis(check), nearEntries, nearBytes, Duration.ofMillis(refreshMs),
      Duration.ofMillis(stalenessMs), Duration.ofMillis(idleMs));
  }
}
