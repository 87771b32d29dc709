package dev.eventmall.payment;

import dev.eventmall.common.async.Coalescer;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.domain.DomainException;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventTypes;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.logging.LogContext;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.payment.client.TossClient;
import dev.eventmall.payment.client.TossClient.Merchant;
import dev.eventmall.payment.client.TossException;
import dev.eventmall.payment.domain.BillingKey;
import dev.eventmall.payment.domain.Payment;
import dev.eventmall.payment.domain.PaymentMethod;
import dev.eventmall.payment.domain.PaymentRules;
import dev.eventmall.payment.domain.PaymentStatus;
import dev.eventmall.payment.persistence.PaymentRepository;
import dev.eventmall.payment.persistence.PaymentRepository.Transition;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Payments outside the saga's consumer (the saga itself is {@link PaymentSaga}): checkout confirms, webhooks and the
 * recovery of rows a crash left unresolved. Every decision is taken under a row lock on the order's {@code payments} row;
 * Toss is called only after the row that announces the call ({@code CHARGING}, {@code REFUNDING}) is committed, and the
 * outcome moves the row on with a guarded transition in the same transaction as the outgoing event, so whoever
 * resolves a call (the handler, a retry, the startup recovery, a webhook) emits the event at most once.
 */
public final class Payments {
  /** Consumer group of the saga ({@link PaymentSaga}; it keeps no inbox rows). */
  public static final String CONSUMER = "payment-saga";
  public static final String ORDER_CANCELLED = PaymentRules.ORDER_CANCELLED;
  public static final String NO_BILLING_KEY = PaymentRules.NO_BILLING_KEY;
  public static final String INCOMPLETE_STOCK_RESERVED = PaymentRules.INCOMPLETE_STOCK_RESERVED;
  private static final Logger LOG = LoggerFactory.getLogger(Payments.class);

  private final Pool pool;
  private final TossClient toss;
  private final PaymentMetrics metrics;
  private final PaymentRepository repo = new PaymentRepository();
  /** Webhook verifications running at once (distinct keys); past that the recovery sweep takes the rest. */
  private final Coalescer webhookVerifications = new Coalescer(64);

  public Payments(Pool pool, TossClient toss, PaymentMetrics metrics) {
    this.pool = pool;
    this.toss = toss;
    this.metrics = metrics;
  }

  public Pool pool() {
    return pool;
  }

  public PaymentRepository repository() {
    return repo;
  }

  public TossClient toss() {
    return toss;
  }

  PaymentMetrics metrics() {
    return metrics;
  }

  /** Charges a committed CHARGING row and records the outcome; fails when the outcome stays unknown. */
  Future<Void> charge(Payment row, BillingKey key, EventEnvelope cause) {
    return settleCharge(row, toss.chargeBilling(key.billingKey(), key.customerKey(), row.orderId(), row.amount(),
      row.orderName()), cause);
  }

