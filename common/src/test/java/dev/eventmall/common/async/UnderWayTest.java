package dev.eventmall.common.async;

import dev.eventmall.common.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class UnderWayTest {
  @Test
  void nothingTrackedHasEndedAtOnce() {
    UnderWay underWay = new UnderWay();
    assertThat(underWay.idle()).isTrue();
    assertThat(underWay.ended(Duration.ofSeconds(5)).succeeded()).isTrue();
  }

  @Test
  void overlappingRunsAreAllWaitedForWhateverTheirOutcome() {
    UnderWay underWay = new UnderWay();
    Promise<Integer> first = Promise.promise();
    Promise<Integer> second = Promise.promise();
    assertThat(underWay.track(first.future())).isSameAs(first.future());
    underWay.track(second.future());
    Future<Void> ended = underWay.ended(Duration.ofSeconds(5));
    first.fail("the store went away");
    assertThat(ended.isComplete()).as("ended while the second still runs").isFalse();
    assertThat(underWay.idle()).isFalse();
    second.complete(3);
    assertThat(Await.result(ended, Duration.ofSeconds(1))).isNull();
    assertThat(underWay.idle()).isTrue();
  }

  @Test
  void aRunThatNeverEndsIsWaitedForOnlyUpToTheBound() {
    UnderWay underWay = new UnderWay();
    underWay.track(Promise.<Void>promise().future());
    long began = System.nanoTime();
    Await.result(underWay.ended(Duration.ofMillis(200)), Duration.ofSeconds(5));
    assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
    assertThat(underWay.idle()).isFalse();
  }

  @Test
  void aRunTrackedAfterTheOthersEndedIsTheOnlyOneWaitedFor() {
    UnderWay underWay = new UnderWay();
    Promise<Void> old = Promise.promise();
    underWay.track(old.future());
    old.complete();
    Promise<Void> next = Promise.promise();
    underWay.track(next.future());
    Future<Void> ended = underWay.ended(Duration.ofSeconds(5));
    assertThat(ended.isComplete()).isFalse();
    next.complete();
    assertThat(Await.result(ended, Duration.ofSeconds(1))).isNull();
  }
}
