package dev.eventmall.catalog.messaging;

import dev.eventmall.catalog.domain.StockLedger;
import dev.eventmall.catalog.domain.StockLine;
import dev.eventmall.catalog.persistence.StockRepository;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventPayloads;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.event.payload.OrderPlaced;
import dev.eventmall.common.event.payload.StockRejected;
import dev.eventmall.common.event.payload.StockReleased;
import dev.eventmall.common.event.payload.StockReserved;
import dev.eventmall.common.kafka.BatchHandler;
import dev.eventmall.common.kafka.Consumed;
import dev.eventmall.common.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.eventmall.common.event.EventTypes.DELIVERY_FAILED;
import static dev.eventmall.common.event.EventTypes.ORDER_CANCELLED;
import static dev.eventmall.common.event.EventTypes.ORDER_PLACED;
import static dev.eventmall.common.event.EventTypes.PAYMENT_FAILED;
import static dev.eventmall.common.event.EventTypes.STOCK_REJECTED;
import static dev.eventmall.common.event.EventTypes.STOCK_RELEASED;
import static dev.eventmall.common.event.EventTypes.STOCK_RESERVED;

/**
 * Stock reservation driven by the order saga (consumer group {@value #CONSUMER}), a whole batch of events in ONE MySQL
 * transaction: the batch's reservations and then its products' stock locked (each in key order), the rejections of the
 * orders it places read, every event applied in batch order by the pure {@link StockLedger}, then one statement per kind
 * of change (stock, new reservations, released reservations, new rejections) and one outbox insert of the
 * {@code catalog.stock} events.
 * <ul>
 *   <li>{@code OrderPlaced}: every line is reserved or none; emits {@code StockReserved} or {@code StockRejected}, once
 *   per order.</li>
 *   <li>{@code PaymentFailed}, {@code OrderCancelled}, {@code DeliveryFailed}: the order's RESERVED lines go back to
 *   available and become RELEASED; emits {@code StockReleased} once. Without a reservation (never reserved, rejected or
 *   already released) it is a no-op.</li>
 * </ul>
 * Other event types on these topics are acknowledged and ignored; an event without an orderId or with unusable lines
 * fails alone (retried, then parked) while the rest of its batch commits.
 *
 * <p><b>Duplicates without an inbox.</b> This consumer writes no {@code inbox} rows: what it answered is in its own
 * rows, found by the order's natural keys, and an event delivered again (Kafka redelivery, a rebalance, the
 * single-record lane, a dead-letter replay, a replay from offset 0) meets them:
 * <ul>
 *   <li>an OrderPlaced of a reserved order finds its reservation rows (RESERVED or RELEASED, primary key
 *   {@code (order_id, product_id)}), of a rejected order its {@code stock_rejection} row (primary key
 *   {@code order_id}): the ledger answers nothing, whatever the stock is now (a restock does not turn a redelivered,
 *   rejected OrderPlaced into a reservation and a second, contradictory answer);</li>
 *   <li>a release delivered again finds no RESERVED line left: nothing released, nothing emitted;</li>
 *   <li>the same event twice in one batch: the ledger applies the batch in order, the second finds what the first
 *   left.</li>
 * </ul>
 * The check is race-free:
 * <ol>
 *   <li>the reservations and the stock are read with locks ({@code SELECT … FOR UPDATE}, which reads the newest
 *   committed rows), first, in this order. Rows that exist (an order answered before) are locked: a second handling
 *   waits until the first commits, then reads them;</li>
 *   <li>the rejections are read after those locks with a plain {@code SELECT}. Under REPEATABLE READ a transaction's
 *   snapshot is taken at its first plain read, here after the stock rows of every order the batch places are locked;
 *   an order is rejected only by a transaction that holds those same locks, so the snapshot holds every rejection
 *   committed before. No plain {@code SELECT} may run earlier in the transaction. (A rejected order whose products
 *   are all unknown has no stock row to lock: two handlings of it at once both insert, and its primary key refuses
 *   the second, 1062.) The read takes no lock on purpose: a locking read of a missing row locks the gap where it
 *   would go, and in this small table most new orders share a few gaps, so two batches rejecting orders of one
 *   sold-out product would each lock the gap the other inserts into while waiting for the other's stock lock: a
 *   deadlock per pair of batches for as long as the sale lasts ({@code StockDedupTest});</li>
 *   <li>a new order's reservations do not exist yet: both handlings' locking reads find nothing and lock the gaps where
 *   its rows would go (gap locks do not exclude each other), so both go on. The first to hold the stock rows' locks
 *   inserts its reservations into a gap the other has locked and waits for it, while the other waits for those stock
 *   locks: InnoDB rolls one back as a deadlock (1213); the primary key refuses a second insert of the same rows
 *   besides (1062). So at most one answer commits; the failed batch goes to the bridge's single-record lane and is
 *   retried, and its locking reads then find the rows.</li>
 * </ol>
 * ({@code StockDedupTest} shows these cases on MariaDB.) The price of the reservations' gap locks: a concurrent
 * transaction of this group that inserts into a locked gap waits (the bridge runs one batch at a time; the
 * single-record lane, a replay or another replica can meet it).
 */
