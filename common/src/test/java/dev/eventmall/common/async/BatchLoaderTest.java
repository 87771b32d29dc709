package dev.eventmall.common.async;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class BatchLoaderTest {

  /** A load the test answers by hand: the keys of each call and its promise. */
  private static final class Loads {
    final List<List<String>> calls = new ArrayList<>();
    final List<Promise<Map<String, Integer>>> pending = new ArrayList<>();

    Future<Map<String, Integer>> load(List<String> keys) {
      calls.add(keys);
      Promise<Map<String, Integer>> p = Promise.promise();
      pending.add(p);
      return p.future();
    }

    /** Answers call {@code i} with each key's length (keys starting with "x" are not found). */
    void answer(int i) {
      Map<String, Integer> found = new HashMap<>();
      calls.get(i).stream().filter(k -> !k.startsWith("x")).forEach(k -> found.put(k, k.length()));
      pending.get(i).complete(found);
    }
  }

  @Test
  void aLoneKeyIsLoadedAtOnceAndAnUnknownOneIsEmpty() {
    Loads loads = new Loads();
    BatchLoader<String, Integer> loader = new BatchLoader<>(loads::load, 10);
    Future<Optional<Integer>> a = loader.get("aaa");
    assertThat(loads.calls).containsExactly(List.of("aaa"));
    loads.answer(0);
    assertThat(a.result()).contains(3);
    Future<Optional<Integer>> missing = loader.get("x1");
    assertThat(loads.calls).hasSize(2);
    loads.answer(1);
    assertThat(missing.result()).isEmpty();
  }

  @Test
  void keysAskedForDuringALoadAreLoadedTogetherByTheNextOneEachOnce() {
    Loads loads = new Loads();
    BatchLoader<String, Integer> loader = new BatchLoader<>(loads::load, 10);
    Future<Optional<Integer>> first = loader.get("a");
    Future<Optional<Integer>> b1 = loader.get("bb");
    Future<Optional<Integer>> c = loader.get("ccc");
    Future<Optional<Integer>> b2 = loader.get("bb");
    Future<Optional<Integer>> again = loader.get("a"); // asked after its load started: the next load reads it afresh
    assertThat(loads.calls).containsExactly(List.of("a"));
    assertThat(loader.queued()).isEqualTo(3);
    loads.answer(0);
    assertThat(first.result()).contains(1);
    assertThat(loads.calls).containsExactly(List.of("a"), List.of("bb", "ccc", "a"));
    assertThat(b1.isComplete()).isFalse();
    loads.answer(1);
    assertThat(b1.result()).contains(2);
    assertThat(b2.result()).contains(2);
    assertThat(c.result()).contains(3);
    assertThat(again.result()).contains(1);
    assertThat(loader.queued()).isZero();
  }

  @Test
  void noLoadReadsMoreThanTheBatchLimit() {
    Loads loads = new Loads();
    BatchLoader<String, Integer> loader = new BatchLoader<>(loads::load, 2);
    List<Future<Optional<Integer>>> all = new ArrayList<>();
    for (String k : List.of("a", "b", "c", "d", "e", "f")) {
      all.add(loader.get(k));
    }
    for (int i = 0; i < 4; i++) {
      loads.answer(i);
    }
    assertThat(loads.calls).containsExactly(List.of("a"), List.of("b", "c"), List.of("d", "e"), List.of("f"));
    assertThat(all).allSatisfy(f -> assertThat(f.result()).contains(1));
  }

  @Test
  void aFailedLoadFailsOnlyItsOwnKeysAndTheNextOneStillRuns() {
    Loads loads = new Loads();
    BatchLoader<String, Integer> loader = new BatchLoader<>(loads::load, 10);
    Future<Optional<Integer>> a = loader.get("a");
    Future<Optional<Integer>> b = loader.get("bb");
    loads.pending.get(0).fail(new IllegalStateException("connection lost"));
    assertThat(a.failed()).isTrue();
    assertThat(a.cause()).hasMessage("connection lost");
    assertThat(loads.calls).hasSize(2);
    loads.answer(1);
    assertThat(b.result()).contains(2);
  }

  @Test
  void aLoadThatThrowsFailsItsKeysAndTheLoaderGoesOn() {
    int[] calls = {0};
    BatchLoader<String, Integer> loader = new BatchLoader<>(keys -> {
      if (calls[0]++ == 0) {
        throw new IllegalArgumentException("bad key");
      }
      return Future.succeededFuture(Map.of("ok", 7));
    }, 10);
    Future<Optional<Integer>> bad = loader.get("bad");
    assertThat(bad.cause()).hasMessage("bad key");
    assertThat(loader.get("ok").result()).contains(7);
  }
}
