package dev.eventmall.order.domain;

import java.util.Objects;

/**
 * The machine's answer to one input in one state.
 *
 * @param from    the state before
 * @param to      the state after (equal to {@code from} when ignored)
 * @param applied false when the input does not apply to {@code from}: it is recorded and ignored
 * @param emit    the order event to publish because of this transition, or {@link Emit#NONE}
 */
public record Transition(OrderStatus from, OrderStatus to, boolean applied, Emit emit) {

  /** Events the order service emits as a consequence of a transition. */
  public enum Emit {
    NONE,
    ORDER_CANCEL_REQUESTED,
    ORDER_CANCELLED,
    ORDER_COMPLETED
  }

  public Transition {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(emit, "emit");
  }

  static Transition ignored(OrderStatus state) {
    return new Transition(state, state, false, Emit.NONE);
  }

  static Transition to(OrderStatus from, OrderStatus to) {
    Emit emit = switch (to) {
      case CANCELLED -> Emit.ORDER_CANCELLED;
      case DELIVERED -> Emit.ORDER_COMPLETED;
      case CANCEL_REQUESTED -> Emit.ORDER_CANCEL_REQUESTED;
      default -> Emit.NONE;
    };
    return new Transition(from, to, true, emit);
  }
}
