package dev.eventmall.order.domain;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Order name, total and the Idempotency-Key request hash. */
class OrderRulesTest {

  static OrderLine line(String name, int qty, long price) {
    return new OrderLine("p-" + name, name, qty, price);
  }

  @Test
  void theOrderNameIsTheFirstProductAndHowManyOthers() {
    assertThat(Order.nameOf(List.of(line("무선 이어폰", 1, 1)))).isEqualTo("무선 이어폰");
    assertThat(Order.nameOf(List.of(line("무선 이어폰", 1, 1), line("a", 1, 1), line("b", 1, 1))))
      .isEqualTo("무선 이어폰 외 2건");
    String longName = "가".repeat(200);
    String name = Order.nameOf(List.of(line(longName, 1, 1), line("b", 1, 1)));
    assertThat(name).hasSizeLessThanOrEqualTo(100).endsWith("… 외 1건");
  }

  @Test
  void theTotalIsTheSumOfLineAmounts() {
    assertThat(Order.totalOf(List.of(line("a", 3, 9_900), line("b", 1, 129_000)))).isEqualTo(158_700);
  }

  @Test
  void theRequestHashChangesWithAnythingThatMatters() {
    PlaceOrder base = new PlaceOrder("m", List.of(new LineRequest("p1", 1), new LineRequest("p2", 2)), "a",
      PaymentMethod.BILLING);
    assertThat(base.requestHash()).hasSize(64).isEqualTo(new PlaceOrder("m", List.of(new LineRequest("p1", 1),
      new LineRequest("p2", 2)), "a", PaymentMethod.BILLING).requestHash());
    assertThat(List.of(
      new PlaceOrder("m", List.of(new LineRequest("p1", 1), new LineRequest("p2", 3)), "a", PaymentMethod.BILLING),
      new PlaceOrder("m", List.of(new LineRequest("p1", 1), new LineRequest("p2", 2)), "b", PaymentMethod.BILLING),
      new PlaceOrder("m", List.of(new LineRequest("p1", 1), new LineRequest("p2", 2)), "a", PaymentMethod.CHECKOUT),
      new PlaceOrder("m", List.of(new LineRequest("p11", 1)), "a", PaymentMethod.BILLING)))
      .extracting(PlaceOrder::requestHash).doesNotContain(base.requestHash());
  }
}
