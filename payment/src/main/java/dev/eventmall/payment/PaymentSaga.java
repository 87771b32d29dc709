package dev.eventmall.payment;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.event.payload.DeliveryFailed;
import dev.eventmall.common.event.payload.OrderCancelRequested;
import dev.eventmall.common.event.payload.OrderScoped;
import dev.eventmall.common.event.payload.StockReserved;
import dev.eventmall.common.inbox.Inbox;
import dev.eventmall.common.kafka.BatchHandler;
import dev.eventmall.common.kafka.Consumed;
import dev.eventmall.common.kafka.NotYet;
import dev.eventmall.common.logging.LogContext;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.payment.client.TossClient;
import dev.eventmall.payment.client.TossException;
import dev.eventmall.payment.domain.BillingKey;
import dev.eventmall.payment.domain.Payment;
import dev.eventmall.payment.domain.PaymentRules;
import dev.eventmall.payment.domain.PaymentRules.Decision;
import dev.eventmall.payment.domain.PaymentStatus;
import dev.eventmall.payment.persistence.PaymentRepository;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import static dev.eventmall.common.event.EventTypes.DELIVERY_FAILED;
import static dev.eventmall.common.event.EventTypes.ORDER_CANCEL_REQUESTED;
import static dev.eventmall.common.event.EventTypes.PAYMENT_COMPLETED;
import static dev.eventmall.common.event.EventTypes.PAYMENT_FAILED;
import static dev.eventmall.common.event.EventTypes.PAYMENT_REFUNDED;
import static dev.eventmall.common.event.EventTypes.STOCK_RESERVED;

/**
 * The payment saga (consumer group {@value Payments#CONSUMER}), a batch of events at a time (docs/saga.md, "Payment
 * rules", decided by {@link PaymentRules}):
 * <ol>
 *   <li>one transaction: which events are new (inbox), the batch's payment rows locked, the members' billing keys read,
 *   every event decided in batch order against the row the previous ones left, one inbox insert of the events applied
 *   (one that must wait is left out, so its retry decides again), one insert of the new rows, one upsert of the changed
 *   rows, one outbox insert (PaymentFailed of declined-before-charging and voided orders);</li>
 *   <li>after the commit, every Toss call the batch announced (a CHARGING or REFUNDING row), all in flight at once, each
 *   with its own Idempotency-Key through the client's breaker;</li>
 *   <li>one transaction for all the answers: the rows locked again (a webhook or the recovery may have resolved one),
 *   settled by {@link PaymentRules#settle}, written with their PaymentCompleted / PaymentFailed / PaymentRefunded.</li>
 * </ol>
 * The next batch starts after step 1; an event that asked for a call is acknowledged only when its outcome is recorded.
 * An unknown outcome (timeout, 5xx, breaker open) fails that event alone: the bridge retries it, and the redelivered
 * event repeats the call with the same Idempotency-Key. An event that must wait (a cancel while a charge is in flight)
 * fails alone too and is retried with backoff.
 */
public final class PaymentSaga implements BatchHandler {
  private static final Logger LOG = LoggerFactory.getLogger(PaymentSaga.class);

  private final Pool pool;
  private final TossClient toss;
  private final PaymentMetrics metrics;
  private final PaymentRepository repo;

  public PaymentSaga(Payments payments) {
    this.pool = payments.pool();
    this.toss = payments.toss();
    this.metrics = payments.metrics();
    this.repo = payments.repository();
  }

  /** A saga event this service acts on, and its payload. */
  private record Input(int index, Consumed consumed, String orderId, OrderScoped payload) {
  }

  /** A Toss call the first transaction announced, the events waiting for its outcome, and how the outcome settled. */
  private static final class Call {
    final PaymentRules.Call kind;
    final Payment row;
    final BillingKey key;
    final String refundReason;
    final Consumed cause;
    final List<Promise<Void>> waiting = new ArrayList<>();
    PaymentRules.Answer answer;
    JsonObject tossPayment;
    Throwable unknown;

    Call(PaymentRules.Call kind, Payment row, BillingKey key, String refundReason, Consumed cause) {
      this.kind = kind;
      this.row = row;
      this.key = key;
      this.refundReason = refundReason;
      this.cause = cause;
    }
  }

