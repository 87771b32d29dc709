package dev.eventmall.search.api;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.http.ProblemException;
import dev.eventmall.search.domain.SearchQuery;
import dev.eventmall.search.messaging.IndexRebuilder;
import dev.eventmall.search.persistence.SearchIndexRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * {@code GET /search} (cached per index version) and {@code POST /admin/search/rebuild} (ADMIN). Answers are cached in
 * two levels: this process's {@link NearCache} (raw query string → encoded answer; see there for its staleness bound)
 * and Redis ({@code cache:<queryHash>:<indexVersion>}, shared by every process). Every search answer says whether it
 * came from either cache in the {@code X-Cache: HIT|MISS} header; the counters {@code search.cache.hits} (of which
 * {@code search.cache.near.hits} from the near cache) / {@code search.cache.misses}, the gauge
 * {@code search.cache.hit.ratio} and the timer {@code search.latency} are on {@code /metrics}.
 */
public final class SearchApi {
  public static final String CACHE_HEADER = "X-Cache";
  private static final CharSequence CACHE_HEADER_NAME = HttpHeaders.createOptimized(CACHE_HEADER);
  private static final CharSequence HIT = HttpHeaders.createOptimized("HIT");
  private static final CharSequence MISS = HttpHeaders.createOptimized("MISS");
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private static final Logger LOG = LoggerFactory.getLogger(SearchApi.class);

  private final SearchIndexRepository index;
  private final NearCache nearCache;
  private final IndexRebuilder rebuilder;
  private final long cacheTtlSeconds;
  private final Counter hits;
  private final Counter nearHits;
  private final Counter misses;
  private final Timer latency;

  public SearchApi(SearchIndexRepository index, NearCache nearCache, IndexRebuilder rebuilder, MeterRegistry registry,
                   long cacheTtlSeconds) {
    this.index = index;
    this.nearCache = nearCache;
    this.rebuilder = rebuilder;
    this.cacheTtlSeconds = cacheTtlSeconds;
    this.hits = Counter.builder("search.cache.hits").description("search answers served from the result cache")
      .register(registry);
    this.nearHits = Counter.builder("search.cache.near.hits")
      .description("search answers served from the in-process near cache (included in search.cache.hits)")
      .register(registry);
    this.misses = Counter.builder("search.cache.misses").description("search answers computed from the index")
      .register(registry);
    this.latency = Timer.builder("search.latency").description("time to answer GET /search")
      .publishPercentileHistogram().register(registry);
    Gauge.builder("search.cache.hit.ratio", this, SearchApi::hitRatio)
      .description("cache hits / (hits + misses) since start").register(registry);
  }

  /** Adds the routes to the service's root router. */
  public void mount(Router root, JWTAuth jwt) {
    root.get("/search").respond(this::search);
    root.post("/admin/search/rebuild")
      .handler(AuthHandlers.bearer(jwt))
      .handler(AuthHandlers.requireRole(AuthPrincipal.ADMIN))
      .respond(this::rebuild);
  }

  /**
   * Near cache (keyed by the raw query string: the answer depends on nothing else, and a valid query is all that is
   * ever cached, so an invalid one still gets its 400), else the Redis cache (keyed by the normalized query's hash),
   * else the index. The answer is encoded once, when computed, and sent as is from either cache.
   */
  private Future<Buffer> search(RoutingContext ctx) {
    long start = System.nanoTime();
    String raw = ctx.request().query();
    String key = raw == null ? "" : raw;
    Buffer near = nearCache.get(key);
    if (near != null) {
      hits.increment();
      nearHits.increment();
      answer(ctx, HIT);
      latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      return Future.succeededFuture(near);
    }
    SearchQuery query = SearchQuery.parse(ctx.queryParams());
    String hash = query.cacheHash();
    return index.cached(hash)
      .compose(lookup -> {
        if (lookup.json() != null) {
          hits.increment();
          answer(ctx, HIT);
          nearCache.put(key, lookup.indexVersion(), lookup.json());
          return Future.succeededFuture(lookup.json());
        }
        misses.increment();
        answer(ctx, MISS);
        return index.search(query).compose(result -> {
          String json = new JsonObject()
            .put("items", result.items())
            .put("total", result.total())
            .put("page", query.page())
            .put("size", query.size())
            .put("sort", query.sort().wire())
            .encode();
          Buffer body = Buffer.buffer(json);
          nearCache.put(key, result.indexVersion(), body);
          return index.cache(hash, result.indexVersion(), json, cacheTtlSeconds)
            .recover(e -> {
              LOG.warn("search result not cached: {}", e.toString());
              return Future.succeededFuture();
            })
            .map(v -> body);
        });
      })
      .onComplete(ar -> latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
  }

  private static void answer(RoutingContext ctx, CharSequence cache) {
    ctx.response().headers()
      .set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
      .set(CACHE_HEADER_NAME, cache);
  }

  private double hitRatio() {
    double h = hits.count();
    double all = h + misses.count();
    return all == 0 ? 0 : h / all;
  }

  private Future<JsonObject> rebuild(RoutingContext ctx) {
    return rebuilder.rebuild()
      .map(IndexRebuilder.Report::toJson)
      .recover(e -> Future.failedFuture(e instanceof IllegalStateException
        ? ProblemException.conflict(e.getMessage()) : e));
  }
}
