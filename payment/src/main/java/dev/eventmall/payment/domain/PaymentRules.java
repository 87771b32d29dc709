package dev.eventmall.payment.domain;

import java.time.Instant;

/**
 * The payment rules of docs/saga.md as pure functions (no SQL, Kafka or HTTP): what a saga event does to an order's
 * payment row, which Toss call must follow once that is committed, and what Toss's answer does to the row then.
 * Callers hold the row's lock while they apply a decision; a row changed by a decision is written with the event it
 * emits in one transaction, and the call is made only after that commit (a {@code CHARGING} or {@code REFUNDING} row
 * announces it), so whoever resolves a call emits the outcome at most once.
 *
 * <p>The rules need no record of which events were seen before: the row is that record. Every event that does
 * something writes the row in the transaction that handles it, and a status only moves on (none → AWAITING_CHECKOUT,
 * CHARGING, FAILED or VOIDED; AWAITING_CHECKOUT → CHARGING or VOIDED; CHARGING → DONE or FAILED; DONE → REFUNDING →
 * REFUNDED, or DONE → REFUNDED when a webhook reports a cancel made at Toss; FAILED, VOIDED and REFUNDED are final;
 * the one step back, a checkout's CHARGING → AWAITING_CHECKOUT when its confirm used another order's key, is between
 * two states in which StockReserved does nothing and a cancel either waits or ends the row VOIDED), so an event
 * delivered again meets a row that already shows its effect and decides nothing new, but the resumes of a call a crash
 * left unresolved (CHARGING billing row: the same charge; REFUNDING: the same refund; each under its Idempotency-Key).
 */
public final class PaymentRules {
  public static final String ORDER_CANCELLED = "ORDER_CANCELLED";
  public static final String NO_BILLING_KEY = "NO_BILLING_KEY";
  public static final String INCOMPLETE_STOCK_RESERVED = "INCOMPLETE_STOCK_RESERVED";

  /** The failure code of a charge given up on (issue 16 row 2: a terminal outcome for every CHARGING row). */
  public static final String PAYMENT_UNRESOLVED = "PAYMENT_UNRESOLVED";

  /** What becomes of a CHARGING row whose outcome stayed unknown past the give-up age. */
  public enum GiveUp {
    /** Toss has the payment done (or already cancelled): settle it as the answer would have. */
    SETTLE,
    /** Nothing was or can be charged without us (no payment, aborted, expired, never confirmed): fail it. */
    FAIL,
    /** A payment that can still be completed without us (a virtual account awaiting its deposit): cancel it, then fail. */
    CANCEL_THEN_FAIL,
    /** A status this rule does not know: keep retrying, and alert. */
    KEEP
  }

  /**
   * The terminal outcome of a CHARGING row recovery could not resolve for too long, from what Toss says of the order's
   * payment now ({@code tossStatus}; null when Toss has no payment of the order). Only a reachable Toss gets here: while
   * it cannot be asked the row stays CHARGING (nothing is guessed).
   */
  public static GiveUp giveUp(String tossStatus) {
    if (tossStatus == null) {
      return GiveUp.FAIL;
    }
    return switch (tossStatus) {
      case "DONE", "CANCELED", "PARTIAL_CANCELED" -> GiveUp.SETTLE;
      // READY / IN_PROGRESS: the customer authenticated but only our confirm (secret key) can complete it, and a row
      // that is FAILED is never confirmed again
      case "ABORTED", "EXPIRED", "READY", "IN_PROGRESS" -> GiveUp.FAIL;
      case "WAITING_FOR_DEPOSIT" -> GiveUp.CANCEL_THEN_FAIL;
      default -> GiveUp.KEEP;
    };
  }

  private PaymentRules() {
  }

  /** The Toss call a decision asks for, made after the commit. */
  public enum Call { NONE, CHARGE, REFUND }

  /** The event a decision emits with its write. */
  public enum Emit { NONE, COMPLETED, FAILED, REFUNDED }

