package dev.eventmall.emulators.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Idempotency keys as Toss keeps them: the match is on key + API key + URL + method (never the body); while the first
 * request runs a repeat is told so; a 2xx answer is stored and replayed; an error answer is forgotten (assumed).
 * Only used from the emulator's event loop.
 */
public final class IdempotencyStore {

  public sealed interface Lookup permits Proceed, InFlight, Replay {}

  public record Proceed() implements Lookup {}

  public record InFlight() implements Lookup {}

  public record Replay(Reply reply) implements Lookup {}

  private record Entry(Reply reply, Instant storedAt) {}

  private final Map<String, Entry> entries = new HashMap<>();
  private final Duration validity;
  private final Supplier<Instant> now;

  public IdempotencyStore(Duration validity, Supplier<Instant> now) {
    this.validity = validity;
    this.now = now;
  }

  public static String key(String apiKey, String method, String uri, String idempotencyKey) {
    return apiKey + '\u0000' + method + '\u0000' + uri + '\u0000' + idempotencyKey;
  }

  /** Looks the key up; when absent, marks it in flight and answers {@link Proceed}. */
  public Lookup begin(String key) {
    Entry e = entries.get(key);
    if (e != null && e.reply() != null && e.storedAt().plus(validity).isBefore(now.get())) {
      entries.remove(key);
      e = null;
    }
    if (e == null) {
      entries.put(key, new Entry(null, now.get()));
      return new Proceed();
    }
    return e.reply() == null ? new InFlight() : new Replay(e.reply());
  }

  /** Stores a 2xx reply for replay; forgets the key otherwise. */
  public void complete(String key, Reply reply) {
    if (key == null) {
      return;
    }
    if (reply.success()) {
      entries.put(key, new Entry(reply, now.get()));
    } else {
      entries.remove(key);
    }
  }

  public void abort(String key) {
    if (key != null) {
      entries.remove(key);
    }
  }
}
