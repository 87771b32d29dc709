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
import dev.eventmall.common.inbox.Inbox;
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
import java.util.HashSet;
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
 * transaction: one inbox claim (a redelivered event changes nothing and emits nothing), the batch's reservations and
 * then its products' stock locked (in key order), every event applied in batch order by the pure {@link StockLedger},
 * then one statement per kind of change (stock, new reservations, released reservations) and one outbox insert of the
 * {@code catalog.stock} events.
 * <ul>
 *   <li>{@code OrderPlaced}: every line is reserved or none; emits {@code StockReserved} or {@code StockRejected}.</li>
 *   <li>{@code PaymentFailed}, {@code OrderCancelled}, {@code DeliveryFailed}: the order's RESERVED lines go back to
 *   available and become RELEASED; emits {@code StockReleased} once. Without a reservation (never reserved, rejected or
 *   already released) it is a no-op.</li>
 * </ul>
 * Other event types on these topics are acknowledged and ignored; an event without an orderId or with unusable lines
 * fails alone (retried, then parked) while the rest of its batch commits.
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
    return pool.withTransaction(conn -> Inbox.claimAll(conn, CONSUMER,
        inputs.stream().map(in -> in.consumed().event()).toList()).compose(fresh -> {
        List<Input> todo = new ArrayList<>();
        Set<Object> seen = new HashSet<>();
        for (Input in : inputs) {
          if (fresh.contains(in.consumed().event().id()) && seen.add(in.consumed().event().id())) {
            todo.add(in);
          }
        }
        if (todo.isEmpty()) {
          return Future.<Void>succeededFuture();
        }
        Set<String> orderIds = new TreeSet<>();
        todo.forEach(in -> orderIds.add(in.orderId()));
        return stock.lockReservations(conn, orderIds).compose(reservations -> {
          Set<String> productIds = new TreeSet<>();
          reservations.forEach(r -> productIds.add(r.productId()));
          todo.stream().filter(Input::placed).forEach(in -> in.lines().forEach(l -> productIds.add(l.productId())));
          return stock.lockStock(conn, productIds).compose(locked -> {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            StockLedger ledger = new StockLedger(locked, reservations);
            Map<String, String> causedBy = new HashMap<>();
            List<Outbox.Outgoing> emitted = new ArrayList<>();
            for (Input in : todo) {
              EventEnvelope answer = apply(ledger, in, now);
              if (answer != null) {
                if (in.placed()) {
                  causedBy.putIfAbsent(in.orderId(), in.consumed().event().id().toString());
                }
                emitted.add(in.consumed().emit(Topics.CATALOG_STOCK, answer));
              }
            }
            return stock.write(conn, ledger, causedBy, now).compose(v -> Outbox.appendAll(conn, emitted));
          });
        });
      }))
      .map(v -> results);
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
          LOG.info("order {} already has reservations; {} {} ignored", orderId, cause.type(), cause.event().id());
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
