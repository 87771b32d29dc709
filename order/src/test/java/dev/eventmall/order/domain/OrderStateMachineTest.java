package dev.eventmall.order.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.eventmall.order.domain.OrderStatus.*;
import static dev.eventmall.order.domain.SagaInput.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every state × every input × both payment methods against an explicit table: the expected next state, or "ignored"
 * (absent from the table).
 */
class OrderStateMachineTest {

  /** The complete table of transitions that apply; key = state + input (+ method where it matters). */
  private static final Map<String, OrderStatus> TABLE = new HashMap<>();

  private static void t(OrderStatus from, SagaInput input, OrderStatus to) {
    for (PaymentMethod m : PaymentMethod.values()) {
      TABLE.put(key(from, m, input), to);
    }
  }

  private static String key(OrderStatus s, PaymentMethod m, SagaInput i) {
    return s + "/" + m + "/" + i;
  }

  static {
    // docs/saga.md, as written
    TABLE.put(key(PENDING, PaymentMethod.BILLING, STOCK_RESERVED), PAYMENT_PENDING);
    TABLE.put(key(PENDING, PaymentMethod.CHECKOUT, STOCK_RESERVED), AWAITING_PAYMENT);
    t(PENDING, STOCK_REJECTED, REJECTED);
    t(PAYMENT_PENDING, PAYMENT_COMPLETED, PAID);
    t(AWAITING_PAYMENT, PAYMENT_COMPLETED, PAID);
    t(PAID, DELIVERY_STARTED, SHIPPING);
    t(SHIPPING, DELIVERY_COMPLETED, DELIVERED);
    t(PAYMENT_PENDING, SagaInput.PAYMENT_FAILED, OrderStatus.PAYMENT_FAILED);
    t(AWAITING_PAYMENT, SagaInput.PAYMENT_FAILED, OrderStatus.PAYMENT_FAILED);
    t(PAID, DELIVERY_FAILED, CANCELLING);
    t(SHIPPING, DELIVERY_FAILED, CANCELLING);
    t(CANCELLING, PAYMENT_REFUNDED, CANCELLED);
    t(PENDING, SagaInput.CANCEL_REQUESTED, OrderStatus.CANCEL_REQUESTED);
    t(PAYMENT_PENDING, SagaInput.CANCEL_REQUESTED, OrderStatus.CANCEL_REQUESTED);
    t(AWAITING_PAYMENT, SagaInput.CANCEL_REQUESTED, OrderStatus.CANCEL_REQUESTED);
    t(PAID, SagaInput.CANCEL_REQUESTED, OrderStatus.CANCEL_REQUESTED);
    t(OrderStatus.CANCEL_REQUESTED, PAYMENT_REFUNDED, CANCELLED);
    t(OrderStatus.CANCEL_REQUESTED, SagaInput.PAYMENT_FAILED, CANCELLED);
    t(OrderStatus.CANCEL_REQUESTED, STOCK_REJECTED, CANCELLED);
    // an event that proves its not-yet-seen cause happened (cross-topic reordering)
    t(PENDING, PAYMENT_COMPLETED, PAID);
    t(PENDING, SagaInput.PAYMENT_FAILED, OrderStatus.PAYMENT_FAILED);
    t(PENDING, DELIVERY_STARTED, SHIPPING);
    t(PAYMENT_PENDING, DELIVERY_STARTED, SHIPPING);
    t(AWAITING_PAYMENT, DELIVERY_STARTED, SHIPPING);
    t(PENDING, DELIVERY_COMPLETED, DELIVERED);
    t(PAYMENT_PENDING, DELIVERY_COMPLETED, DELIVERED);
    t(AWAITING_PAYMENT, DELIVERY_COMPLETED, DELIVERED);
    t(PAID, DELIVERY_COMPLETED, DELIVERED);
    t(PENDING, DELIVERY_FAILED, CANCELLING);
    t(PAYMENT_PENDING, DELIVERY_FAILED, CANCELLING);
    t(AWAITING_PAYMENT, DELIVERY_FAILED, CANCELLING);
    t(PAID, PAYMENT_REFUNDED, CANCELLED);
    t(SHIPPING, PAYMENT_REFUNDED, CANCELLED);
  }

