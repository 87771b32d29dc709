package dev.eventmall.payment.domain;

import dev.eventmall.payment.domain.PaymentRules.Call;
import dev.eventmall.payment.domain.PaymentRules.Decision;
import dev.eventmall.payment.domain.PaymentRules.Emit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The payment rules as tables, without Vert.x, SQL or Toss: for a row in a given state (or none), an event seen for the
 * first time or again, what the row becomes, whether it is written, the Toss call that must follow, the event emitted,
 * and whether the event has to wait.
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

  @ParameterizedTest(name = "StockReserved {2} by {3} on {0}/{1}, first={4}, billing key={5} -> {6}")
  @CsvSource(delimiter = '|', textBlock = """
    # row status     | row method | method   | member | first | key   | outcome
    -                | -          | BILLING  | m1     | true  | true  | CHARGING write CHARGE NONE
    -                | -          | BILLING  | m1     | true  | false | FAILED(NO_BILLING_KEY) write NONE FAILED
    -                | -          | CHECKOUT | m1     | true  | false | AWAITING_CHECKOUT write NONE NONE
    -                | -          | -        | m1     | true  | true  | FAILED(INCOMPLETE_STOCK_RESERVED) write NONE FAILED
    -                | -          | BILLING  | -      | true  | true  | FAILED(INCOMPLETE_STOCK_RESERVED) write NONE FAILED
    -                | -          | BILLING  | m1     | false | true  | - keep NONE NONE
    CHARGING         | BILLING    | BILLING  | m1     | false | true  | CHARGING keep CHARGE NONE
    CHARGING         | BILLING    | BILLING  | m1     | true  | true  | CHARGING keep CHARGE NONE
    CHARGING         | CHECKOUT   | CHECKOUT | m1     | false | false | CHARGING keep NONE NONE
    DONE             | BILLING    | BILLING  | m1     | true  | true  | DONE keep NONE NONE
    FAILED           | BILLING    | BILLING  | m1     | true  | true  | FAILED keep NONE NONE
    VOIDED           | -          | BILLING  | m1     | true  | true  | VOIDED keep NONE NONE
    AWAITING_CHECKOUT| CHECKOUT   | CHECKOUT | m1     | false | false | AWAITING_CHECKOUT keep NONE NONE
    REFUNDED         | BILLING    | BILLING  | m1     | true  | true  | REFUNDED keep NONE NONE
    """)
  void stockReserved(String status, String rowMethod, String method, String member, boolean first, boolean key,
                     String outcome) {
    Decision d = PaymentRules.stockReserved(row(status, rowMethod), first, new PaymentRules.Reservation("o1",
      "-".equals(member) ? null : member, 10_000L, "-".equals(method) ? null : method, null), key, "p2", NOW);
    assertThat(show(d)).isEqualTo(outcome);
    if (d.changed() && row(status, rowMethod) == null) {
      assertThat(d.row().paymentId()).isEqualTo("p2");
      assertThat(d.row().orderName()).isEqualTo("EventMall order o1");
      assertThat(d.row().createdAt()).isEqualTo(NOW);
    }
  }

  @ParameterizedTest(name = "{2} on {0}/{1}, first={3} -> {4}")
  @CsvSource(delimiter = '|', textBlock = """
    # row status      | row method | event                | first | outcome
    -                 | -          | OrderCancelRequested | true  | VOIDED(ORDER_CANCELLED) write NONE FAILED
    -                 | -          | DeliveryFailed       | true  | - keep NONE NONE
    -                 | -          | OrderCancelRequested | false | - keep NONE NONE
    AWAITING_CHECKOUT | CHECKOUT   | OrderCancelRequested | true  | VOIDED(ORDER_CANCELLED) write NONE FAILED
    AWAITING_CHECKOUT | CHECKOUT   | DeliveryFailed       | true  | AWAITING_CHECKOUT keep NONE NONE
    CHARGING          | BILLING    | OrderCancelRequested | true  | CHARGING keep NONE NONE WAIT
    CHARGING          | BILLING    | DeliveryFailed       | true  | CHARGING keep NONE NONE WAIT
    CHARGING          | BILLING    | OrderCancelRequested | false | CHARGING keep NONE NONE
    DONE              | BILLING    | OrderCancelRequested | true  | REFUNDING write REFUND NONE
    DONE              | CHECKOUT   | DeliveryFailed       | true  | REFUNDING write REFUND NONE
    DONE              | BILLING    | DeliveryFailed       | false | DONE keep NONE NONE
    REFUNDING         | BILLING    | DeliveryFailed       | false | REFUNDING keep REFUND NONE
    REFUNDING         | BILLING    | OrderCancelRequested | true  | REFUNDING keep REFUND NONE
    REFUNDED          | BILLING    | OrderCancelRequested | true  | REFUNDED keep NONE NONE
    FAILED            | BILLING    | OrderCancelRequested | true  | FAILED keep NONE NONE
    VOIDED            | -          | OrderCancelRequested | true  | VOIDED keep NONE NONE
    """)
  void cancelOrRefund(String status, String rowMethod, String event, boolean first, String outcome) {
    Decision d = PaymentRules.cancelOrRefund(row(status, rowMethod), first, "o1",
      "OrderCancelRequested".equals(event), "why", "p2", NOW);
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
