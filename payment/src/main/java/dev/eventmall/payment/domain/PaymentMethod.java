package dev.eventmall.payment.domain;

/** How an order is paid: a stored billing key charged by the server, or the browser's Toss checkout + confirm. */
public enum PaymentMethod {
  BILLING, CHECKOUT
}
