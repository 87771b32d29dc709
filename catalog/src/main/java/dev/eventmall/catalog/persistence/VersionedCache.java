package dev.eventmall.catalog.persistence;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * What was read from Cassandra, kept in process under the MySQL version it was read at: a weight-bounded Caffeine cache.
 * An entry is answered only for the exact version the caller has just read from MySQL (the source of truth), so it can
 * be old in memory but is never served stale: whatever changes what Cassandra would answer bumps that version first
 * (see {@link ProductStore}). A capacity of 0 disables it. One instance per process, shared by the HTTP verticle
 * instances ({@link ProductStore.Caches}); thread-safe.
 *
 * <p>Hits and misses are counted by the version rule (an entry of another version is a miss), in the cache's own
 * statistics, which Micrometer shows twice: {@code eventmall.catalog.cache{cache=NAME, result=hit|miss}} (the names
 * the dashboards and tests know) and Caffeine's standard meters {@code cache.gets}, {@code cache.evictions},
 * {@code cache.eviction.weight}, {@code cache.size} tagged {@code cache=catalog.NAME} ({@code cache.puts} stays 0: it
 * counts loads, and this cache is filled by hand).
 */
final class VersionedCache<K, V> {
  private record Entry<V>(long version, V value, int weight) {
  }

  private final long capacity;
  private final ToIntFunction<V> weigher;
  private final StatsCounter stats = new ConcurrentStatsCounter();
  private final Cache<K, Entry<V>> entries;

  /**
   * A cache of at most {@code capacity} units, each value weighing {@code weigher} units (e.g. the documents it holds),
   * so memory stays bounded whatever is cached.
   */
  VersionedCache(String name, int capacity, ToIntFunction<V> weigher, MeterRegistry registry) {
    this.capacity = Math.max(0, capacity);
    this.weigher = weigher;
    this.entries = Caffeine.newBuilder()
      .maximumWeight(this.capacity)
      .weigher((K key, Entry<V> entry) -> entry.weight())
      // eviction on the writing thread: the bound holds when put returns, and nothing is handed to the common pool
      // (one thread on two cores)
      .executor(Runnable::run)
      .recordStats(() -> stats)
      .build();
    CaffeineCacheMetrics.monitor(registry, entries, "catalog." + name);
    counter(registry, name, "hit", c -> c.entries.stats().hitCount());
    counter(registry, name, "miss", c -> c.entries.stats().missCount());
  }

  private void counter(MeterRegistry registry, String name, String result,
                       ToDoubleFunction<VersionedCache<K, V>> count) {
    FunctionCounter.builder("eventmall.catalog.cache", this, count).tag("cache", name).tag("result", result)
      .description("catalog reads answered from an in-process cache (hit) or Cassandra (miss)")
      .register(registry);
  }

  /** The value kept for {@code key} if it was read at {@code version}, else null; counts a hit or a miss. */
  V get(K key, long version) {
    // asMap().get records the access for eviction but no statistics: the version decides what counts as a hit
    Entry<V> entry = entries.asMap().get(key);
    if (entry != null && entry.version() == version) {
      stats.recordHits(1);
      return entry.value();
    }
    stats.recordMisses(1);
    return null;
  }

  /** Keeps {@code value}, read at {@code version}, for {@code key} (replacing what was kept for it). */
  void put(K key, long version, V value) {
    int w = Math.max(1, weigher.applyAsInt(value));
    if (w > capacity) {
      remove(key);
      return;
    }
    entries.put(key, new Entry<>(version, value, w));
  }

  /** Forgets {@code key}. */
  void remove(K key) {
    entries.invalidate(key);
  }

  /** The total weight kept (after pending maintenance). */
  long weight() {
    entries.cleanUp();
    return entries.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }
}