  @Override
  public Future<List<Future<Void>>> handle(List<Consumed> batch) {
    List<Future<Void>> results = new ArrayList<>(BatchHandler.acknowledged(batch.size()));
    List<Input> inputs = keyedActedOn(batch, results).stream()
      .map(k -> new Input(k.index(), k.consumed(), k.key(), k.payload())).toList();
    if (inputs.isEmpty()) {
      return Future.succeededFuture(results);
    }
    Map<String, Call> calls = new LinkedHashMap<>();
    List<Payment> failedRows = new ArrayList<>();
    return pool.withTransaction(conn -> Inbox.firstSeen(conn, Payments.CONSUMER,
        inputs.stream().map(in -> in.consumed().event()).toList()).compose(fresh -> {
        Set<String> orderIds = new HashSet<>();
        Set<String> memberIds = new HashSet<>();
        for (Input in : inputs) {
          orderIds.add(in.orderId());
          if (in.payload() instanceof StockReserved reserved && reserved.memberId() != null) {
            memberIds.add(reserved.memberId());
          }
        }
        return repo.lockAll(conn, orderIds).compose(locked -> {
          locked.values().stream().filter(p -> p.status() == PaymentStatus.CHARGING && p.memberId() != null)
            .forEach(p -> memberIds.add(p.memberId()));
          return repo.billingKeys(conn, memberIds).compose(keys -> {
            Map<String, Payment> rows = new HashMap<>(locked);
            Map<String, PaymentRepository.Saved> saved = new LinkedHashMap<>();
            List<Outbox.Outgoing> emitted = new ArrayList<>();
            List<EventEnvelope> handled = new ArrayList<>();
            Set<UUID> seen = new HashSet<>();
            Instant now = Instant.now();
            for (Input in : inputs) {
              Consumed c = in.consumed();
              boolean first = fresh.contains(c.event().id()) && seen.add(c.event().id());
              Decision d = decide(c, in.payload(), in.orderId(), rows.get(in.orderId()), first, keys, now);
              LogContext.about(LOG.atDebug(), in.orderId(), c.span()).log("order {}: {} {} -> payment {}, call {}",
                in.orderId(), c.type(), c.event().id(), d.row() == null ? null : d.row().status(), d.call());
              if (d.waits() != null) {
                // not recorded in the inbox: the retry decides again
                seen.remove(c.event().id());
                results.set(in.index(), Future.failedFuture(new NotYet(d.waits())));
                continue;
              }
              BillingKey key = d.row() == null || d.row().memberId() == null ? null : keys.get(d.row().memberId());
              if (d.call() == PaymentRules.Call.CHARGE && key == null) {
                seen.remove(c.event().id());
                results.set(in.index(), Future.failedFuture(new IllegalStateException("CHARGING order "
                  + in.orderId() + " lost its billing key")));
                continue;
              }
              if (first) {
                handled.add(c.event());
              }
              if (d.changed()) {
                rows.put(in.orderId(), d.row());
                PaymentRepository.Saved before = saved.get(in.orderId());
                saved.put(in.orderId(), new PaymentRepository.Saved(d.row(), !locked.containsKey(in.orderId()),
                  d.refundReason() != null ? d.refundReason() : before == null ? null : before.refundReason()));
              }
              if (d.emit() == PaymentRules.Emit.FAILED) {
                failedRows.add(d.row());
                emitted.add(c.emit(Topics.PAYMENT_EVENTS, c.causes(PAYMENT_FAILED, in.orderId(),
                  Payments.failedPayload(d.row()))));
              }
              if (d.call() != PaymentRules.Call.NONE) {
                Call call = calls.computeIfAbsent(in.orderId(), id -> new Call(d.call(), d.row(), key,
                  d.refundReason(), c));
                Promise<Void> outcome = Promise.promise();
                call.waiting.add(outcome);
                results.set(in.index(), outcome.future());
              }
            }
            return Inbox.record(conn, Payments.CONSUMER, handled)
              .compose(v -> repo.saveAll(conn, List.copyOf(saved.values())))
              .compose(v -> Outbox.appendAll(conn, emitted));
          });
        });
      }))
      .onFailure(e -> calls.values().forEach(call -> call.waiting.forEach(p -> p.tryFail(e))))
      .map(v -> {
        failedRows.forEach(p -> metrics.failed(p.failureCode()));
        if (!calls.isEmpty()) {
          callToss(List.copyOf(calls.values()));
        }
        return results;
      });
  }

  @Override
  public boolean actsOn(String topic, String type) {
    return switch (type) {
      case STOCK_RESERVED -> Topics.CATALOG_STOCK.equals(topic);
      case ORDER_CANCEL_REQUESTED -> Topics.ORDER_EVENTS.equals(topic);
      case DELIVERY_FAILED -> Topics.DELIVERY_EVENTS.equals(topic);
      default -> false;
    };
  }

  private static Decision decide(Consumed c, OrderScoped payload, String orderId, Payment row, boolean first,
                                 Map<String, BillingKey> keys, Instant now) {
    String newId = UUID.randomUUID().toString();
    return switch (c.type()) {
      case STOCK_RESERVED -> {
        StockReserved p = (StockReserved) payload;
        yield PaymentRules.stockReserved(row, first, new PaymentRules.Reservation(orderId, p.memberId(),
          p.totalAmount(), p.paymentMethod(), p.orderName()), p.memberId() != null && keys.containsKey(p.memberId()),
          newId, now);
      }
      case ORDER_CANCEL_REQUESTED -> PaymentRules.cancelOrRefund(row, first, orderId, true,
        "order cancelled: " + ((OrderCancelRequested) payload).reason(), newId, now);
      default -> PaymentRules.cancelOrRefund(row, first, orderId, false,
        "delivery failed: " + Objects.requireNonNullElse(((DeliveryFailed) payload).reason(), ""), newId, now);
    };
  }

