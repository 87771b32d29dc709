package dev.eventmall.order.messaging;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.inbox.Inbox;
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
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The order saga (consumer group {@value #CONSUMER}): applies catalog.stock, payment.events and delivery.events to
 * the order's state machine. Each event runs in ONE transaction with its inbox row (a duplicate is a no-op), under the
 * order's row lock; the event is appended to the order's timeline whether it applied or was ignored; OrderCancelled and
 * OrderCompleted go out through the outbox in the same transaction.
 */
public final class SagaHandlers {
  public static final String CONSUMER = "order-saga";
  private static final Logger LOG = LoggerFactory.getLogger(SagaHandlers.class);

  private final Pool pool;
  private final OrderMetrics metrics;
  private final OrderRepository orders = new OrderRepository();

  public SagaHandlers(Pool pool, OrderMetrics metrics) {
    this.pool = pool;
    this.metrics = metrics;
  }

  /** Any of the saga's topics; unknown types are acknowledged and ignored. */
  public Future<?> onEvent(String topic, EventEnvelope event) {
    Optional<SagaInput> input = SagaInput.ofEventType(event.type());
    if (input.isEmpty()) {
      return Future.succeededFuture();
    }
    String orderId = event.payload().getString("orderId");
    if (orderId == null || orderId.isBlank()) {
      return Future.failedFuture(new IllegalArgumentException(event.type() + " " + event.id() + " has no orderId"));
    }
    AtomicReference<Transition> outcome = new AtomicReference<>();
    return Inbox.once(pool, CONSUMER, event, conn -> orders.lock(conn, orderId).compose(order -> {
        if (order.isEmpty()) {
          LOG.warn("{} {} for unknown order {}: ignored", event.type(), event.id(), orderId);
          return Future.succeededFuture();
        }
        Transition t = OrderStateMachine.apply(order.get().status(), order.get().paymentMethod(), input.get());
        outcome.set(t);
        return apply(conn, topic, event, order.get(), t);
      }))
      .onSuccess(first -> {
        Transition t = outcome.get();
        if (first && t != null && t.applied()) {
          metrics.reached(t.to());
        }
      });
  }

  private Future<Void> apply(SqlConnection conn, String topic, EventEnvelope event, Order order, Transition t) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String orderId = order.orderId();
    if (!t.applied()) {
      LOG.info("order {} in {}: {} {} does not apply; recorded and ignored", orderId, t.from(), event.type(), event.id());
    }
    Future<Void> step = (t.applied() ? orders.updateStatus(conn, orderId, t.to(), now) : Future.<Void>succeededFuture())
      .compose(v -> orders.appendTimeline(conn, orderId, new TimelineEntry(0, event.id().toString(), event.type(),
        topic, t.applied() ? TimelineEntry.APPLIED : TimelineEntry.IGNORED, t.from(), t.to(), detail(event.payload()),
        event.occurredAt(), now)));
    EventEnvelope emitted = switch (t.emit()) {
      case ORDER_CANCELLED -> OrderEvents.cancelled(event, orderId, cancelReason(t.from(), event), now);
      case ORDER_COMPLETED -> OrderEvents.completed(event, orderId, now);
      default -> null;
    };
    if (emitted == null) {
      return step;
    }
    return step
      .compose(v -> orders.appendTimeline(conn, orderId, new TimelineEntry(0, emitted.id().toString(), emitted.type(),
        "order", TimelineEntry.APPLIED, t.to(), t.to(), emitted.payload().getString("reason"), now, now)))
      .compose(v -> Outbox.append(conn, Topics.ORDER_EVENTS, emitted));
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
