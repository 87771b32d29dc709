package dev.eventmall.payment;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.emulators.sandbox.Faults;
import dev.eventmall.emulators.toss.LedgerEntry;
import dev.eventmall.payment.client.TossClient;
import dev.eventmall.payment.client.TossClient.Merchant;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The payment saga rules (docs/saga.md) over real Kafka and MariaDB against the in-process Toss emulator. */
class PaymentSagaTest extends PaymentTestSupport {

  @Test
  void stockReservedForABillingOrderChargesOnceAndPublishesPaymentCompleted() {
    String memberId = memberWithCard(GOOD_CARD);
    String orderId = newOrderId();
    EventEnvelope reserved = stockReserved(orderId, memberId, 15_000, "BILLING");
    publish(Topics.CATALOG_STOCK, reserved);

    EventEnvelope completed = awaitPaymentEvent(orderId, "PaymentCompleted");
    JsonObject p = completed.payload();
    assertThat(p.getString("orderId")).isEqualTo(orderId);
    assertThat(p.getLong("amount")).isEqualTo(15_000L);
    assertThat(p.getString("method")).isEqualTo("BILLING");
    assertThat(p.getString("paymentKey")).isNotBlank();
    assertThat(completed.causationId()).isEqualTo(reserved.id().toString());
    assertThat(completed.correlationId()).isEqualTo(orderId);

    List<LedgerEntry> charges = toss.charges(orderId);
    assertThat(charges).hasSize(1);
    assertThat(charges.get(0).amount()).isEqualTo(15_000L);
    assertThat(charges.get(0).idempotencyKey()).isEqualTo("charge:" + orderId);
    awaitStatus(orderId, "DONE");
    JsonObject row = payment(orderId);
    assertThat(row.getString("payment_key")).isEqualTo(p.getString("paymentKey"));
    assertThat(row.getString("payment_id")).isEqualTo(p.getString("paymentId"));
    assertThat(count("SELECT COUNT(*) AS n FROM payment_attempts WHERE order_id = ? AND operation = 'charge'", orderId))
      .isEqualTo(1);
  }

  @Test
  void aDeclinedCardEndsInPaymentFailedWithTheTossCode() {
    String memberId = memberWithCard("4330123412340000"); // emulator: REJECT_CARD_COMPANY
    String orderId = newOrderId();
    publish(Topics.CATALOG_STOCK, stockReserved(orderId, memberId, 9_000, "BILLING"));

    EventEnvelope failed = awaitPaymentEvent(orderId, "PaymentFailed");
    assertThat(failed.payload().getString("code")).isEqualTo("REJECT_CARD_COMPANY");
    awaitStatus(orderId, "FAILED");
    assertThat(payment(orderId).getString("failure_code")).isEqualTo("REJECT_CARD_COMPANY");
    assertThat(toss.charges(orderId)).isEmpty();
    assertThat(toss.ledger().stream().filter(e -> orderId.equals(e.orderId()))
      .map(LedgerEntry::kind)).containsExactly(LedgerEntry.Kind.DECLINE);
    assertThat(paymentEventsOf(orderId).stream().map(EventEnvelope::type)).containsExactly("PaymentFailed");
    assertThat(deployment.part(TossClient.class).breakerState(Merchant.BILLING)).isEqualTo(CircuitBreakerState.CLOSED);
  }

