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
}
