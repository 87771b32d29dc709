package dev.eventmall.search;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.LogCapture;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.search.api.NearCache;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The near cache's refresher stopped while its read of the index version is under way (here held by Redis itself,
 * {@code CLIENT PAUSE}): the stop waits for the read instead of closing the connection under it, so a service's way
 * down logs no warning about a near cache that is going away anyway. Before, the read failed with CONNECTION_CLOSED and
 * logged a WARN, which a devstack stop (DevStackBackgroundTest) caught now and then.
 */
@Needs({Infra.REDIS})
class NearCacheRefresherTest {
  Vertx vertx;
  Redis admin;
  LogCapture logged;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    admin = Redis.createClient(vertx, TestInfra.redisUrl());
    logged = LogCapture.json(NearCacheRefresher.class.getName());
  }

  @AfterEach
  void tearDown() {
    logged.close();
    admin.close();
    Await.result(vertx.close());
  }

  /**
   * Nobody searches: after SEARCH_NEAR_CACHE_IDLE_MS the refresher stops reading the version (an idle search process
   * cost ten Redis reads a second), so the near cache's view goes unconfirmed and an answer is no longer served from it;
   * the first search after that starts the reads again and the near cache serves again. Every read before the change
   * kept the answer served through the pause.
   */
  @Test
  void nobodySearchingPausesTheReadsAndTheNextSearchResumesThem() throws Exception {
    SearchSettings settings = SearchSettings.from(Config.of(Map.of(Config.REDIS_URL, TestInfra.redisUrl(),
      SearchSettings.NEAR_CACHE_REFRESH_MS, "10", SearchSettings.NEAR_CACHE_MAX_STALENESS_MS, "100",
      SearchSettings.NEAR_CACHE_IDLE_MS, "200")));
    NearCache nearCache = new NearCache(100, 1 << 20, 100);
    Await.result(vertx.deployVerticle(new NearCacheRefresher(settings, nearCache)));
    Buffer answer = Buffer.buffer("{\"items\":[]}");

    Await.until("searches are served from the near cache", Duration.ofSeconds(10), () -> {
      nearCache.put("q=lamp", nearCache.version(), answer);
      return nearCache.get("q=lamp") != null;
    });
    Thread.sleep(1_000); // nobody searches
    assertThat(nearCache.get("q=lamp")).as("served after a second without reads of the version").isNull();

    Await.until("searches are served from the near cache again", Duration.ofSeconds(10), () -> {
      nearCache.put("q=lamp", nearCache.version(), answer);
      return nearCache.get("q=lamp") != null;
    });
  }

  @Test
  void aStopDuringAReadWaitsForItAndWarnsOfNothing() throws Exception {
    SearchSettings settings = SearchSettings.from(Config.of(Map.of(Config.REDIS_URL, TestInfra.redisUrl(),
      SearchSettings.NEAR_CACHE_REFRESH_MS, "10", SearchSettings.NEAR_CACHE_MAX_STALENESS_MS, "1000")));
    NearCache nearCache = new NearCache(100, 1 << 20, 1_000);
    RedisPause.stopMidCommand(vertx, admin, () -> new NearCacheRefresher(settings, nearCache), "read");
    assertThat(logged.warnings()).as("warnings on the way down").isEmpty();
  }
}
