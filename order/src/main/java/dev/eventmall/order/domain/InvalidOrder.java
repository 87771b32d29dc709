package dev.eventmall.order.domain;

import dev.eventmall.common.domain.DomainException;

import java.util.List;

/**
 * An order that cannot be priced: a line names a product the projections do not know (or a deleted one), the address
 * is not one of the customer's, or the total does not fit. One refusal lists every such field.
 */
public final class InvalidOrder extends DomainException {
  private final List<FieldError> errors;

  public InvalidOrder(List<FieldError> errors) {
    super(Kind.UNPROCESSABLE, null, null, "The request body has invalid fields");
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("an invalid order names at least one field");
    }
    this.errors = List.copyOf(errors);
  }

  @Override
  public List<FieldError> errors() {
    return errors;
  }
}
