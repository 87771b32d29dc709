package dev.eventmall.emulators.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Idempotency keys as Toss keeps them: the match is on key + API key + URL + method (never the body); while the first
 * request runs a repeat is told so; a 2xx answer is stored and replayed; an error answer is forgotten (assumed).
 * Bounded: keys are held in the order their answer was stored, expired ones are dropped from the oldest on whenever any
 * key is looked up or stored, and beyond {@code maxEntries} the oldest goes (a repeat of it then runs as new, as after
 * expiry). Only used from the emulator's event loop.
 */
public final class IdempotencyStore {

  public sealed interface Lookup permits Proceed, InFlight, Replay {}

  public record Proceed() implements Lookup {}

  public record InFlight() implements Lookup {}

  public record Replay(Reply reply) implements Lookup {}

  /** {@code reply} null: in flight. */
  private record Entry(Reply reply, long storedAtMs) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final long validityMs;
  private final int maxEntries;
  private final Supplier<Instant> now;

  public IdempotencyStore(Duration validity, int maxEntries, Supplier<Instant> now) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1");
    }
    this.validityMs = validity.toMillis();
    this.maxEntries = maxEntries;
    this.now = now;
  }

  public static String key(String apiKey, String method, String uri, String idempotencyKey) {
    return apiKey + '\u0000' + method + '\u0000' + uri + '\u0000' + idempotencyKey;
  }

  /** Looks the key up; when absent, marks it in flight and answers {@link Proceed}. */
  public Lookup begin(String key) {
    long nowMs = now.get().toEpochMilli();
    dropExpired(nowMs);
    Entry e = entries.get(key);
    if (e != null && e.reply() != null && expired(e, nowMs)) {
      entries.remove(key);
      e = null;
    }
    if (e == null) {
      put(key, new Entry(null, nowMs));
      return new Proceed();
    }
    return e.reply() == null ? new InFlight() : new Replay(e.reply());
  }

  /** Stores a 2xx reply for replay; forgets the key otherwise. */
  public void complete(String key, Reply reply) {
    if (key == null) {
      return;
    }
    entries.remove(key); // stored again at the end: the entries stay in the order of their storedAt
    if (reply.success()) {
      put(key, new Entry(reply, now.get().toEpochMilli()));
    }
  }

  public void abort(String key) {
    if (key != null) {
      entries.remove(key);
    }
  }

  /** How many keys are held (in flight or stored). */
  public int size() {
    return entries.size();
  }

  private void put(String key, Entry entry) {
    entries.put(key, entry);
    Iterator<Entry> oldest = entries.values().iterator();
    while (entries.size() > maxEntries) {
      oldest.next();
      oldest.remove();
    }
  }

  /**
   * Drops the stored answers past their validity, oldest first, up to the first one still valid (keys in flight, a few
   * at most, are passed over).
   */
  private void dropExpired(long nowMs) {
    Iterator<Entry> oldest = entries.values().iterator();
    while (oldest.hasNext()) {
      Entry e = oldest.next();
      if (e.reply() != null) {
        if (!expired(e, nowMs)) {
          return;
        }
        oldest.remove();
      }
    }
  }

  private boolean expired(Entry e, long nowMs) {
    return e.storedAtMs() + validityMs < nowMs;
  }
}
