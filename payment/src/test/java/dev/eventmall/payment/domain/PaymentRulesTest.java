package dev.eventmall.payment.domain;

import dev.eventmall.payment.domain.PaymentRules.Call;
import dev.eventmall.payment.domain.PaymentRules.Decision;
import dev.eventmall.payment.domain.PaymentRules.Emit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The payment rules as tables, without Vert.x, SQL or Toss: for a row in a given state (or none), what an event makes of
 * it, whether it is written, the Toss call that must follow, the event emitted, and whether the event has to wait. The
 * rules keep no record of the events seen before: the row is that record. So each table also holds the event
 * delivered again on every row its first handling can leave (or that row after the later steps of its payment), and
 * every such redelivery decides nothing new, but the resumes of a call a crash left unresolved: a CHARGING billing row
 * is charged again, a REFUNDING row refunded again, both under the Idempotency-Key of the first call.
 */
class PaymentRulesTest {
  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
  private static final Instant NOW = Instant.parse("2026-12-02T10:00:05Z");

  /** A row of {@code method} in {@code status}; {@code -} = no row. */
  private static Payment row(String status, String method) {
    if ("-".equals(status)) {
      return null;
    }
    PaymentMethod m = "-".equals(method) ? null : PaymentMethod.valueOf(method);
    return new Payment("p1", "o1", "m1", 10_000L, m, "2 items", PaymentStatus.valueOf(status),
      "DONE".equals(status) || "REFUNDING".equals(status) ? "pk1" : null, null, null, null, null, null, T0, T0);
  }

  private static String show(Decision d) {
    return (d.row() == null ? "-" : d.row().status() + (d.row().failureCode() == null ? "" : "(" + d.row().failureCode()
      + ")")) + " " + (d.changed() ? "write" : "keep") + " " + d.call() + " " + d.emit()
      + (d.waits() != null ? " WAIT" : "");
  }

  @ParameterizedTest(name = "StockReserved {2} by {3} on {0}/{1}, billing key={4} -> {5}")
  @CsvSource(delimiter = '|', textBlock = """
    # row status     | row method | method   | member | key   | outcome
    # the first handling: no row yet
    -                | -          | BILLING  | m1     | true  | CHARGING write CHARGE NONE
    -                | -          | BILLING  | m1     | false | FAILED(NO_BILLING_KEY) write NONE FAILED
    -                | -          | CHECKOUT | m1     | false | AWAITING_CHECKOUT write NONE NONE
    -                | -          | -        | m1     | true  | FAILED(INCOMPLETE_STOCK_RESERVED) write NONE FAILED
    -                | -          | BILLING  | -      | true  | FAILED(INCOMPLETE_STOCK_RESERVED) write NONE FAILED
    # delivered again: a charge a crash left unresolved is resumed (same Idempotency-Key), nothing else happens again
    CHARGING         | BILLING    | BILLING  | m1     | true  | CHARGING keep CHARGE NONE
    DONE             | BILLING    | BILLING  | m1     | true  | DONE keep NONE NONE
    FAILED           | BILLING    | BILLING  | m1     | true  | FAILED keep NONE NONE
    FAILED           | BILLING    | BILLING  | m1     | false | FAILED keep NONE NONE
    FAILED           | -          | -        | m1     | true  | FAILED keep NONE NONE
    REFUNDING        | BILLING    | BILLING  | m1     | true  | REFUNDING keep NONE NONE
    REFUNDED         | BILLING    | BILLING  | m1     | true  | REFUNDED keep NONE NONE
    AWAITING_CHECKOUT| CHECKOUT   | CHECKOUT | m1     | false | AWAITING_CHECKOUT keep NONE NONE
    CHARGING         | CHECKOUT   | CHECKOUT | m1     | false | CHARGING keep NONE NONE
    DONE             | CHECKOUT   | CHECKOUT | m1     | false | DONE keep NONE NONE
    REFUNDED         | CHECKOUT   | CHECKOUT | m1     | false | REFUNDED keep NONE NONE
    # after the order was cancelled first: nothing is ever charged
    VOIDED           | -          | BILLING  | m1     | true  | VOIDED keep NONE NONE
    VOIDED           | CHECKOUT   | CHECKOUT | m1     | false | VOIDED keep NONE NONE
    """)
  void stockReserved(String status, String rowMethod, String method, String member, boolean key, String outcome) {
    Decision d = PaymentRules.stockReserved(row(status, rowMethod), new PaymentRules.Reservation("o1",
      "-".equals(member) ? null : member, 10_000L, "-".equals(method) ? null : method, null), key, "p2", NOW);
    assertThat(show(d)).isEqualTo(outcome);
    if (d.changed() && row(status, rowMethod) == null) {
      assertThat(d.row().paymentId()).isEqualTo("p2");
      assertThat(d.row().orderName()).isEqualTo("EventMall order o1");
      assertThat(d.row().createdAt()).isEqualTo(NOW);
    }
  }

