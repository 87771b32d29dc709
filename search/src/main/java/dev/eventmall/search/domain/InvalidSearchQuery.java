package dev.eventmall.search.domain;

import dev.eventmall.common.domain.DomainException;

import java.util.List;

/** A search request with parameters out of bounds; one refusal lists every bad parameter ({@link SearchQuery#parse}). */
public final class InvalidSearchQuery extends DomainException {
  private final List<FieldError> errors;

  public InvalidSearchQuery(List<FieldError> errors) {
    super(Kind.INVALID, "invalid-query", "Invalid search query", "The query string has invalid parameters");
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("an invalid query names at least one parameter");
    }
    this.errors = List.copyOf(errors);
  }

  @Override
  public List<FieldError> errors() {
    return errors;
  }
}