  /**
   * Issue 13 point 3: billing charges run under the billing MID with its own key. The payment is Toss's under that
   * merchant only (the checkout key cannot see it), and its refund goes through the same key (before: one key for all).
   */
  @Test
  void billingPaymentsLiveUnderTheBillingMerchantAndAreRefundedThere() {
    String memberId = memberWithCard(GOOD_CARD);
    String orderId = newOrderId();
    publish(Topics.CATALOG_STOCK, stockReserved(orderId, memberId, 7_000, "BILLING"));
    awaitPaymentEvent(orderId, "PaymentCompleted");

    var billing = tossGet("/v1/payments/orders/" + orderId, TOSS_BILLING_SECRET_KEY);
    assertThat(billing.statusCode()).as(billing.bodyAsString()).isEqualTo(200);
    assertThat(billing.bodyAsJsonObject().getString("mId")).isEqualTo(BILLING_MID);
    var checkoutMerchant = tossGet("/v1/payments/orders/" + orderId, TOSS_SECRET_KEY);
    assertThat(checkoutMerchant.statusCode()).isEqualTo(404);
    assertThat(checkoutMerchant.bodyAsJsonObject().getString("code")).isEqualTo("NOT_FOUND_PAYMENT");

    publish(Topics.ORDER_EVENTS, orderCancelRequested(orderId));
    awaitPaymentEvent(orderId, "PaymentRefunded");
    assertThat(toss.cancels(orderId)).hasSize(1);
    assertThat(tossGet("/v1/payments/orders/" + orderId, TOSS_BILLING_SECRET_KEY).bodyAsJsonObject()
      .getString("status")).isEqualTo("CANCELED");
  }

  /**
   * Issue 13 point 5: throttling — 429, and FORBIDDEN_CONSECUTIVE_REQUEST on a charge — is retried with the same key,
   * not a decline (before: both ended the order PAYMENT_FAILED).
   */
  @Test
  void throttlingIsRetriedAndChargesOnceInsteadOfDeclining() {
    String memberId = memberWithCard(GOOD_CARD);
    String throttled = newOrderId();
    toss.faults(Faults.none().withErrors(1.0, "TOO_MANY_REQUESTS", 429).withPaths(List.of("/v1/billing/"))
      .withCount(2));
    publish(Topics.CATALOG_STOCK, stockReserved(throttled, memberId, 2_100, "BILLING"));
    awaitPaymentEvent(throttled, "PaymentCompleted");
    assertThat(toss.charges(throttled)).hasSize(1);

    String consecutive = newOrderId();
    toss.faults(Faults.none().withErrors(1.0, "FORBIDDEN_CONSECUTIVE_REQUEST", 403).withPaths(List.of("/v1/billing/"))
      .withCount(2));
    publish(Topics.CATALOG_STOCK, stockReserved(consecutive, memberId, 2_200, "BILLING"));
    awaitPaymentEvent(consecutive, "PaymentCompleted");
    assertThat(toss.charges(consecutive)).hasSize(1);
    for (String orderId : List.of(throttled, consecutive)) {
      awaitStatus(orderId, "DONE");
      assertThat(paymentEventsOf(orderId).stream().map(EventEnvelope::type)).containsExactly("PaymentCompleted");
    }
    assertThat(count("SELECT COUNT(*) AS n FROM payment_attempts WHERE order_id = ? AND http_status = 429", throttled))
      .isEqualTo(2);
  }

  /**
   * Issue 13 point 5: a refused key (UNAUTHORIZED_KEY) is the merchant's configuration error, not the customer's card.
   * It raises the alert (log + toss_misconfigured_total), opens the billing breaker, leaves the payment CHARGING with no
   * PaymentFailed, and the charge completes once the key works (before: the order failed as a card decline).
   */
  @Test
  void aRefusedKeyAlertsAndLeavesThePaymentToBeRetriedInsteadOfDeclining() {
    String memberId = memberWithCard(GOOD_CARD);
    String orderId = newOrderId();
    toss.faults(Faults.none().withErrors(1.0, "UNAUTHORIZED_KEY", 401).withPaths(List.of("/v1/billing/")));
    publish(Topics.CATALOG_STOCK, stockReserved(orderId, memberId, 4_400, "BILLING"));

    Await.until("the refused key recorded", Duration.ofSeconds(30), () -> count("SELECT COUNT(*) AS n FROM "
      + "payment_attempts WHERE order_id = ? AND code = 'UNAUTHORIZED_KEY'", orderId) >= 1);
    Await.until("billing breaker open", Duration.ofSeconds(10),
      () -> deployment.part(TossClient.class).breakerState(Merchant.BILLING) == CircuitBreakerState.OPEN);
    assertThat(deployment.part(TossClient.class).breakerState(Merchant.PAYMENTS)).isEqualTo(CircuitBreakerState.CLOSED);
    assertThat(payment(orderId).getString("status")).isEqualTo("CHARGING");
    assertThat(paymentEventsOf(orderId)).isEmpty();
    String metrics = Await.result(client.get("/metrics").send()).bodyAsString();
    assertThat(metrics).containsPattern("toss_misconfigured_total\\{[^}]*code=\"UNAUTHORIZED_KEY\"[^}]*\\} [1-9]");

    toss.clearFaults();
    awaitPaymentEvent(orderId, "PaymentCompleted");
    awaitStatus(orderId, "DONE");
    assertThat(toss.charges(orderId)).hasSize(1);
    assertThat(paymentEventsOf(orderId).stream().map(EventEnvelope::type)).containsExactly("PaymentCompleted");
  }