  @ParameterizedTest(name = "{2} on {0}/{1} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
    # row status      | row method | event                | outcome
    # the first handling
    -                 | -          | OrderCancelRequested | VOIDED(ORDER_CANCELLED) write NONE FAILED
    -                 | -          | DeliveryFailed       | - keep NONE NONE
    AWAITING_CHECKOUT | CHECKOUT   | OrderCancelRequested | VOIDED(ORDER_CANCELLED) write NONE FAILED
    AWAITING_CHECKOUT | CHECKOUT   | DeliveryFailed       | AWAITING_CHECKOUT keep NONE NONE
    CHARGING          | BILLING    | OrderCancelRequested | CHARGING keep NONE NONE WAIT
    CHARGING          | BILLING    | DeliveryFailed       | CHARGING keep NONE NONE WAIT
    CHARGING          | CHECKOUT   | OrderCancelRequested | CHARGING keep NONE NONE WAIT
    DONE              | BILLING    | OrderCancelRequested | REFUNDING write REFUND NONE
    DONE              | BILLING    | DeliveryFailed       | REFUNDING write REFUND NONE
    DONE              | CHECKOUT   | OrderCancelRequested | REFUNDING write REFUND NONE
    DONE              | CHECKOUT   | DeliveryFailed       | REFUNDING write REFUND NONE
    FAILED            | BILLING    | OrderCancelRequested | FAILED keep NONE NONE
    # delivered again: a refund a crash left unresolved is resumed (same Idempotency-Key), nothing else happens again
    VOIDED            | -          | OrderCancelRequested | VOIDED keep NONE NONE
    VOIDED            | CHECKOUT   | OrderCancelRequested | VOIDED keep NONE NONE
    VOIDED            | -          | DeliveryFailed       | VOIDED keep NONE NONE
    REFUNDING         | BILLING    | OrderCancelRequested | REFUNDING keep REFUND NONE
    REFUNDING         | BILLING    | DeliveryFailed       | REFUNDING keep REFUND NONE
    REFUNDING         | CHECKOUT   | OrderCancelRequested | REFUNDING keep REFUND NONE
    REFUNDED          | BILLING    | OrderCancelRequested | REFUNDED keep NONE NONE
    REFUNDED          | BILLING    | DeliveryFailed       | REFUNDED keep NONE NONE
    REFUNDED          | CHECKOUT   | OrderCancelRequested | REFUNDED keep NONE NONE
    FAILED            | BILLING    | DeliveryFailed       | FAILED keep NONE NONE
    FAILED            | -          | OrderCancelRequested | FAILED keep NONE NONE
    """)
  void cancelOrRefund(String status, String rowMethod, String event, String outcome) {
    Decision d = PaymentRules.cancelOrRefund(row(status, rowMethod), "o1", "OrderCancelRequested".equals(event), "why",
      "p2", NOW);
    assertThat(show(d)).isEqualTo(outcome);
    if (d.call() == Call.REFUND) {
      assertThat(d.refundReason()).isEqualTo("why");
    }
  }

  @ParameterizedTest(name = "{1} answer on {0} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
    # row status      | answer    | outcome
    CHARGING          | APPROVED  | DONE write NONE COMPLETED
    CHARGING          | DECLINED  | FAILED(REJECT_CARD_COMPANY) write NONE FAILED
    CHARGING          | CANCELED  | CHARGING keep NONE NONE
    DONE              | APPROVED  | DONE keep NONE NONE
    FAILED            | APPROVED  | FAILED keep NONE NONE
    FAILED            | DECLINED  | FAILED keep NONE NONE
    DONE              | CANCELED  | REFUNDED write NONE REFUNDED
    REFUNDING         | CANCELED  | REFUNDED write NONE REFUNDED
    REFUNDED          | CANCELED  | REFUNDED keep NONE NONE
    REFUNDING         | APPROVED  | REFUNDING keep NONE NONE
    -                 | APPROVED  | - keep NONE NONE
    """)
  void settle(String status, String answer, String outcome) {
    PaymentRules.Answer a = switch (answer) {
      case "APPROVED" -> new PaymentRules.Approved("pk9", "DONE", NOW);
      case "DECLINED" -> new PaymentRules.Declined("REJECT_CARD_COMPANY", "card company refused");
      default -> new PaymentRules.Canceled("CANCELED", NOW);
    };
    Decision d = PaymentRules.settle(row(status, "BILLING"), a, "why", NOW);
    assertThat(show(d)).isEqualTo(outcome);
    if (d.emit() == Emit.COMPLETED) {
      assertThat(d.row().paymentKey()).isEqualTo("pk9");
      assertThat(d.row().approvedAt()).isEqualTo(NOW);
    }
    if (d.emit() == Emit.FAILED) {
      assertThat(d.row().tossStatus()).isEqualTo("ABORTED");
      assertThat(d.row().failureMessage()).isEqualTo("card company refused");
    }
    if (d.emit() == Emit.REFUNDED) {
      assertThat(d.row().refundedAt()).isEqualTo(NOW);
      assertThat(d.refundReason()).isEqualTo("why");
    }
  }

  @ParameterizedTest(name = "give up with Toss saying {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
    # Toss's status of the order's payment (- = Toss has none) | what becomes of the CHARGING row
    -                   | FAIL
    DONE                | SETTLE
    CANCELED            | SETTLE
    PARTIAL_CANCELED    | SETTLE
    ABORTED             | FAIL
    EXPIRED             | FAIL
    READY               | FAIL
    IN_PROGRESS         | FAIL
    WAITING_FOR_DEPOSIT | CANCEL_THEN_FAIL
    SOMETHING_NEW       | KEEP
    """)
  void aChargeGivenUpOnEndsByWhatTossSaysNow(String tossStatus, PaymentRules.GiveUp expected) {
    assertThat(PaymentRules.giveUp("-".equals(tossStatus) ? null : tossStatus)).isEqualTo(expected);
  }
}
