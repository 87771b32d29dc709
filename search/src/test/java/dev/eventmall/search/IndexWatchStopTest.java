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
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The search events verticle stopped while its {@link IndexWatch} check (the marker's {@code SET NX}) is under way
 * (here held by Redis itself, {@code CLIENT PAUSE}): the stop waits for the check instead of closing the Redis client
 * under it, so a service's way down logs no warning about a check that was going away anyway. Before, the check failed
 * with CONNECTION_CLOSED and logged a WARN, as NearCacheRefresher's read did ({@link NearCacheRefresherTest}). A rebuild
 * under way at the stop is cut short and lets go of its marker (Kafka: for the next start's rebuild).
 */
@Needs({Infra.REDIS, Infra.KAFKA})
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

  /**
   * A rebuild under way when the service stops (here held at its first Kafka call: the first start's Kafka is a port
   * where nothing listens) is cut short, and its {@code building:} marker is removed before the Redis client closes,
   * so the next start (with Kafka there) rebuilds at once. Before, the stop waited its 1 s for the check and closed the
   * client under the rebuild: the marker stayed for the rebuild timeout (600 s by default) and every check of the next
   * start found it taken and skipped the rebuild until it expired.
   */
  @Test
  void aStopDuringARebuildRemovesItsMarkerAndTheNextStartRebuildsAtOnce() throws Exception {
    RedisAPI api = RedisAPI.api(admin);
    Map<String, String> env = new HashMap<>(Map.of(Config.REDIS_URL, TestInfra.redisUrl(),
      SearchSettings.KEY_PREFIX, prefix, SearchSettings.CONSUMER_GROUP, "search-watch-stop-" + prefix,
      SearchSettings.REDIS_POOL_SIZE, "2", SearchSettings.INDEX_CHECK_INTERVAL_MS, "50",
      Config.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9"));
    // no marker: the first check takes it and rebuilds (warning that the index is missing), and the rebuild waits on
    // a Kafka that is not there
    String id = Await.result(vertx.deployVerticle(new SearchEvents(SearchSettings.from(Config.of(env)),
      new NearCache(100, 1 << 20, 1_000))));
    Await.until("the rebuild under way", Duration.ofSeconds(10), () -> marker(api).startsWith("building:"));
    Thread.sleep(200);
    try (LogCapture rebuilds = LogCapture.json("dev.eventmall.search.messaging")) {
      long stopping = System.nanoTime();
      Await.result(vertx.undeploy(id));
      Duration took = Duration.ofNanos(System.nanoTime() - stopping);
      assertThat(marker(api)).as("the rebuild's marker once the stop returned").isEmpty();
      assertThat(took).as("the stop did not wait out its bound").isLessThan(Duration.ofMillis(1_000));
      assertThat(rebuilds.warnings()).as("warnings on the way down").isEmpty();

      // the next start, Kafka there: its first check rebuilds at once (well within a minute, not after the 600 s expiry)
      env.put(Config.KAFKA_BOOTSTRAP_SERVERS, TestInfra.kafka());
      id = Await.result(vertx.deployVerticle(new SearchEvents(SearchSettings.from(Config.of(env)),
        new NearCache(100, 1 << 20, 1_000))));
      Await.until("the index rebuilt by the next start", Duration.ofSeconds(60),
        () -> marker(api).startsWith("built:"));
      Await.result(vertx.undeploy(id));
    }
  }

  /** The marker's value, empty when there is none. */
  private String marker(RedisAPI api) {
    Response value = Await.result(api.get(prefix + IndexWatch.MARKER));
    return value == null ? "" : value.toString();
  }
}
