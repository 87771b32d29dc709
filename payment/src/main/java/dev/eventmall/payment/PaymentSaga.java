package dev.eventmall.payment;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.event.payload.DeliveryFailed;
import dev.eventmall.common.event.payload.OrderCancelRequested;
import dev.eventmall.common.event.payload.OrderScoped;
import dev.eventmall.common.event.payload.StockReserved;
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
 *   <li>one transaction: the batch's payment rows locked, the members' billing keys read, every event decided in batch
 *   order against the row the previous ones left, one insert of the new rows, one upsert of the changed rows, one
 *   outbox insert (PaymentFailed of declined-before-charging and voided orders);</li>
 *   <li>after the commit, every Toss call the batch announced (a CHARGING or REFUNDING row), all in flight at once, each
 *   with its own Idempotency-Key through the client's breaker;</li>
 *   <li>one transaction for all the answers: the rows locked again (a webhook or the recovery may have resolved one),
 *   settled by {@link PaymentRules#settle}, written with their PaymentCompleted / PaymentFailed / PaymentRefunded.</li>
 * </ol>
 * The next batch starts after step 1; an event that asked for a call is acknowledged only when its outcome is recorded.
 * An unknown outcome (timeout, 5xx, breaker open) fails that event alone: the bridge retries it, and the redelivered
 * event repeats the call with the same Idempotency-Key. An event that must wait (a cancel while a charge is in flight)
 * fails alone too, writes nothing, and is retried with backoff.
 *
 * <p><b>Duplicates without an inbox.</b> This consumer writes no {@code inbox} rows: the order's payment row is its
 * record of what it handled. Every event that changes anything writes the row in the transaction that handles it, and
 * the row's status only moves on, so an event delivered again (or twice in one batch) meets its own effect and
 * {@link PaymentRules} decides nothing new but the resume of a CHARGING billing row or a REFUNDING row (the same call
 * under the same Idempotency-Key); the rules' comments go through each state. It is race-free because:
 * <ol>
 *   <li>{@code SELECT … FOR UPDATE} of the batch's payment rows ({@link PaymentRepository#lockAll}) is the
 *   transaction's FIRST statement and every decision is taken on the rows it returned. The row lock serializes all
 *   writers of an existing row (this saga, its settle step, checkout confirms, webhooks, recovery): a second handling
 *   of the same event waits there until the first commits, and a locking read returns the newest committed row. No
 *   plain read may come before it: InnoDB's REPEATABLE READ fixes the read view at the first plain read, and a
 *   decision taken on a plain read of {@code payments} would see that old snapshot. The billing keys are read (plainly)
 *   after the lock, and only decide whether a charge can start.</li>
 *   <li>For an order without a row both handlings may pass the lock (the gap locks they take do not exclude each
 *   other) and both insert: the unique key on {@code order_id} refuses one (a duplicate key, or the deadlock InnoDB
 *   finds between their gap and insert-intention locks), its whole transaction rolls back, the bridge retries its
 *   events one by one, and the retry finds the row.</li>
 *   <li>Toss is called only after the transaction that announced the call committed, so a handling that rolled back
 *   called nothing; two handlings that both find a row CHARGING (a rebalance while the call was in flight) call with
 *   the same Idempotency-Key, Toss charges once, and only the first answer settled under the row lock finds the row
 *   still CHARGING and emits the outcome.</li>
 * </ol>
 * {@code PaymentDedupTest} shows each case against the real servers and the Toss emulator.
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
    Set<String> orderIds = new HashSet<>();
    inputs.forEach(in -> orderIds.add(in.orderId()));
    // the lock FIRST, then every decision on the rows it returns: see the class comment
    return pool.withTransaction(conn -> repo.lockAll(conn, orderIds).compose(locked -> {
        Set<String> memberIds = new HashSet<>();
        for (Input in : inputs) {
          if (in.payload() instanceof StockReserved reserved && reserved.memberId() != null) {
            memberIds.add(reserved.memberId());
          }
        }
        locked.values().stream().filter(p -> p.status() == PaymentStatus.CHARGING && p.memberId() != null)
          .forEach(p -> memberIds.add(p.memberId()));
        return repo.billingKeys(conn, memberIds).compose(keys -> {
          Map<String, Payment> rows = new HashMap<>(locked);
          Map<String, PaymentRepository.Saved> saved = new LinkedHashMap<>();
          List<Outbox.Outgoing> emitted = new ArrayList<>();
          Instant now = Instant.now();
          for (Input in : inputs) {
            Consumed c = in.consumed();
            // decided on the row as the previous handlings left it (an event delivered again, or twice in the batch,
            // finds its own effect there)
            Decision d = decide(c, in.payload(), in.orderId(), rows.get(in.orderId()), keys, now);
            LogContext.about(LOG.atDebug(), in.orderId(), c.span()).log("order {}: {} {} -> payment {}, call {}",
              in.orderId(), c.type(), c.event().id(), d.row() == null ? null : d.row().status(), d.call());
            if (d.waits() != null) {
              // nothing written: the retry decides again
              results.set(in.index(), Future.failedFuture(new NotYet(d.waits())));
              continue;
            }
            BillingKey key = d.row() == null || d.row().memberId() == null ? null : keys.get(d.row().memberId());
            if (d.call() == PaymentRules.Call.CHARGE && key == null) {
              results.set(in.index(), Future.failedFuture(new IllegalStateException("CHARGING order "
                + in.orderId() + " lost its billing key")));
              continue;
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
          return repo.saveAll(conn, List.copyOf(saved.values())).compose(v -> Outbox.appendAll(conn, emitted));
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

  private static Decision decide(Consumed c, OrderScoped payload, String orderId, Payment row,
                                 Map<String, BillingKey> keys, Instant now) {
    String newId = UUID.randomUUID().toString();
    return switch (c.type()) {
      case STOCK_RESERVED -> {
        StockReserved p = (StockReserved) payload;
        yield PaymentRules.stockReserved(row, new PaymentRules.Reservation(orderId, p.memberId(),
          p.totalAmount(), p.paymentMethod(), p.orderName()), p.memberId() != null && keys.containsKey(p.memberId()),
          newId, now);
      }
      case ORDER_CANCEL_REQUESTED -> PaymentRules.cancelOrRefund(row, orderId, true,
        "order cancelled: " + ((OrderCancelRequested) payload).reason(), newId, now);
      default -> PaymentRules.cancelOrRefund(row, orderId, false,
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
