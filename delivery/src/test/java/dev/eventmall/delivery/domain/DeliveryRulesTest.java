package dev.eventmall.delivery.domain;

import dev.eventmall.delivery.domain.DeliveryRules.Decision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The delivery rules as tables, without Vert.x, SQL or the carrier. */
class DeliveryRulesTest {

  /** "none": no row; else what it says of placed / cancelled / address. */
  private static DeliveryRules.Order order(String order) {
    return "none".equals(order) ? null : new DeliveryRules.Order(order.contains("placed"), order.contains("cancelled"),
      order.contains("address"));
  }

  private static ShipmentStatus shipment(String shipment) {
    return "none".equals(shipment) ? null : ShipmentStatus.valueOf(shipment);
  }

  private static String show(Decision d) {
    return d.action() + (d.status() == null ? "" : " " + d.status()) + " " + d.emit() + (d.dispatch() ? " dispatch" : "")
      + (d.noteStatus() == null ? "" : " note=" + d.noteStatus());
  }

  @ParameterizedTest(name = "PaymentCompleted, order {0}, shipment {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
    # order (placed/cancelled/address) | shipment  | outcome
    none                               | none      | WAIT NONE
    -/-/-                              | none      | WAIT NONE
    placed/-/address                   | none      | CREATE PENDING NONE dispatch note=PENDING
    placed/-/-                         | none      | CREATE FAILED DELIVERY_FAILED note=FAILED
    placed/cancelled/address           | none      | CREATE CANCELLED NONE note=CANCELLED
    -/cancelled/-                      | none      | CREATE CANCELLED NONE note=CANCELLED
    placed/-/address                   | PENDING   | NOTE NONE
    placed/-/address                   | ACCEPTED  | NOTE NONE
    placed/-/address                   | DELIVERED | NOTE NONE
    placed/cancelled/address           | CANCELLED | NOTE NONE
    """)
  void paymentCompleted(String order, String shipment, String outcome) {
    assertThat(show(DeliveryRules.paymentCompleted(order(order), shipment(shipment)))).isEqualTo(outcome);
  }

  /**
   * An order already remembered as cancelled had its cancel handled: the event is a duplicate whatever the shipment
   * became since (before, a redelivered cancel added a second timeline note, e.g. "… while the shipment is CANCELLED:
   * nothing to cancel"). The carrier is still asked first where the shipment is ACCEPTED (that check reads no lock).
   * An ACCEPTED shipment the carrier was not asked about (accepted after the cancel looked) waits: its retry asks.
   */
  @ParameterizedTest(name = "OrderCancelRequested, order {0}, shipment {1} (tracking {2}), carrier {3} -> {4} / {5}")
  @CsvSource(delimiter = '|', textBlock = """
    # order (placed/cancelled) | shipment   | tracking | carrier    | withdraw first | outcome
    none                       | none       | false    | NOT_ASKED  | false          | NOTE NONE note=CANCEL_REQUESTED
    placed                     | none       | false    | NOT_ASKED  | false          | NOTE NONE note=CANCEL_REQUESTED
    placed                     | PENDING    | false    | NOT_ASKED  | false          | MOVE CANCELLED NONE note=CANCELLED
    placed                     | ACCEPTED   | true     | WITHDRAWN  | true           | MOVE CANCELED STATUS_CHANGED note=CANCELED
    placed                     | ACCEPTED   | true     | REFUSED    | true           | NOTE NONE note=CANCEL_REQUESTED
    placed                     | ACCEPTED   | true     | NOT_ASKED  | true           | WAIT NONE
    placed                     | ACCEPTED   | false    | NOT_ASKED  | false          | NOTE NONE note=CANCEL_REQUESTED
    placed                     | IN_TRANSIT | true     | NOT_ASKED  | false          | NOTE NONE note=CANCEL_REQUESTED
    placed                     | DELIVERED  | true     | NOT_ASKED  | false          | NOTE NONE note=CANCEL_REQUESTED
    placed                     | FAILED     | false    | NOT_ASKED  | false          | NOTE NONE note=CANCEL_REQUESTED
    placed                     | CANCELLED  | false    | NOT_ASKED  | false          | NOTE NONE note=CANCEL_REQUESTED
    -/cancelled                | none       | false    | NOT_ASKED  | false          | DUPLICATE NONE
    placed/cancelled           | none       | false    | NOT_ASKED  | false          | DUPLICATE NONE
    placed/cancelled           | PENDING    | false    | NOT_ASKED  | false          | DUPLICATE NONE
    placed/cancelled           | ACCEPTED   | true     | WITHDRAWN  | true           | DUPLICATE NONE
    placed/cancelled           | ACCEPTED   | true     | REFUSED    | true           | DUPLICATE NONE
    placed/cancelled           | ACCEPTED   | true     | NOT_ASKED  | true           | DUPLICATE NONE
    placed/cancelled           | CANCELED   | true     | NOT_ASKED  | false          | DUPLICATE NONE
    placed/cancelled           | CANCELLED  | false    | NOT_ASKED  | false          | DUPLICATE NONE
    placed/cancelled           | DELIVERED  | true     | NOT_ASKED  | false          | DUPLICATE NONE
    """)
  void cancelRequested(String order, String shipment, boolean tracking, DeliveryRules.Withdrawal carrier,
                       boolean withdrawFirst, String outcome) {
    ShipmentStatus s = shipment(shipment);
    assertThat(DeliveryRules.withdrawAtCarrier(s, tracking ? "TRK1" : null)).isEqualTo(withdrawFirst);
    Decision d = DeliveryRules.cancelRequested(order(order), s, tracking ? "TRK1" : null, carrier, "changed my mind");
    assertThat(show(d)).isEqualTo(outcome);
    if (d.action() == DeliveryRules.Action.MOVE) {
      assertThat(d.reason()).isEqualTo("order cancelled: changed my mind");
    }
  }

  @ParameterizedTest(name = "carrier accepted, shipment {0} (tracking {1}) -> {2}; refused -> FAILED {3}")
  @CsvSource(delimiter = '|', textBlock = """
    # shipment | tracking | accepted            | refused fails it
    PENDING    | false    | ACCEPT              | true
    CANCELLED  | false    | ATTACH_AND_WITHDRAW | false
    CANCELLED  | true     | NOTHING             | false
    ACCEPTED   | true     | NOTHING             | false
    FAILED     | false    | NOTHING             | false
    DELIVERED  | true     | NOTHING             | false
    """)
  void carrierAnswer(String shipment, boolean tracking, String accepted, boolean refusedFails) {
    ShipmentStatus s = ShipmentStatus.valueOf(shipment);
    assertThat(DeliveryRules.accepted(s, tracking ? "TRK1" : null).name()).isEqualTo(accepted);
    assertThat(DeliveryRules.refused(s)).isEqualTo(refusedFails);
  }

  @ParameterizedTest(name = "answer for ord-1 unrecorded, tracking {0}, duplicate key {1}, held by {2} -> {3}")
  @CsvSource(delimiter = '|', nullValues = "none", textBlock = """
    # tracking (none: a refusal) | duplicate key | held by | outcome
    600000000001                 | true          | ord-2   | FAIL carrier returned tracking number 600000000001, which the shipment of order ord-2 already has
    600000000001                 | true          | none    | RETRY
    600000000001                 | true          | ord-1   | RETRY
    600000000001                 | false         | ord-2   | RETRY
    600000000001                 | false         | none    | RETRY
    none                         | true          | none    | RETRY
    none                         | false         | none    | RETRY
    """)
  void unrecordedAnswer(String tracking, boolean duplicateKey, String holder, String outcome) {
    DeliveryRules.Unrecorded u = DeliveryRules.unrecorded("ord-1", tracking, duplicateKey, holder);
    assertThat(u.fail() ? "FAIL " + u.reason() : "RETRY" + (u.reason() == null ? "" : " " + u.reason())).isEqualTo(outcome);
  }

  @ParameterizedTest(name = "unknown outcome after {0} attempts -> give up {1}, attempts {2}, next in {3} ms")
  @CsvSource(delimiter = '|', textBlock = """
    # attempts before | give up | attempts | after ms
    0                 | false   | 1        | 100
    1                 | false   | 2        | 200
    2                 | false   | 3        | 400
    3                 | false   | 4        | 500
    4                 | true    | 5        | 0
    """)
  void unknownOutcome(int before, boolean giveUp, int attempts, long afterMs) {
    DeliveryRules.Retry r = DeliveryRules.unknownOutcome(before, new Backoff(5, Duration.ofMillis(100),
      Duration.ofMillis(500)));
    assertThat(r.giveUp()).isEqualTo(giveUp);
    assertThat(r.attempts()).isEqualTo(attempts);
    assertThat(r.after()).isEqualTo(Duration.ofMillis(afterMs));
  }
}