  /**
   * What one event (or one Toss answer) does.
   *
   * @param row          the row after it: null when the order has none
   * @param changed      whether {@code row} must be written (inserted or updated)
   * @param call         the Toss call to make once that is committed
   * @param emit         the event to emit with the write
   * @param refundReason the reason recorded with a refund (REFUNDING, REFUNDED), else null
   * @param waits        non-null: the event cannot be decided yet (a charge is in flight) and must be retried later
   */
  public record Decision(Payment row, boolean changed, Call call, Emit emit, String refundReason, String waits) {
    static Decision nothing(Payment row) {
      return new Decision(row, false, Call.NONE, Emit.NONE, null, null);
    }
  }

  /** What StockReserved says about the charge (the contract marks these optional). */
  public record Reservation(String orderId, String memberId, Long amount, String method, String orderName) {
  }

  /**
   * StockReserved: BILLING → a CHARGING row and a charge of the member's billing key (none → FAILED + PaymentFailed);
   * CHECKOUT → an AWAITING_CHECKOUT row (the browser confirms); without member, amount or method → FAILED +
   * PaymentFailed. Every one of these writes the order's row, so the row is the record of a StockReserved handled
   * before: an order that has a row is charged once only. A redelivery of the event that left a billing row CHARGING
   * (crash before the outcome) repeats the charge with the same Idempotency-Key; anything else charges nothing.
   *
   * @param hasBillingKey whether the member has a billing key
   * @param paymentId     the id a new row gets
   */
  public static Decision stockReserved(Payment row, Reservation r, boolean hasBillingKey, String paymentId,
                                       Instant now) {
    if (row != null) {
      if (row.status() == PaymentStatus.CHARGING && row.method() == PaymentMethod.BILLING) {
        return new Decision(row, false, Call.CHARGE, Emit.NONE, null, null);
      }
      return Decision.nothing(row);
    }
    String orderName = orderName(r.orderName(), r.orderId());
    if (r.memberId() == null || r.amount() == null || r.method() == null) {
      PaymentMethod method = r.method() == null ? null : PaymentMethod.valueOf(r.method());
      return failed(newRow(paymentId, r, method, orderName, PaymentStatus.FAILED, INCOMPLETE_STOCK_RESERVED,
        "StockReserved lacks memberId, totalAmount or paymentMethod", now));
    }
    if (PaymentMethod.CHECKOUT.name().equals(r.method())) {
      return new Decision(newRow(paymentId, r, PaymentMethod.CHECKOUT, orderName, PaymentStatus.AWAITING_CHECKOUT,
        null, null, now), true, Call.NONE, Emit.NONE, null, null);
    }
    if (!hasBillingKey) {
      return failed(newRow(paymentId, r, PaymentMethod.BILLING, orderName, PaymentStatus.FAILED, NO_BILLING_KEY,
        "member " + r.memberId() + " has no billing key", now));
    }
    return new Decision(newRow(paymentId, r, PaymentMethod.BILLING, orderName, PaymentStatus.CHARGING, null, null, now),
      true, Call.CHARGE, Emit.NONE, null, null);
  }

  /**
   * OrderCancelRequested ({@code cancelRequest}) and DeliveryFailed: a DONE payment is refunded (REFUNDING, then the
   * cancel at Toss); a cancel request before any charge voids it (a VOIDED row, or AWAITING_CHECKOUT → VOIDED, with
   * PaymentFailed(ORDER_CANCELLED)) so a later StockReserved charges nothing; while a charge is in flight the event
   * waits; a REFUNDING row (a refund a crash left unresolved) is refunded again whoever asks; anything else changes
   * nothing. Redelivered, an event finds the row its first handling left, or a later state of it: VOIDED, FAILED or
   * REFUNDED (nothing) or REFUNDING (the resume). A DeliveryFailed only ever follows the order's PaymentCompleted, so
   * its first handling found DONE or later; one that waited (CHARGING) was not handled.
   */
  public static Decision cancelOrRefund(Payment row, String orderId, boolean cancelRequest, String reason,
                                        String paymentId, Instant now) {
    if (row != null && row.status() == PaymentStatus.REFUNDING) {
      return new Decision(row, false, Call.REFUND, Emit.NONE, reason, null);
    }
    if (row == null || row.status() == PaymentStatus.AWAITING_CHECKOUT) {
      if (!cancelRequest) {
        return Decision.nothing(row);
      }
      Payment voided = row == null
        ? new Payment(paymentId, orderId, null, null, null, null, PaymentStatus.VOIDED, null, null, ORDER_CANCELLED,
        "order cancelled before any charge", null, null, now, now)
        : with(row, PaymentStatus.VOIDED, null, null, ORDER_CANCELLED, "order cancelled before checkout", null, null, now);
      return failed(voided);
    }
    return switch (row.status()) {
      case CHARGING -> new Decision(row, false, Call.NONE, Emit.NONE, null,
        "order " + orderId + " is being charged; the event waits for the outcome");
      case DONE -> new Decision(with(row, PaymentStatus.REFUNDING, null, null, null, null, null, null, now), true,
        Call.REFUND, Emit.NONE, reason, null);
      default -> Decision.nothing(row);
    };
  }

