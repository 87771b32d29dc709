package dev.eventmall.search.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.vertx.core.buffer.Buffer;

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
 * The entries live in a Caffeine cache bounded by weight: an entry weighs its bytes (body, key and
 * {@value #ENTRY_OVERHEAD_BYTES} bytes of bookkeeping) but at least {@code maxBytes / maxEntries}, and the bound is
 * {@code maxEntries} times that, so it never holds more than {@code maxEntries} entries nor more than {@code maxBytes}
 * bytes. Caffeine picks the victims (W-TinyLFU:
 * recency and frequency); an entry met at an old version is dropped at once, it can never be served again. Reads are
 * lock-free; writes (misses) and version changes take this object's lock, so no answer of a version older than a reset
 * can slip in after the reset dropped everything.
 *
 * <p>Hits and misses (an entry of another version, or while the version is unconfirmed, is a miss) are the cache's
 * statistics: {@link #bindTo} shows them with Caffeine's standard meters ({@code cache.gets},
 * {@code cache.evictions}, {@code cache.eviction.weight}, {@code cache.size}, tagged {@code cache=search.near}) and the
 * gauges {@code search.cache.near.entries} and {@code search.cache.near.bytes}.
 *
 * <p>One instance per deployment of the service, shared by its HTTP verticle instances, its indexer and its
 * refresher; thread-safe.
 */
public final class NearCache implements MeterBinder {
  /** Per-entry bookkeeping counted against {@code maxBytes} besides body and key. */
  static final int ENTRY_OVERHEAD_BYTES = 96;
  /** {@link #get} notes the time of asking only when it moved by more than this: not a volatile write per hit. */
  static final long ASKED_GRAIN_NANOS = 1_000_000;
  /** The name of the cache in Caffeine's meters ({@code cache=search.near}). */
  public static final String METER_NAME = "search.near";

  private final int maxEntries;
  /** What an entry weighs at least: {@code maxBytes / maxEntries}. */
  private final long minWeight;
  /**
   * Caffeine's bound: {@code maxEntries * minWeight}, which is at most {@code maxBytes} bytes and at most
   * {@code maxEntries} entries of any size.
   */
  private final long maxWeight;
  private final long maxStalenessNanos;
  private final LongSupplier clock;
  private final StatsCounter stats = new ConcurrentStatsCounter();
  private final Cache<String, Entry> entries;

  /** Current view of the index version; -1 until known. */
  private volatile long version = -1;
  /** Entries are served while {@code clock - validUntil < 0}. */
  private volatile long validUntil;
  /** When an answer was last asked for ({@link #get}, to within {@link #ASKED_GRAIN_NANOS}): the refresher's idleness. */
  private volatile long lastAsked;
  /** Count of local changes, to tell whether one raced with a poll. */
  private volatile long localChanges;
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
    this.minWeight = maxEntries == 0 ? 1 : Math.max(1, maxBytes / maxEntries);
    this.maxWeight = Math.min(maxBytes, minWeight * maxEntries);
    this.maxStalenessNanos = maxStalenessMillis * 1_000_000;
    this.clock = nanoClock;
    this.validUntil = nanoClock.getAsLong();
    this.lastAsked = validUntil;
    this.entries = Caffeine.newBuilder()
      .maximumWeight(maxWeight)
      .weigher((String key, Entry entry) -> entry.weight)
      // eviction on the writing thread, as Caffeine's own tests do: the bounds hold when put returns, and nothing is
      // handed to the common pool (one thread on two cores)
      .executor(Runnable::run)
      .recordStats(() -> stats)
      .build();
  }

  /** Registers the near cache's meters (see the class comment) in {@code registry}. */
  @Override
  public void bindTo(MeterRegistry registry) {
    CaffeineCacheMetrics.monitor(registry, entries, METER_NAME);
    Gauge.builder("search.cache.near.entries", this, NearCache::size)
      .description("answers held by the in-process near cache").register(registry);
    Gauge.builder("search.cache.near.bytes", this, NearCache::bytes)
      .description("approximate bytes held by the in-process near cache").baseUnit("bytes")
      .register(registry);
  }

  /** The answer for {@code key} if it was computed at the current index version and that version is confirmed. */
  public Buffer get(String key) {
    long now = clock.getAsLong();
    if (now - lastAsked > ASKED_GRAIN_NANOS) {
      lastAsked = now;
    }
    // asMap().get records the access for eviction but no statistics: the version decides what counts as a hit
    Entry e = entries.asMap().get(key);
    if (e == null) {
      stats.recordMisses(1);
      return null;
    }
    long current = version;
    if (e.version != current || now - validUntil >= 0) {
      if (e.version < current) {
        // the view only grows (a reset drops everything): this entry can never be served again
        entries.asMap().remove(key, e);
      }
      stats.recordMisses(1);
      return null;
    }
    stats.recordHits(1);
    return e.body;
  }

  /** Keeps {@code body} for {@code key} if {@code indexVersion} is the current view (an older answer is useless). */
  public void put(String key, long indexVersion, Buffer body) {
    if (maxEntries == 0) {
      return;
    }
    long size = (long) body.length() + 2L * key.length() + ENTRY_OVERHEAD_BYTES;
    long weight = Math.max(size, minWeight);
    if (weight > maxWeight) {
      return; // heavier than the whole cache
    }
    synchronized (this) {
      if (indexVersion != version) {
        return;
      }
      entries.put(key, new Entry(indexVersion, body, size, (int) Math.min(Integer.MAX_VALUE, weight)));
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

  /** Whether no answer was asked for ({@link #get}) in the last {@code nanos}. */
  public boolean idleFor(long nanos) {
    return clock.getAsLong() - lastAsked > nanos;
  }

  /**
   * The refresher polls again after a pause (nobody asked): drops every entry and serves nothing until a poll confirms
   * the version. A reset of Redis's counter that climbed back to this view while nobody polled would otherwise go unseen
   * (the one case {@link #refreshed} cannot tell, widened from one refresh interval to the whole pause).
   */
  public synchronized void resumed() {
    clear();
    validUntil = clock.getAsLong();
  }

  /** The current view of the index version (-1 before the first poll or local change). */
  public long version() {
    return version;
  }

  /** The number of entries (approximate while Caffeine's maintenance is pending). */
  public int size() {
    return (int) Math.min(Integer.MAX_VALUE, entries.estimatedSize());
  }

  /** The bytes held: bodies, keys and bookkeeping (a walk over the entries: for gauges and tests). */
  public long bytes() {
    long bytes = 0;
    for (Entry e : entries.asMap().values()) {
      bytes += e.size;
    }
    return bytes;
  }

  public int maxEntries() {
    return maxEntries;
  }

  private void clear() {
    entries.invalidateAll();
  }

  private static final class Entry {
    final long version;
    final Buffer body;
    final long size;
    final int weight;

    Entry(long version, Buffer body, long size, int weight) {
      this.version = version;
      this.body = body;
      this.size = size;
      this.weight = weight;
    }
  }
}
