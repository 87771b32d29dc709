package dev.eventmall.common.inbox;

import dev.eventmall.common.db.Sql;
import dev.eventmall.common.event.EventEnvelope;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Idempotent consumption: the effect of an event and the {@code inbox} row {@code (consumer, event_id)} commit in one
 * transaction, so an event delivered again (Kafka is at-least-once) changes nothing the second time.
 */
public final class Inbox {
  static final String CLAIM = "INSERT IGNORE INTO inbox (consumer, event_id, event_type) VALUES (?, ?, ?)";
  static final String HANDLED_BEFORE = "SELECT event_id FROM inbox WHERE consumer = ? AND event_id IN (";
  static final String INSERT_BEFORE = "INSERT INTO inbox (consumer, event_id, event_type) VALUES ";

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
   * Claims a batch of events for {@code consumer} inside the caller's transaction with two statements (which of them
   * were handled before, then one multi-row insert of the others), or one {@code INSERT IGNORE} for a single event.
   *
   * @return the ids handled for the first time (an event twice in the batch counts once); the caller applies only
   * those. A concurrent claim of the same event makes the insert fail with a duplicate key, which rolls the caller's
   * transaction back: the caller retries and then sees the event as handled.
   */
  public static Future<Set<UUID>> claimAll(SqlConnection conn, String consumer, List<EventEnvelope> events) {
    Map<UUID, EventEnvelope> distinct = distinct(events);
    if (distinct.size() == 1) {
      // one event (every batch at low rates): its INSERT IGNORE says by itself whether it is new, one statement for
      // two; a concurrent claim of it waits for the other transaction and then counts as handled (or as new, if that
      // one rolled back)
      EventEnvelope only = distinct.values().iterator().next();
      return claim(conn, consumer, only).map(first -> {
        Set<UUID> fresh = new LinkedHashSet<>();
        if (first) {
          fresh.add(only.id());
        }
        return fresh;
      });
    }
    return firstSeen(conn, consumer, events).compose(fresh -> record(conn, consumer,
      distinct(events).values().stream().filter(e -> fresh.contains(e.id())).toList()).map(fresh));
  }

  /**
   * Which of {@code events} {@code consumer} has not handled before (one SELECT, nothing recorded): for a handler that
   * decides first and then {@link #record}s only the events it applied, so an event it defers (to be retried later)
   * stays unhandled.
   */
  public static Future<Set<UUID>> firstSeen(SqlConnection conn, String consumer, List<EventEnvelope> events) {
    Map<UUID, EventEnvelope> distinct = distinct(events);
    if (distinct.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    List<String> ids = distinct.keySet().stream().map(UUID::toString).toList();
    return Sql.selectIn(conn, HANDLED_BEFORE, ")", Tuple.of(consumer), ids, row -> UUID.fromString(row.getString(0)))
      .map(before -> {
        Set<UUID> fresh = new LinkedHashSet<>(distinct.keySet());
        before.forEach(fresh::remove);
        return fresh;
      });
  }

  /**
   * Records {@code events} as handled by {@code consumer} inside the caller's transaction (one multi-row insert). One
   * recorded meanwhile by a concurrent handler fails the insert with a duplicate key, which rolls the caller's
   * transaction back: it retries and then sees the event as handled.
   */
  public static Future<Void> record(SqlConnection conn, String consumer, List<EventEnvelope> events) {
    List<Tuple> rows = distinct(events).values().stream()
      .map(e -> Tuple.of(consumer, e.id().toString(), e.type())).toList();
    return Sql.insert(conn, INSERT_BEFORE, 3, rows, "").mapEmpty();
  }

  private static Map<UUID, EventEnvelope> distinct(List<EventEnvelope> events) {
    Map<UUID, EventEnvelope> distinct = new LinkedHashMap<>();
    events.forEach(e -> distinct.putIfAbsent(e.id(), e));
    return distinct;
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
