package dev.eventmall.common.inbox;

import dev.eventmall.common.event.EventEnvelope;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.function.Function;

/**
 * Idempotent consumption: the effect of an event and the {@code inbox} row {@code (consumer, event_id)} commit in one
 * transaction, so an event delivered again (Kafka is at-least-once) changes nothing the second time.
 */
public final class Inbox {
  static final String CLAIM = "INSERT IGNORE INTO inbox (consumer, event_id, event_type) VALUES (?, ?, ?)";

  private Inbox() {
  }

  /**
   * Claims {@code event} for {@code consumer} inside the caller's transaction.
   *
   * @return true the first time; false when this consumer already handled the event (the caller skips its effect)
   */
  public static Future<Boolean> claim(SqlConnection conn, String consumer, EventEnvelope event) {
    return conn.preparedQuery(CLAIM)
      .execute(Tuple.of(consumer, event.id().toString(), event.type()))
      .map(rows -> rows.rowCount() == 1);
  }

  /**
   * Runs {@code effect} in a transaction together with the inbox claim, unless {@code consumer} already handled
   * {@code event}.
   *
   * @return true when the effect ran, false for a duplicate
   */
  public static Future<Boolean> once(Pool pool, String consumer, EventEnvelope event,
                                     Function<SqlConnection, Future<?>> effect) {
    return pool.withTransaction(conn -> claim(conn, consumer, event)
      .compose(first -> first ? effect.apply(conn).map(true) : Future.succeededFuture(false)));
  }
}