  static Stream<Arguments> everyCombination() {
    List<Arguments> all = new ArrayList<>();
    for (OrderStatus s : OrderStatus.values()) {
      for (PaymentMethod m : PaymentMethod.values()) {
        for (SagaInput i : SagaInput.values()) {
          all.add(Arguments.of(s, m, i));
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} --{2}({1})--> ?")
  @MethodSource("everyCombination")
  void everyStateAndInputHasTheExpectedOutcome(OrderStatus state, PaymentMethod method, SagaInput input) {
    Transition t = OrderStateMachine.apply(state, method, input);
    OrderStatus expected = TABLE.get(key(state, method, input));
    assertThat(t.from()).isEqualTo(state);
    if (expected == null) {
      assertThat(t.applied()).as("ignored").isFalse();
      assertThat(t.to()).isEqualTo(state);
      assertThat(t.emit()).isEqualTo(Transition.Emit.NONE);
    } else {
      assertThat(t.applied()).isTrue();
      assertThat(t.to()).isEqualTo(expected);
      Transition.Emit emit = switch (expected) {
        case CANCELLED -> Transition.Emit.ORDER_CANCELLED;
        case DELIVERED -> Transition.Emit.ORDER_COMPLETED;
        case CANCEL_REQUESTED -> Transition.Emit.ORDER_CANCEL_REQUESTED;
        default -> Transition.Emit.NONE;
      };
      assertThat(t.emit()).isEqualTo(emit);
    }
  }

  @Test
  void theTableCoversExactlyTheAppliedTransitions() {
    int applied = 0;
    for (OrderStatus s : OrderStatus.values()) {
      for (PaymentMethod m : PaymentMethod.values()) {
        for (SagaInput i : SagaInput.values()) {
          if (OrderStateMachine.apply(s, m, i).applied()) {
            applied++;
          }
        }
      }
    }
    assertThat(applied).isEqualTo(TABLE.size());
    assertThat(OrderStatus.values().length * PaymentMethod.values().length * SagaInput.values().length).isEqualTo(242);
  }

  @Test
  void terminalStatesIgnoreEverything() {
    for (OrderStatus s : List.of(DELIVERED, REJECTED, OrderStatus.PAYMENT_FAILED, CANCELLED)) {
      assertThat(s.terminal()).isTrue();
      for (SagaInput i : SagaInput.values()) {
        assertThat(OrderStateMachine.apply(s, PaymentMethod.BILLING, i).applied()).isFalse();
      }
    }
  }

  @Test
  void cancellableOnlyBeforeShipping() {
    assertThat(Stream.of(OrderStatus.values()).filter(OrderStateMachine::cancellable))
      .containsExactlyInAnyOrder(PENDING, PAYMENT_PENDING, AWAITING_PAYMENT, PAID);
  }

  @Test
  void informationalEventsNeverMoveAnOrder() {
    for (OrderStatus s : OrderStatus.values()) {
      assertThat(OrderStateMachine.apply(s, PaymentMethod.CHECKOUT, STOCK_RELEASED).applied()).isFalse();
      assertThat(OrderStateMachine.apply(s, PaymentMethod.CHECKOUT, DELIVERY_STATUS_CHANGED).applied()).isFalse();
    }
  }

  @Test
  void eventTypesMapToInputs() {
    assertThat(SagaInput.ofEventType("StockReserved")).contains(STOCK_RESERVED);
    assertThat(SagaInput.ofEventType("PaymentRefunded")).contains(PAYMENT_REFUNDED);
    assertThat(SagaInput.ofEventType("OrderCancelRequested")).as("a command, not a consumed event").isEmpty();
    assertThat(SagaInput.ofEventType("Nonsense")).isEmpty();
  }
}