  /**
   * Issue 13 point 5, NOT_SUPPORTED_METHOD (the merchant has no contract for billing payments): the merchant's
   * configuration, not the customer's card — the alert (toss_misconfigured_total), no PaymentFailed, the payment left
   * CHARGING and charged once the contract is in place. Unlike a refused key it does not open the breaker: the key
   * works, only this method is not contracted, so the other calls under the MID go on.
   */
  @Test
  void anUncontractedMethodAlertsAndLeavesThePaymentToBeRetriedWithTheBreakerClosed() {
    String memberId = memberWithCard(GOOD_CARD);
    String orderId = newOrderId();
    toss.faults(Faults.none().withErrors(1.0, "NOT_SUPPORTED_METHOD", 403).withPaths(List.of("/v1/billing/")));
    publish(Topics.CATALOG_STOCK, stockReserved(orderId, memberId, 4_600, "BILLING"));

    Await.until("the refusal recorded", Duration.ofSeconds(30), () -> count("SELECT COUNT(*) AS n FROM "
      + "payment_attempts WHERE order_id = ? AND code = 'NOT_SUPPORTED_METHOD'", orderId) >= 1);
    String metrics = Await.result(client.get("/metrics").send()).bodyAsString();
    assertThat(metrics).containsPattern("toss_misconfigured_total\\{[^}]*code=\"NOT_SUPPORTED_METHOD\"[^}]*\\} [1-9]");
    assertThat(deployment.part(TossClient.class).breakerState(Merchant.BILLING)).isEqualTo(CircuitBreakerState.CLOSED);
    assertThat(payment(orderId).getString("status")).isEqualTo("CHARGING");
    assertThat(paymentEventsOf(orderId)).isEmpty();

    toss.clearFaults();
    awaitPaymentEvent(orderId, "PaymentCompleted");
    awaitStatus(orderId, "DONE");
    assertThat(toss.charges(orderId)).hasSize(1);
    assertThat(paymentEventsOf(orderId).stream().map(EventEnvelope::type)).containsExactly("PaymentCompleted");
  }

  @Test
  void aMemberWithoutBillingKeyGetsPaymentFailedNoBillingKey() {
    String orderId = newOrderId();
    publish(Topics.CATALOG_STOCK, stockReserved(orderId, newMemberId(), 9_000, "BILLING"));
    EventEnvelope failed = awaitPaymentEvent(orderId, "PaymentFailed");
    assertThat(failed.payload().getString("code")).isEqualTo(Payments.NO_BILLING_KEY);
    assertThat(toss.ledger().stream().filter(e -> orderId.equals(e.orderId()))).isEmpty();
  }

  @Test
  void tossTimingOutThenAnsweringChargesExactlyOnce() {
    String memberId = memberWithCard(GOOD_CARD);
    String orderId = newOrderId();
    // the first charge takes effect at once but is answered after 4 s (read timeout 1.5 s): the client retries with the
    // same Idempotency-Key and/or looks the order up
    toss.faults(Faults.none().withTimeout(4_000, true).withPaths(List.of("/v1/billing/")).withCount(1));
    publish(Topics.CATALOG_STOCK, stockReserved(orderId, memberId, 20_000, "BILLING"));

    awaitPaymentEvent(orderId, "PaymentCompleted");
    assertThat(toss.charges(orderId)).hasSize(1);
    assertThat(count("SELECT COUNT(*) AS n FROM payment_attempts WHERE order_id = ? AND code = 'TIMEOUT'", orderId))
      .as("the timeout was recorded").isGreaterThanOrEqualTo(1);
    awaitStatus(orderId, "DONE");
    assertThat(paymentEventsOf(orderId).stream().map(EventEnvelope::type)).containsExactly("PaymentCompleted");
  }

