package dev.eventmall.search.api;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.http.ContractRoutes;
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
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
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

  /**
   * Binds the operations of {@code openapi/search.yaml}: the document validates every request (types, lengths, ranges,
   * the sort names, no control characters in a category) before {@link #search} runs, {@link SearchQuery#of} keeps
   * what it cannot say. A near-cache hit is answered before the validation: only valid queries are ever cached, keyed
   * by the raw query string, so an identical query string was validated when it was computed (and a hit is most of
   * the searches).
   */
  public ContractRoutes routes(ContractRoutes routes, JWTAuth jwt) {
    return routes
      .operation("search").before(this::nearCacheHit).respond(this::search)
      .operation("rebuild").before(AuthHandlers.bearer(jwt), AuthHandlers.requireRole(AuthPrincipal.ADMIN))
      .respond(this::rebuild);
  }

  /** The near cache's answer to the raw query string, sent as is; else on to the validation. */
  private void nearCacheHit(RoutingContext ctx) {
    long start = System.nanoTime();
    String raw = ctx.request().query();
    Buffer near = nearCache.get(raw == null ? "" : raw);
    if (near == null) {
      ctx.next();
      return;
    }
    hits.increment();
    nearHits.increment();
    answer(ctx, HIT);
    ctx.end(near);
    latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
  }

  /**
   * The Redis cache (keyed by the normalized query's hash), else the index. The answer is encoded once, when computed,
   * kept in the near cache under the raw query string and sent as is.
   */
  private Future<Buffer> search(RoutingContext ctx) {
    long start = System.nanoTime();
    String raw = ctx.request().query();
    String key = raw == null ? "" : raw;
    SearchQuery query = SearchQuery.of(text(ctx, "q"), text(ctx, "category"), number(ctx, "minPrice"),
      number(ctx, "maxPrice"), text(ctx, "sort"), integer(ctx, "page"), integer(ctx, "size"));
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

  private static String text(RoutingContext ctx, String name) {
    RequestParameter value = ContractRoutes.query(ctx, name);
    return value == null ? null : value.getString();
  }

  private static Long number(RoutingContext ctx, String name) {
    RequestParameter value = ContractRoutes.query(ctx, name);
    return value == null ? null : value.getLong();
  }

  private static Integer integer(RoutingContext ctx, String name) {
    RequestParameter value = ContractRoutes.query(ctx, name);
    return value == null ? null : value.getInteger();
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
