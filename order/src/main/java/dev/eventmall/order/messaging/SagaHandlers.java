package dev.eventmall.order.messaging;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.BatchHandler;
import dev.eventmall.common.kafka.Consumed;
import dev.eventmall.common.logging.LogContext;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.order.OrderMetrics;
import dev.eventmall.order.domain.Order;
import dev.eventmall.order.domain.OrderStateMachine;
import dev.eventmall.order.domain.OrderStatus;
import dev.eventmall.order.domain.SagaInput;
import dev.eventmall.order.domain.TimelineEntry;
import dev.eventmall.order.domain.Transition;
import dev.eventmall.order.persistence.OrderRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The order saga (consumer group {@value #CONSUMER}): applies catalog.stock, payment.events and delivery.events to
 * the order's state machine, a whole batch of events in ONE transaction: the touched orders locked in id order, one
 * read of which of the batch's events their timelines already hold (those are duplicates and skipped), every other
 * event applied in batch order to the state the previous ones left ({@link OrderStateMachine}), then one status update
 * per new status, one multi-row timeline insert (the event is recorded whether it applied or was ignored) and one
 * outbox insert of the OrderCancelled / OrderCompleted it causes.
 *
 * <p><b>Duplicates without an inbox.</b> Every event this consumer handles for an existing order leaves a timeline row
 * with its id, in the transaction that handles it, so the timeline is this consumer's record of what it handled and it
 * writes no {@code inbox} rows (the order's other consumer, {@link ProjectionHandlers}, keeps its inbox). An event for
 * an unknown order leaves nothing; delivered again it is ignored again, the same outcome. The check is race-free
 * because of the order of the statements:
 * <ol>
 *   <li>{@code SELECT … FOR UPDATE} of the orders is the transaction's FIRST statement. The row lock serializes every
 *   saga transaction that touches an order: a second handling of the same event waits here until the first commits.
 *   A locking read reads the newest committed rows and creates no read view.</li>
 *   <li>then a plain {@code SELECT event_id FROM order_timeline} ({@link OrderRepository#recordedEventIds}). Under
 *   InnoDB's REPEATABLE READ a transaction's read view (its snapshot) is created at its first consistent
 *   (non-locking) read, i.e. here, after the lock was granted, so it sees every timeline row committed by the previous
 *   holder of the lock. Any consistent read before the lock would fix the snapshot too early and let both handlings of
 *   a redelivered event through ({@code SagaTimelineDedupTest} shows it).</li>
 * </ol>
 * The timeline read must stay a plain read: as {@code FOR UPDATE} / {@code LOCK IN SHARE MODE} it would take next-key
 * locks on {@code ix_timeline_order}, gaps included, that block (or deadlock with) the timeline inserts of concurrent
 * batches on neighbouring orders. The order lock already gives all the exclusion needed.
 */
public final class SagaHandlers implements BatchHandler {
  public static final String CONSUMER = "order-saga";
  private static final Logger LOG = LoggerFactory.getLogger(SagaHandlers.class);

  private final Pool pool;
  private final OrderMetrics metrics;
  private final OrderRepository orders = new OrderRepository();

  public SagaHandlers(Pool pool, OrderMetrics metrics) {
    this.pool = pool;
    this.metrics = metrics;
  }

  /** One event the saga knows, and the order it concerns. */
  private record Input(Consumed consumed, SagaInput input, String orderId) {
  }

  /** What applying one event did: the transition, the timeline rows, the event to publish (or null). */
  record Step(Transition transition, List<TimelineEntry> timeline, EventEnvelope emitted) {
  }

  @Override
  public boolean actsOn(String topic, String type) {
    return SagaInput.ofEventType(type).isPresent();
  }

  /** Events of any of the saga's topics; unknown types are acknowledged and ignored, one without orderId fails alone. */
  @Override
  public Future<List<Future<Void>>> handle(List<Consumed> batch) {
    List<Future<Void>> results = new ArrayList<>(BatchHandler.acknowledged(batch.size()));
    List<Input> inputs = keyedActedOn(batch, results)
      .stream().map(k -> new Input(k.consumed(), SagaInput.ofEventType(k.type()).orElseThrow(), k.key())).toList();
    if (inputs.isEmpty()) {
      return Future.succeededFuture(results);
    }
    List<Transition> applied = new ArrayList<>();
    Set<String> orderIds = new HashSet<>();
    inputs.forEach(in -> orderIds.add(in.orderId()));
    // the lock FIRST, then the duplicate check: see the class comment
    return pool.withTransaction(conn -> orders.lockAll(conn, orderIds).compose(locked -> (locked.isEmpty()
        ? Future.succeededFuture(Set.<String>of()) : orders.recordedEventIds(conn, locked.keySet()))
      .compose(recorded -> {
        List<Input> todo = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Input in : inputs) {
          String id = in.consumed().event().id().toString();
          if (!recorded.contains(id) && ids.add(id)) {
            todo.add(in);
          } else {
            LogContext.about(LOG.atDebug(), in.orderId(), in.consumed().span()).log("{} {} seen before: skipped",
              in.consumed().type(), id);
          }
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Map<String, Order> current = new HashMap<>(locked);
        Map<String, OrderStatus> statuses = new LinkedHashMap<>();
        List<Map.Entry<String, TimelineEntry>> timeline = new ArrayList<>();
        List<Outbox.Outgoing> emitted = new ArrayList<>();
        for (Input in : todo) {
          Order order = current.get(in.orderId());
          if (order == null) {
            LogContext.about(LOG.atWarn(), in.orderId(), in.consumed().span())
              .log("{} {} for unknown order {}: ignored", in.consumed().type(), in.consumed().event().id(),
                in.orderId());
            continue;
          }
          Step step = step(order, in.input(), in.consumed(), now);
          Transition t = step.transition();
          if (t.applied()) {
            current.put(order.orderId(), order.withStatus(t.to()));
            statuses.put(order.orderId(), t.to());
            applied.add(t);
            LogContext.about(LOG.atDebug(), order.orderId(), in.consumed().span()).log("order {}: {} -> {} on {} {}",
              order.orderId(), t.from(), t.to(), in.consumed().type(), in.consumed().event().id());
          } else {
            LogContext.about(LOG.atDebug(), order.orderId(), in.consumed().span()).log(
              "order {} in {}: {} {} does not apply; recorded and ignored", order.orderId(), t.from(),
              in.consumed().type(), in.consumed().event().id());
          }
          step.timeline().forEach(e -> timeline.add(new AbstractMap.SimpleEntry<>(order.orderId(), e)));
          if (step.emitted() != null) {
            emitted.add(in.consumed().emit(Topics.ORDER_EVENTS, step.emitted()));
          }
        }
        return orders.updateStatuses(conn, statuses, now)
          .compose(v -> orders.appendTimelines(conn, timeline))
          .compose(v -> Outbox.appendAll(conn, emitted));
      })))
      .map(v -> {
        applied.forEach(t -> metrics.reached(t.to()));
        return results;
      });
  }

  /**
   * Applies one event to an order (pure): the state machine's transition, the timeline rows it leaves (the event, and
   * the event the order emits because of it) and that event.
   */
  static Step step(Order order, SagaInput input, Consumed cause, Instant now) {
    Transition t = OrderStateMachine.apply(order.status(), order.paymentMethod(), input);
    EventEnvelope event = cause.event();
    String orderId = order.orderId();
    List<TimelineEntry> timeline = new ArrayList<>(2);
    timeline.add(new TimelineEntry(0, event.id().toString(), event.type(), cause.topic(),
      t.applied() ? TimelineEntry.APPLIED : TimelineEntry.IGNORED, t.from(), t.to(), detail(event.payload()),
      event.occurredAt(), now));
    EventEnvelope emitted = switch (t.emit()) {
      case ORDER_CANCELLED -> OrderEvents.cancelled(cause, orderId, cancelReason(t.from(), event), now);
      case ORDER_COMPLETED -> OrderEvents.completed(cause, orderId, now);
      default -> null;
    };
    if (emitted != null) {
      timeline.add(new TimelineEntry(0, emitted.id().toString(), emitted.type(), "order", TimelineEntry.APPLIED, t.to(),
        t.to(), emitted.payload().getString("reason"), now, now));
    }
    return new Step(t, timeline, emitted);
  }

  private static String cancelReason(OrderStatus from, EventEnvelope cause) {
    return switch (from) {
      case CANCEL_REQUESTED -> "cancelled at the customer's request";
      case CANCELLING -> "delivery failed; payment refunded";
      default -> "payment refunded (" + cause.type() + ")";
    };
  }

  /** A short human-readable summary of what the event says beyond its type. */
  private static String detail(JsonObject payload) {
    StringJoiner j = new StringJoiner("; ");
    for (String field : new String[]{"reason", "code", "cause", "status", "trackingNumber", "paymentId", "amount"}) {
      Object v = payload.getValue(field);
      if (v != null) {
        j.add(field + "=" + v);
      }
    }
    return j.length() == 0 ? null : j.toString();
  }
}
