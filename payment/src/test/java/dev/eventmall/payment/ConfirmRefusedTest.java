package dev.eventmall.payment;

import dev.eventmall.common.http.DomainProblems;
import dev.eventmall.common.http.ProblemException;
import dev.eventmall.payment.Payments.ConfirmRefused;
import dev.eventmall.payment.domain.PaymentStatus;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Each way a checkout confirm is refused before Toss is called, and the problem the customer gets for it. */
class ConfirmRefusedTest {

  private static final String T = "https://eventmall.dev/problems/";

  static Stream<Arguments> refusals() {
    return Stream.of(
      arguments(ConfirmRefused.noPayment("ord-1"), 404, T + "no-payment", "Not Found",
        "No checkout payment is expected for order ord-1"),
      arguments(ConfirmRefused.notYours("ord-1"), 403, T + "forbidden", "Forbidden", "Order ord-1 is not yours"),
      arguments(ConfirmRefused.notCheckout("ord-1"), 409, T + "not-checkout", "Conflict",
        "Order ord-1 is paid with a billing key"),
      arguments(ConfirmRefused.notAwaitingCheckout("ord-1", PaymentStatus.FAILED), 409,
        T + "payment-not-awaiting-checkout", "Conflict", "The payment of order ord-1 is FAILED"),
      arguments(ConfirmRefused.amountMismatch(999), 422, T + "amount-mismatch", "Amount mismatch",
        "The amount 999 does not match the order's amount"),
      arguments(ConfirmRefused.keyInUse(), 409, T + "payment-key-in-use", "Conflict",
        "This payment key belongs to another order; confirm with the key your checkout returned"));
  }

  @ParameterizedTest
  @MethodSource("refusals")
  void answeredWith(ConfirmRefused refusal, int status, String type, String title, String detail) {
    ProblemException problem = DomainProblems.of(refusal);
    assertThat(problem.problem().toJson()).isEqualTo(new JsonObject().put("type", type).put("title", title)
      .put("status", status).put("detail", detail));
    assertThat(problem.headers()).isEmpty();
  }
}
