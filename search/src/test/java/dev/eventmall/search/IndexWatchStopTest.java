package dev.eventmall.search;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.LogCapture;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.search.api.NearCache;
import dev.eventmall.search.messaging.IndexWatch;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The search events verticle stopped while its {@link IndexWatch} check (the marker's {@code SET NX}) is under way
 * (here held by Redis itself, {@code CLIENT PAUSE}): the stop waits for the check instead of closing the Redis client
 * under it, so a service's way down logs no warning about a check that was going away anyway. Before, the check failed
 * with CONNECTION_CLOSED and logged a WARN, as NearCacheRefresher's read did ({@link NearCacheRefresherTest}).
 */
@Needs({Infra.REDIS})
class IndexWatchStopTest {
  Vertx vertx;
  Redis admin;
  String prefix;
  LogCapture logged;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    admin = Redis.createClient(vertx, TestInfra.redisUrl());
    prefix = "search-watch-stop:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    logged = LogCapture.json(IndexWatch.class.getName());
  }

  @AfterEach
  void tearDown() {
    logged.close();
    Await.result(RedisAPI.api(admin).del(List.of(prefix + IndexWatch.MARKER)));
    admin.close();
    Await.result(vertx.close());
  }

  @Test
  void aStopDuringACheckWaitsForItAndWarnsOfNothing() throws Exception {
    SearchSettings settings = SearchSettings.from(Config.of(Map.of(Config.REDIS_URL, TestInfra.redisUrl(),
      SearchSettings.KEY_PREFIX, prefix, SearchSettings.CONSUMER_GROUP, "search-watch-stop-" + prefix,
      SearchSettings.REDIS_POOL_SIZE, "2", SearchSettings.INDEX_CHECK_INTERVAL_MS, "10")));
    // the index is there: every check is the marker's SET NX alone (no rebuild, no Kafka)
    Await.result(RedisAPI.api(admin).set(List.of(prefix + IndexWatch.MARKER, "built:test")));
    RedisPause.stopMidCommand(vertx, admin, () -> new SearchEvents(settings, new NearCache(100, 1 << 20, 1_000)),
      "check");
    assertThat(logged.warnings()).as("warnings on the way down").isEmpty();
  }
}
