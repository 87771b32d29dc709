package dev.eventmall.catalog.persistence;

import dev.eventmall.catalog.domain.Product;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Product documents read from Cassandra, by id, least recently used first out. An entry is only ever answered for the
 * exact version the caller read from MySQL (the source of truth), so it can be old in memory but never served stale:
 * any create, update or delete bumps the version and the next read goes to Cassandra. A capacity of 0 disables it.
 *
 * <p>Counts {@code eventmall.catalog.document.cache{result=hit|miss}}.
 */
final class DocumentCache {
  private final int capacity;
  private final Map<UUID, Product> entries;
  private final Counter hits;
  private final Counter misses;

  DocumentCache(int capacity, MeterRegistry registry) {
    this.capacity = Math.max(0, capacity);
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<UUID, Product> eldest) {
        return size() > DocumentCache.this.capacity;
      }
    };
    this.hits = counter(registry, "hit");
    this.misses = counter(registry, "miss");
  }

  private static Counter counter(MeterRegistry registry, String result) {
    return Counter.builder("eventmall.catalog.document.cache").tag("result", result)
      .description("product page reads answered from the in-process document cache (hit) or Cassandra (miss)")
      .register(registry);
  }

  /** The cached document of {@code id} if it is of {@code version}; counts a hit or a miss. */
  synchronized Product get(UUID id, long version) {
    Product cached = entries.get(id);
    if (cached != null && cached.version() == version) {
      hits.increment();
      return cached;
    }
    misses.increment();
    return null;
  }

  /** Keeps {@code doc} when it is of {@code version} (MySQL's); otherwise forgets what was kept for it. */
  synchronized void put(Product doc, long version) {
    if (capacity > 0 && doc.version() == version) {
      entries.put(doc.id(), doc);
    } else {
      entries.remove(doc.id());
    }
  }
}
