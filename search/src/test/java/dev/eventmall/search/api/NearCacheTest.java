package dev.eventmall.search.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The near cache's rules on a hand-driven clock: which version it serves, for how long, how much it keeps, and what its
 * meters say.
 */
class NearCacheTest {
  static final long MS = 1_000_000;

  final AtomicLong clock = new AtomicLong(1_000 * MS);
  final MeterRegistry registry = new SimpleMeterRegistry();

  /** A near cache whose meters are in {@link #registry}. */
  NearCache cache(int maxEntries, long maxBytes) {
    NearCache cache = new NearCache(maxEntries, maxBytes, 1_000, clock::get);
    cache.bindTo(registry);
    return cache;
  }

  double gets(String result) {
    return registry.get("cache.gets").tag("cache", NearCache.METER_NAME).tag("result", result).functionCounter()
      .count();
  }

  double evictions() {
    return registry.get("cache.evictions").tag("cache", NearCache.METER_NAME).functionCounter().count();
  }

  /** What can happen between storing an answer at version 5 and the next search. */
  enum Then {
    NOTHING(true, c -> { }),
    CHANGE_APPLIED_HERE(false, c -> c.cache.applied(6)),
    CHANGE_POLLED_FROM_ELSEWHERE(false, c -> c.cache.refreshed(6, c.cache.localChanges(), c.test.clock.get())),
    VERSION_UNCONFIRMED_TOO_LONG(false, c -> c.test.clock.addAndGet(1_000 * MS)),
    RESET_TO_A_LOWER_VERSION(false, c -> c.cache.refreshed(2, c.cache.localChanges(), c.test.clock.get())),
    CONFIRMED_AGAIN(true, c -> {
      c.test.clock.addAndGet(900 * MS);
      c.cache.refreshed(5, c.cache.localChanges(), c.test.clock.get());
      c.test.clock.addAndGet(900 * MS);
    });

    final boolean served;
    final java.util.function.Consumer<Case> step;

    Then(boolean served, java.util.function.Consumer<Case> step) {
      this.served = served;
      this.step = step;
    }
  }

  record Case(NearCacheTest test, NearCache cache) {
  }

  @ParameterizedTest
  @EnumSource(Then.class)
  void anAnswerIsServedOnlyAtTheCurrentConfirmedVersionAndCountedAsAHitOrAMiss(Then then) {
    NearCache cache = cache(100, 1 << 20);
    cache.refreshed(5, cache.localChanges(), clock.get());
    cache.put("q=a", 5, body("five"));
    then.step.accept(new Case(this, cache));
    if (then.served) {
      assertThat(cache.get("q=a")).isEqualTo(body("five"));
    } else {
      assertThat(cache.get("q=a")).as("a stale answer is never served").isNull();
    }
    assertThat(gets("hit")).isEqualTo(then.served ? 1 : 0);
    assertThat(gets("miss")).isEqualTo(then.served ? 0 : 1);
  }

  @Test
  void anEntryMetAtAnOldVersionIsDroppedAndCountedAsAMiss() {
    NearCache cache = cache(100, 1 << 20);
    cache.refreshed(5, cache.localChanges(), clock.get());
    cache.put("q=a", 5, body("five"));
    assertThat(cache.get("q=a")).isNotNull();
    assertThat(cache.get("q=b")).isNull();
    cache.applied(6);
    assertThat(cache.get("q=a")).isNull();
    assertThat(cache.size()).as("it could never be served again").isZero();
    assertThat(cache.bytes()).isZero();
    assertThat(gets("hit")).isEqualTo(1);
    assertThat(gets("miss")).isEqualTo(2);
    assertThat(registry.get("search.cache.near.entries").gauge().value()).isZero();
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
  void idleUntilAnAnswerIsAskedFor() {
    NearCache cache = cache(100, 1 << 20);
    clock.addAndGet(10_000 * MS);
    assertThat(cache.idleFor(9_999 * MS)).isTrue();
    assertThat(cache.idleFor(10_000 * MS)).isFalse();

    cache.get("q=a"); // a miss counts as asking too
    assertThat(cache.idleFor(1 * MS)).isFalse();
    clock.addAndGet(2 * MS);
    assertThat(cache.idleFor(1 * MS)).isTrue();
  }

  @Test
  void resumingAfterAPauseDropsEverythingAndServesOnlyOnceAPollConfirmsTheVersion() {
    NearCache cache = cache(100, 1 << 20);
    cache.refreshed(7, cache.localChanges(), clock.get());
    cache.put("q=a", 7, body("seven"));
    assertThat(cache.get("q=a")).isNotNull();

    // nobody polled for a minute: Redis's counter may have been reset and climbed back to 7 meanwhile
    clock.addAndGet(60_000 * MS);
    cache.resumed();
    assertThat(cache.size()).isZero();
    cache.put("q=a", 7, body("seven, computed after the pause"));
    assertThat(cache.get("q=a")).as("not confirmed yet").isNull();

    cache.refreshed(7, cache.localChanges(), clock.get());
    assertThat(cache.get("q=a")).isEqualTo(body("seven, computed after the pause"));
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
  void keepsAtMostMaxEntriesAndAFrequentlyUsedAnswerStays() {
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
    assertThat(cache.size()).isEqualTo(10);
    assertThat(evictions()).as("101 answers kept, 10 left").isEqualTo(91);
    assertThat(registry.get("cache.size").tag("cache", NearCache.METER_NAME).gauge().value()).isEqualTo(10);
    assertThat(registry.get("search.cache.near.entries").gauge().value()).isEqualTo(10);
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
    assertThat(evictions()).isEqualTo(100 - cache.size());
    assertThat(registry.get("cache.eviction.weight").tag("cache", NearCache.METER_NAME).functionCounter().count())
      .as("bytes evicted").isGreaterThanOrEqualTo(1_000.0 * evictions());
    assertThat(registry.get("search.cache.near.bytes").gauge().value()).isEqualTo(cache.bytes());
  }

  @Test
  void anAnswerLargerThanTheWholeCacheIsNotKept() {
    NearCache cache = cache(10, 1_000);
    cache.refreshed(1, cache.localChanges(), clock.get());
    cache.put("q=small", 1, body("small"));
    cache.put("q=big", 1, Buffer.buffer(new byte[1_000]));
    assertThat(cache.get("q=big")).isNull();
    assertThat(cache.get("q=small")).isEqualTo(body("small"));
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