  @Test
  void thirtyPercentServerErrorsStillChargeEveryOrderExactlyOnce() {
    String memberId = memberWithCard(GOOD_CARD);
    // errors after the effect: the retry with the same key finds the order already charged (DUPLICATED_ORDER_ID → lookup)
    toss.faults(Faults.none().withErrors(0.3, "FAILED_INTERNAL_SYSTEM_PROCESSING", 500).withErrorApplyEffect(true));
    List<String> orders = IntStream.range(0, 8).mapToObj(i -> newOrderId()).toList();
    orders.forEach(o -> publish(Topics.CATALOG_STOCK, stockReserved(o, memberId, 1_000 + orders.indexOf(o), "BILLING")));

    for (String orderId : orders) {
      awaitPaymentEvent(orderId, "PaymentCompleted");
    }
    toss.clearFaults();
    for (String orderId : orders) {
      assertThat(toss.charges(orderId)).as(orderId).hasSize(1);
      awaitStatus(orderId, "DONE");
      assertThat(paymentEventsOf(orderId).stream().filter(e -> e.type().equals("PaymentCompleted"))).hasSize(1);
    }
  }

  @Test
  void theBreakerOpensUnderAnOutageAndTheChargeCompletesOnceTossIsBack() {
    String memberId = memberWithCard(GOOD_CARD);
    String orderId = newOrderId();
    toss.faults(Faults.none().withOutage(Faults.Outage.SERVICE_UNAVAILABLE));
    publish(Topics.CATALOG_STOCK, stockReserved(orderId, memberId, 3_000, "BILLING"));

    Await.until("breaker open", Duration.ofSeconds(30),
      () -> deployment.part(TossClient.class).breakerState(Merchant.BILLING) == CircuitBreakerState.OPEN);
    awaitStatus(orderId, "CHARGING");
    assertThat(toss.charges(orderId)).isEmpty();
    String metrics = Await.result(client.get("/metrics").send()).bodyAsString();
    assertThat(metrics).contains("toss_circuit_state");

    toss.clearFaults();
    awaitPaymentEvent(orderId, "PaymentCompleted");
    assertThat(toss.charges(orderId)).hasSize(1);
    Await.until("breaker closed", Duration.ofSeconds(10),
      () -> deployment.part(TossClient.class).breakerState(Merchant.BILLING) == CircuitBreakerState.CLOSED);

    // refusals are healthy answers: more of them than the failure threshold leave the breaker closed
    for (int i = 0; i < 7; i++) {
      assertProblem(Await.result(client.post("/payments/billing-keys").bearerTokenAuthentication(
        customerToken(newMemberId())).sendJsonObject(new JsonObject().put("authKey", "bln_unknown" + i))), 422);
    }
    assertThat(deployment.part(TossClient.class).breakerState(Merchant.BILLING)).isEqualTo(CircuitBreakerState.CLOSED);
  }

