package dev.eventmall.catalog.persistence;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalog's in-process caches as their users see them: answered only at the version read, weight-capped, and
 * counted in the meters the service exposes ({@code eventmall.catalog.cache} and Caffeine's {@code cache.*}).
 */
class VersionedCacheTest {
  final MeterRegistry registry = new SimpleMeterRegistry();

  <V> VersionedCache<String, V> cache(int capacity, java.util.function.ToIntFunction<V> weigher) {
    return new VersionedCache<>("t", capacity, weigher, registry);
  }

  /** {@code eventmall.catalog.cache{cache=t, result}}, checked against Caffeine's {@code cache.gets}. */
  double count(String result) {
    double legacy = registry.get("eventmall.catalog.cache").tag("cache", "t").tag("result", result)
      .functionCounter().count();
    assertThat(registry.get("cache.gets").tag("cache", "catalog.t").tag("result", result).functionCounter().count())
      .as("cache.gets says the same").isEqualTo(legacy);
    return legacy;
  }

  @ParameterizedTest(name = "kept at v{0}, asked at v{1}: answered {2}")
  @CsvSource({
    "3, 3, true",
    "3, 4, false", // MySQL moved on: the kept value is stale and is never answered
    "3, 2, false", // an older version (a read that raced a write): not answered either
    "0, 0, true",
  })
  void aValueIsAnsweredOnlyAtTheVersionItWasReadAt(long kept, long asked, boolean answered) {
    VersionedCache<String, List<String>> cache = cache(10, List::size);
    cache.put("audio", kept, List.of("a", "b"));
    if (answered) {
      assertThat(cache.get("audio", asked)).containsExactly("a", "b");
    } else {
      assertThat(cache.get("audio", asked)).isNull();
    }
    assertThat(count("hit")).isEqualTo(answered ? 1 : 0);
    assertThat(count("miss")).isEqualTo(answered ? 0 : 1);
  }

  @Test
  void aNewerReadReplacesTheOlderAndOnlyItIsAnswered() {
    VersionedCache<String, String> cache = cache(10, v -> 1);
    assertThat(cache.get("p", 1)).as("nothing kept yet").isNull();
    cache.put("p", 1, "v1");
    cache.put("p", 2, "v2");
    assertThat(cache.get("p", 1)).isNull();
    assertThat(cache.get("p", 2)).isEqualTo("v2");
    cache.remove("p");
    assertThat(cache.get("p", 2)).isNull();
    assertThat(count("hit")).isEqualTo(1);
    assertThat(count("miss")).isEqualTo(3);
    assertThat(cache.weight()).isZero();
  }

  @Test
  void theTotalWeightNeverExceedsTheCapacityAndEvictionsAreCounted() {
    VersionedCache<String, List<String>> cache = cache(5, List::size);
    cache.put("a", 1, List.of("1", "2"));
    cache.put("b", 1, List.of("1", "2"));
    assertThat(cache.weight()).isEqualTo(4);
    cache.put("c", 1, List.of("1", "2")); // 6 > 5: one of the three goes
    assertThat(cache.weight()).isEqualTo(4);
    assertThat(Stream.of("a", "b", "c").filter(k -> cache.get(k, 1) != null)).hasSize(2);
    assertThat(registry.get("cache.evictions").tag("cache", "catalog.t").functionCounter().count()).isEqualTo(1);
    assertThat(registry.get("cache.eviction.weight").tag("cache", "catalog.t").functionCounter().count()).isEqualTo(2);

    cache.put("a", 2, List.of("1")); // replacing frees the old weight
    assertThat(cache.weight()).isLessThanOrEqualTo(5);
    cache.put("big", 1, List.of("1", "2", "3", "4", "5", "6")); // heavier than the whole cache: not kept
    assertThat(cache.get("big", 1)).isNull();
    cache.put("a", 3, List.of("1", "2", "3", "4", "5", "6")); // nor kept over an older value of its key
    assertThat(cache.get("a", 2)).isNull();
    assertThat(cache.get("a", 3)).isNull();
    assertThat(cache.weight()).isLessThanOrEqualTo(5);
  }

  @Test
  void manyDocumentsStayWithinTheCapacity() {
    VersionedCache<String, String> cache = cache(100, v -> 1);
    for (int i = 0; i < 1_000; i++) {
      cache.put("p" + i, 1, "doc " + i);
      assertThat(cache.weight()).isLessThanOrEqualTo(100);
    }
    assertThat(cache.weight()).isEqualTo(100);
    assertThat(registry.get("cache.evictions").tag("cache", "catalog.t").functionCounter().count()).isEqualTo(900);
    assertThat(registry.get("cache.size").tag("cache", "catalog.t").gauge().value()).isEqualTo(100);
  }

  @Test
  void aCapacityOfZeroKeepsNothing() {
    VersionedCache<String, String> cache = cache(0, v -> 1);
    cache.put("x", 1, "doc");
    assertThat(cache.get("x", 1)).isNull();
    assertThat(count("miss")).isEqualTo(1);
    assertThat(cache.weight()).isZero();
  }
}
