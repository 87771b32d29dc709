package dev.eventmall.delivery.domain;

import java.time.Duration;

/**
 * The delivery rules of docs/saga.md ("Delivery rules") as pure functions (no SQL, Kafka or HTTP): what PaymentCompleted
 * and OrderCancelRequested do to an order's shipment, and what the carrier's answer to a booking does. Callers hold the
 * locks of the order's rows, write what a decision says with its event in one transaction, and call the carrier only
 * outside it.
 */
public final class DeliveryRules {
  private DeliveryRules() {
  }

  /** What delivery knows of an order when the event comes (null arguments: no row). */
  public record Order(boolean placed, boolean cancelRequested, boolean hasAddress) {
  }

  /** What an event does to the shipment. */
  public enum Action {
    /**
     * The event was handled before (delivered again, or twice in one batch) and its effect is in the locked rows:
     * nothing is written, not even a note.
     */
    DUPLICATE,
    /** Nothing changes but the timeline note, if any. */
    NOTE,
    /**
     * The event cannot be applied yet (PaymentCompleted before OrderPlaced; a cancel of a shipment the carrier accepted
     * since the cancel looked, {@link Decision#reason} says so): it fails and is retried later.
     */
    WAIT,
    /** A new shipment row in {@link Decision#status}. */
    CREATE,
    /** The existing shipment moves to {@link Decision#status}. */
    MOVE
  }

  /** What the event emits with the write. */
  public enum Emit { NONE, DELIVERY_STARTED, DELIVERY_FAILED, STATUS_CHANGED }

  /**
   * @param action   what happens to the shipment row
   * @param status   the shipment's new status (CREATE, MOVE), else null
   * @param reason   the failure reason stored and sent (FAILED), or the CANCELLED reason
   * @param note     the timeline entry's status and description (null = no entry)
   * @param emit     the event emitted
   * @param dispatch whether the shipment must be booked with the carrier once committed
   */
  public record Decision(Action action, ShipmentStatus status, String reason, String noteStatus, String note, Emit emit,
                         boolean dispatch) {
    static Decision note(String status, String note) {
      return new Decision(Action.NOTE, null, null, status, note, Emit.NONE, false);
    }
  }

  /**
   * PaymentCompleted: before OrderPlaced → wait; an order that already has a shipment → nothing (a second
   * PaymentCompleted ships nothing twice); cancelled before → a CANCELLED shipment, nothing shipped; no shipping
   * address → a FAILED shipment + DeliveryFailed; else a PENDING shipment booked with the carrier after the commit.
   *
   * @param order    what delivery knows of the order, null when nothing
   * @param shipment the order's shipment status, null when none
   */
  public static Decision paymentCompleted(Order order, ShipmentStatus shipment) {
    if (order == null || !order.placed() && !order.cancelRequested()) {
      return new Decision(Action.WAIT, null, null, null, null, Emit.NONE, false);
    }
    if (shipment != null) {
      return new Decision(Action.NOTE, null, null, null, null, Emit.NONE, false);
    }
    if (order.cancelRequested()) {
      return new Decision(Action.CREATE, ShipmentStatus.CANCELLED, "order cancelled before payment completed",
        ShipmentStatus.CANCELLED.name(), "Payment completed after the order was cancelled: nothing shipped", Emit.NONE,
        false);
    }
    if (!order.hasAddress()) {
      String reason = "order has no shipping address";
      return new Decision(Action.CREATE, ShipmentStatus.FAILED, reason, ShipmentStatus.FAILED.name(), reason,
        Emit.DELIVERY_FAILED, false);
    }
    return new Decision(Action.CREATE, ShipmentStatus.PENDING, null, ShipmentStatus.PENDING.name(),
      "Payment completed: creating the shipment", Emit.NONE, true);
  }

  /** Whether an OrderCancelRequested must first withdraw the shipment at the carrier (outside any transaction). */
  public static boolean withdrawAtCarrier(ShipmentStatus shipment, String trackingNumber) {
    return shipment == ShipmentStatus.ACCEPTED && trackingNumber != null;
  }

  /**
   * What the carrier said when asked to withdraw the shipment before the transaction (outside it, after a read without
   * a lock, so the locked row may have moved on since).
   */
  public enum Withdrawal {
    /** Not asked: the shipment was not ACCEPTED with a tracking number when the cancel looked. */
    NOT_ASKED,
    /** The carrier canceled the parcel. */
    WITHDRAWN,
    /** The carrier no longer cancels it (picked up). */
    REFUSED
  }