public final class StockHandlers implements BatchHandler {
  public static final String CONSUMER = "catalog-stock";
  private static final Logger LOG = LoggerFactory.getLogger(StockHandlers.class);
  private static final Set<String> RELEASING = Set.of(ORDER_CANCELLED, PAYMENT_FAILED, DELIVERY_FAILED);

  private final Pool pool;
  private final StockRepository stock = new StockRepository();

  public StockHandlers(Pool pool) {
    this.pool = pool;
  }

  /** One event the stock rules apply to: its order and, for an OrderPlaced, it and its normalized lines (else null). */
  private record Input(Consumed consumed, String orderId, OrderPlaced order, List<StockLine> lines) {
    boolean placed() {
      return lines != null;
    }
  }

  @Override
  public Future<List<Future<Void>>> handle(List<Consumed> batch) {
    List<Future<Void>> results = new ArrayList<>(BatchHandler.acknowledged(batch.size()));
    List<Input> inputs = new ArrayList<>();
    for (BatchHandler.Keyed k : keyedActedOn(batch, results)) {
      try {
        OrderPlaced order = placed(k.consumed()) ? k.payload(OrderPlaced.class) : null;
        inputs.add(new Input(k.consumed(), k.key(), order, order != null ? StockLine.normalize(order.lines()) : null));
      } catch (RuntimeException unusableLines) {
        results.set(k.index(), Future.failedFuture(unusableLines));
      }
    }
    if (inputs.isEmpty()) {
      return Future.succeededFuture(results);
    }
    Set<String> orderIds = new TreeSet<>();
    Set<String> placedIds = new TreeSet<>();
    for (Input in : inputs) {
      orderIds.add(in.orderId());
      if (in.placed()) {
        placedIds.add(in.orderId());
      }
    }
    // the locking reads first, the rejections' plain read after them: see the class comment
    return pool.withTransaction(conn -> stock.lockReservations(conn, orderIds)
        .compose(reservations -> stock.lockStock(conn, productIds(inputs, reservations))
          .compose(locked -> stock.rejectedBefore(conn, placedIds)
            .map(rejected -> new StockLedger(locked, reservations, rejected))))
        .compose(ledger -> {
          Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
          Map<String, String> causedBy = new HashMap<>();
          List<Outbox.Outgoing> emitted = new ArrayList<>();
          for (Input in : inputs) {
            EventEnvelope answer = apply(ledger, in, now);
            if (answer != null) {
              if (in.placed()) {
                causedBy.putIfAbsent(in.orderId(), in.consumed().event().id().toString());
              }
              emitted.add(in.consumed().emit(Topics.CATALOG_STOCK, answer));
            }
          }
          return stock.write(conn, ledger, causedBy, now).compose(v -> Outbox.appendAll(conn, emitted));
        }))
      .map(v -> results);
  }

  /** The products the batch may touch, sorted: those its orders hold and those its OrderPlaced ask for. */
  private static Set<String> productIds(List<Input> inputs, List<StockLedger.Reservation> reservations) {
    Set<String> productIds = new TreeSet<>();
    reservations.forEach(r -> productIds.add(r.productId()));
    inputs.stream().filter(Input::placed).forEach(in -> in.lines().forEach(l -> productIds.add(l.productId())));
    return productIds;
  }

  private static boolean placed(Consumed c) {
    return Topics.ORDER_EVENTS.equals(c.topic()) && ORDER_PLACED.equals(c.type());
  }

  @Override
  public boolean actsOn(String topic, String type) {
    return Topics.ORDER_EVENTS.equals(topic) && ORDER_PLACED.equals(type) || RELEASING.contains(type);
  }

  /** One event through the ledger; the event it emits, or null. */
  private static EventEnvelope apply(StockLedger ledger, Input in, Instant now) {
    Consumed cause = in.consumed();
    String orderId = in.orderId();
    if (in.placed()) {
      StockLedger.Decision d = ledger.place(orderId, in.lines());
      return switch (d.outcome()) {
        case RESERVED -> cause.causes(STOCK_RESERVED, orderId, EventPayloads.toJson(reserved(in.order(), orderId,
          in.lines(), now)));
        case REJECTED -> cause.causes(STOCK_REJECTED, orderId, EventPayloads.toJson(new StockRejected(orderId,
          "insufficient stock", d.shortages().stream().map(s -> new StockRejected.Shortage(s.productId(),
          s.requested(), s.available())).toList(), now)));
        default -> {
          LOG.info("order {} was answered before (reserved or rejected); {} {} ignored", orderId, cause.type(),
            cause.event().id());
          yield null;
        }
      };
    }
    StockLedger.Decision d = ledger.release(orderId);
    if (d.outcome() != StockLedger.Outcome.RELEASED) {
      return null;
    }
    return cause.causes(STOCK_RELEASED, orderId, EventPayloads.toJson(new StockReleased(orderId,
      StockLine.toPayload(d.lines()), cause.type(), now)));
  }

  /**
   * StockReserved also carries what payment needs to charge (docs/saga.md): the member, amount, method and order name
   * copied from the OrderPlaced, when it had them.
   */
  private static StockReserved reserved(OrderPlaced placed, String orderId, List<StockLine> lines, Instant now) {
    return new StockReserved(orderId, StockLine.toPayload(lines), now, placed.memberId(), placed.totalAmount(),
      placed.paymentMethod(), placed.orderName());
  }
}
