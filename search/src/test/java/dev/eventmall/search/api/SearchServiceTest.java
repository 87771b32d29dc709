package dev.eventmall.search.api;

import dev.eventmall.common.ServiceDeployment;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.auth.TokenIssuer;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventSchemas;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.ContractCheck;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.common.testing.TopicReader;
import dev.eventmall.search.SearchApp;
import dev.eventmall.search.SearchSettings;
import dev.eventmall.search.domain.ProductDocument;
import dev.eventmall.search.persistence.SearchIndexRepository;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The search service end to end over real Kafka and Redis: products are published on {@code catalog.products} exactly
 * as the catalog service does (key = productId, header {@code type}, JSON envelope) and found through {@code GET /search}.
 * The topic is shared by every test of the JVM and each deployment reads it from the beginning (own consumer group and
 * key prefix), so every test uses words of its own.
 */
@Needs({Infra.KAFKA, Infra.REDIS})
@ExtendWith(VertxExtension.class)
class SearchServiceTest {
  static final String SECRET = "search-test-secret-0123456789-0123456789";
  /** Tests with this tag get a near cache of {@value #TINY_NEAR_CACHE} entries. */
  static final String TINY = "tiny-near-cache";
  static final int TINY_NEAR_CACHE = 4;
  /** Tests with this tag get two HTTP verticle instances. */
  static final String TWO_HTTP_INSTANCES = "two-http-instances";
  static final Pattern LATIN = Pattern.compile("[a-z]+");

