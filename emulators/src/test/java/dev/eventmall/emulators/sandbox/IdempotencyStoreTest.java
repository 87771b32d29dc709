package dev.eventmall.emulators.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The idempotency store on its own, on a clock the test moves. */
class IdempotencyStoreTest {

  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2025-01-01T00:00:00Z"));

  static Reply ok(String id) {
    return Reply.ok(new JsonObject().put("id", id));
  }

  @Test
  void expiredAnswersAreDroppedWhenAnyKeyIsLookedUp() {
    IdempotencyStore store = new IdempotencyStore(Duration.ofDays(1), 100, now::get);
    store.begin("a");
    store.complete("a", ok("a"));
    store.begin("b");
    store.complete("b", ok("b"));
    store.begin("in-flight");
    now.set(now.get().plus(Duration.ofHours(12)));
    store.begin("c");
    store.complete("c", ok("c"));
    assertThat(store.size()).isEqualTo(4);

    now.set(now.get().plus(Duration.ofHours(12)).plusSeconds(1));
    assertThat(store.begin("d")).isInstanceOf(IdempotencyStore.Proceed.class);
    // a and b expired and went without a lookup of their own; c is still valid, the key in flight stays in flight
    assertThat(store.size()).isEqualTo(3);
    assertThat(store.begin("in-flight")).isInstanceOf(IdempotencyStore.InFlight.class);
    assertThat(store.begin("c")).isInstanceOfSatisfying(IdempotencyStore.Replay.class,
        r -> assertThat(r.reply().json().getString("id")).isEqualTo("c"));
  }

  @Test
  void beyondTheLimitTheOldestAnswerGoes() {
    IdempotencyStore store = new IdempotencyStore(Duration.ofDays(1), 2, now::get);
    for (String key : new String[] {"a", "b", "c"}) {
      store.begin(key);
      store.complete(key, ok(key));
    }
    assertThat(store.size()).isEqualTo(2);
    assertThat(store.begin("c")).isInstanceOfSatisfying(IdempotencyStore.Replay.class,
        r -> assertThat(r.reply().body()).isEqualTo(ok("c").body()));
    assertThat(store.begin("a")).as("dropped: runs as new").isInstanceOf(IdempotencyStore.Proceed.class);
  }
}