  /**
   * Moves a CHARGING row on with Toss's answer: DONE + PaymentCompleted, or FAILED + PaymentFailed for a final decline
   * or a method the platform does not accept. An unknown outcome or a configuration error of ours leaves the row
   * CHARGING and fails the returned future.
   */
  private Future<Void> settleCharge(Payment row, Future<JsonObject> answer, EventEnvelope cause) {
    return answer.transform(ar -> {
      if (ar.succeeded()) {
        JsonObject payment = ar.result();
        Instant approvedAt = parseInstant(payment.getString("approvedAt"));
        String paymentKey = payment.getString("paymentKey");
        return pool.withTransaction(conn -> repo.transition(conn, row.orderId(), PaymentStatus.CHARGING,
            Transition.to(PaymentStatus.DONE).paymentKey(paymentKey).tossStatus(payment.getString("status"))
              .approvedAt(approvedAt))
          .compose(moved -> {
            if (!moved) {
              return Future.succeededFuture();
            }
            metrics.succeeded();
            return Outbox.append(conn, Topics.PAYMENT_EVENTS, event(cause, EventTypes.PAYMENT_COMPLETED, row.orderId(),
              completedPayload(row, paymentKey, approvedAt)));
          }));
      }
      Throwable e = ar.cause();
      if (e instanceof TossException.ForeignPayment) {
        // nothing was charged for this order: the key was another's; the customer may confirm with their own
        LogContext.about(LOG.atWarn(), row.orderId(), null).log(
          "checkout confirm of order {} used a payment key that is not its own: {}", row.orderId(), e.getMessage());
        return pool.withTransaction(conn -> repo.releaseCheckout(conn, row.orderId(), row.paymentKey()))
          .<Void>mapEmpty()
          .compose(v -> Future.failedFuture(e));
      }
      if (e instanceof TossException.Declined || e instanceof TossException.MethodNotAccepted) {
        TossException t = (TossException) e;
        return pool.withTransaction(conn -> repo.transition(conn, row.orderId(), PaymentStatus.CHARGING,
            Transition.to(PaymentStatus.FAILED).tossStatus("ABORTED").failure(t.code(), t.getMessage()))
          .compose(moved -> moved
            ? emitFailed(conn, cause, new Payment(row.paymentId(), row.orderId(), row.memberId(), row.amount(),
              row.method(), row.orderName(), PaymentStatus.FAILED, null, null, t.code(), t.getMessage(), null, null,
              row.createdAt(), row.updatedAt()))
            : Future.succeededFuture()));
      }
      // unknown outcome, or the merchant's configuration error (the client raised the alert): nothing is decided and
      // nothing told to the customer as a decline; the row stays CHARGING for the retry / recovery (issue 13)
      LogContext.about(LOG.atWarn(), row.orderId(), null).log("charge of order {} unresolved (row stays CHARGING): {}",
        row.orderId(), e.toString());
      return Future.failedFuture(e);
    });
  }

  /** Cancels a committed REFUNDING row at Toss ({@code cancel:<orderId>:1}) and records REFUNDED + PaymentRefunded. */
  Future<Void> refund(Payment row, String reason, EventEnvelope cause) {
    return toss.cancel(merchant(row), row.paymentKey(), row.orderId(), 1, reason)
      .compose(payment -> markRefunded(row, payment, reason, cause))
      .onFailure(e -> LogContext.about(LOG.atWarn(), row.orderId(), null).log(
        "refund of order {} unresolved (row stays REFUNDING): {}", row.orderId(), e.toString()));
  }

  private Future<Void> markRefunded(Payment row, JsonObject payment, String reason, EventEnvelope cause) {
    Instant refundedAt = lastCanceledAt(payment);
    return pool.withTransaction(conn -> repo.findForUpdate(conn, row.orderId()).compose(current -> {
      if (current == null || current.status() != PaymentStatus.DONE && current.status() != PaymentStatus.REFUNDING) {
        return Future.succeededFuture();
      }
      return repo.transition(conn, row.orderId(), current.status(), Transition.to(PaymentStatus.REFUNDED)
          .tossStatus(payment.getString("status")).refunded(refundedAt, reason))
        .compose(moved -> {
          if (!moved) {
            return Future.succeededFuture();
          }
          metrics.refunded();
          return Outbox.append(conn, Topics.PAYMENT_EVENTS, event(cause, EventTypes.PAYMENT_REFUNDED, row.orderId(),
            refundedPayload(row, payment, refundedAt, reason)));
        });
    }));
  }

  // ---------------------------------------------------------------- recovery

  /**
   * Resolves rows a crash (or an unknown outcome) left in {@code CHARGING} or {@code REFUNDING} for longer than
   * {@code olderThan}: the same call again with the same Idempotency-Key, which Toss answers from its idempotency store
   * or by the lookup by orderId. Returns how many rows were looked at.
   */
  public Future<Integer> resolveStuck(Duration olderThan) {
    return resolveStuck(olderThan, null);
  }

