package dev.eventmall.search.domain;

import dev.eventmall.common.domain.DomainException;
import dev.eventmall.common.domain.DomainException.FieldError;
import dev.eventmall.common.http.DomainProblems;
import dev.eventmall.common.http.ProblemException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * What {@link SearchQuery#of} adds to parameters the document validated (types, lengths, ranges, sort names and
 * control characters are refused before it, by {@code openapi/search.yaml}: SearchServiceTest): defaults, trimming,
 * tokens, the cache key, and the rules between parameters.
 */
class SearchQueryTest {

  @Test
  void defaults() {
    SearchQuery q = SearchQuery.of(" 무선 이어폰 ", null, null, null, null, null, null);
    assertThat(q.q()).isEqualTo("무선 이어폰");
    assertThat(q.tokens()).containsExactly("무선", "이어", "어폰");
    assertThat(q.sort()).isEqualTo(SearchQuery.Sort.RELEVANCE);
    assertThat(q.page()).isZero();
    assertThat(q.size()).isEqualTo(SearchQuery.DEFAULT_SIZE);
    assertThat(q.unrestricted()).isFalse();
  }

  @Test
  void everyParameter() {
    SearchQuery q = SearchQuery.of("earPHONE", " Audio ", 1000L, 5000L, "price_desc", 2, 10);
    assertThat(q.tokens()).containsExactly("earphone");
    assertThat(q.categoryKey()).isEqualTo("audio");
    assertThat(q.minPrice()).isEqualTo(1000L);
    assertThat(q.maxPrice()).isEqualTo(5000L);
    assertThat(q.sort()).isEqualTo(SearchQuery.Sort.PRICE_DESC);
    assertThat(q.offset()).isEqualTo(20);
  }

  @Test
  void everySortNameOfTheDocumentIsASort() {
    for (String wire : List.of("relevance", "price_asc", "price_desc", "newest")) {
      assertThat(SearchQuery.of(null, null, null, null, wire, null, null).sort().wire()).isEqualTo(wire);
    }
  }

  @Test
  void equivalentQueriesShareACacheHash() {
    String a = SearchQuery.of("EarPhone  무선", "AUDIO", null, null, null, null, null).cacheHash();
    String b = SearchQuery.of("earphone 무선", "audio", null, null, "relevance", 0, 20).cacheHash();
    String c = SearchQuery.of("earphone 무선", "audio", null, null, null, 1, null).cacheHash();
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
  }

  /**
   * minPrice, maxPrice, page, size (null: absent) → the fields refused, none when the query is accepted. The bounds of
   * each parameter alone are the document's; these are the rules between them.
   */
  static Stream<Arguments> rulesBetweenParameters() {
    return Stream.of(
      arguments(10L, 5L, null, null, List.of("maxPrice")),
      arguments(5L, 5L, null, null, List.of()),
      arguments(0L, Long.MAX_VALUE, null, null, List.of()),
      arguments(5L, null, null, null, List.of()),
      arguments(null, 5L, null, null, List.of()),
      arguments(null, null, 100, 100, List.of()),
      arguments(null, null, 101, 100, List.of("page")),
      arguments(null, null, 5000, 100, List.of("page")),
      arguments(null, null, 500, null, List.of()),
      arguments(null, null, 501, null, List.of("page")),
      arguments(null, null, 10_000, 1, List.of()),
      arguments(null, null, 10_000, 100, List.of("page")),
      arguments(20_000L, 10_000L, 101, 100, List.of("maxPrice", "page")));
  }

  @ParameterizedTest
  @MethodSource
  void rulesBetweenParameters(Long minPrice, Long maxPrice, Integer page, Integer size, List<String> refused) {
    if (refused.isEmpty()) {
      SearchQuery q = SearchQuery.of("x", null, minPrice, maxPrice, null, page, size);
      assertThat(q.offset()).isLessThanOrEqualTo(SearchQuery.MAX_OFFSET);
      return;
    }
    assertThatThrownBy(() -> SearchQuery.of("x", null, minPrice, maxPrice, null, page, size))
      .isInstanceOfSatisfying(InvalidSearchQuery.class, e -> {
        assertThat(e.kind()).isEqualTo(DomainException.Kind.INVALID);
        assertThat(e.errors()).extracting(FieldError::field).containsExactlyElementsOf(refused);
      });
  }

  @Test
  void anInvalidQueryIsAnsweredWith400InvalidQueryListingEachField() {
    ProblemException problem = DomainProblems.of(new InvalidSearchQuery(List.of(
      new FieldError("page", "page * size must be at most 10000"),
      new FieldError("maxPrice", "must not be below minPrice"))));
    assertThat(problem.problem().toJson()).isEqualTo(new JsonObject()
      .put("type", "https://eventmall.dev/problems/invalid-query").put("title", "Invalid query")
      .put("status", 400).put("detail", "The query string has invalid parameters").put("errors", new JsonArray()
        .add(new JsonObject().put("field", "page").put("message", "page * size must be at most 10000"))
        .add(new JsonObject().put("field", "maxPrice").put("message", "must not be below minPrice"))));
    assertThat(problem.headers()).isEmpty();
  }

  @Test
  void blankTextIsNoFilter() {
    assertThat(SearchQuery.of(null, null, null, null, null, null, null).unrestricted()).isTrue();
    assertThat(SearchQuery.of("   ", "  ", null, null, null, null, null).unrestricted()).isTrue();
    assertThat(SearchQuery.of(null, "books", null, null, null, null, null).unrestricted()).isFalse();
    assertThat(SearchQuery.of(null, " audio ", null, null, null, null, null).categoryKey()).isEqualTo("audio");
    assertThat(SearchQuery.of(null, null, 0L, null, null, null, null).unrestricted()).isFalse();
  }
}
