package dev.eventmall.payment.domain;

/** States of an order's payment row (docs/saga.md "Payment rules"). */
public enum PaymentStatus {
  /** StockReserved(CHECKOUT) seen: waiting for the browser's confirm with the expected amount. */
  AWAITING_CHECKOUT,
  /** A Toss charge or confirm was (or is being) sent; resolved by the answer or a lookup by orderId. */
  CHARGING,
  DONE,
  FAILED,
  /** Cancelled before any charge: a later StockReserved charges nothing. */
  VOIDED,
  /** A Toss cancel was (or is being) sent. */
  REFUNDING,
  REFUNDED;

  /** Whether nothing more can happen to the row through the saga. */
  public boolean settled() {
    return this == FAILED || this == VOIDED || this == REFUNDED;
  }
}