  /**
   * As {@link #resolveStuck(Duration)}, and a CHARGING row whose outcome is still unknown after that and that has been
   * CHARGING for longer than {@code giveUpAfter} (null: never) gets its terminal outcome from what Toss says of the
   * order's payment now ({@link PaymentRules#giveUp}): settled, failed ({@value PaymentRules#PAYMENT_UNRESOLVED},
   * PaymentFailed: the order fails and its stock is released), or cancelled at Toss and failed. While Toss cannot be
   * asked the row stays CHARGING: nothing is guessed.
   */
  public Future<Integer> resolveStuck(Duration olderThan, Duration giveUpAfter) {
    Instant before = Instant.now().minus(olderThan);
    return Future.all(repo.findStuck(pool, PaymentStatus.CHARGING, before, 100),
        repo.findStuck(pool, PaymentStatus.REFUNDING, before, 100))
      .compose(all -> {
        List<Payment> charging = all.resultAt(0);
        List<Payment> refunding = all.resultAt(1);
        Future<Void> chain = Future.succeededFuture();
        for (Payment row : charging) {
          chain = chain.compose(v -> resume(row)
            .recover(e -> giveUpAfter != null && e instanceof TossException.OutcomeUnknown
              && row.updatedAt().isBefore(Instant.now().minus(giveUpAfter)) ? giveUp(row) : Future.failedFuture(e))
            .otherwiseEmpty());
        }
        for (Payment row : refunding) {
          chain = chain.compose(v -> refund(row, "recovery", null).otherwiseEmpty());
        }
        return chain.map(charging.size() + refunding.size());
      });
  }

  /** The terminal outcome of a CHARGING row given up on (see {@link #resolveStuck(Duration, Duration)}). */
  private Future<Void> giveUp(Payment row) {
    return toss.paymentOfOrder(merchant(row), row.orderId()).transform(ar -> {
      if (ar.failed() && !(ar.cause() instanceof TossException.NotFound)) {
        return Future.failedFuture(ar.cause()); // Toss cannot be asked: stays CHARGING
      }
      JsonObject payment = ar.succeeded() ? ar.result() : null;
      String status = payment == null ? null : payment.getString("status");
      PaymentRules.GiveUp outcome = PaymentRules.giveUp(status);
      LogContext.about(LOG.atError(), row.orderId(), null).log(
        "ALERT: giving up on the charge of order {} (CHARGING since {}); Toss says {}: {}", row.orderId(),
        row.updatedAt(), status == null ? "no payment" : status, outcome);
      TossException unresolved = new TossException.Declined(0, PaymentRules.PAYMENT_UNRESOLVED,
        "the charge stayed unresolved; Toss says " + (status == null ? "no payment" : status));
      return switch (outcome) {
        case SETTLE -> settleCharge(row, Future.succeededFuture(payment), null);
        case FAIL -> settleCharge(row, Future.failedFuture(unresolved), null);
        case CANCEL_THEN_FAIL -> toss.cancel(merchant(row), payment.getString("paymentKey"), row.orderId(), 1,
          "payment unresolved")
          .compose(cancelled -> settleCharge(row, Future.failedFuture(unresolved), null));
        case KEEP -> Future.failedFuture(new TossException.OutcomeUnknown(0, "PAYMENT_" + status,
          "no rule for status " + status));
      };
    });
  }

  private Future<Void> resume(Payment row) {
    LogContext.about(LOG.atInfo(), row.orderId(), null).log("resolving {} payment of order {}", row.status(),
      row.orderId());
    if (row.method() == PaymentMethod.CHECKOUT) {
      return settleCharge(row, toss.confirm(row.paymentKey(), row.orderId(), row.amount()), null);
    }
    return repo.findBillingKey(pool, row.memberId()).compose(key -> key == null
      // no key to repeat the call with: the lookup by orderId decides alone
      ? settleCharge(row, toss.paymentOfOrder(Merchant.BILLING, row.orderId()).compose(p -> "DONE".equals(p.getString("status"))
        ? Future.succeededFuture(p) : Future.failedFuture(new TossException.OutcomeUnknown(0, "PAYMENT_"
        + p.getString("status"), "not DONE"))), null)
      : charge(row, key, null));
  }

  // ---------------------------------------------------------------- checkout confirm (HTTP)

  /** Outcome of a confirm for the API. */
  public record Confirmed(Payment payment, TossException failure) {
  }

