package dev.eventmall.search.domain;

import dev.eventmall.common.domain.DomainException;
import dev.eventmall.common.domain.DomainException.FieldError;
import dev.eventmall.common.http.DomainProblems;
import dev.eventmall.common.http.ProblemException;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SearchQueryTest {

  static MultiMap params(Map<String, String> values) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    values.forEach(m::add);
    return m;
  }

  @Test
  void defaults() {
    SearchQuery q = SearchQuery.parse(params(Map.of("q", " 무선 이어폰 ")));
    assertThat(q.tokens()).containsExactly("무선", "이어", "어폰");
    assertThat(q.sort()).isEqualTo(SearchQuery.Sort.RELEVANCE);
    assertThat(q.page()).isZero();
    assertThat(q.size()).isEqualTo(SearchQuery.DEFAULT_SIZE);
    assertThat(q.unrestricted()).isFalse();
  }

  @Test
  void everyParameter() {
    SearchQuery q = SearchQuery.parse(params(Map.of("q", "earPHONE", "category", " Audio ", "minPrice", "1000",
      "maxPrice", "5000", "sort", "price_desc", "page", "2", "size", "10")));
    assertThat(q.categoryKey()).isEqualTo("audio");
    assertThat(q.minPrice()).isEqualTo(1000L);
    assertThat(q.maxPrice()).isEqualTo(5000L);
    assertThat(q.sort()).isEqualTo(SearchQuery.Sort.PRICE_DESC);
    assertThat(q.offset()).isEqualTo(20);
  }

  @Test
  void equivalentQueriesShareACacheHash() {
    String a = SearchQuery.parse(params(Map.of("q", "EarPhone  무선", "category", "AUDIO"))).cacheHash();
    String b = SearchQuery.parse(params(Map.of("q", "earphone 무선", "category", "audio", "sort", "relevance")))
      .cacheHash();
    String c = SearchQuery.parse(params(Map.of("q", "earphone 무선", "category", "audio", "page", "1"))).cacheHash();
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
  }

  @Test
  void badParametersAreOneRefusalListingEachField() {
    assertThatThrownBy(() -> SearchQuery.parse(params(Map.of("q", "x".repeat(101), "minPrice", "abc",
      "maxPrice", "-1", "sort", "cheapest", "page", "-1", "size", "101"))))
      .isInstanceOfSatisfying(InvalidSearchQuery.class, e -> {
        assertThat(e.kind()).isEqualTo(DomainException.Kind.INVALID);
        assertThat(e.errors().stream().map(FieldError::field))
          .containsExactlyInAnyOrder("q", "minPrice", "maxPrice", "sort", "page", "size");
      });
  }

  @Test
  void anInvalidQueryIsAnsweredWith400InvalidQueryListingEachField() {
    ProblemException problem = DomainProblems.of(new InvalidSearchQuery(java.util.List.of(
      new FieldError("size", "must be between 1 and 100"), new FieldError("maxPrice", "must not be below minPrice"))));
    assertThat(problem.problem().toJson()).isEqualTo(new JsonObject()
      .put("type", "https://eventmall.dev/problems/invalid-query").put("title", "Invalid search query")
      .put("status", 400).put("detail", "The query string has invalid parameters").put("errors", new JsonArray()
        .add(new JsonObject().put("field", "size").put("message", "must be between 1 and 100"))
        .add(new JsonObject().put("field", "maxPrice").put("message", "must not be below minPrice"))));
    assertThat(problem.headers()).isEmpty();
  }

  @Test
  void minAboveMaxIs400() {
    assertThatThrownBy(() -> SearchQuery.parse(params(Map.of("minPrice", "10", "maxPrice", "5"))))
      .isInstanceOf(InvalidSearchQuery.class);
  }

  @Test
  void sizeZeroAndTooDeepPagesAre400() {
    assertThatThrownBy(() -> SearchQuery.parse(params(Map.of("size", "0")))).isInstanceOf(InvalidSearchQuery.class);
    assertThatThrownBy(() -> SearchQuery.parse(params(Map.of("page", "5000", "size", "100"))))
      .isInstanceOf(InvalidSearchQuery.class);
  }

  /** Found by the reliability sweep: category=%00 was trimmed to nothing and the search listed every product. */
  @Test
  void aCategoryWithControlCharactersIs400NotAnUnrestrictedSearch() {
    for (String category : java.util.List.of("\u0000", "\u0000\u0000", "audio\r\nFLUSHALL\r\n", "\taudio")) {
      assertThatThrownBy(() -> SearchQuery.parse(params(Map.of("category", category))))
        .isInstanceOfSatisfying(InvalidSearchQuery.class, e -> assertThat(e.errors()).extracting(FieldError::field)
          .containsExactly("category"));
    }
    assertThat(SearchQuery.parse(params(Map.of("category", " audio "))).categoryKey()).isEqualTo("audio");
  }

  @Test
  void emptyQueryIsUnrestricted() {
    assertThat(SearchQuery.parse(params(Map.of())).unrestricted()).isTrue();
    assertThat(SearchQuery.parse(params(Map.of("category", "books"))).unrestricted()).isFalse();
  }
}