  /** Every announced call at once; then one transaction for all the answers; then each waiting event's outcome. */
  private void callToss(List<Call> calls) {
    List<Future<Void>> answered = new ArrayList<>();
    for (Call call : calls) {
      Future<JsonObject> answer = call.cause.inTrace(() -> call.kind == PaymentRules.Call.CHARGE
        ? toss.chargeBilling(call.key.billingKey(), call.key.customerKey(), call.row.orderId(), call.row.amount(),
        call.row.orderName())
        : toss.cancel(Payments.merchant(call.row), call.row.paymentKey(), call.row.orderId(), 1, call.refundReason));
      answered.add(answer.transform(ar -> {
        if (ar.succeeded()) {
          call.tossPayment = ar.result();
          call.answer = call.kind == PaymentRules.Call.CHARGE
            ? new PaymentRules.Approved(ar.result().getString("paymentKey"), ar.result().getString("status"),
            Payments.parseInstant(ar.result().getString("approvedAt")))
            : new PaymentRules.Canceled(ar.result().getString("status"), Payments.lastCanceledAt(ar.result()));
        } else if (call.kind == PaymentRules.Call.CHARGE && ar.cause() instanceof TossException.Declined) {
          // a configuration error of ours (Misconfigured) is no decline: like an unknown outcome it leaves the row
          // CHARGING and the event is retried (the client raised the alert and, for a refused key, opened the breaker)
          TossException t = (TossException) ar.cause();
          call.answer = new PaymentRules.Declined(t.code(), t.getMessage());
        } else {
          call.unknown = ar.cause();
          LogContext.about(LOG.atWarn(), call.row.orderId(), call.cause.span()).log(
            "{} of order {} unresolved (row stays {}): {}", call.kind == PaymentRules.Call.CHARGE ? "charge"
            : "refund", call.row.orderId(), call.row.status(), ar.cause().toString());
        }
        return Future.<Void>succeededFuture();
      }));
    }
    Future.join(answered).onComplete(all -> {
      List<Call> settled = calls.stream().filter(c -> c.answer != null).toList();
      Future<Void> written = settled.isEmpty() ? Future.succeededFuture() : settle(settled);
      written.onComplete(ar -> {
        for (Call call : calls) {
          Throwable failure = call.unknown != null ? call.unknown : ar.failed() ? ar.cause() : null;
          call.waiting.forEach(p -> {
            if (failure == null) {
              p.tryComplete();
            } else {
              p.tryFail(failure);
            }
          });
        }
      });
    });
  }

  private Future<Void> settle(List<Call> calls) {
    List<Runnable> counted = new ArrayList<>();
    return pool.withTransaction(conn -> repo.lockAll(conn, calls.stream().map(c -> c.row.orderId()).toList())
        .compose(locked -> {
          Instant now = Instant.now();
          List<PaymentRepository.Saved> saved = new ArrayList<>();
          List<Outbox.Outgoing> emitted = new ArrayList<>();
          for (Call call : calls) {
            Decision d = PaymentRules.settle(locked.get(call.row.orderId()), call.answer, call.refundReason, now);
            if (!d.changed()) {
              continue;
            }
            saved.add(new PaymentRepository.Saved(d.row(), false, d.refundReason()));
            Payment p = d.row();
            EventEnvelope event = switch (d.emit()) {
              case COMPLETED -> {
                counted.add(metrics::succeeded);
                yield call.cause.causes(PAYMENT_COMPLETED, p.orderId(),
                  Payments.completedPayload(p, p.paymentKey(), p.approvedAt()));
              }
              case FAILED -> {
                counted.add(() -> metrics.failed(p.failureCode()));
                yield call.cause.causes(PAYMENT_FAILED, p.orderId(), Payments.failedPayload(p));
              }
              case REFUNDED -> {
                counted.add(metrics::refunded);
                yield call.cause.causes(PAYMENT_REFUNDED, p.orderId(),
                  Payments.refundedPayload(p, call.tossPayment, p.refundedAt(), d.refundReason()));
              }
              default -> null;
            };
            if (event != null) {
              emitted.add(call.cause.emit(Topics.PAYMENT_EVENTS, event));
            }
          }
          return repo.saveAll(conn, saved).compose(v -> Outbox.appendAll(conn, emitted));
        }))
      .onSuccess(v -> counted.forEach(Runnable::run));
  }
}