  /**
   * Confirms a checkout payment of {@code orderId} for its owner {@code memberId}: the amount must equal the expected
   * amount from StockReserved(CHECKOUT), else nothing is sent to Toss.
   */
  public Future<Confirmed> confirm(String memberId, String paymentKey, String orderId, long amount) {
    return pool.withTransaction(conn -> repo.findForUpdate(conn, orderId).compose(row -> {
      if (row == null) {
        return Future.failedFuture(ConfirmRefused.noPayment(orderId));
      }
      if (!memberId.equals(row.memberId())) {
        return Future.failedFuture(ConfirmRefused.notYours(orderId));
      }
      if (row.method() != PaymentMethod.CHECKOUT) {
        return Future.failedFuture(ConfirmRefused.notCheckout(orderId));
      }
      boolean samePayment = paymentKey.equals(row.paymentKey());
      if ((row.status() == PaymentStatus.DONE || row.status() == PaymentStatus.CHARGING) && samePayment) {
        return Future.succeededFuture(row); // repeat of the same confirm: answer or resume it
      }
      if (row.status() != PaymentStatus.AWAITING_CHECKOUT) {
        return Future.failedFuture(ConfirmRefused.notAwaitingCheckout(orderId, row.status()));
      }
      if (row.amount() != amount) {
        return Future.failedFuture(ConfirmRefused.amountMismatch(amount));
      }
      return repo.findByPaymentKey(conn, paymentKey).compose(holder -> holder != null
        ? Future.failedFuture(ConfirmRefused.keyInUse())
        : repo.transition(conn, orderId, PaymentStatus.AWAITING_CHECKOUT,
          Transition.to(PaymentStatus.CHARGING).paymentKey(paymentKey))
        // two confirms of one key for two orders racing past the check above: the unique index refuses the second
        .recover(e -> Future.failedFuture(Database.isDuplicateKey(e) ? ConfirmRefused.keyInUse() : e))
        .map(v -> new Payment(row.paymentId(), orderId, row.memberId(), row.amount(), row.method(), row.orderName(),
          PaymentStatus.CHARGING, paymentKey, null, null, null, null, null, row.createdAt(), Instant.now())));
    })).compose(row -> {
      if (row.status() != PaymentStatus.CHARGING) {
        return Future.succeededFuture(new Confirmed(row, null));
      }
      Future<JsonObject> answer = toss.confirm(paymentKey, orderId, row.amount());
      return settleCharge(row, answer, null)
        .transform(ar -> repo.find(pool, orderId).map(now -> new Confirmed(now,
          ar.failed() && ar.cause() instanceof TossException t ? t
            // settled as FAILED by this answer: the answer says why (a decline, a method refused)
            : now.status() == PaymentStatus.FAILED && answer.failed() && answer.cause() instanceof TossException t
            ? t
            : now.status() == PaymentStatus.FAILED
            ? new TossException.Declined(0, now.failureCode(), String.valueOf(now.failureMessage())) : null)));
    });
  }

  /** A confirm refused before any Toss call; {@link #code()} says why. */
  public static final class ConfirmRefused extends DomainException {

    private ConfirmRefused(Kind kind, String code, String title, String message) {
      super(kind, code, title, message);
    }

    /** No checkout payment is expected for the order (none, or not yet: the stock is not reserved). */
    static ConfirmRefused noPayment(String orderId) {
      return new ConfirmRefused(Kind.NOT_FOUND, "no-payment", null, "No checkout payment is expected for order "
        + orderId);
    }

    /** The order is another customer's. */
    static ConfirmRefused notYours(String orderId) {
      return new ConfirmRefused(Kind.FORBIDDEN, null, null, "Order " + orderId + " is not yours");
    }

    /** The order is paid with a billing key, not at a checkout. */
    static ConfirmRefused notCheckout(String orderId) {
      return new ConfirmRefused(Kind.CONFLICT, "not-checkout", null, "Order " + orderId
        + " is paid with a billing key");
    }

    /** The checkout payment has moved on (another key confirmed it, it failed, it was cancelled...). */
    static ConfirmRefused notAwaitingCheckout(String orderId, PaymentStatus status) {
      return new ConfirmRefused(Kind.CONFLICT, "payment-not-awaiting-checkout", null, "The payment of order "
        + orderId + " is " + status);
    }

