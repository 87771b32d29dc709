package dev.eventmall.search.domain;

import dev.eventmall.common.domain.DomainException;

import java.util.List;

/**
 * A search request whose parameters break a rule between them ({@link SearchQuery#of}); one refusal lists each. Its
 * type and title are those of the document's own refusals of a parameter ({@code ContractRoutes}): one type, one title.
 */
public final class InvalidSearchQuery extends DomainException {
  private final List<FieldError> errors;

  public InvalidSearchQuery(List<FieldError> errors) {
    super(Kind.INVALID, "invalid-query", "Invalid query", "The query string has invalid parameters");
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
