package dev.eventmall.emulators.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A map that keeps its newest {@code max} entries in the order their keys were first put: beyond that the eldest is
 * dropped and handed to {@code onEvict} (a value put again under its key keeps its place). Synchronized: written on an
 * emulator's event loop, readable from any thread.
 */
public final class BoundedMap<K, V> {

  private final Map<K, V> map;

  public BoundedMap(int max) {
    this(max, dropped -> { });
  }

  public BoundedMap(int max, Consumer<? super V> onEvict) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    this.map = new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        if (size() <= max) {
          return false;
        }
        onEvict.accept(eldest.getValue());
        return true;
      }
    };
  }

  public synchronized V get(K key) {
    return map.get(key);
  }

  public synchronized boolean containsKey(K key) {
    return map.containsKey(key);
  }

  public synchronized void put(K key, V value) {
    map.put(key, value);
  }

  public synchronized int size() {
    return map.size();
  }

  /** The values, eldest first. */
  public synchronized List<V> values() {
    return List.copyOf(map.values());
  }

  /** The values that match, eldest first. */
  public synchronized List<V> values(Predicate<? super V> filter) {
    return map.values().stream().filter(filter).toList();
  }
}