    /** The amount confirmed is not the order's. */
    static ConfirmRefused amountMismatch(long amount) {
      return new ConfirmRefused(Kind.UNPROCESSABLE, "amount-mismatch", "Amount mismatch", "The amount " + amount
        + " does not match the order's amount");
    }

    /** The payment key already confirmed another order. */
    static ConfirmRefused keyInUse() {
      return new ConfirmRefused(Kind.CONFLICT, "payment-key-in-use", null, "This payment key belongs to another order; "
        + "confirm with the key your checkout returned");
    }
  }

  // ---------------------------------------------------------------- webhook (HTTP)

  /**
   * Takes a {@code PAYMENT_STATUS_CHANGED} webhook for {@code paymentKey}. The caller answers at once and the same way
   * whatever happens here (issue 16 row 11: the webhook is no lookup oracle; issue 13: Toss gets its answer within its
   * 10 s window however slow the re-read is). When the key is one of ours the row records that a verification is owed
   * and the verification starts — folded into one already running for that key, so a flood of one key costs at most
   * two reads at Toss. A key that is not ours costs one indexed UPDATE and no call to Toss (e.g. an abandoned checkout
   * that EXPIRED: Toss must not retry it). Only what Toss answers to the re-read is trusted.
   */
  public Future<Void> acceptWebhook(String paymentKey) {
    return repo.webhookPending(pool, paymentKey, Instant.now()).map(ours -> {
      if (ours) {
        verifyOwed(paymentKey);
      }
      return null;
    });
  }

  /**
   * Runs the verifications owed since before {@code olderThan} ago: webhooks acknowledged just before a crash, ones
   * whose re-read failed (Toss down) and ones refused by the cap on concurrent verifications. Returns how many were
   * asked for, once their re-reads (and the writes after them) have ended, whatever their outcome (a failed one logs
   * and stays owed), so that the recovery's stop can wait for them before the pool and the Toss client close.
   */
  public Future<Integer> verifyOwedWebhooks(Duration olderThan) {
    return repo.webhooksPending(pool, Instant.now().minus(olderThan), 100).compose(keys -> {
      keys.forEach(this::verifyOwed);
      // a key already being verified (a webhook) was folded into that run: its ending includes the run owed after it
      return Future.join(keys.stream().map(webhookVerifications::ended).toList()).map(keys.size());
    });
  }

  /**
   * Completes once the webhook verifications running now (an incoming webhook's, or the recovery's) have ended, the
   * writes after their re-reads included, whatever their outcome: the stop of the verticle that owns the recovery waits
   * for it, so the pool and the Toss client do not close under a re-read a webhook started.
   */
  public Future<Void> webhookVerificationsEnded() {
    return webhookVerifications.allEnded();
  }

  private void verifyOwed(String paymentKey) {
    webhookVerifications.request(paymentKey, () -> {
      Instant started = Instant.now();
      return verifyWebhook(paymentKey)
        .compose(row -> repo.webhookVerified(pool, paymentKey, started))
        .onFailure(e -> LOG.warn("verifying the webhook of payment {} failed, the recovery sweep retries it: {}",
          paymentKey, e.toString()));
    });
  }

  private Future<Payment> verifyWebhook(String paymentKey) {
    // the local row names the order the re-read is logged under (payment_attempts)
    return repo.findByPaymentKey(pool, paymentKey).compose(known -> known == null
      ? Future.succeededFuture((Payment) null)
      : rereadForWebhook(paymentKey, known));
  }

