package dev.eventmall.search.api;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The near cache's rules on a hand-driven clock: which version it serves, for how long, and how much it keeps. */
class NearCacheTest {
  static final long MS = 1_000_000;

  final AtomicLong clock = new AtomicLong(1_000 * MS);

  NearCache cache(int maxEntries, long maxBytes) {
    return new NearCache(maxEntries, maxBytes, 1_000, clock::get);
  }

  static Buffer body(String s) {
    return Buffer.buffer(s);
  }

  @Test
  void servesOnlyAnswersOfTheCurrentConfirmedVersion() {
    NearCache cache = cache(100, 1 << 20);
    cache.put("q=a", 5, body("five"));
    assertThat(cache.get("q=a")).as("the version is not known yet: nothing is kept").isNull();
    assertThat(cache.size()).isZero();

    cache.refreshed(5, cache.localChanges(), clock.get());
    cache.put("q=a", 5, body("five"));
    cache.put("q=b", 4, body("older"));
    assertThat(cache.get("q=a")).isEqualTo(body("five"));
    assertThat(cache.get("q=b")).as("an answer of an older version is not kept").isNull();
    assertThat(cache.size()).isEqualTo(1);

    cache.applied(6);
    assertThat(cache.version()).isEqualTo(6);
    assertThat(cache.get("q=a")).as("a change applied here makes the entry stale at once").isNull();
  }

  @Test
  void aVersionNotConfirmedWithinTheStalenessBoundIsNotServed() {
    NearCache cache = cache(100, 1 << 20);
    long sent = clock.get();
    cache.refreshed(3, cache.localChanges(), sent);
    cache.put("q=a", 3, body("three"));

    clock.set(sent + 999 * MS);
    assertThat(cache.get("q=a")).isNotNull();
    clock.set(sent + 1_000 * MS);
    assertThat(cache.get("q=a")).as("the last read of the version was sent 1 s ago").isNull();

    cache.refreshed(3, cache.localChanges(), clock.get());
    assertThat(cache.get("q=a")).as("confirmed again").isEqualTo(body("three"));
  }

  @Test
  void aPollRacingWithALocalChangeNeverLowersTheVersion() {
    NearCache cache = cache(100, 1 << 20);
    cache.refreshed(6, cache.localChanges(), clock.get());
    long changesAtSend = cache.localChanges();
    cache.applied(7); // applied here after the poll read 6 from Redis, answered before the poll's reply
    cache.refreshed(6, changesAtSend, clock.get());
    assertThat(cache.version()).isEqualTo(7);

    cache.refreshed(9, cache.localChanges(), clock.get());
    assertThat(cache.version()).as("a change made elsewhere").isEqualTo(9);
  }

  @Test
  void aQuietPollReadingALowerVersionIsAResetAndDropsEverything() {
    NearCache cache = cache(100, 1 << 20);
    cache.refreshed(10, cache.localChanges(), clock.get());
    cache.put("q=a", 10, body("ten"));
    cache.put("q=b", 10, body("ten too"));

    cache.refreshed(2, cache.localChanges(), clock.get()); // FLUSHDB and two new changes elsewhere
    assertThat(cache.version()).isEqualTo(2);
    assertThat(cache.size()).isZero();
    assertThat(cache.bytes()).isZero();
    cache.put("q=a", 10, body("a late answer computed before the flush"));
    assertThat(cache.get("q=a")).isNull();
  }

  @Test
  void aResetSeenWhileLocalChangesRaceTurnsTheCacheOffUntilAQuietPoll() {
    NearCache cache = cache(100, 1 << 20);
    cache.refreshed(50, cache.localChanges(), clock.get());
    cache.put("q=a", 50, body("fifty"));

    // Redis lost the index; this process's indexer (or rebuild) keeps applying changes while the polls run
    long changes = cache.localChanges();
    cache.applied(51); // applied before the loss, answered after it
    cache.refreshed(3, changes, clock.get());
    assertThat(cache.size()).isZero();
    assertThat(cache.get("q=a")).isNull();
    cache.applied(4);
    cache.put("q=b", 51, body("computed before the loss"));
    changes = cache.localChanges();
    cache.applied(5);
    cache.refreshed(4, changes, clock.get());
    cache.put("q=c", cache.version(), body("current"));
    assertThat(cache.get("q=c")).as("off until a quiet poll").isNull();

    cache.refreshed(5, cache.localChanges(), clock.get());
    assertThat(cache.version()).isEqualTo(5);
    assertThat(cache.get("q=b")).isNull();
    assertThat(cache.get("q=c")).as("confirmed by the quiet poll").isEqualTo(body("current"));
  }

  @Test
  void keepsAtMostMaxEntriesAndEvictsTheLeastRecentlyUsed() {
    NearCache cache = cache(10, 1 << 20);
    cache.refreshed(1, cache.localChanges(), clock.get());
    cache.put("hot", 1, body("hot"));
    for (int i = 0; i < 100; i++) {
      clock.addAndGet(MS);
      assertThat(cache.get("hot")).as("used before every insert").isNotNull();
      clock.addAndGet(MS);
      cache.put("q=" + i, 1, body("answer " + i));
      assertThat(cache.size()).isLessThanOrEqualTo(10);
    }
    assertThat(cache.get("hot")).isEqualTo(body("hot"));
    assertThat(cache.get("q=99")).as("the newest").isNotNull();
    assertThat(cache.get("q=0")).as("long unused").isNull();
  }

  @Test
  void keepsToMaxBytes() {
    long maxBytes = 10_000;
    NearCache cache = cache(1_000, maxBytes);
    cache.refreshed(1, cache.localChanges(), clock.get());
    for (int i = 0; i < 100; i++) {
      clock.addAndGet(MS);
      cache.put("q=" + i, 1, Buffer.buffer(new byte[1_000]));
      assertThat(cache.bytes()).isLessThanOrEqualTo(maxBytes)
        .isGreaterThanOrEqualTo(cache.size() * (1_000L + NearCache.ENTRY_OVERHEAD_BYTES));
    }
    assertThat(cache.size()).isBetween(1, 9);
  }

  @Test
  void replacingAnEntryCountsItsBytesOnce() {
    NearCache cache = cache(10, 1 << 20);
    cache.refreshed(1, cache.localChanges(), clock.get());
    cache.put("q=a", 1, body("x".repeat(100)));
    long once = cache.bytes();
    cache.put("q=a", 1, body("x".repeat(100)));
    assertThat(cache.bytes()).isEqualTo(once);
    assertThat(cache.size()).isEqualTo(1);
  }

  @Test
  void zeroEntriesTurnsItOff() {
    NearCache cache = cache(0, 1 << 20);
    cache.refreshed(1, cache.localChanges(), clock.get());
    cache.put("q=a", 1, body("one"));
    assertThat(cache.get("q=a")).isNull();
    assertThat(cache.size()).isZero();
  }
}
