package dev.eventmall.delivery.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a shipment's history at the carrier does to our shipment: the carrier's steps are applied in order, each only if
 * it moves the status forward ({@link ShipmentStatus#canMoveTo}); a step to FAILED or RETURNED gives the failure reason.
 * Pure: the tracker reads the row and the carrier, then writes what this answers.
 */
public final class TrackingRules {
  private TrackingRules() {
  }

  /** One entry of the carrier's history (or its current status, last). */
  public record Step(ShipmentStatus status, Instant at, String description) {
  }

  /**
   * One forward move: a shipment event row and a DeliveryStatusChanged; DELIVERED also a DeliveryCompleted, FAILED and
   * RETURNED also a DeliveryFailed with {@code failureReason}.
   */
  public record Move(ShipmentStatus from, ShipmentStatus to, Instant at, String description, String failureReason) {
    public boolean completed() {
      return to == ShipmentStatus.DELIVERED;
    }

    public boolean failed() {
      return failureReason != null;
    }
  }

  /** The moves in order, the status after them and the failure reason to store (null: keep the stored one). */
  public record Outcome(List<Move> moves, ShipmentStatus status, String failureReason) {
    public boolean changed() {
      return !moves.isEmpty();
    }
  }

  /**
   * Whether a webhook that claims the carrier's status is {@code claimed} (its body's {@code data.status}: unverified, any
   * text or null) is worth a re-read of a shipment stored as {@code stored}. A claim that would not move the shipment
   * forward (the status it has, an older one, or any claim about a terminal shipment) is not: the re-read could at most
   * find a later move, and every move at the carrier sends a webhook of its own, which the tracking poller backs up.
   * Anything else, an unknown or absent claim included, is re-read as before. This spares the read (and the transaction
   * after it) of the ACCEPTED webhook a carrier sends with every new shipment, which delivery already knows of from the
   * carrier's answer to the booking. A forged claim can only skip a read that would have changed nothing.
   */
  public static boolean worthReReading(ShipmentStatus stored, String claimed) {
    return ShipmentStatus.ofCarrier(claimed).map(stored::canMoveTo).orElse(true);
  }

  /**
   * @param current               the shipment's stored status
   * @param steps                 the carrier's history in order, then its current status
   * @param carrierFailureReason  the carrier's own {@code failureReason}, if it gave one
   */
  public static Outcome follow(ShipmentStatus current, List<Step> steps, String carrierFailureReason) {
    List<Move> moves = new ArrayList<>();
    ShipmentStatus status = current;
    String failureReason = null;
    for (Step step : steps) {
      if (!status.canMoveTo(step.status())) {
        continue;
      }
      String reason = null;
      if (step.status() == ShipmentStatus.FAILED || step.status() == ShipmentStatus.RETURNED) {
        reason = "carrier reports " + step.status() + ": " + (carrierFailureReason != null ? carrierFailureReason
          : step.description() == null ? "no reason given" : step.description());
        failureReason = reason;
      }
      moves.add(new Move(status, step.status(), step.at(), step.description(), reason));
      status = step.status();
    }
    return new Outcome(List.copyOf(moves), status, failureReason);
  }
}