  private Future<Payment> rereadForWebhook(String paymentKey, Payment known) {
    return toss.payment(merchant(known), paymentKey, known.orderId()).compose(verified -> {
      String orderId = verified.getString("orderId");
      String status = verified.getString("status", "");
      return pool.withTransaction(conn -> repo.findForUpdate(conn, orderId).compose(row -> {
        if (row == null || row.paymentKey() != null && !row.paymentKey().equals(paymentKey)) {
          return Future.succeededFuture((Payment) null);
        }
        return repo.tossStatus(conn, orderId, status).map(row);
      })).compose(row -> {
        if (row == null) {
          return Future.succeededFuture(null);
        }
        Future<Void> applied = Future.succeededFuture();
        if ("DONE".equals(status) && row.status() == PaymentStatus.CHARGING) {
          applied = settleCharge(row, Future.succeededFuture(verified), null);
        } else if (("CANCELED".equals(status) || "PARTIAL_CANCELED".equals(status))
          && (row.status() == PaymentStatus.DONE || row.status() == PaymentStatus.REFUNDING)) {
          applied = markRefunded(row, verified, lastCancelReason(verified), null);
        } else if (("ABORTED".equals(status) || "EXPIRED".equals(status)) && row.status() == PaymentStatus.CHARGING) {
          JsonObject failure = verified.getJsonObject("failure", new JsonObject());
          applied = settleCharge(row, Future.failedFuture(new TossException.Declined(0, failure.getString("code", status),
            failure.getString("message", "payment " + status))), null);
        }
        return applied.compose(v -> repo.find(pool, orderId));
      });
    });
  }

  // ---------------------------------------------------------------- helpers

  /** The MID a payment row's calls go under: billing payments under the billing MID, checkouts under the other. */
  static Merchant merchant(Payment row) {
    return row.method() == PaymentMethod.BILLING ? Merchant.BILLING : Merchant.PAYMENTS;
  }

  private Future<Void> emitFailed(SqlConnection conn, EventEnvelope cause, Payment failed) {
    metrics.failed(failed.failureCode());
    return Outbox.append(conn, Topics.PAYMENT_EVENTS, event(cause, EventTypes.PAYMENT_FAILED, failed.orderId(),
      failedPayload(failed)));
  }

  static JsonObject completedPayload(Payment row, String paymentKey, Instant approvedAt) {
    return new JsonObject().put("orderId", row.orderId()).put("paymentId", row.paymentId())
      .put("paymentKey", paymentKey).put("amount", row.amount()).put("method", row.method().name())
      .put("approvedAt", approvedAt.toString());
  }

  static JsonObject failedPayload(Payment failed) {
    return new JsonObject().put("orderId", failed.orderId()).put("paymentId", failed.paymentId())
      .put("code", failed.failureCode())
      .put("reason", ORDER_CANCELLED.equals(failed.failureCode()) ? ORDER_CANCELLED
        : trim(failed.failureMessage() == null ? failed.failureCode() : failed.failureMessage(), 1000))
      .put("failedAt", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
  }

  /** {@code payment}: Toss's answer to the cancel. */
  static JsonObject refundedPayload(Payment row, JsonObject payment, Instant refundedAt, String reason) {
    JsonObject payload = new JsonObject().put("orderId", row.orderId()).put("paymentId", row.paymentId())
      .put("paymentKey", payment.getString("paymentKey", row.paymentKey()))
      .put("amount", row.amount() != null ? row.amount() : payment.getLong("totalAmount", 0L))
      .put("refundedAt", refundedAt.toString());
    if (reason != null) {
      payload.put("reason", reason);
    }
    return payload;
  }

  private static EventEnvelope event(EventEnvelope cause, String type, String orderId, JsonObject payload) {
    return cause == null ? EventEnvelope.of(type, orderId, payload) : EventEnvelope.causedBy(cause, type, orderId, payload);
  }

  static Instant parseInstant(String s) {
    if (s == null) {
      return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (RuntimeException e) {
      return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
  }

  static Instant lastCanceledAt(JsonObject payment) {
    JsonArray cancels = payment.getJsonArray("cancels");
    if (cancels == null || cancels.isEmpty()) {
      return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
    return parseInstant(cancels.getJsonObject(cancels.size() - 1).getString("canceledAt"));
  }

  private static String lastCancelReason(JsonObject payment) {
    JsonArray cancels = payment.getJsonArray("cancels");
    return cancels == null || cancels.isEmpty() ? "canceled at Toss"
      : trim(cancels.getJsonObject(cancels.size() - 1).getString("cancelReason", "canceled at Toss"), 200);
  }

  private static String trim(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