  @Test
  void theSameStockReservedDeliveredTwiceChargesOnce() {
    String memberId = memberWithCard(GOOD_CARD);
    String orderId = newOrderId();
    EventEnvelope reserved = stockReserved(orderId, memberId, 5_000, "BILLING");
    publish(Topics.CATALOG_STOCK, reserved);
    publish(Topics.CATALOG_STOCK, reserved);
    // and a second StockReserved for the same order under a new event id
    EventEnvelope again = stockReserved(orderId, memberId, 5_000, "BILLING");
    publish(Topics.CATALOG_STOCK, again);
    awaitHandled(again);

    awaitPaymentEvent(orderId, "PaymentCompleted");
    assertThat(toss.charges(orderId)).hasSize(1);
    assertThat(paymentEventsOf(orderId)).hasSize(1);
    assertThat(count("SELECT COUNT(*) AS n FROM payments WHERE order_id = ?", orderId)).isEqualTo(1);

    // the database itself refuses a second payment row for the order
    Throwable dup = Await.failure(db.preparedQuery("INSERT INTO payments (payment_id, order_id, status, created_at, "
      + "updated_at) VALUES (?, ?, 'CHARGING', NOW(6), NOW(6))").execute(Tuple.of(UUID.randomUUID().toString(), orderId)));
    assertThat(dup).isInstanceOf(MySQLException.class);
    assertThat(((MySQLException) dup).getErrorCode()).isEqualTo(1062);
  }

  @Test
  void orderCancelRequestedAfterChargeRefundsOnce() {
    String memberId = memberWithCard(GOOD_CARD);
    String orderId = newOrderId();
    publish(Topics.CATALOG_STOCK, stockReserved(orderId, memberId, 12_000, "BILLING"));
    EventEnvelope completed = awaitPaymentEvent(orderId, "PaymentCompleted");

    EventEnvelope cancel = orderCancelRequested(orderId);
    publish(Topics.ORDER_EVENTS, cancel);
    publish(Topics.ORDER_EVENTS, cancel);
    EventEnvelope refunded = awaitPaymentEvent(orderId, "PaymentRefunded");
    assertThat(refunded.payload().getLong("amount")).isEqualTo(12_000L);
    assertThat(refunded.payload().getString("paymentKey")).isEqualTo(completed.payload().getString("paymentKey"));
    assertThat(refunded.causationId()).isEqualTo(cancel.id().toString());
    awaitStatus(orderId, "REFUNDED");
    assertThat(toss.cancels(orderId)).hasSize(1);
    assertThat(toss.cancels(orderId).get(0).idempotencyKey()).isEqualTo("cancel:" + orderId + ":1");
    awaitHandled(cancel);
    assertThat(paymentEventsOf(orderId).stream().filter(e -> e.type().equals("PaymentRefunded"))).hasSize(1);
  }

  @Test
  void orderCancelRequestedBeforeAnyChargeVoidsAndALaterStockReservedChargesNothing() {
    String memberId = memberWithCard(GOOD_CARD);
    String orderId = newOrderId();
    publish(Topics.ORDER_EVENTS, orderCancelRequested(orderId));
    EventEnvelope failed = awaitPaymentEvent(orderId, "PaymentFailed");
    assertThat(failed.payload().getString("reason")).isEqualTo(Payments.ORDER_CANCELLED);
    assertThat(failed.payload().getString("code")).isEqualTo(Payments.ORDER_CANCELLED);
    awaitStatus(orderId, "VOIDED");

    EventEnvelope late = stockReserved(orderId, memberId, 7_000, "BILLING");
    publish(Topics.CATALOG_STOCK, late);
    awaitHandled(late);
    assertThat(toss.ledger().stream().filter(e -> orderId.equals(e.orderId()))).isEmpty();
    assertThat(payment(orderId).getString("status")).isEqualTo("VOIDED");
    assertThat(paymentEventsOf(orderId).stream().map(EventEnvelope::type)).containsExactly("PaymentFailed");
  }

  @Test
  void deliveryFailedRefundsTheCharge() {
    String memberId = memberWithCard(GOOD_CARD);
    String orderId = newOrderId();
    publish(Topics.CATALOG_STOCK, stockReserved(orderId, memberId, 8_000, "BILLING"));
    awaitPaymentEvent(orderId, "PaymentCompleted");

    publish(Topics.DELIVERY_EVENTS, deliveryFailed(orderId));
    EventEnvelope refunded = awaitPaymentEvent(orderId, "PaymentRefunded");
    assertThat(refunded.payload().getString("reason")).contains("delivery failed");
    awaitStatus(orderId, "REFUNDED");
    assertThat(toss.cancels(orderId)).hasSize(1);
  }
}
