package dev.eventmall.delivery.domain;

import dev.eventmall.delivery.domain.TrackingRules.Outcome;
import dev.eventmall.delivery.domain.TrackingRules.Step;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Following the carrier's history, as a table, without Vert.x, SQL or the carrier. */
class TrackingRulesTest {
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

  /** "IN_TRANSIT,DELIVERED:left at door" → steps one second apart, with descriptions after ':'. */
  private static List<Step> steps(String history) {
    List<Step> steps = new ArrayList<>();
    if (history.equals("-")) {
      return steps;
    }
    String[] parts = history.split(",");
    for (int i = 0; i < parts.length; i++) {
      String[] sd = parts[i].split(":", 2);
      steps.add(new Step(ShipmentStatus.valueOf(sd[0]), T0.plusSeconds(i), sd.length > 1 ? sd[1] : null));
    }
    return steps;
  }

  private static String show(Outcome o) {
    String moves = o.moves().stream().map(m -> m.from() + ">" + m.to() + (m.completed() ? "+completed" : "")
      + (m.failed() ? "+failed" : "")).collect(Collectors.joining(" "));
    return (moves.isEmpty() ? "none" : moves) + " | " + o.status() + " | " + o.failureReason();
  }

  @ParameterizedTest(name = "{0} + carrier history {1} (reason {2}) -> {3}")
  @CsvSource(delimiter = ';', nullValues = "null", textBlock = """
    # stored   ; carrier history                          ; carrier reason ; moves | status | failure reason
    ACCEPTED   ; ACCEPTED,IN_TRANSIT                      ; null           ; ACCEPTED>IN_TRANSIT | IN_TRANSIT | null
    ACCEPTED   ; ACCEPTED,IN_TRANSIT,DELIVERED,DELIVERED  ; null           ; ACCEPTED>IN_TRANSIT IN_TRANSIT>DELIVERED+completed | DELIVERED | null
    IN_TRANSIT ; ACCEPTED,IN_TRANSIT                      ; null           ; none | IN_TRANSIT | null
    IN_TRANSIT ; IN_TRANSIT,ACCEPTED                      ; null           ; none | IN_TRANSIT | null
    PENDING    ; IN_TRANSIT                               ; null           ; PENDING>IN_TRANSIT | IN_TRANSIT | null
    DELIVERED  ; IN_TRANSIT,FAILED                        ; lost           ; none | DELIVERED | null
    CANCELLED  ; ACCEPTED,IN_TRANSIT                      ; null           ; none | CANCELLED | null
    IN_TRANSIT ; FAILED:address unknown                   ; null           ; IN_TRANSIT>FAILED+failed | FAILED | carrier reports FAILED: address unknown
    IN_TRANSIT ; FAILED:address unknown                   ; parcel damaged ; IN_TRANSIT>FAILED+failed | FAILED | carrier reports FAILED: parcel damaged
    ACCEPTED   ; IN_TRANSIT,RETURNED                      ; null           ; ACCEPTED>IN_TRANSIT IN_TRANSIT>RETURNED+failed | RETURNED | carrier reports RETURNED: no reason given
    ACCEPTED   ; DELIVERED,FAILED                         ; null           ; ACCEPTED>DELIVERED+completed | DELIVERED | null
    ACCEPTED   ; -                                        ; null           ; none | ACCEPTED | null
    """)
  void theCarriersHistoryMovesTheShipmentOnlyForward(String stored, String history, String reason, String outcome) {
    assertThat(show(TrackingRules.follow(ShipmentStatus.valueOf(stored), steps(history), reason))).isEqualTo(outcome);
  }

  @ParameterizedTest(name = "stored {0}, webhook claims {1} -> re-read: {2}")
  @CsvSource(delimiter = ';', nullValues = "null", textBlock = """
    # stored   ; claimed by the webhook ; re-read the carrier
    ACCEPTED   ; ACCEPTED               ; false
    ACCEPTED   ; IN_TRANSIT             ; true
    ACCEPTED   ; DELIVERED              ; true
    ACCEPTED   ; FAILED                 ; true
    ACCEPTED   ; CANCELED               ; true
    PENDING    ; ACCEPTED               ; true
    IN_TRANSIT ; ACCEPTED               ; false
    IN_TRANSIT ; IN_TRANSIT             ; false
    IN_TRANSIT ; RETURNED               ; true
    DELIVERED  ; DELIVERED              ; false
    DELIVERED  ; FAILED                 ; false
    CANCELED   ; CANCELED               ; false
    CANCELLED  ; ACCEPTED               ; false
    ACCEPTED   ; null                   ; true
    ACCEPTED   ; SOMETHING_NEW          ; true
    ACCEPTED   ; accepted               ; true
    DELIVERED  ; null                   ; true
    """)
  void aWebhookIsReReadOnlyWhenItsClaimWouldMoveTheShipment(String stored, String claimed, boolean reRead) {
    assertThat(TrackingRules.worthReReading(ShipmentStatus.valueOf(stored), claimed)).isEqualTo(reRead);
  }

  @ParameterizedTest(name = "each move keeps the time and description of its step")
  @CsvSource(delimiter = ';', textBlock = """
    ACCEPTED ; IN_TRANSIT:picked up,DELIVERED:left at door
    """)
  void movesKeepTheirStepsTimeAndDescription(String stored, String history) {
    Outcome o = TrackingRules.follow(ShipmentStatus.valueOf(stored), steps(history), null);
    assertThat(o.moves()).extracting(TrackingRules.Move::at).containsExactly(T0, T0.plusSeconds(1));
    assertThat(o.moves()).extracting(TrackingRules.Move::description).containsExactly("picked up", "left at door");
  }
}
