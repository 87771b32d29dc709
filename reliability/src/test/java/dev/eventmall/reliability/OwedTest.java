package dev.eventmall.reliability;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Owed#missing}: the comparison behind the "no event lost" invariant, without any store. */
class OwedTest {
  static final Map<String, Map<String, Set<String>>> PUBLISHED = Map.of(
    "order.events", Map.of("OrderPlaced", Set.of("o1", "o2", "o3"), "OrderCancelled", Set.of("o2")),
    "payment.events", Map.of("PaymentCompleted", Set.of("o1")));

  static Stream<Arguments> cases() {
    return Stream.of(
      Arguments.of("everything owed is there", List.of(
        new Owed("orders.orders", "order.events", "OrderPlaced", List.of("o1", "o2", "o3")),
        new Owed("payments", "payment.events", "PaymentCompleted", List.of("o1"))), List.of()),
      Arguments.of("nothing owed", List.of(new Owed("orders.orders", "order.events", "OrderPlaced", List.of())),
        List.of()),
      Arguments.of("more published than owed (other scenarios' events, re-sent duplicates) is fine",
        List.of(new Owed("orders.orders", "order.events", "OrderPlaced", List.of("o2"))), List.of()),
      Arguments.of("one record missing", List.of(
        new Owed("orders.orders", "order.events", "OrderPlaced", List.of("o1", "o2", "o3", "o4"))),
        List.of("order.events OrderPlaced for orders.orders: 1 of 4 missing, e.g. [o4]")),
      Arguments.of("a key present with another type does not count",
        List.of(new Owed("CANCELLED orders", "order.events", "OrderCancelled", List.of("o1", "o2"))),
        List.of("order.events OrderCancelled for CANCELLED orders: 1 of 2 missing, e.g. [o1]")),
      Arguments.of("a key present on another topic does not count",
        List.of(new Owed("reservations", "catalog.stock", "StockReserved", List.of("o1"))),
        List.of("catalog.stock StockReserved for reservations: 1 of 1 missing, e.g. [o1]")),
      Arguments.of("a type nobody published", List.of(
        new Owed("REFUNDED payments", "payment.events", "PaymentRefunded", List.of("o1"))),
        List.of("payment.events PaymentRefunded for REFUNDED payments: 1 of 1 missing, e.g. [o1]")),
      Arguments.of("one line per owed (topic, type), keys counted once", List.of(
        new Owed("orders.orders", "order.events", "OrderPlaced", List.of("o9", "o9", "o1")),
        new Owed("payments", "payment.events", "PaymentCompleted", List.of("o1", "o2"))),
        List.of("order.events OrderPlaced for orders.orders: 1 of 2 missing, e.g. [o9]",
          "payment.events PaymentCompleted for payments: 1 of 2 missing, e.g. [o2]")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void missing(String name, List<Owed> owed, List<String> expected) {
    assertThat(Owed.missing(PUBLISHED, owed)).isEqualTo(expected);
  }
}
