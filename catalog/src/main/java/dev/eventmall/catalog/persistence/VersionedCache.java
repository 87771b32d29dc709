package dev.eventmall.catalog.persistence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What was read from Cassandra, kept in process under the MySQL version it was read at, least recently used first out.
 * An entry is answered only for the exact version the caller has just read from MySQL (the source of truth), so it can
 * be old in memory but is never served stale: whatever changes what Cassandra would answer bumps that version first
 * (see {@link ProductStore}). A capacity of 0 disables it.
 *
 * <p>Counts {@code eventmall.catalog.cache{cache=NAME, result=hit|miss}}.
 */
final class VersionedCache<K, V> {
  private record Entry<V>(long version, V value) {
  }

  private final int capacity;
  private final Map<K, Entry<V>> entries;
  private final Counter hits;
  private final Counter misses;

  VersionedCache(String name, int capacity, MeterRegistry registry) {
    this.capacity = Math.max(0, capacity);
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
        return size() > VersionedCache.this.capacity;
      }
    };
    this.hits = counter(registry, name, "hit");
    this.misses = counter(registry, name, "miss");
  }

  private static Counter counter(MeterRegistry registry, String name, String result) {
    return Counter.builder("eventmall.catalog.cache").tag("cache", name).tag("result", result)
      .description("catalog reads answered from an in-process cache (hit) or Cassandra (miss)")
      .register(registry);
  }

  /** The value kept for {@code key} if it was read at {@code version}, else null; counts a hit or a miss. */
  synchronized V get(K key, long version) {
    Entry<V> entry = entries.get(key);
    if (entry != null && entry.version() == version) {
      hits.increment();
      return entry.value();
    }
    misses.increment();
    return null;
  }

  /** Keeps {@code value}, read at {@code version}, for {@code key}. */
  synchronized void put(K key, long version, V value) {
    if (capacity > 0) {
      entries.put(key, new Entry<>(version, value));
    }
  }

  /** Forgets {@code key}. */
  synchronized void remove(K key) {
    entries.remove(key);
  }
}
