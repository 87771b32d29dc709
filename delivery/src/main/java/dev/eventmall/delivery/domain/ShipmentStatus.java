package dev.eventmall.delivery.domain;

import java.util.Optional;

/**
 * A shipment's status as delivery keeps it. {@link #PENDING}: the carrier call is not resolved yet; {@link #CANCELLED}:
 * never sent because the order was cancelled first; the rest mirror the carrier's statuses. Moves only go forward
 * ({@link #rank()}), so a late or repeated carrier answer never moves a shipment back.
 */
public enum ShipmentStatus {
  PENDING(0), ACCEPTED(1), IN_TRANSIT(2), DELIVERED(3), FAILED(3), RETURNED(3), CANCELED(3), CANCELLED(3);

  private final int rank;

  ShipmentStatus(int rank) {
    this.rank = rank;
  }

  public int rank() {
    return rank;
  }

  public boolean terminal() {
    return rank == 3;
  }

  /** Whether the carrier's {@code next} is a forward move from this status. */
  public boolean canMoveTo(ShipmentStatus next) {
    return !terminal() && next.rank > rank;
  }

  /** A carrier status (ACCEPTED, IN_TRANSIT, DELIVERED, FAILED, RETURNED, CANCELED); empty for anything else. */
  public static Optional<ShipmentStatus> ofCarrier(String status) {
    if (status == null) {
      return Optional.empty();
    }
    return switch (status) {
      case "ACCEPTED" -> Optional.of(ACCEPTED);
      case "IN_TRANSIT" -> Optional.of(IN_TRANSIT);
      case "DELIVERED" -> Optional.of(DELIVERED);
      case "FAILED" -> Optional.of(FAILED);
      case "RETURNED" -> Optional.of(RETURNED);
      case "CANCELED" -> Optional.of(CANCELED);
      default -> Optional.empty();
    };
  }
}
