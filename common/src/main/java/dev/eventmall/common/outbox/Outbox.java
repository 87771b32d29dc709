package dev.eventmall.common.outbox;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventSchemas;
import dev.eventmall.common.trace.TraceContext;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/**
 * Appends events to the {@code outbox} table inside the caller's transaction, so that a state change and the events it
 * causes commit or roll back together:
 * <pre>{@code
 * pool.withTransaction(conn -> orders.insert(conn, order)
 *     .compose(v -> Outbox.append(conn, Topics.ORDER_EVENTS, EventEnvelope.of("OrderPlaced", order.id(), payload))));
 * }</pre>
 * Ordering contract: {@link OutboxRelay} publishes in insert order, which is commit order for the events of one key as
 * long as the transactions that append them also change (and so lock) the aggregate's row first — as every state change
 * does. When the transaction commits, the local relay is woken at once instead of at its next poll.
 */
public final class Outbox {
  static final String INSERT =
    "INSERT INTO outbox (event_id, topic, event_key, event_type, traceparent, parent_span_id, envelope)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?)";

  private Outbox() {
  }

  public static Future<Void> append(SqlConnection conn, String topic, EventEnvelope event) {
    return appendAll(conn, topic, List.of(event));
  }

  /** Appends several events in one round trip, in list order. */
  public static Future<Void> appendAll(SqlConnection conn, String topic, List<EventEnvelope> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows;
    try {
      String traceparent = TraceContext.current();
      rows = events.stream().map(event -> {
        EventEnvelope e = event.traceparent() == null && traceparent != null
          ? event.withTraceparent(TraceContext.child(traceparent)) : event;
        if (EventSchemas.enabled()) {
          EventSchemas.validate(e);
        }
        return Tuple.of(e.id().toString(), topic, e.key(), e.type(), e.traceparent(),
          TraceContext.parentInCurrent(e.traceparent()), e.toJson().encode());
      }).toList();
    } catch (RuntimeException invalid) {
      return Future.failedFuture(invalid);
    }
    Future<?> insert = rows.size() == 1
      ? conn.preparedQuery(INSERT).execute(rows.get(0))
      : conn.preparedQuery(INSERT).executeBatch(rows);
    Transaction tx = conn.transaction();
    if (tx != null) {
      tx.completion().onSuccess(v -> OutboxRelay.wakeUp());
    }
    return insert.mapEmpty();
  }
}
