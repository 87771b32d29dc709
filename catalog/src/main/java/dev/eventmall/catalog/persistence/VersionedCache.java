package dev.eventmall.catalog.persistence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.ToIntFunction;

/**
 * What was read from Cassandra, kept in process under the MySQL version it was read at, least recently used first out.
 * An entry is answered only for the exact version the caller has just read from MySQL (the source of truth), so it can
 * be old in memory but is never served stale: whatever changes what Cassandra would answer bumps that version first
 * (see {@link ProductStore}). A capacity of 0 disables it.
 *
 * <p>Counts {@code eventmall.catalog.cache{cache=NAME, result=hit|miss}}.
 */
final class VersionedCache<K, V> {
  private record Entry<V>(long version, V value, int weight) {
  }

  private final int capacity;
  private final ToIntFunction<V> weigher;
  private final LinkedHashMap<K, Entry<V>> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long weight;
  private final Counter hits;
  private final Counter misses;

  /**
   * A cache of at most {@code capacity} units, each value weighing {@code weigher} units (e.g. the documents it holds),
   * so memory stays bounded whatever is cached.
   */
  VersionedCache(String name, int capacity, ToIntFunction<V> weigher, MeterRegistry registry) {
    this.capacity = Math.max(0, capacity);
    this.weigher = weigher;
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
    int w = Math.max(1, weigher.applyAsInt(value));
    if (w > capacity) {
      remove(key);
      return;
    }
    Entry<V> previous = entries.put(key, new Entry<>(version, value, w));
    weight += w - (previous == null ? 0 : previous.weight());
    Iterator<Entry<V>> eldest = entries.values().iterator();
    while (weight > capacity) {
      weight -= eldest.next().weight();
      eldest.remove();
    }
  }

  /** Forgets {@code key}. */
  synchronized void remove(K key) {
    Entry<V> removed = entries.remove(key);
    if (removed != null) {
      weight -= removed.weight();
    }
  }
}
