package dev.eventmall.emulators.sandbox;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** A log that keeps its newest {@code max} entries, the oldest dropped first; appended to and read from any thread. */
public final class BoundedLog<T> {

  private final Queue<T> entries = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final int max;

  public BoundedLog(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    this.max = max;
  }

  public void add(T entry) {
    entries.add(entry);
    size.incrementAndGet();
    while (size.get() > max && entries.poll() != null) {
      size.decrementAndGet();
    }
  }

  /** The entries, oldest first. */
  public List<T> snapshot() {
    return List.copyOf(entries);
  }

  /** The entries, oldest first (weakly consistent: what is added meanwhile may or may not be seen). */
  public Stream<T> stream() {
    return entries.stream();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public int size() {
    return size.get();
  }
}
