package dev.eventmall.common.outbox;

import dev.eventmall.common.db.Sql;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventSchemas;
import dev.eventmall.common.trace.Tracing;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
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
  static final String INSERT_BEFORE =
    "INSERT INTO outbox (event_id, topic, event_key, event_type, traceparent, envelope) VALUES ";
  static final int COLUMNS = 6;

  /**
   * One event to append: its topic and the event, whose traceparent (the span of the request or of the handling that
   * caused it; null outside a trace) the relay's PRODUCER span continues.
   */
  public record Outgoing(String topic, EventEnvelope event) {
  }

  private Outbox() {
  }

  public static Future<Void> append(SqlConnection conn, String topic, EventEnvelope event) {
    return appendAll(conn, topic, List.of(event));
  }

  /**
   * Appends several events of one topic in the current request's or event's trace ({@link Tracing#current()}): an
   * event without a traceparent gets the current span's.
   */
  public static Future<Void> appendAll(SqlConnection conn, String topic, List<EventEnvelope> events) {
    List<Outgoing> outgoing = new ArrayList<>(events.size());
    for (EventEnvelope event : events) {
      outgoing.add(outgoing(topic, event));
    }
    return appendAll(conn, outgoing);
  }

  /**
   * The event as {@link #appendAll(SqlConnection, List)} will append it, placed in the current request's or event's
   * trace now — for a caller that appends it later from another context (a writer that commits many requests' events
   * in one transaction).
   */
  public static Outgoing outgoing(String topic, EventEnvelope event) {
    String traceparent = event.traceparent() == null ? Tracing.current() : null;
    return new Outgoing(topic, traceparent != null ? event.withTraceparent(traceparent) : event);
  }

  /** Appends events in list order with one multi-row INSERT (a few for large batches: {@link Sql#insert}). */
  public static Future<Void> appendAll(SqlConnection conn, List<Outgoing> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>(events.size());
    try {
      for (Outgoing o : events) {
        EventEnvelope e = o.event();
        if (EventSchemas.enabled()) {
          EventSchemas.validate(e);
        }
        rows.add(Tuple.of(e.id().toString(), o.topic(), e.key(), e.type(), e.traceparent(), e.toJson().encode()));
      }
    } catch (RuntimeException invalid) {
      return Future.failedFuture(invalid);
    }
    Transaction tx = conn.transaction();
    if (tx != null) {
      tx.completion().onSuccess(v -> OutboxRelay.wakeUp());
    }
    return Sql.insert(conn, INSERT_BEFORE, COLUMNS, rows, "").mapEmpty();
  }
}
