package dev.eventmall.catalog.persistence;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The bounds of the catalog's in-process caches: answered only at the version read, weight-capped, LRU. */
class VersionedCacheTest {

  @Test
  void aValueIsAnsweredOnlyAtTheVersionItWasReadAt() {
    VersionedCache<String, List<String>> cache = new VersionedCache<>("t", 10, List::size, new SimpleMeterRegistry());
    cache.put("audio", 3, List.of("a", "b"));
    assertThat(cache.get("audio", 3)).containsExactly("a", "b");
    assertThat(cache.get("audio", 4)).isNull();
    assertThat(cache.get("audio", 2)).isNull();
  }

  @Test
  void theTotalWeightNeverExceedsTheCapacityAndTheLeastRecentlyUsedGoesFirst() {
    VersionedCache<String, List<String>> cache = new VersionedCache<>("t", 5, List::size, new SimpleMeterRegistry());
    cache.put("a", 1, List.of("1", "2"));
    cache.put("b", 1, List.of("1", "2"));
    assertThat(cache.get("a", 1)).isNotNull(); // a is now more recent than b
    cache.put("c", 1, List.of("1", "2")); // 6 > 5: b goes
    assertThat(cache.get("b", 1)).isNull();
    assertThat(cache.get("a", 1)).isNotNull();
    assertThat(cache.get("c", 1)).isNotNull();
    cache.put("a", 2, List.of("1")); // replacing a frees its old weight: 1 + 2 = 3, nothing else goes
    assertThat(cache.get("c", 1)).isNotNull();
    cache.put("big", 1, List.of("1", "2", "3", "4", "5", "6")); // heavier than the whole cache: not kept
    assertThat(cache.get("big", 1)).isNull();
    assertThat(cache.get("a", 2)).isNotNull();
  }

  @Test
  void aCapacityOfZeroKeepsNothing() {
    VersionedCache<String, String> cache = new VersionedCache<>("t", 0, v -> 1, new SimpleMeterRegistry());
    cache.put("x", 1, "doc");
    assertThat(cache.get("x", 1)).isNull();
  }
}
