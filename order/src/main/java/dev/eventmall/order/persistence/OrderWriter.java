package dev.eventmall.order.persistence;

import dev.eventmall.common.db.GroupCommit;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.order.domain.Order;
import dev.eventmall.order.domain.TimelineEntry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Group commit of new orders: the orders placed while an earlier write is still committing are written together, in
 * one transaction with one multi-row INSERT per table (Idempotency-Keys, orders, lines, first timeline rows, outbox),
 * instead of one transaction of five statements each. Nobody waits for a batch to fill: a write finding no write in
 * progress starts at once, so a lone order commits as soon as before, and under load a batch is whatever arrived while
 * the previous commit ran (at most {@link #MAX_BATCH}).
 *
 * <p>All or nothing per order as before: when a batch fails (most likely an Idempotency-Key that another instance
 * committed a moment ago, MySQL error 1062), it is split in halves and each written again the same way, down to the
 * one order that fails alone, so one order's failure is never another's. A key sent twice at once (a double click, to
 * either HTTP instance) never reaches the database twice: the second request waits for the first and answers with its
 * order.
 *
 * <p>Confined to one event loop: one writer per deployment, shared by its HTTP instances through
 * {@code OrderService.FrontDoor}, which calls it on its home context.
 */
public final class OrderWriter {
  /** The most orders one transaction carries. */
  public static final int MAX_BATCH = 128;

  /** What placing one order writes. {@code idempotencyKey} is null when the request had none. */
  public record NewOrder(Order order, OrderRepository.NewIdempotencyKey idempotencyKey, TimelineEntry placed,
                         Outbox.Outgoing event) {
  }

  private record Pending(NewOrder order, Promise<Void> done) {
  }

  /**
   * The order's Idempotency-Key was taken by another order of the same member committed just before (a request sent
   * twice at once): as MySQL's duplicate key, the caller answers with that order.
   */
  public static final class KeyTaken extends RuntimeException {
    KeyTaken() {
      super("Idempotency-Key taken by an order committed before", null, false, false);
    }
  }

  private final Supplier<Pool> pool;
  private final OrderRepository orders;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean writing;

  /** @param pool the pool each transaction is taken from (asked anew each time: the instance it came from may stop) */
  public OrderWriter(Supplier<Pool> pool, OrderRepository orders) {
    this.pool = pool;
    this.orders = orders;
  }

  /** Writes the order (with the others waiting then); completes when it is committed. */
  public Future<Void> write(NewOrder order) {
    Promise<Void> done = Promise.promise();
    queue.add(new Pending(order, done));
    if (!writing) {
      writeNext();
    }
    return done.future();
  }

  private void writeNext() {
    if (queue.isEmpty()) {
      writing = false;
      return;
    }
    writing = true;
    List<Pending> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
    // a second order with an Idempotency-Key already in this batch (a double click) waits for the first one
    Map<String, Pending> firstWithKey = new HashMap<>();
    List<Map.Entry<Pending, Pending>> twins = new ArrayList<>();
    while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
      Pending next = queue.poll();
      OrderRepository.NewIdempotencyKey key = next.order().idempotencyKey();
      Pending first = key == null ? null : firstWithKey.putIfAbsent(key.memberId() + '\n' + key.key(), next);
      if (first == null) {
        batch.add(next);
      } else {
        twins.add(Map.entry(next, first));
      }
    }
    writeOrSplit(batch).onComplete(v -> {
      for (int i = twins.size() - 1; i >= 0; i--) {
        Pending twin = twins.get(i).getKey();
        if (twins.get(i).getValue().done().future().succeeded()) {
          // the key is taken now: the twin answers with that order, as a later request with the key would
          twin.done().fail(new KeyTaken());
        } else {
          queue.addFirst(twin); // the order that held the key failed: the twin is still to be written, first in line
        }
      }
      writeNext();
    });
  }

  /** Writes the orders in one transaction, or each half again down to the one that fails alone ({@link GroupCommit}). */
  private Future<Void> writeOrSplit(List<Pending> batch) {
    return GroupCommit.splitting(batch,
      part -> pool.get().withTransaction(conn -> insert(conn, part.stream().map(Pending::order).toList())),
      (part, v) -> part.forEach(p -> p.done().complete()),
      (one, failure) -> one.done().fail(failure));
  }

  private Future<Void> insert(SqlConnection conn, List<NewOrder> batch) {
    List<OrderRepository.NewIdempotencyKey> keys = new ArrayList<>();
    List<Order> newOrders = new ArrayList<>(batch.size());
    List<Map.Entry<String, TimelineEntry>> timeline = new ArrayList<>(batch.size());
    List<Outbox.Outgoing> events = new ArrayList<>(batch.size());
    for (NewOrder o : batch) {
      if (o.idempotencyKey() != null) {
        keys.add(o.idempotencyKey());
      }
      newOrders.add(o.order());
      timeline.add(Map.entry(o.order().orderId(), o.placed()));
      events.add(o.event());
    }
    return orders.insertIdempotencyKeys(conn, keys)
      .compose(v -> orders.insertAll(conn, newOrders))
      .compose(v -> orders.appendTimelines(conn, timeline))
      .compose(v -> Outbox.appendAll(conn, events));
  }
}
