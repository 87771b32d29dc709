package dev.eventmall.common.async;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CoalescerTest {
  private final List<Promise<Void>> runs = new ArrayList<>();

  private Future<?> work() {
    Promise<Void> p = Promise.promise();
    runs.add(p);
    return p.future();
  }

  @Test
  void manyRequestsForARunningKeyMakeExactlyOneMoreRun() {
    Coalescer c = new Coalescer(10);
    assertThat(c.request("k", this::work)).isEqualTo(Coalescer.Outcome.STARTED);
    for (int i = 0; i < 100; i++) {
      assertThat(c.request("k", this::work)).isEqualTo(Coalescer.Outcome.FOLDED);
    }
    assertThat(runs).hasSize(1);
    runs.get(0).complete();
    assertThat(runs).hasSize(2); // the one run after, for what changed meanwhile
    runs.get(1).complete();
    assertThat(runs).hasSize(2);
    assertThat(c.running()).isZero();
    assertThat(c.request("k", this::work)).isEqualTo(Coalescer.Outcome.STARTED); // a later request runs again
    assertThat(runs).hasSize(3);
  }

  @Test
  void allEndedWaitsForEveryKeyRunningNowAndTheRunsOwedAfterThem() {
    Coalescer c = new Coalescer(10);
    assertThat(c.allEnded().isComplete()).as("nothing runs").isTrue();
    c.request("a", this::work);
    c.request("b", this::work);
    c.request("a", this::work); // folded: one more run of a after the first
    Future<Void> ended = c.allEnded();
    runs.get(0).complete();
    runs.get(1).fail("toss down");
    assertThat(ended.isComplete()).as("a's owed run is still going").isFalse();
    runs.get(2).complete();
    assertThat(ended.succeeded()).as("every run ended, whatever its outcome").isTrue();
  }

  @Test
  void aFailedOrThrowingRunStillFreesTheKeyAndHonoursTheFoldedRequest() {
    Coalescer c = new Coalescer(10);
    assertThat(c.request("k", () -> {
      throw new IllegalStateException("boom");
    })).isEqualTo(Coalescer.Outcome.STARTED);
    assertThat(c.running()).isZero();
    c.request("k", this::work);
    c.request("k", this::work);
    runs.get(0).fail("carrier down");
    assertThat(runs).hasSize(2);
    runs.get(1).complete();
    assertThat(c.running()).isZero();
  }

  @Test
  void pastTheCapOfKeysARequestIsRefusedAndTheOthersAreNotDisturbed() {
    Coalescer c = new Coalescer(2);
    assertThat(c.request("a", this::work)).isEqualTo(Coalescer.Outcome.STARTED);
    assertThat(c.request("b", this::work)).isEqualTo(Coalescer.Outcome.STARTED);
    assertThat(c.request("c", this::work)).isEqualTo(Coalescer.Outcome.REFUSED);
    assertThat(c.request("a", this::work)).isEqualTo(Coalescer.Outcome.FOLDED); // a running key still folds
    assertThat(runs).hasSize(2);
    runs.get(1).complete(); // b done: room again
    assertThat(c.request("c", this::work)).isEqualTo(Coalescer.Outcome.STARTED);
    assertThat(c.running()).isEqualTo(2);
  }

  @Test
  void endedWaitsForTheRunningRunAndTheOneAFoldedRequestOwes() {
    Coalescer c = new Coalescer(10);
    assertThat(c.ended("k").succeeded()).as("no run: ended at once").isTrue();
    c.request("k", this::work);
    c.request("k", this::work); // folded: one more run owed
    Future<Void> ended = c.ended("k");
    assertThat(ended.isComplete()).isFalse();
    runs.get(0).fail("toss down");
    assertThat(ended.isComplete()).as("the owed run has not run yet").isFalse();
    runs.get(1).complete();
    assertThat(ended.succeeded()).isTrue();
    assertThat(new Coalescer(1).ended("never").succeeded()).isTrue();
  }
}
