package dev.eventmall.search.persistence;

import dev.eventmall.search.domain.ProductDocument;
import dev.eventmall.search.domain.SearchQuery;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * The product index in Redis. Key layout (prefix {@code search:} by default):
 * <ul>
 *   <li>{@code product:<id>} hash: productId, version, sellerId, name, category, categoryKey, price, imageUrl,
 *   createdAt (epoch ms), updatedAt, tokens (space separated, to remove them on change)</li>
 *   <li>{@code tok:<token>} sorted set: product id → token weight</li>
 *   <li>{@code cat:<categoryKey>} set of product ids; {@code price} sorted set id → price; {@code created} sorted set
 *   id → createdAt ms</li>
 *   <li>{@code tomb:<id>} = version of the delete (permanent unless a TTL is configured)</li>
 *   <li>{@code index-version}: INCR on every applied change; {@code cache:<queryHash>:<indexVersion>} cached result
 *   JSON with a TTL</li>
 * </ul>
 * Applying an event is one Lua script that compares versions and writes atomically; it answers the new index version,
 * which is handed to the {@code onApplied} listener (the process's near cache) before the returned future completes.
 */
public final class SearchIndexRepository {

  private final RedisAPI redis;
  private final String prefix;
  private final long tombstoneTtlSeconds;
  private final LongConsumer onApplied;
  private final Script upsert = new Script(IndexScripts.UPSERT);
  private final Script delete = new Script(IndexScripts.DELETE);
  private final Script cacheLookup = new Script(IndexScripts.CACHE_LOOKUP);
  private final Script search = new Script(IndexScripts.SEARCH);

  public SearchIndexRepository(RedisAPI redis, String prefix, long tombstoneTtlSeconds) {
    this(redis, prefix, tombstoneTtlSeconds, version -> { });
  }

  /**
   * {@code onApplied} receives the index version an applied upsert or delete produced, synchronously, before the
   * future of {@link #upsert} / {@link #delete} completes (so before the event's offset can be committed).
   */
  public SearchIndexRepository(RedisAPI redis, String prefix, long tombstoneTtlSeconds, LongConsumer onApplied) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.tombstoneTtlSeconds = tombstoneTtlSeconds;
    this.onApplied = Objects.requireNonNull(onApplied, "onApplied");
  }

  public String prefix() {
    return prefix;
  }

  /** Indexes {@code doc} unless the stored version or a tombstone is as new or newer; true when applied. */
  public Future<Boolean> upsert(ProductDocument doc) {
    StringBuilder tokens = new StringBuilder();
    StringBuilder weights = new StringBuilder();
    for (Map.Entry<String, Integer> e : doc.tokens().entrySet()) {
      tokens.append(tokens.length() == 0 ? "" : " ").append(e.getKey());
      weights.append(weights.length() == 0 ? "" : " ").append(e.getValue());
    }
    return upsert.run(List.of(prefix, doc.productId(), Long.toString(doc.version()),
        nz(doc.sellerId()), doc.name(), doc.category(), ProductDocument.categoryKey(doc.category()),
        Long.toString(doc.price()), nz(doc.imageUrl()), Long.toString(doc.createdAt().toEpochMilli()),
        doc.updatedAt().toString(), tokens.toString(), weights.toString()))
      .map(this::applied);
  }

  /** Removes every trace of the product and leaves a tombstone, unless something as new or newer is stored. */
  public Future<Boolean> delete(String productId, long version) {
    return delete.run(List.of(prefix, productId, Long.toString(version), Long.toString(tombstoneTtlSeconds)))
      .map(this::applied);
  }

  /** A script's answer: the new index version when applied (told to the listener), 0 when skipped. */
  private boolean applied(Response r) {
    long version = r.toLong();
    if (version > 0) {
      onApplied.accept(version);
    }
    return version > 0;
  }

  /** The current index version (0 before the first change). */
  public Future<Long> indexVersion() {
    return redis.get(prefix + "index-version").map(r -> r == null ? 0L : r.toLong());
  }

  /** The stored version of a product (0 if absent) and its tombstone version (0 if none). */
  public Future<long[]> versions(String productId) {
    return redis.hget(prefix + "product:" + productId, "version")
      .compose(v -> redis.get(prefix + "tomb:" + productId)
        .map(t -> new long[]{v == null ? 0 : v.toLong(), t == null ? 0 : t.toLong()}));
  }

  /** The cached result (encoded JSON) for the query under the current index version, if any, with that version. */
  public Future<CacheLookup> cached(String queryHash) {
    return cacheLookup.run(List.of(prefix, queryHash))
      .map(r -> new CacheLookup(r.get(0).toLong(), r.get(1) == null ? null : r.get(1).toBuffer()));
  }

  /** Stores a result (encoded JSON) under the index version it was computed at. */
  public Future<Void> cache(String queryHash, long indexVersion, String json, long ttlSeconds) {
    return redis.set(List.of(prefix + "cache:" + queryHash + ":" + indexVersion, json, "EX",
      Long.toString(ttlSeconds))).mapEmpty();
  }

  /** Runs the query; the result carries the index version it was computed at. */
  public Future<SearchResult> search(SearchQuery query) {
    List<String> args = new ArrayList<>();
    args.add(prefix);
    args.add(query.categoryKey() == null ? "" : query.categoryKey());
    args.add(query.minPrice() == null ? "-inf" : Long.toString(query.minPrice()));
    args.add(query.maxPrice() == null ? "+inf" : Long.toString(query.maxPrice()));
    args.add(query.sort().wire());
    args.add(Integer.toString(query.offset()));
    args.add(Integer.toString(query.size()));
    args.addAll(query.tokens());
    return search.run(args).map(SearchIndexRepository::toResult);
  }

  /** Redis answers PING. */
  public Future<Void> ping() {
    return redis.ping(List.of()).mapEmpty();
  }

  private static SearchResult toResult(Response r) {
    long version = r.get(0).toLong();
    long total = r.get(1).toLong();
    JsonArray items = new JsonArray();
    for (int i = 2; i + 7 <= r.size(); i += 7) {
      if (r.get(i + 2) == null) {
        continue; // a hit whose hash vanished: never expected, skipped rather than shown half-empty
      }
      JsonObject item = new JsonObject()
        .put("productId", r.get(i).toString())
        .put("name", r.get(i + 2).toString())
        .put("category", str(r.get(i + 3)))
        .put("price", r.get(i + 4) == null ? null : r.get(i + 4).toLong())
        .put("imageUrl", emptyToNull(str(r.get(i + 5))))
        .put("score", r.get(i + 1) == null ? 0.0 : Double.parseDouble(r.get(i + 1).toString()));
      items.add(item);
    }
    return new SearchResult(version, total, items);
  }

  private static String str(Response r) {
    return r == null ? null : r.toString();
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  /** A cache lookup: the index version read, and the cached JSON (null on a miss). */
  public record CacheLookup(long indexVersion, Buffer json) {
  }

  /** One page of hits and the total, computed at {@code indexVersion}. */
  public record SearchResult(long indexVersion, long total, JsonArray items) {
  }

  /** A Lua script run by SHA, loaded again when Redis does not know it (after a restart or SCRIPT FLUSH). */
  private final class Script {
    private final String source;
    private final String sha;

    Script(String source) {
      this.source = source;
      this.sha = sha1(source);
    }

    Future<Response> run(List<String> argv) {
      List<String> args = new ArrayList<>(argv.size() + 2);
      args.add(sha);
      args.add("0");
      args.addAll(argv);
      return redis.evalsha(args).recover(err -> {
        if (err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT")) {
          List<String> eval = new ArrayList<>(args);
          eval.set(0, source);
          return redis.eval(eval);
        }
        return Future.failedFuture(err);
      });
    }
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
