package dev.eventmall.common.inbox;

import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** Idempotent consumption over a real MySQL-compatible server. */
@ExtendWith(VertxExtension.class)
@Needs({Infra.MYSQL})
class InboxTest {
  Pool pool;

  @BeforeEach
  void setUp(Vertx vertx) {
    String uri = TestInfra.freshDatabase("inbox");
    Await.result(Database.migrate(vertx, uri, Database.COMMON_MIGRATIONS, "classpath:db/testing"));
    pool = Database.pool(vertx, uri, "inbox-" + uri, 4);
  }

  Function<SqlConnection, Future<?>> effect(String note) {
    return conn -> conn.preparedQuery("INSERT INTO effects (note) VALUES (?)").execute(Tuple.of(note));
  }

  long effects() {
    return Await.result(pool.query("SELECT COUNT(*) FROM effects").execute()).iterator().next().getLong(0);
  }

  @Test
  void theSameEventDeliveredTwiceHasItsEffectOnce() {
    EventEnvelope event = EventEnvelope.of("TestHappened", "k", new JsonObject().put("n", 1));
    assertThat(Await.result(Inbox.once(pool, "test-consumer", event, effect("first")))).isTrue();
    assertThat(Await.result(Inbox.once(pool, "test-consumer", event, effect("again")))).isFalse();
    assertThat(effects()).isEqualTo(1);
  }

  @Test
  void concurrentDuplicatesHaveTheirEffectOnceAndOtherConsumersStillSeeTheEvent() {
    EventEnvelope event = EventEnvelope.of("TestHappened", "k", new JsonObject().put("n", 1));
    List<Future<Boolean>> runs = List.of(
      Inbox.once(pool, "test-consumer", event, effect("a")),
      Inbox.once(pool, "test-consumer", event, effect("b")),
      Inbox.once(pool, "test-consumer", event, effect("c")));
    Await.result(Future.all(runs));
    assertThat(runs.stream().filter(Future::result).count()).isEqualTo(1);
    assertThat(Await.result(Inbox.once(pool, "other-consumer", event, effect("other")))).isTrue();
    assertThat(effects()).isEqualTo(2);
  }

  @Test
  void aFailedEffectRollsBackItsClaimSoARedeliveryRunsIt() {
    EventEnvelope event = EventEnvelope.of("TestHappened", "k", new JsonObject().put("n", 1));
    Await.failure(Inbox.once(pool, "test-consumer", event,
      conn -> effect("half").apply(conn).compose(v -> Future.failedFuture("boom"))));
    assertThat(effects()).isZero();
    assertThat(Await.result(Inbox.once(pool, "test-consumer", event, effect("retried")))).isTrue();
    assertThat(effects()).isEqualTo(1);
  }

  java.util.Set<java.util.UUID> claimAll(List<EventEnvelope> events) {
    return Await.result(pool.withTransaction(conn -> Inbox.claimAll(conn, "test-consumer", events)));
  }

  long claimed() {
    return Await.result(pool.query("SELECT COUNT(*) FROM inbox WHERE consumer = 'test-consumer'").execute())
      .iterator().next().getLong(0);
  }

  /**
   * A batch's claim answers exactly the events new to the consumer: one event alone (one INSERT IGNORE), the same event
   * twice in a batch (counted once), a batch mixing handled and new ones; and the set it answers can be changed by the
   * caller (the handlers remove what they applied).
   */
  @Test
  void aBatchClaimAnswersTheEventsNewToTheConsumer() {
    EventEnvelope a = EventEnvelope.of("TestHappened", "k", new JsonObject().put("n", 1));
    EventEnvelope b = EventEnvelope.of("TestHappened", "k", new JsonObject().put("n", 2));
    EventEnvelope c = EventEnvelope.of("TestHappened", "k", new JsonObject().put("n", 3));

    java.util.Set<java.util.UUID> first = claimAll(List.of(a));
    assertThat(first).containsExactly(a.id());
    first.remove(a.id());
    assertThat(claimAll(List.of(a))).as("one event handled before").isEmpty();
    assertThat(claimAll(List.of(b, b))).as("the same new event twice in a batch").containsExactly(b.id());
    assertThat(claimAll(List.of(a, c, b))).as("handled, new, handled").containsExactly(c.id());
    assertThat(claimAll(List.of(c))).isEmpty();
    assertThat(claimed()).isEqualTo(3);
  }

  /** Three transactions claiming the same single event at once: exactly one is told it is new. */
  @Test
  void concurrentClaimsOfOneEventTellOneOfThemItIsNew() {
    EventEnvelope event = EventEnvelope.of("TestHappened", "k", new JsonObject().put("n", 1));
    List<Future<java.util.Set<java.util.UUID>>> runs = List.of(
      pool.withTransaction(conn -> Inbox.claimAll(conn, "test-consumer", List.of(event))),
      pool.withTransaction(conn -> Inbox.claimAll(conn, "test-consumer", List.of(event))),
      pool.withTransaction(conn -> Inbox.claimAll(conn, "test-consumer", List.of(event))));
    Await.result(Future.join(runs));
    assertThat(runs.stream().filter(Future::succeeded).filter(f -> !f.result().isEmpty()).count()).isEqualTo(1);
    assertThat(claimed()).isEqualTo(1);
  }

  /** A claim rolled back with its transaction leaves the event new. */
  @Test
  void aClaimRolledBackLeavesTheEventNew() {
    EventEnvelope event = EventEnvelope.of("TestHappened", "k", new JsonObject().put("n", 1));
    Await.failure(pool.withTransaction(conn -> Inbox.claimAll(conn, "test-consumer", List.of(event))
      .compose(fresh -> Future.failedFuture("boom"))));
    assertThat(claimAll(List.of(event))).containsExactly(event.id());
  }
}