  /**
   * OrderCancelRequested. An order already remembered as cancelled has had its cancel handled → {@link
   * Action#DUPLICATE}: the order service cancels an order at most once (OrderStateMachine: the one move into
   * CANCEL_REQUESTED, which no state leads back from), and the cancel is remembered only by the transaction that
   * applies it (one whose carrier withdrawal failed is retried unremembered). Else the order is remembered as
   * cancelled whatever happens (a later PaymentCompleted ships nothing): no shipment → a note; PENDING → CANCELLED;
   * ACCEPTED and withdrawn at the carrier → CANCELED + DeliveryStatusChanged(CANCELED); ACCEPTED but the carrier no
   * longer cancels, or later → a note, nothing emitted. ACCEPTED but the carrier was not asked (the cancel looked
   * before the dispatcher recorded the carrier's acceptance) → {@link Action#WAIT}: the retry asks the carrier; noting
   * "no longer allows canceling" here would ship a parcel nobody tried to stop.
   *
   * @param order          what delivery knows of the order, null when nothing
   * @param shipment       the order's shipment status, null when none
   * @param trackingNumber the shipment's tracking number, null when none
   * @param carrier        what the carrier said to a withdrawal asked before the transaction
   */
  public static Decision cancelRequested(Order order, ShipmentStatus shipment, String trackingNumber,
                                         Withdrawal carrier, String reason) {
    if (order != null && order.cancelRequested()) {
      return new Decision(Action.DUPLICATE, null, null, null, null, Emit.NONE, false);
    }
    if (shipment == null) {
      return Decision.note("CANCEL_REQUESTED", "Order cancelled before shipping: nothing will be shipped (" + reason
        + ")");
    }
    return switch (shipment) {
      case PENDING -> new Decision(Action.MOVE, ShipmentStatus.CANCELLED, "order cancelled: " + reason,
        ShipmentStatus.CANCELLED.name(), "Order cancelled before the carrier accepted the shipment", Emit.NONE, false);
      case ACCEPTED -> carrier == Withdrawal.WITHDRAWN
        ? new Decision(Action.MOVE, ShipmentStatus.CANCELED, "order cancelled: " + reason, ShipmentStatus.CANCELED.name(),
        "Shipment canceled with the carrier: order cancelled", Emit.STATUS_CHANGED, false)
        : carrier == Withdrawal.NOT_ASKED && withdrawAtCarrier(shipment, trackingNumber)
        ? new Decision(Action.WAIT, null, "the carrier accepted the shipment after the cancel looked at it; retried to "
        + "withdraw it at the carrier first", null, null, Emit.NONE, false)
        : Decision.note("CANCEL_REQUESTED",
        "Order cancel requested but the carrier no longer allows canceling the shipment");
      default -> Decision.note("CANCEL_REQUESTED", "Order cancel requested while the shipment is " + shipment
        + ": nothing to cancel");
    };
  }

  /** The carrier's answer to a booking. */
  public enum Booked {
    /** PENDING → ACCEPTED + DeliveryStarted. */
    ACCEPT,
    /** Cancelled while the call was in flight: keep the carrier's ids and withdraw the parcel. */
    ATTACH_AND_WITHDRAW,
    /** Resolved before (another instance, a retry): nothing. */
    NOTHING
  }

  /** The carrier accepted the booking (201, or found by the order lookup). */
  public static Booked accepted(ShipmentStatus current, String currentTracking) {
    if (current == ShipmentStatus.PENDING) {
      return Booked.ACCEPT;
    }
    if (current == ShipmentStatus.CANCELLED && currentTracking == null) {
      return Booked.ATTACH_AND_WITHDRAW;
    }
    return Booked.NOTHING;
  }

  /** The carrier refused the booking for good (a definite 4xx): FAILED + DeliveryFailed, only from PENDING. */
  public static boolean refused(ShipmentStatus current) {
    return current == ShipmentStatus.PENDING;
  }

  /**
   * What becomes of a carrier answer that could not be recorded, even in a transaction of its own.
   *
   * @param fail   the shipment fails for good: FAILED + DeliveryFailed with {@code reason}, as a refusal (only from
   *               PENDING); else the row stays as it is and the next due round sends the booking again
   * @param reason why it failed (fail only), else null
   */
  public record Unrecorded(boolean fail, String reason) {
  }

  /**
   * The carrier's answer for {@code orderId} could not be recorded alone. A duplicate key on a tracking number
   * {@code trackingNumber} that the shipment of another order ({@code holder}) already has is a definite carrier error:
   * the carrier answers the same for the same Idempotency-Key, so every retry would fail the same way. The parcel is
   * not withdrawn (the number names the other order's parcel too). Anything else is retried.
   *
   * @param trackingNumber the tracking number the carrier answered, null for a refusal
   * @param duplicateKey   whether recording failed on a unique key (MySQL 1062)
   * @param holder         the order whose shipment has {@code trackingNumber}, null when none
   */
  public static Unrecorded unrecorded(String orderId, String trackingNumber, boolean duplicateKey, String holder) {
    if (duplicateKey && trackingNumber != null && holder != null && !holder.equals(orderId)) {
      return new Unrecorded(true, "carrier returned tracking number " + trackingNumber + ", which the shipment of order "
        + holder + " already has");
    }
    return new Unrecorded(false, null);
  }

  /** After an unknown outcome: try again after {@code after}, or give up (look the order up at the carrier first). */
  public record Retry(boolean giveUp, int attempts, Duration after) {
  }

  /** {@code attempts}: the attempts made before this one. */
  public static Retry unknownOutcome(int attempts, Backoff backoff) {
    int made = attempts + 1;
    return backoff.exhausted(made) ? new Retry(true, made, Duration.ZERO) : new Retry(false, made, backoff.after(made));
  }
}
