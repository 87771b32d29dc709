package dev.eventmall.search.api;

import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The first level of the search result cache, in this process: raw query string → the encoded JSON answer and the
 * index version it was computed at. The Redis result cache ({@code cache:<queryHash>:<indexVersion>}) stays the shared
 * second level. A hit costs a map lookup: no Redis round trip, no JSON parsing or encoding.
 *
 * <h2>Freshness</h2>
 * An entry is served only when its index version equals this process's current view of the index version and that
 * view has been confirmed from Redis recently:
 * <ul>
 *   <li>a change applied by this process (the indexer or a rebuild) raises the view synchronously, before the event's
 *   handling completes ({@link #applied}), so the very next search never sees the old answer;</li>
 *   <li>a change applied by another process is learnt by polling {@code index-version} every refresh interval
 *   ({@code SEARCH_NEAR_CACHE_REFRESH_MS}, 100 ms) ({@link #refreshed}). Until then this process may answer from the
 *   version it knows: the <b>staleness bound</b> for changes made elsewhere is one refresh interval plus one Redis
 *   round trip (like Elasticsearch's 1 s refresh, search is near-real-time, not read-your-writes across
 *   processes);</li>
 *   <li>whatever happens to the polling (Redis unreachable, a busy event loop), the near cache is bypassed once the last
 *   confirmed read was sent more than {@code SEARCH_NEAR_CACHE_MAX_STALENESS_MS} (1000 ms) ago, so no answer served
 *   from here is ever staler than that; requests then go to Redis as without a near cache.</li>
 * </ul>
 * When Redis's counter goes back (FLUSHDB, a lost index being rebuilt, a restore): a poll reading less than the
 * previous poll drops every entry and turns the near cache off until a quiet poll (one no local change raced with)
 * confirms the version; a quiet poll always takes Redis's value as is (dropping every entry when it is lower than the
 * view). The one case this cannot see is a reset followed by climbing back past the old value within a single refresh
 * interval.
 *
 * <h2>Bounds</h2>
 * At most {@code maxEntries} entries and about {@code maxBytes} bytes (bodies plus keys); on overflow, entries of old
 * versions go first, then the least recently used ones, down to 90 % of the bounds (LRU-ish: the last use is a
 * timestamp per entry, sorted on eviction only). Reads are lock-free; writes (misses), version changes and eviction
 * take this object's lock.
 *
 * <p>One instance per deployment of the service, shared by its HTTP verticle instances, its indexer and its
 * refresher; thread-safe.
 */
public final class NearCache {
  /** Per-entry bookkeeping counted against {@code maxBytes} besides body and key. */
  static final int ENTRY_OVERHEAD_BYTES = 96;

  private final int maxEntries;
  private final long maxBytes;
  private final long maxStalenessNanos;
  private final LongSupplier clock;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /** Current view of the index version; -1 until known. */
  private volatile long version = -1;
  /** Entries are served while {@code clock - validUntil < 0}. */
  private volatile long validUntil;
  /** Count of local changes, to tell whether one raced with a poll. */
  private volatile long localChanges;
  private long bytes;
  /** The previous poll's value: a lower one later means the counter was reset. */
  private long lastPolled = -1;
  /** After a reset, only a quiet poll makes the near cache serve again. */
  private boolean awaitingQuietPoll;

  public NearCache(int maxEntries, long maxBytes, long maxStalenessMillis) {
    this(maxEntries, maxBytes, maxStalenessMillis, System::nanoTime);
  }

  NearCache(int maxEntries, long maxBytes, long maxStalenessMillis, LongSupplier nanoClock) {
    if (maxEntries < 0 || maxBytes < 0 || maxStalenessMillis < 1) {
      throw new IllegalArgumentException("near cache bounds must be >= 0 and the staleness bound >= 1 ms");
    }
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.maxStalenessNanos = maxStalenessMillis * 1_000_000;
    this.clock = nanoClock;
    this.validUntil = nanoClock.getAsLong();
  }

  /** The answer for {@code key} if it was computed at the current index version and that version is confirmed. */
  public Buffer get(String key) {
    Entry e = entries.get(key);
    if (e == null) {
      return null;
    }
    long now = clock.getAsLong();
    if (e.version != version || now - validUntil >= 0) {
      return null;
    }
    e.lastUsed = now;
    return e.body;
  }

  /** Keeps {@code body} for {@code key} if {@code indexVersion} is the current view (an older answer is useless). */
  public void put(String key, long indexVersion, Buffer body) {
    if (maxEntries == 0) {
      return;
    }
    long size = (long) body.length() + 2L * key.length() + ENTRY_OVERHEAD_BYTES;
    synchronized (this) {
      if (indexVersion != version) {
        return;
      }
      Entry old = entries.put(key, new Entry(indexVersion, body, size, clock.getAsLong()));
      bytes += size - (old == null ? 0 : old.size);
      if (entries.size() > maxEntries || bytes > maxBytes) {
        evict();
      }
    }
  }

  /** This process applied a change that made the index version {@code newVersion}. */
  public synchronized void applied(long newVersion) {
    localChanges++;
    if (newVersion > version) {
      version = newVersion;
    }
  }

  /** The number of local changes so far: read it when sending a poll, give it back to {@link #refreshed}. */
  public long localChanges() {
    return localChanges;
  }

  /**
   * A poll sent at {@code sentAtNanos} (this cache's clock), when {@link #localChanges()} was {@code changesAtSend},
   * read {@code polled} from Redis. Every change made anywhere before the poll was sent is now known.
   */
  public synchronized void refreshed(long polled, long changesAtSend, long sentAtNanos) {
    boolean reset = polled < lastPolled; // polls are sequential and the counter only grows between resets
    lastPolled = polled;
    if (localChanges == changesAtSend) {
      // nothing applied here raced with the read: Redis's value is authoritative, even when lower (a reset)
      if (polled < version) {
        clear();
      }
      version = polled;
      awaitingQuietPoll = false;
    } else if (reset) {
      // a local change raced with this read: its version may predate the reset, so trust neither until a quiet poll
      clear();
      version = polled;
      awaitingQuietPoll = true;
    } else if (polled > version) {
      version = polled;
    }
    if (awaitingQuietPoll) {
      validUntil = clock.getAsLong();
      return;
    }
    long until = sentAtNanos + maxStalenessNanos;
    if (until - validUntil > 0) {
      validUntil = until;
    }
  }

  /** The current view of the index version (-1 before the first poll or local change). */
  public long version() {
    return version;
  }

  public int size() {
    return entries.size();
  }

  public synchronized long bytes() {
    return bytes;
  }

  public int maxEntries() {
    return maxEntries;
  }

  private void clear() {
    entries.clear();
    bytes = 0;
  }

  /** Under the lock: old versions first, then least recently used, down to 90 % of both bounds. */
  private void evict() {
    long current = version;
    entries.entrySet().removeIf(e -> {
      if (e.getValue().version != current) {
        bytes -= e.getValue().size;
        return true;
      }
      return false;
    });
    int entriesTarget = maxEntries - maxEntries / 10;
    long bytesTarget = maxBytes - maxBytes / 10;
    if (entries.size() <= entriesTarget && bytes <= bytesTarget) {
      return;
    }
    // snapshot the recency first: readers keep updating it, and a sort needs stable keys
    List<Victim> byAge = new ArrayList<>(entries.size());
    entries.forEach((key, entry) -> byAge.add(new Victim(key, entry, entry.lastUsed)));
    byAge.sort(Comparator.comparingLong(Victim::lastUsed));
    for (Victim v : byAge) {
      if (entries.size() <= entriesTarget && bytes <= bytesTarget) {
        break;
      }
      if (entries.remove(v.key(), v.entry())) {
        bytes -= v.entry().size;
      }
    }
  }

  private record Victim(String key, Entry entry, long lastUsed) {
  }

  private static final class Entry {
    final long version;
    final Buffer body;
    final long size;
    /** Racy on purpose: an approximate recency is enough to pick eviction victims. */
    volatile long lastUsed;

    Entry(long version, Buffer body, long size, long lastUsed) {
      this.version = version;
      this.body = body;
      this.size = size;
      this.lastUsed = lastUsed;
    }
  }
}
