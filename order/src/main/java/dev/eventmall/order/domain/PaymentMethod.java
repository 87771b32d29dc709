package dev.eventmall.order.domain;

/** How an order is paid: a stored billing key charged by the payment service, or the browser's Toss checkout. */
public enum PaymentMethod {
  BILLING,
  CHECKOUT
}
