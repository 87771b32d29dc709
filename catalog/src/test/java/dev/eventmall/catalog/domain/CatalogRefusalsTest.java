package dev.eventmall.catalog.domain;

import dev.eventmall.common.domain.DomainException;
import dev.eventmall.common.http.DomainProblems;
import dev.eventmall.common.http.ProblemException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Each refusal of the catalog's store and the problem a client gets for it. */
class CatalogRefusalsTest {

  private static final UUID ID = UUID.fromString("0b6f4c1e-2a51-4e6b-9a57-31c1f3e2d4a0");

  static Stream<Arguments> refusals() {
    return Stream.of(
      arguments(new ProductNotFound(ID), new JsonObject().put("type", "https://eventmall.dev/problems/not-found")
        .put("title", "Not Found").put("status", 404).put("detail", "Product " + ID + " does not exist")),
      arguments(new DocumentPending(ID, 7), new JsonObject().put("type", "https://eventmall.dev/problems/document-pending")
        .put("title", "Document pending").put("status", 503)
        .put("detail", "The change is saved but the product document is not yet readable; it will be applied shortly")
        .put("productId", ID.toString()).put("version", 7L)));
  }

  @ParameterizedTest
  @MethodSource("refusals")
  void answeredWith(DomainException refusal, JsonObject body) {
    ProblemException problem = DomainProblems.of(refusal);
    assertThat(problem.problem().toJson()).isEqualTo(body);
    assertThat(problem.problem().toJson().fieldNames()).containsExactlyElementsOf(body.fieldNames());
    assertThat(problem.headers()).isEmpty();
  }
}
