package dev.eventmall.order.domain;

import static dev.eventmall.order.domain.OrderStatus.AWAITING_PAYMENT;
import static dev.eventmall.order.domain.OrderStatus.CANCELLED;
import static dev.eventmall.order.domain.OrderStatus.CANCELLING;
import static dev.eventmall.order.domain.OrderStatus.CANCEL_REQUESTED;
import static dev.eventmall.order.domain.OrderStatus.DELIVERED;
import static dev.eventmall.order.domain.OrderStatus.PAID;
import static dev.eventmall.order.domain.OrderStatus.PAYMENT_FAILED;
import static dev.eventmall.order.domain.OrderStatus.PAYMENT_PENDING;
import static dev.eventmall.order.domain.OrderStatus.PENDING;
import static dev.eventmall.order.domain.OrderStatus.REJECTED;
import static dev.eventmall.order.domain.OrderStatus.SHIPPING;

/**
 * The order state machine of docs/saga.md, pure (no I/O):
 * <pre>
 * PENDING ──StockReserved(BILLING)──► PAYMENT_PENDING ──PaymentCompleted──► PAID ──DeliveryStarted──► SHIPPING ──DeliveryCompleted──► DELIVERED
 * PENDING ──StockReserved(CHECKOUT)─► AWAITING_PAYMENT ──PaymentCompleted──► PAID
 * PENDING ──StockRejected──► REJECTED
 * PAYMENT_PENDING | AWAITING_PAYMENT ──PaymentFailed──► PAYMENT_FAILED
 * PAID | SHIPPING ──DeliveryFailed──► CANCELLING ──PaymentRefunded──► CANCELLED (emits OrderCancelled)
 * PENDING | PAYMENT_PENDING | AWAITING_PAYMENT | PAID ──cancel──► CANCEL_REQUESTED (emits OrderCancelRequested)
 * CANCEL_REQUESTED ──PaymentRefunded | PaymentFailed | StockRejected──► CANCELLED (emits OrderCancelled)
 * </pre>
 * Events of different topics may arrive in either order (docs/saga.md), so an event whose cause the order has not
 * seen yet still moves it when the event itself proves the cause happened:
 * <ul>
 *   <li>PaymentCompleted / PaymentFailed in PENDING (payment only charges after StockReserved) → PAID / PAYMENT_FAILED;</li>
 *   <li>DeliveryStarted in PENDING, PAYMENT_PENDING or AWAITING_PAYMENT (delivery only ships after PaymentCompleted)
 *   → SHIPPING; DeliveryCompleted in any of those or PAID → DELIVERED; DeliveryFailed in any of those → CANCELLING;</li>
 *   <li>PaymentRefunded in PAID or SHIPPING (a refund there only follows a DeliveryFailed still on its way) → CANCELLED.</li>
 * </ul>
 * The late cause then arrives in a later state and is ignored. Every other combination is ignored (recorded in the
 * timeline, never an error); terminal states ignore everything. StockReleased and DeliveryStatusChanged never move the
 * order.
 */
public final class OrderStateMachine {

  private OrderStateMachine() {
  }

  /**
   * @param state  the order's current state
   * @param method the order's payment method (decides where StockReserved leads)
   * @param input  what happened
   */
  public static Transition apply(OrderStatus state, PaymentMethod method, SagaInput input) {
    if (state.terminal()) {
      return Transition.ignored(state);
    }
    OrderStatus next = next(state, method, input);
    return next == null ? Transition.ignored(state) : Transition.to(state, next);
  }

  /** Whether the customer may still cancel in {@code state}. */
  public static boolean cancellable(OrderStatus state) {
    return apply(state, PaymentMethod.BILLING, SagaInput.CANCEL_REQUESTED).applied();
  }

  private static OrderStatus next(OrderStatus state, PaymentMethod method, SagaInput input) {
    return switch (input) {
      case STOCK_RESERVED -> state == PENDING ? (method == PaymentMethod.BILLING ? PAYMENT_PENDING : AWAITING_PAYMENT) : null;
      case STOCK_REJECTED -> switch (state) {
        case PENDING -> REJECTED;
        case CANCEL_REQUESTED -> CANCELLED;
        default -> null;
      };
      case STOCK_RELEASED, DELIVERY_STATUS_CHANGED -> null;
      case PAYMENT_COMPLETED -> switch (state) {
        case PENDING, PAYMENT_PENDING, AWAITING_PAYMENT -> PAID;
        default -> null;
      };
      case PAYMENT_FAILED -> switch (state) {
        case PENDING, PAYMENT_PENDING, AWAITING_PAYMENT -> PAYMENT_FAILED;
        case CANCEL_REQUESTED -> CANCELLED;
        default -> null;
      };
      case PAYMENT_REFUNDED -> switch (state) {
        case CANCELLING, CANCEL_REQUESTED, PAID, SHIPPING -> CANCELLED;
        default -> null;
      };
      case DELIVERY_STARTED -> switch (state) {
        case PENDING, PAYMENT_PENDING, AWAITING_PAYMENT, PAID -> SHIPPING;
        default -> null;
      };
      case DELIVERY_COMPLETED -> switch (state) {
        case PENDING, PAYMENT_PENDING, AWAITING_PAYMENT, PAID, SHIPPING -> DELIVERED;
        default -> null;
      };
      case DELIVERY_FAILED -> switch (state) {
        case PENDING, PAYMENT_PENDING, AWAITING_PAYMENT, PAID, SHIPPING -> CANCELLING;
        default -> null;
      };
      case CANCEL_REQUESTED -> switch (state) {
        case PENDING, PAYMENT_PENDING, AWAITING_PAYMENT, PAID -> CANCEL_REQUESTED;
        default -> null;
      };
    };
  }
}
