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
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /search} (cached per index version) and {@code POST /admin/search/rebuild} (ADMIN). Every search answer
 * says whether it came from the cache in the {@code X-Cache: HIT|MISS} header; the counters
 * {@code search.cache.hits} / {@code search.cache.misses}, the gauge {@code search.cache.hit.ratio} and the timer
 * {@code search.latency} are on {@code /metrics}.
 */
public final class SearchApi {
  public static final String CACHE_HEADER = "X-Cache";

  private static final Logger LOG = LoggerFactory.getLogger(SearchApi.class);

  private final SearchIndexRepository index;
  private final IndexRebuilder rebuilder;
  private final long cacheTtlSeconds;
  private final MeterRegistry registry;
  private final Counter hits;
  private final Counter misses;
  private final Timer latency;

  public SearchApi(SearchIndexRepository index, IndexRebuilder rebuilder, MeterRegistry registry, long cacheTtlSeconds) {
    this.index = index;
    this.rebuilder = rebuilder;
    this.cacheTtlSeconds = cacheTtlSeconds;
    this.registry = registry;
    this.hits = Counter.builder("search.cache.hits").description("search answers served from the result cache")
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

  private Future<JsonObject> search(RoutingContext ctx) {
    SearchQuery query = SearchQuery.parse(ctx.queryParams());
    Timer.Sample sample = Timer.start(registry);
    String hash = query.cacheHash();
    return index.cached(hash)
      .compose(lookup -> {
        if (lookup.json() != null) {
          hits.increment();
          ctx.response().putHeader(CACHE_HEADER, "HIT");
          return Future.succeededFuture(new JsonObject(lookup.json()));
        }
        misses.increment();
        ctx.response().putHeader(CACHE_HEADER, "MISS");
        return index.search(query).compose(result -> {
          JsonObject body = new JsonObject()
            .put("items", result.items())
            .put("total", result.total())
            .put("page", query.page())
            .put("size", query.size())
            .put("sort", query.sort().wire());
          return index.cache(hash, result.indexVersion(), body, cacheTtlSeconds)
            .recover(e -> {
              LOG.warn("search result not cached: {}", e.toString());
              return Future.succeededFuture();
            })
            .map(v -> body);
        });
      })
      .onComplete(ar -> sample.stop(latency));
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