  String kafka;
  String group;
  String prefix;
  Metrics metrics;
  ServiceDeployment deployment;
  WebClient client;
  KafkaProducer<String, String> producer;
  Redis redisClient;
  RedisAPI redis;
  TokenIssuer tokens;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext ctx, TestInfo test) {
    kafka = TestInfra.kafka();
    String run = UUID.randomUUID().toString().substring(0, 8);
    group = "search-test-" + run;
    prefix = "search-test:" + run + ":";
    metrics = Metrics.create("search");
    Config config = Config.of(Map.of(
      Config.KAFKA_BOOTSTRAP_SERVERS, kafka,
      Config.REDIS_URL, TestInfra.redisUrl(),
      Config.HTTP_PORT, "0",
      Config.JWT_SECRET, SECRET,
      SearchSettings.KEY_PREFIX, prefix,
      SearchSettings.CONSUMER_GROUP, group,
      SearchSettings.HTTP_INSTANCES, test.getTags().contains(TWO_HTTP_INSTANCES) ? "2" : "1",
      // the index watch is off here (the flush test below must see the loss); on in aLostIndexIsRebuiltByItself...
      SearchSettings.INDEX_CHECK_INTERVAL_MS, "0"))
      .with(SearchSettings.NEAR_CACHE_MAX_ENTRIES, test.getTags().contains(TINY) ? "" + TINY_NEAR_CACHE : "10000");
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka);
    props.put("acks", "all");
    props.put("enable.idempotence", "true");
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    producer = new KafkaProducer<>(props);
    // every answer these tests get is checked against the service's OpenAPI document
    client = ContractCheck.validating(vertx, WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")),
      "openapi/search.yaml");
    redisClient = Redis.createClient(vertx, TestInfra.redisUrl());
    redis = RedisAPI.api(redisClient);
    tokens = TokenIssuer.create(Jwt.hs256(vertx, SECRET), Jwt.HS256, 300);
    SearchApp.deploy(vertx, config, metrics)
      .onSuccess(d -> deployment = d)
      .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void close(Vertx vertx, VertxTestContext ctx) {
    producer.close();
    client.close();
    redisClient.close();
    (deployment == null ? io.vertx.core.Future.<Void>succeededFuture() : deployment.undeploy(vertx))
      .onComplete(ctx.succeedingThenComplete());
  }

  // ------------------------------------------------------------------------------------------------------ tests

  @Test
  void aKoreanPartialWordFindsTheProductWithinFiveSeconds() throws Exception {
    String word = uniqueWord();
    String id = UUID.randomUUID().toString();
    long published = System.nanoTime();
    publish("ProductCreated", product(id, 1, "무선 이어폰 EarPhone " + word, "audio", 39_000));

    Await.until("무선 finds the product", Duration.ofSeconds(5), () -> ids(search("q", "무선", "size", "100")).contains(id));
    assertThat(Duration.ofNanos(System.nanoTime() - published)).isLessThan(Duration.ofSeconds(5));

    assertThat(ids(search("q", "이어", "size", "100"))).contains(id);
    assertThat(ids(search("q", "이어폰", "size", "100"))).contains(id);
    assertThat(ids(search("q", "earPHONE", "size", "100"))).as("Latin is case-folded").contains(id);
    JsonObject exact = search("q", "무선 " + word.toUpperCase());
    assertThat(exact.getLong("total")).isEqualTo(1);
    JsonObject hit = exact.getJsonArray("items").getJsonObject(0);
    assertThat(hit.getString("productId")).isEqualTo(id);
    assertThat(hit.getString("name")).isEqualTo("무선 이어폰 EarPhone " + word);
    assertThat(hit.getString("category")).isEqualTo("audio");
    assertThat(hit.getLong("price")).isEqualTo(39_000);
    assertThat(hit.getString("imageUrl")).isEqualTo("https://img.eventmall.dev/" + id + "/1.jpg");
    assertThat(hit.getDouble("score")).isPositive();
    assertThat(search("q", "유선 " + word).getLong("total")).as("a word not in the product").isZero();
  }

  @Test
  void updatesAndDeletesShowUpAndADeleteRemovesEveryTrace() throws Exception {
    String word = uniqueWord();
    String id = UUID.randomUUID().toString();
    publish("ProductCreated", product(id, 1, "무선 이어폰 " + word, "audio", 39_000));
    awaitTotal(1, "q", word + " 이어폰");

    publish("ProductUpdated", product(id, 2, "유선 헤드셋 " + word, "headsets", 25_000));
    awaitTotal(1, "q", word + " 헤드셋");
    JsonObject updated = search("q", word).getJsonArray("items").getJsonObject(0);
    assertThat(updated.getString("name")).isEqualTo("유선 헤드셋 " + word);
    assertThat(updated.getLong("price")).isEqualTo(25_000);
    assertThat(updated.getString("category")).isEqualTo("headsets");
    assertThat(search("q", word + " 이어폰").getLong("total")).as("old words are gone").isZero();
    assertThat(ids(search("category", "audio", "size", "100"))).doesNotContain(id);
    assertThat(ids(search("category", "HEADSETS", "size", "100"))).contains(id);

    RecordMetadata deleted = publish("ProductDeleted", deletedPayload(id, 3));
    awaitHandled(deleted);
    assertThat(search("q", word).getLong("total")).isZero();
    assertNoTrace(id);
    assertThat(str(redis.get(prefix + "tomb:" + id))).isEqualTo("3");
  }

  @Test
  void outOfOrderAndDuplicateEventsNeverRollBackANewerVersion() throws Exception {
    String word = uniqueWord();
    String id = UUID.randomUUID().toString();
    publish("ProductUpdated", product(id, 2, "새 이름 " + word, "books", 2_000));
    publish("ProductCreated", product(id, 1, "옛 이름 " + word, "books", 1_000));
    RecordMetadata last = publish("ProductUpdated", product(id, 2, "새 이름 " + word, "books", 2_000));
    awaitHandled(last);

    JsonObject result = search("q", word);
    assertThat(result.getLong("total")).isEqualTo(1);
    assertThat(result.getJsonArray("items").getJsonObject(0).getString("name")).isEqualTo("새 이름 " + word);
    assertThat(result.getJsonArray("items").getJsonObject(0).getLong("price")).isEqualTo(2_000);
    assertThat(search("q", "옛 " + word).getLong("total")).isZero();
    assertThat(str(redis.hget(prefix + "product:" + id, "version"))).isEqualTo("2");

    // a duplicate of v3 and a replay of v1 after it change nothing either
    publish("ProductUpdated", product(id, 3, "최신 이름 " + word, "books", 3_000));
    publish("ProductUpdated", product(id, 3, "최신 이름 " + word, "books", 3_000));
    awaitHandled(publish("ProductCreated", product(id, 1, "옛 이름 " + word, "books", 1_000)));
    result = search("q", word);
    assertThat(result.getLong("total")).isEqualTo(1);
    assertThat(result.getJsonArray("items").getJsonObject(0).getString("name")).isEqualTo("최신 이름 " + word);
    assertThat(str(redis.hget(prefix + "product:" + id, "version"))).isEqualTo("3");
  }

  @Test
  void aDeleteFollowedByALateOlderUpdateDoesNotResurrectTheProduct() throws Exception {
    String word = uniqueWord();
    String id = UUID.randomUUID().toString();
    publish("ProductCreated", product(id, 1, "무선 마우스 " + word, "pc", 15_000));
    awaitTotal(1, "q", word);
    publish("ProductDeleted", deletedPayload(id, 3));
    publish("ProductUpdated", product(id, 2, "무선 마우스 " + word, "pc", 14_000));
    awaitHandled(publish("ProductCreated", product(id, 1, "무선 마우스 " + word, "pc", 15_000)));

    assertThat(search("q", word).getLong("total")).isZero();
    assertThat(ids(search("category", "pc", "size", "100"))).doesNotContain(id);
    assertNoTrace(id);
    assertThat(str(redis.get(prefix + "tomb:" + id))).isEqualTo("3");
  }

  @Test
  void repeatedQueriesHitTheCacheAndAChangeMakesTheNextQueryAMissWithTheNewData() throws Exception {
    String word = uniqueWord();
    String id = UUID.randomUUID().toString();
    publish("ProductCreated", product(id, 1, "무선 충전기 " + word, "chargers", 20_000));
    awaitTotal(1, "q", word);
    awaitCaughtUp(); // nothing else changes the index from here on

    double hits0 = meter("search_cache_hits_total");
    double misses0 = meter("search_cache_misses_total");
    HttpResponse<Buffer> first = get("q", "충전기 " + word, "size", "7");
    HttpResponse<Buffer> second = get("q", "충전기 " + word, "size", "7");
    HttpResponse<Buffer> third = get("q", "충전기 " + word, "size", "7");
    assertThat(first.getHeader(SearchApi.CACHE_HEADER)).isEqualTo("MISS");
    assertThat(second.getHeader(SearchApi.CACHE_HEADER)).isEqualTo("HIT");
    assertThat(third.getHeader(SearchApi.CACHE_HEADER)).isEqualTo("HIT");
    assertThat(second.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
    assertThat(meter("search_cache_hits_total") - hits0).isEqualTo(2.0);
    assertThat(meter("search_cache_misses_total") - misses0).isEqualTo(1.0);
    assertThat(hitRate(hits0, misses0)).as("hit rate").isGreaterThan(0).isEqualTo(2.0 / 3.0);

    // a change bumps the index version: the next identical query is a miss and shows the new data
    awaitHandled(publish("ProductUpdated", product(id, 2, "무선 충전기 " + word, "chargers", 18_000)));
    HttpResponse<Buffer> afterChange = get("q", "충전기 " + word, "size", "7");
    assertThat(afterChange.getHeader(SearchApi.CACHE_HEADER)).isEqualTo("MISS");
    assertThat(afterChange.bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getLong("price")).isEqualTo(18_000);
    HttpResponse<Buffer> again = get("q", "충전기 " + word, "size", "7");
    assertThat(again.getHeader(SearchApi.CACHE_HEADER)).isEqualTo("HIT");
    assertThat(again.bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getLong("price")).isEqualTo(18_000);
    assertThat(meter("search_cache_hits_total") - hits0).isEqualTo(3.0);
    assertThat(meter("search_cache_misses_total") - misses0).isEqualTo(2.0);
    assertThat(hitRate(hits0, misses0)).isEqualTo(3.0 / 5.0);
    assertThat(metricsText()).contains("search_latency_seconds_count");
    assertThat(meter("search_cache_hit_ratio")).isGreaterThan(0).isLessThan(1);
  }

  @Test
  void aNearCacheHitDoesNotTouchRedis() throws Exception {
    String word = uniqueWord();
    publish("ProductCreated", product(UUID.randomUUID().toString(), 1, "블루투스 스피커 " + word, "audio", 59_000));
    awaitTotal(1, "q", word);
    awaitCaughtUp(); // the indexer runs no more scripts from here on

    double hits0 = meter("search_cache_hits_total");
    double near0 = meter("search_cache_near_hits_total");
    double misses0 = meter("search_cache_misses_total");
    long scripts0 = scriptCalls();
    HttpResponse<Buffer> first = get("q", "스피커 " + word);
    assertThat(first.getHeader(SearchApi.CACHE_HEADER)).isEqualTo("MISS");
    long scripts1 = scriptCalls();
    assertThat(scripts1 - scripts0).as("a miss runs the cache lookup and the search scripts").isGreaterThanOrEqualTo(2);

    for (int i = 0; i < 50; i++) {
      HttpResponse<Buffer> hit = get("q", "스피커 " + word);
      assertThat(hit.getHeader(SearchApi.CACHE_HEADER)).isEqualTo("HIT");
      assertThat(hit.getHeader("Content-Type")).isEqualTo("application/json");
      assertThat(hit.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
    }
    assertThat(scriptCalls()).as("no Redis script ran for 50 near-cache hits").isEqualTo(scripts1);
    assertThat(meter("search_cache_near_hits_total") - near0).isEqualTo(50.0);
    assertThat(meter("search_cache_hits_total") - hits0).isEqualTo(50.0);
    assertThat(meter("search_cache_misses_total") - misses0).isEqualTo(1.0);
    assertThat(meter("search_cache_near_entries")).isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void aChangeAppliedByThisProcessIsSeenByTheVeryNextSearch() throws Exception {
    String word = uniqueWord();
    String id = UUID.randomUUID().toString();
    publish("ProductCreated", product(id, 1, "게이밍 마우스 " + word, "pc", 49_000));
    awaitTotal(1, "q", word); // a query of its own below: this one may be cached at an older version
    awaitCaughtUp();
    assertThat(get("q", "마우스 " + word).getHeader(SearchApi.CACHE_HEADER)).isEqualTo("MISS");
    double near0 = meter("search_cache_near_hits_total");
    assertThat(get("q", "마우스 " + word).getHeader(SearchApi.CACHE_HEADER)).isEqualTo("HIT");
    assertThat(meter("search_cache_near_hits_total") - near0).as("served by the near cache").isEqualTo(1.0);

    awaitHandled(publish("ProductUpdated", product(id, 2, "게이밍 마우스 " + word, "pc", 44_000)));
    // no waiting: the indexer told the near cache before the offset was committed
    HttpResponse<Buffer> next = get("q", "마우스 " + word);
    assertThat(next.getHeader(SearchApi.CACHE_HEADER)).isEqualTo("MISS");
    assertThat(next.bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getLong("price")).isEqualTo(44_000);

    awaitHandled(publish("ProductDeleted", deletedPayload(id, 3)));
    assertThat(search("q", "마우스 " + word).getLong("total")).isZero();
  }

  @Test
  void aChangeAppliedByAnotherProcessIsSeenWithinTheRefreshBound() throws Exception {
    String word = uniqueWord();
    String id = UUID.randomUUID().toString();
    publish("ProductCreated", product(id, 1, "기계식 키보드 " + word, "pc", 89_000));
    awaitTotal(1, "q", word);
    awaitCaughtUp();
    get("q", "키보드 " + word);
    double near0 = meter("search_cache_near_hits_total");
    assertThat(get("q", "키보드 " + word).getHeader(SearchApi.CACHE_HEADER)).isEqualTo("HIT");
    assertThat(meter("search_cache_near_hits_total") - near0).as("served by the near cache").isEqualTo(1.0);

    // another search process (or a script by hand) changes the same index: nothing tells this process but Redis
    SearchIndexRepository elsewhere = new SearchIndexRepository(redis, prefix, 0);
    assertThat(Await.result(elsewhere.upsert(ProductDocument.fromPayload(
      product(id, 2, "기계식 키보드 " + word, "pc", 79_000))))).isTrue();
    Await.until("the other process's change is served", Duration.ofSeconds(10), () -> {
      JsonObject result = search("q", "키보드 " + word);
      return result.getJsonArray("items").getJsonObject(0).getLong("price") == 79_000;
    });
    HttpResponse<Buffer> again = get("q", "키보드 " + word);
    assertThat(again.getHeader(SearchApi.CACHE_HEADER)).isEqualTo("HIT");
    assertThat(again.bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getLong("price")).isEqualTo(79_000);
  }

  @Test
  @Tag(TINY)
  void theNearCacheKeepsToItsBoundAndTheCountersStayExact() throws Exception {
    String word = uniqueWord();
    publish("ProductCreated", product(UUID.randomUUID().toString(), 1, "휴대용 선풍기 " + word, "home", 19_000));
    awaitTotal(1, "q", word);
    awaitCaughtUp();
    double hits0 = meter("search_cache_hits_total");
    double misses0 = meter("search_cache_misses_total");
    for (int size = 1; size <= 20; size++) {
      String[] query = {"q", word, "sort", "newest", "size", "" + size}; // not the query awaitTotal cached
      assertThat(get(query).getHeader(SearchApi.CACHE_HEADER)).isEqualTo("MISS");
      assertThat(get(query).getHeader(SearchApi.CACHE_HEADER)).isEqualTo("HIT");
      assertThat(meter("search_cache_near_entries")).isLessThanOrEqualTo(TINY_NEAR_CACHE);
    }
    assertThat(meter("cache_evictions_total")).as("Caffeine evicted to keep the bound").isGreaterThanOrEqualTo(16.0);
    // asked again, each once: at most the 4 kept come from the near cache, the evicted ones from Redis, all hits
    double near0 = meter("search_cache_near_hits_total");
    for (int size = 1; size <= 20; size++) {
      assertThat(get("q", word, "sort", "newest", "size", "" + size).getHeader(SearchApi.CACHE_HEADER)).isEqualTo("HIT");
    }
    assertThat(meter("search_cache_near_hits_total") - near0).isLessThanOrEqualTo(TINY_NEAR_CACHE);
    assertThat(meter("search_cache_hits_total") - hits0).isEqualTo(40.0);
    assertThat(meter("search_cache_misses_total") - misses0).isEqualTo(20.0);
  }

  @Test
  @Tag(TWO_HTTP_INSTANCES)
  void theHttpInstancesShareOneNearCacheSoOneHitsWhatAnotherComputed(Vertx vertx) throws Exception {
    String word = uniqueWord();
    publish("ProductCreated", product(UUID.randomUUID().toString(), 1, "접이식 의자 " + word, "home", 29_000));
    awaitTotal(1, "q", word);
    awaitCaughtUp(); // nothing changes the index version from here on
    double near0 = meter("search_cache_near_hits_total");
    double gets0 = meter("cache_gets_total", "result=\"hit\"");
    double misses0 = meter("search_cache_misses_total");

    // a connection per request: the server hands accepted connections to its two instances in turn, so the requests
    // alternate between them; with a near cache per instance the first request on the other instance would not be a
    // near-cache hit
    WebClient fresh = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setKeepAlive(false));
    try {
      List<String> caches = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        HttpResponse<Buffer> res = Await.result(fresh.get(deployment.httpPort(), "127.0.0.1", "/search")
          .addQueryParam("q", "의자 " + word).send());
        assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
        assertThat(res.bodyAsJsonObject().getLong("total")).isEqualTo(1);
        caches.add(res.getHeader(SearchApi.CACHE_HEADER));
      }
      assertThat(caches).containsExactly("MISS", "HIT", "HIT", "HIT", "HIT", "HIT");
    } finally {
      fresh.close();
    }
    assertThat(meter("search_cache_misses_total") - misses0).isEqualTo(1.0);
    assertThat(meter("search_cache_near_hits_total") - near0).as("every hit from the one near cache").isEqualTo(5.0);
    assertThat(meter("cache_gets_total", "result=\"hit\"") - gets0).as("Caffeine's count of it").isEqualTo(5.0);
  }

  @Test
  void filtersSortAndPaging() throws Exception {
    String word = uniqueWord();
    String category = "cat-" + word;
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    String a = UUID.randomUUID().toString();
    String b = UUID.randomUUID().toString();
    String c = UUID.randomUUID().toString();
    String d = UUID.randomUUID().toString();
    String other = UUID.randomUUID().toString();
    publish("ProductCreated", product(a, 1, "노트북 " + word, category, 1_000).put("createdAt", t0.toString()));
    publish("ProductCreated", product(b, 1, "노트북 가방 " + word, category, 3_000)
      .put("createdAt", t0.plusSeconds(30).toString()));
    publish("ProductCreated", product(c, 1, "노트북 거치대 " + word, category, 2_000)
      .put("createdAt", t0.plusSeconds(20).toString()));
    publish("ProductCreated", product(d, 1, "마우스 패드", category, 5_000)
      .put("description", "노트북 옆에 두는 패드 " + word).put("createdAt", t0.plusSeconds(10).toString()));
    publish("ProductCreated", product(other, 1, "노트북 " + word, "elsewhere-" + word, 4_000));
    awaitTotal(5, "q", word);

    assertThat(ids(search("q", word, "category", category, "sort", "price_asc"))).containsExactly(a, c, b, d);
    assertThat(ids(search("q", word, "category", category, "sort", "price_desc"))).containsExactly(d, b, c, a);
    assertThat(ids(search("q", word, "category", category, "sort", "newest"))).containsExactly(b, c, d, a);
    JsonObject relevance = search("q", "노트북 " + word, "category", category);
    assertThat(ids(relevance)).hasSize(4).last().as("only in the description: least relevant").isEqualTo(d);
    assertThat(relevance.getJsonArray("items").getJsonObject(0).getDouble("score"))
      .isGreaterThan(relevance.getJsonArray("items").getJsonObject(3).getDouble("score"));

    JsonObject range = search("q", word, "minPrice", "1500", "maxPrice", "4000", "sort", "price_asc");
    assertThat(ids(range)).containsExactly(c, b, other);
    assertThat(range.getLong("total")).isEqualTo(3);
    assertThat(ids(search("q", word, "minPrice", "3000", "maxPrice", "3000"))).containsExactly(b);
    assertThat(ids(search("q", word, "maxPrice", "999"))).isEmpty();

    JsonObject page1 = search("q", word, "category", category, "sort", "price_asc", "page", "1", "size", "2");
    assertThat(ids(page1)).containsExactly(b, d);
    assertThat(page1.getLong("total")).isEqualTo(4);
    assertThat(page1.getInteger("page")).isEqualTo(1);
    assertThat(page1.getInteger("size")).isEqualTo(2);
    assertThat(ids(search("q", word, "category", category, "page", "2", "size", "2"))).isEmpty();

    JsonObject byCategory = search("category", category.toUpperCase(), "sort", "price_desc");
    assertThat(ids(byCategory)).as("empty q with a category lists the category").containsExactly(d, b, c, a);
    assertThat(byCategory.getLong("total")).isEqualTo(4);
    assertThat(byCategory.getJsonArray("items").getJsonObject(0).getDouble("score")).isZero();
  }

  /**
   * A query string that breaks {@code openapi/search.yaml} (or, last two, a rule between parameters) is a 400
   * {@code invalid-query} naming the parameter and why, whatever its encoding; {@code category} with a control
   * character among them (it used to be trimmed away, and the search listed every product: RELIABILITY.md finding 5).
   */
  @Test
  void aQueryBreakingTheDocumentIs400NamingTheParameter() {
    Map<String, JsonObject> refused = new java.util.LinkedHashMap<>();
    refused.put("q=" + enc("가".repeat(101)), error("q", "must be at most 100 characters"));
    refused.put("category=" + "c".repeat(101), error("category", "must be at most 100 characters"));
    refused.put("category=%00", error("category", "is malformed"));
    refused.put("category=audio%0D%0AFLUSHALL", error("category", "is malformed"));
    refused.put("category=%09audio", error("category", "is malformed"));
    refused.put("minPrice=abc", error("minPrice", "must be an integer"));
    refused.put("maxPrice=-5", error("maxPrice", "must be at least 0"));
    refused.put("minPrice=9223372036854775808", error("minPrice", "must be at most 9223372036854775807"));
    refused.put("sort=cheapest", error("sort", "must be one of relevance, price_asc, price_desc, newest"));
    refused.put("sort=%22newest%22", error("sort", "must be one of relevance, price_asc, price_desc, newest"));
    refused.put("page=-1", error("page", "must be at least 0"));
    refused.put("page=10001&size=1", error("page", "must be at most 10000"));
    refused.put("page=1.5", error("page", "must be an integer"));
    refused.put("size=0", error("size", "must be at least 1"));
    refused.put("size=101", error("size", "must be at most 100"));
    // not percent-encoded UTF-8: refused before any decoder reads it
    refused.put("q=%", error("q", "is not percent-encoded UTF-8"));
    refused.put("q=%zz", error("q", "is not percent-encoded UTF-8"));
    refused.put("size=20&q=ok%G1", error("q", "is not percent-encoded UTF-8"));
    refused.put("category=%C3%28", error("category", "is not percent-encoded UTF-8"));
    refused.put("sort=%E2%82", error("sort", "is not percent-encoded UTF-8"));
    // the rules between parameters, in SearchQuery
    refused.put("minPrice=10&maxPrice=5", error("maxPrice", "must not be below minPrice"));
    refused.put("page=101&size=100", error("page", "page * size must be at most 10000"));
    for (Map.Entry<String, JsonObject> bad : refused.entrySet()) {
      HttpResponse<Buffer> res = Await.result(client.get(deployment.httpPort(), "127.0.0.1", "/search?" + bad.getKey())
        .send());
      assertThat(res.statusCode()).as(bad.getKey() + " → " + res.bodyAsString()).isEqualTo(400);
      assertThat(res.getHeader("Content-Type")).isEqualTo("application/problem+json");
      JsonObject problem = res.bodyAsJsonObject();
      assertThat(problem.getString("type")).isEqualTo("https://eventmall.dev/problems/invalid-query");
      assertThat(problem.getString("title")).isEqualTo("Invalid query");
      assertThat(problem.getInteger("status")).isEqualTo(400);
      assertThat(problem.getJsonArray("errors")).as(bad.getKey()).containsExactly(bad.getValue());
    }
    assertThat(get("q", "가".repeat(100)).statusCode()).isEqualTo(200);
    assertThat(get("category", "c".repeat(100)).statusCode()).isEqualTo(200);
    assertThat(get("page", "10000", "size", "1").statusCode()).isEqualTo(200);
  }

  /**
   * Search text is text: digits alone, quotes, brackets, a literal % or +, CR/LF and NUL find what their words find (the
   * routes built from the document once read q as JSON first, refusing a leading quote or a control character and
   * reading {@code -1} or {@code []} as no string, and decoded it twice, answering 500 to a literal %).
   */
  @Test
  void hostileButWellFormedSearchTextIsSearchedAsText() throws Exception {
    String word = uniqueWord();
    String number = String.valueOf(100_000_000 + (long) (Math.random() * 899_999_999));
    String id = UUID.randomUUID().toString();
    publish("ProductCreated", product(id, 1, "모델 " + number + " " + word, "audio", 10_000));
    awaitTotal(1, "q", word);
    // each is one or both of the product's words (its number, its word) among punctuation and control characters
    for (String text : List.of(number, "\"" + word + "\"", "'" + word + "' --", "[" + word + "]",
      "{\"" + word + "\": " + number + "}", word + " " + number + "%", word + "+" + number, word + "\r\n" + number,
      word + "\u0000", "\"]) " + word + " --", "*\r\n$\r\n" + word)) {
      HttpResponse<Buffer> res = get("q", text);
      assertThat(res.statusCode()).as(text + " → " + res.bodyAsString()).isEqualTo(200);
      assertThat(ids(res.bodyAsJsonObject())).as(text).contains(id);
    }
    for (String text : List.of("-1", "1.5", "1e5", "[]", "{}", "\"\"", "true", "null")) {
      HttpResponse<Buffer> res = get("q", text);
      assertThat(res.statusCode()).as(text + " → " + res.bodyAsString()).isEqualTo(200);
      assertThat(res.bodyAsJsonObject().getInteger("size")).isEqualTo(20);
    }
  }

  static JsonObject error(String field, String message) {
    return new JsonObject().put("field", field).put("message", message);
  }

  static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Test
  void aLostIndexIsRebuiltByItselfWithoutTheAdminEndpoint(Vertx vertx) throws Exception {
    String word = uniqueWord();
    String kept = UUID.randomUUID().toString();
    String gone = UUID.randomUUID().toString();
    publish("ProductCreated", product(kept, 1, "무선 마우스 " + word, "pc", 30_000));
    publish("ProductUpdated", product(kept, 2, "무선 마우스 " + word, "pc", 25_000));
    publish("ProductCreated", product(gone, 1, "유선 마우스 " + word, "pc", 20_000));
    publish("ProductDeleted", deletedPayload(gone, 2));
    // a deployment of its own with the index watch on (every 200 ms), its own keys and group
    String run = UUID.randomUUID().toString().substring(0, 8);
    String watchedPrefix = "search-watch:" + run + ":";
    ServiceDeployment watched = Await.result(SearchApp.deploy(vertx, Config.of(Map.of(
      Config.KAFKA_BOOTSTRAP_SERVERS, kafka,
      Config.REDIS_URL, TestInfra.redisUrl(),
      Config.HTTP_PORT, "0",
      Config.JWT_SECRET, SECRET,
      SearchSettings.KEY_PREFIX, watchedPrefix,
      SearchSettings.CONSUMER_GROUP, "search-watch-" + run,
      SearchSettings.HTTP_INSTANCES, "1",
      SearchSettings.INDEX_CHECK_INTERVAL_MS, "200")), Metrics.create("search")), Duration.ofSeconds(60));
    try {
      Await.until("the watched deployment indexed " + word, Duration.ofSeconds(30),
        () -> ids(searchAt(watched.httpPort(), "q", word)).equals(List.of(kept)));
      Await.until("the index is marked built", Duration.ofSeconds(30),
        () -> String.valueOf(str(redis.get(watchedPrefix + "index-built"))).startsWith("built:"));

      // Redis loses the index (only this deployment's keys: the other tests share the server)
      Response keys = Await.result(redis.keys(watchedPrefix + "*"));
      List<String> all = new ArrayList<>();
      keys.forEach(k -> all.add(k.toString()));
      Await.result(redis.del(all));
      assertThat(Await.result(redis.exists(List.of(watchedPrefix + "product:" + kept))).toInteger()).isZero();

      // no new event and no admin call: the watch notices the missing marker and rebuilds from catalog.products (the
      // first searches may still be near-cache hits of the same, correct answer: wait for the stored index itself)
      Await.until("the index rebuilt by itself", Duration.ofSeconds(30), () ->
        "2".equals(str(redis.hget(watchedPrefix + "product:" + kept, "version"))));
      Await.until("search answers from the rebuilt index", Duration.ofSeconds(30), () -> {
        JsonObject result = searchAt(watched.httpPort(), "q", word);
        return ids(result).equals(List.of(kept)) && result.getJsonArray("items").getJsonObject(0).getLong("price") == 25_000;
      });
      Await.until("the delete's tombstone is back", Duration.ofSeconds(30),
        () -> "2".equals(str(redis.get(watchedPrefix + "tomb:" + gone))));
      Await.until("the index is marked built again", Duration.ofSeconds(30),
        () -> String.valueOf(str(redis.get(watchedPrefix + "index-built"))).startsWith("built:"));
    } finally {
      Await.shutDown(watched.undeploy(vertx));
    }
  }

  @Test
  void rebuildRestoresTheIndexAfterRedisWasFlushedAndIsAdminOnly() throws Exception {
    String word = uniqueWord();
    String kept = UUID.randomUUID().toString();
    String gone = UUID.randomUUID().toString();
    publish("ProductCreated", product(kept, 1, "무선 키보드 " + word, "pc", 50_000));
    publish("ProductUpdated", product(kept, 2, "무선 키보드 " + word, "pc", 45_000));
    publish("ProductCreated", product(gone, 1, "유선 키보드 " + word, "pc", 30_000));
    awaitHandled(publish("ProductDeleted", deletedPayload(gone, 2)));
    awaitTotal(1, "q", word);

    Await.result(redis.flushdb(List.of()));
    // a change made behind the service's back: seen within the near cache's refresh bound, not necessarily at once
    Await.until("the index is gone", Duration.ofSeconds(5), () -> search("q", word).getLong("total") == 0);

    HttpResponse<Buffer> anonymous = Await.result(client.post(deployment.httpPort(), "127.0.0.1", "/admin/search/rebuild")
      .send());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.getHeader("Content-Type")).isEqualTo("application/problem+json");
    HttpResponse<Buffer> customer = Await.result(client.post(deployment.httpPort(), "127.0.0.1", "/admin/search/rebuild")
      .bearerTokenAuthentication(tokens.issue("c-1", List.of(AuthPrincipal.CUSTOMER))).send());
    assertThat(customer.statusCode()).isEqualTo(403);
    assertThat(customer.getHeader("Content-Type")).isEqualTo("application/problem+json");

    HttpResponse<Buffer> rebuilt = Await.result(client.post(deployment.httpPort(), "127.0.0.1", "/admin/search/rebuild")
      .bearerTokenAuthentication(tokens.issue("admin-1", List.of(AuthPrincipal.ADMIN))).send(), Duration.ofSeconds(60));
    assertThat(rebuilt.statusCode()).isEqualTo(200);
    JsonObject report = rebuilt.bodyAsJsonObject();
    assertThat(report.getLong("records")).isGreaterThanOrEqualTo(4);
    assertThat(report.getLong("applied")).isGreaterThanOrEqualTo(3);

    JsonObject result = search("q", word);
    assertThat(ids(result)).containsExactly(kept);
    assertThat(result.getJsonArray("items").getJsonObject(0).getLong("price")).isEqualTo(45_000);
    assertThat(str(redis.hget(prefix + "product:" + kept, "version"))).isEqualTo("2");
    assertThat(str(redis.get(prefix + "tomb:" + gone))).isEqualTo("2");
    assertNoTrace(gone);
  }

  @Test
  void anUnusableEventIsParkedAndListedOnTheAdminDeadLetterEndpoint() throws Exception {
    String id = UUID.randomUUID().toString();
    JsonObject noVersion = product(id, 1, "버전 없는 상품 " + uniqueWord(), "misc", 1_000);
    noVersion.remove("version");
    publishUnchecked("ProductCreated", noVersion);
    String admin = tokens.issue("admin-1", List.of(AuthPrincipal.ADMIN));

    assertThat(Await.result(client.get(deployment.httpPort(), "127.0.0.1", "/admin/dlq").send()).statusCode())
      .isEqualTo(401);
    assertThat(Await.result(client.get(deployment.httpPort(), "127.0.0.1", "/admin/dlq")
      .bearerTokenAuthentication(tokens.issue("s-1", List.of(AuthPrincipal.SELLER))).send()).statusCode())
      .isEqualTo(403);
    Await.until("the event is parked", Duration.ofSeconds(30), () -> {
      JsonObject list = Await.result(client.get(deployment.httpPort(), "127.0.0.1", "/admin/dlq")
        .bearerTokenAuthentication(admin).send()).bodyAsJsonObject();
      return list.getJsonArray("items").stream().map(JsonObject.class::cast)
        .anyMatch(i -> id.equals(i.getString("key")) && i.getString("error").contains("version"));
    });
  }

  @Test
  void readinessChecksRedisAndKafkaAndTheOpenApiDocumentIsServed() {
    HttpResponse<Buffer> ready = Await.result(client.get(deployment.httpPort(), "127.0.0.1", "/health/ready").send());
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks"))
      .isEqualTo(new JsonObject().put("redis", "UP").put("kafka", "UP"));
    HttpResponse<Buffer> openApi = Await.result(client.get(deployment.httpPort(), "127.0.0.1", "/openapi.yaml").send());
    assertThat(openApi.statusCode()).isEqualTo(200);
    assertThat(openApi.bodyAsString()).contains("/search:").contains("/admin/search/rebuild:");
  }

  // ---------------------------------------------------------------------------------------------------- helpers

  /** A word of Latin letters no other test uses. */
  static String uniqueWord() {
    StringBuilder sb = new StringBuilder("zq");
    UUID.randomUUID().toString().chars().filter(Character::isLetterOrDigit).limit(10)
      .forEach(ch -> sb.append((char) ('a' + Character.digit(ch, 16))));
    assertThat(LATIN.matcher(sb).matches()).isTrue();
    return sb.toString();
  }

  /** A ProductCreated/ProductUpdated payload as the catalog service publishes it. */
  static JsonObject product(String id, long version, String name, String category, long price) {
    String now = Instant.now().toString();
    return new JsonObject()
      .put("productId", id)
      .put("sellerId", "seller-1")
      .put("name", name)
      .put("description", "설명 " + name)
      .put("category", category)
      .put("price", price)
      .put("stock", 10)
      .put("attributes", new JsonObject().put("color", "white"))
      .put("imageUrls", new JsonArray().add("https://img.eventmall.dev/" + id + "/1.jpg"))
      .put("options", new JsonArray().add(new JsonObject().put("name", "color").put("values", new JsonArray().add("white"))))
      .put("version", version)
      .put("createdAt", now)
      .put("updatedAt", now);
  }

  static JsonObject deletedPayload(String id, long version) {
    return new JsonObject().put("productId", id).put("sellerId", "seller-1").put("version", version)
      .put("deletedAt", Instant.now().toString());
  }

  /**
   * Publishes like the catalog's outbox relay: key = productId, header type, JSON envelope. Once the catalog's JSON
   * Schemas are on the classpath, the event is validated against them first (so this test follows the contract).
   */
  RecordMetadata publish(String type, JsonObject payload) throws Exception {
    EventEnvelope event = EventEnvelope.of(type, payload.getString("productId"), payload);
    if (getClass().getClassLoader().getResource("events/" + type + ".v1.schema.json") != null) {
      EventSchemas.validate(event);
    }
    return send(event);
  }

  /** Publishes without any validation (for events that break the contract on purpose). */
  RecordMetadata publishUnchecked(String type, JsonObject payload) throws Exception {
    return send(EventEnvelope.of(type, payload.getString("productId"), payload));
  }

  RecordMetadata send(EventEnvelope event) throws Exception {
    String id = event.key();
    String type = event.type();
    ProducerRecord<String, String> record = new ProducerRecord<>(Topics.CATALOG_PRODUCTS, id, event.toJson().encode());
    record.headers().add("type", type.getBytes(StandardCharsets.UTF_8));
    return producer.send(record).get();
  }

  /** Waits until the indexer's group committed past {@code record}: it and everything before it were handled. */
  void awaitHandled(RecordMetadata record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    Await.until("offset " + record.offset() + " of " + tp + " handled", Duration.ofSeconds(30),
      () -> TopicReader.committed(kafka, group, List.of(tp)).getOrDefault(tp, -1L) > record.offset());
  }

  /** Waits until the indexer's group committed up to the end of every partition of the topic. */
  void awaitCaughtUp() {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka);
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", StringDeserializer.class.getName());
    List<TopicPartition> partitions;
    Map<TopicPartition, Long> ends;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      partitions = consumer.partitionsFor(Topics.CATALOG_PRODUCTS).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      ends = consumer.endOffsets(partitions);
    }
    Await.until("indexer caught up with " + ends, Duration.ofSeconds(30), () -> {
      Map<TopicPartition, Long> committed = TopicReader.committed(kafka, group, partitions);
      return partitions.stream().allMatch(tp -> ends.get(tp) == 0 || committed.getOrDefault(tp, -1L) >= ends.get(tp));
    });
  }

  void awaitTotal(long total, String... params) {
    Await.until("total " + total + " for " + List.of(params), Duration.ofSeconds(10),
      () -> search(params).getLong("total") == total);
  }

  HttpResponse<Buffer> get(String... params) {
    HttpRequest<Buffer> request = client.get(deployment.httpPort(), "127.0.0.1", "/search");
    for (int i = 0; i + 1 < params.length; i += 2) {
      request.addQueryParam(params[i], params[i + 1]);
    }
    return Await.result(request.send());
  }

  JsonObject searchAt(int port, String... params) {
    HttpRequest<Buffer> request = client.get(port, "127.0.0.1", "/search");
    for (int i = 0; i + 1 < params.length; i += 2) {
      request.addQueryParam(params[i], params[i + 1]);
    }
    HttpResponse<Buffer> res = Await.result(request.send());
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    return res.bodyAsJsonObject();
  }

  JsonObject search(String... params) {
    HttpResponse<Buffer> res = get(params);
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    return res.bodyAsJsonObject();
  }

  static List<String> ids(JsonObject result) {
    return result.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("productId")).toList();
  }

  String metricsText() {
    return Await.result(client.get(deployment.httpPort(), "127.0.0.1", "/metrics").send()).bodyAsString();
  }

  double meter(String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} (\\S+)$").matcher(metricsText());
    return m.find() ? Double.parseDouble(m.group(1)) : 0.0;
  }

  /** The sample of {@code name} whose labels contain {@code label} (e.g. {@code result="hit"}). */
  double meter(String name, String label) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(metricsText());
    while (m.find()) {
      if (m.group(1).contains(label)) {
        return Double.parseDouble(m.group(2));
      }
    }
    return 0.0;
  }

  double hitRate(double hits0, double misses0) {
    double hits = meter("search_cache_hits_total") - hits0;
    double misses = meter("search_cache_misses_total") - misses0;
    return hits / (hits + misses);
  }

  /** How many Lua scripts Redis has run (EVAL and EVALSHA, from every client) since it started. */
  long scriptCalls() {
    String info = Await.result(redis.info(List.of("commandstats"))).toString();
    long calls = 0;
    Matcher m = Pattern.compile("(?m)^cmdstat_eval(?:sha)?:calls=(\\d+)").matcher(info);
    while (m.find()) {
      calls += Long.parseLong(m.group(1));
    }
    return calls;
  }

  static String str(io.vertx.core.Future<Response> f) {
    Response r = Await.result(f);
    return r == null ? null : r.toString();
  }

  /** No product hash, token, category, price or created entry mentions {@code id}. */
  void assertNoTrace(String id) {
    assertThat(Await.result(redis.exists(List.of(prefix + "product:" + id))).toInteger()).isZero();
    assertThat(Await.result(redis.zscore(prefix + "price", id))).isNull();
    assertThat(Await.result(redis.zscore(prefix + "created", id))).isNull();
    List<String> keys = new ArrayList<>();
    Await.result(redis.keys(prefix + "*")).forEach(k -> keys.add(k.toString()));
    for (String key : keys) {
      String type = Await.result(redis.type(key)).toString();
      if (type.equals("zset")) {
        assertThat(Await.result(redis.zscore(key, id))).as(key).isNull();
      } else if (type.equals("set")) {
        assertThat(Await.result(redis.sismember(key, id)).toInteger()).as(key).isZero();
      } else if (type.equals("hash")) {
        assertThat(Await.result(redis.hget(key, "productId")).toString()).as(key).isNotEqualTo(id);
      }
    }
  }
}
