package dev.eventmall.order.domain;

import dev.eventmall.common.domain.DomainException;
import dev.eventmall.common.domain.DomainException.FieldError;
import dev.eventmall.common.http.DomainProblems;
import dev.eventmall.common.http.ProblemException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Each refusal of the order service and the problem a client gets for it (as before refusals were domain types). */
class OrderRefusalsTest {

  private static final String T = "https://eventmall.dev/problems/";

  static Stream<Arguments> refusals() {
    return Stream.of(
      arguments(new OrderNotFound(), 404, new JsonObject().put("type", T + "not-found").put("title", "Not Found")
        .put("status", 404).put("detail", "No such order"), Map.of()),
      arguments(new OrderNotCancellable(OrderStatus.SHIPPING), 409, new JsonObject()
        .put("type", T + "order-not-cancellable").put("title", "Order cannot be cancelled").put("status", 409)
        .put("detail", "An order in state SHIPPING can no longer be cancelled").put("orderStatus", "SHIPPING"), Map.of()),
      arguments(new TooManyUnpaidOrders(3), 409, new JsonObject().put("type", T + "too-many-unpaid-orders")
        .put("title", "Too many unpaid orders").put("status", 409)
        .put("detail", "You have 3 orders waiting for payment; pay or cancel one first"), Map.of()),
      arguments(new IdempotencyKeyReused(), 422, new JsonObject().put("type", T + "idempotency-key-reused")
        .put("title", "Idempotency-Key reused").put("status", 422)
        .put("detail", "This Idempotency-Key was already used with a different request body"), Map.of()),
      arguments(new InvalidOrder(List.of(new FieldError("lines[1].productId", "no such product"),
          new FieldError("addressId", "no such address among your shipping addresses"))), 422, new JsonObject()
        .put("type", T + "validation-failed").put("title", "Unprocessable Entity").put("status", 422)
        .put("detail", "The request body has invalid fields").put("errors", new JsonArray()
          .add(new JsonObject().put("field", "lines[1].productId").put("message", "no such product"))
          .add(new JsonObject().put("field", "addressId")
            .put("message", "no such address among your shipping addresses"))), Map.of()),
      arguments(new Overloaded(1_250), 503, new JsonObject().put("type", T + "overloaded").put("title", "Overloaded")
        .put("status", 503).put("detail", "The platform is taking all the orders it can serve right now; retry in "
          + "1250 ms"), Map.of("Retry-After", "2", "Retry-After-Ms", "1250")),
      arguments(new Overloaded(Admission.MIN_RETRY_MS), 503, new JsonObject().put("type", T + "overloaded")
        .put("title", "Overloaded").put("status", 503).put("detail", "The platform is taking all the orders it can "
          + "serve right now; retry in 100 ms"), Map.of("Retry-After", "1", "Retry-After-Ms", "100")));
  }

  @ParameterizedTest
  @MethodSource("refusals")
  void answeredWith(DomainException refusal, int status, JsonObject body, Map<String, String> headers) {
    ProblemException problem = DomainProblems.of(refusal);
    assertThat(problem.problem().status()).isEqualTo(status);
    assertThat(problem.problem().toJson()).isEqualTo(body);
    assertThat(problem.headers()).isEqualTo(headers);
  }
}