  /** Toss's answer to a charge, a confirm or a cancel. */
  public sealed interface Answer {
  }

  /** A DONE payment (charge, confirm). */
  public record Approved(String paymentKey, String tossStatus, Instant approvedAt) implements Answer {
  }

  /** A final decline, or Toss refusing our credentials or configuration: the charge will never succeed. */
  public record Declined(String code, String message) implements Answer {
  }

  /** A CANCELED / PARTIAL_CANCELED payment (cancel). */
  public record Canceled(String tossStatus, Instant canceledAt) implements Answer {
  }

  /**
   * Moves the row on with Toss's answer (the row as locked now: a webhook, a recovery or another handler may have
   * resolved it meanwhile). CHARGING + Approved → DONE + PaymentCompleted; CHARGING + Declined → FAILED (ABORTED) +
   * PaymentFailed; DONE or REFUNDING + Canceled → REFUNDED + PaymentRefunded; anything else (resolved before) changes
   * nothing. An unknown outcome is no answer: the row stays as it is and the caller retries.
   */
  public static Decision settle(Payment row, Answer answer, String refundReason, Instant now) {
    if (row == null) {
      return Decision.nothing(null);
    }
    if (answer instanceof Approved a) {
      return row.status() != PaymentStatus.CHARGING ? Decision.nothing(row)
        : new Decision(with(row, PaymentStatus.DONE, a.paymentKey(), a.tossStatus(), null, null, a.approvedAt(), null,
        now), true, Call.NONE, Emit.COMPLETED, null, null);
    }
    if (answer instanceof Declined d) {
      return row.status() != PaymentStatus.CHARGING ? Decision.nothing(row)
        : failed(with(row, PaymentStatus.FAILED, null, "ABORTED", d.code(), d.message(), null, null, now));
    }
    Canceled c = (Canceled) answer;
    return row.status() != PaymentStatus.DONE && row.status() != PaymentStatus.REFUNDING ? Decision.nothing(row)
      : new Decision(with(row, PaymentStatus.REFUNDED, null, c.tossStatus(), null, null, null, c.canceledAt(), now),
      true, Call.NONE, Emit.REFUNDED, refundReason, null);
  }

  private static Decision failed(Payment row) {
    return new Decision(row, true, Call.NONE, Emit.FAILED, null, null);
  }

  private static Payment newRow(String paymentId, Reservation r, PaymentMethod method, String orderName,
                                PaymentStatus status, String failureCode, String failureMessage, Instant now) {
    return new Payment(paymentId, r.orderId(), r.memberId(), r.amount(), method, orderName, status, null, null,
      failureCode, failureMessage, null, null, now, now);
  }

  /** The row in {@code status}; null arguments keep the row's value. */
  private static Payment with(Payment p, PaymentStatus status, String paymentKey, String tossStatus, String failureCode,
                              String failureMessage, Instant approvedAt, Instant refundedAt, Instant now) {
    return new Payment(p.paymentId(), p.orderId(), p.memberId(), p.amount(), p.method(), p.orderName(), status,
      paymentKey != null ? paymentKey : p.paymentKey(), tossStatus != null ? tossStatus : p.tossStatus(),
      failureCode != null ? failureCode : p.failureCode(),
      failureMessage != null ? trim(failureMessage, 1000) : p.failureMessage(),
      approvedAt != null ? approvedAt : p.approvedAt(), refundedAt != null ? refundedAt : p.refundedAt(),
      p.createdAt(), now);
  }

  static String orderName(String name, String orderId) {
    return trim(name == null || name.isBlank() ? "EventMall order " + orderId : name, 100);
  }

  private static String trim(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
