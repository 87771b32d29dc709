package dev.eventmall.payment.client;

/**
 * How a Toss call ended when it did not simply succeed, classified as /work/shared/TOSS.md "Errors" says. Only
 * {@link OutcomeUnknown} counts as a failure for the circuit breaker; every other kind is a healthy answer.
 */
public abstract sealed class TossException extends RuntimeException
  permits TossException.OutcomeUnknown, TossException.AlreadyProcessed, TossException.ForeignPayment,
  TossException.Declined,
  TossException.Misconfigured, TossException.NotFound, TossException.MethodNotAccepted {

  private final int status;
  private final String code;

  TossException(int status, String code, String message) {
    super(code + ": " + message, null, false, false);
    this.status = status;
    this.code = code;
  }

  /** The HTTP status Toss answered, 0 when there was no answer (timeout, connection error, open breaker). */
  public int status() {
    return status;
  }

  /** Toss's error code ({@code REJECT_CARD_COMPANY}, ...), or a local one ({@code TIMEOUT}, {@code CIRCUIT_OPEN}). */
  public String code() {
    return code;
  }

  /** Timeout, connection error, 409 in flight, 5xx, PROVIDER_ERROR: retry with the same key, look it up. */
  public static final class OutcomeUnknown extends TossException {
    public OutcomeUnknown(int status, String code, String message) {
      super(status, code, message);
    }
  }

  /** ALREADY_PROCESSED_PAYMENT, ALREADY_CANCELED_PAYMENT, DUPLICATED_ORDER_ID: look it up and carry on. */
  public static final class AlreadyProcessed extends TossException {
    public AlreadyProcessed(int status, String code, String message) {
      super(status, code, message);
    }
  }

  /**
   * A confirm whose payment key is not this order's: Toss refused it as ALREADY_PROCESSED_PAYMENT and the key, looked
   * up, is not this order's payment of this amount (or is unknown), or as NOT_FOUND_PAYMENT_SESSION (no open checkout
   * of this order has the key: another order's, or an expired session). Nothing was charged for this order; the
   * customer may confirm again with a key of their own checkout (issue 16 row 2).
   */
  public static final class ForeignPayment extends TossException {
    public ForeignPayment(int status, String code, String message) {
      super(status, code, message);
    }
  }

  /** A final decline (card rejected, invalid card, limits, expired session, invalid request): no retry. */
  public static final class Declined extends TossException {
    public Declined(int status, String code, String message) {
      super(status, code, message);
    }
  }

  /**
   * The merchant's configuration, not the card: UNAUTHORIZED_KEY, INVALID_API_KEY, INCORRECT_BASIC_AUTH_FORMAT (the key
   * itself: every call under it fails, so the client opens that merchant's breaker), FORBIDDEN_REQUEST and
   * NOT_SUPPORTED_METHOD (a method the contract does not cover). Alert; the payment is left to be retried and the
   * customer is never told their card was declined (issue 13).
   */
  public static final class Misconfigured extends TossException {
    public Misconfigured(int status, String code, String message) {
      super(status, code, message);
    }

    /** Whether the key itself was refused (every call under it would fail). */
    public boolean keyRefused() {
      return switch (code()) {
        case "UNAUTHORIZED_KEY", "INVALID_API_KEY", "INCORRECT_BASIC_AUTH_FORMAT" -> true;
        default -> status() == 401;
      };
    }
  }

  /**
   * A payment Toss approved in a way the platform does not accept: a checkout confirmed by a method other than a card
   * (a virtual account waiting for its deposit). The client has cancelled it at Toss; nothing was charged.
   */
  public static final class MethodNotAccepted extends TossException {
    public MethodNotAccepted(String code, String message) {
      super(0, code, message);
    }
  }

  /** 404 NOT_FOUND_PAYMENT: Toss has no such payment. */
  public static final class NotFound extends TossException {
    public NotFound(int status, String code, String message) {
      super(status, code, message);
    }
  }

  /**
   * Classifies an error answer {@code status} + {@code code}; {@code cancel} adds the cancel-only unknown codes.
   * Throttling (429, {@code FORBIDDEN_CONSECUTIVE_REQUEST}) is an unknown outcome on every call: retried with the same
   * key, never a decline (issue 13).
   */
  public static TossException classify(int status, String code, String message, boolean cancel) {
    String c = code == null ? "UNKNOWN" : code;
    if (status == 409 || status == 429 || status >= 500 || "PROVIDER_ERROR".equals(c)
      || "FORBIDDEN_CONSECUTIVE_REQUEST".equals(c)
      || cancel && (c.equals("FAILED_REFUND_PROCESS") || c.equals("FAILED_METHOD_HANDLING_CANCEL")
      || c.equals("COMMON_ERROR"))) {
      return new OutcomeUnknown(status, c, message);
    }
    switch (c) {
      case "ALREADY_PROCESSED_PAYMENT", "ALREADY_CANCELED_PAYMENT", "DUPLICATED_ORDER_ID":
        return new AlreadyProcessed(status, c, message);
      case "UNAUTHORIZED_KEY", "INVALID_API_KEY", "INCORRECT_BASIC_AUTH_FORMAT", "FORBIDDEN_REQUEST",
        "NOT_SUPPORTED_METHOD":
        return new Misconfigured(status, c, message);
      case "NOT_FOUND_PAYMENT":
        return new NotFound(status, c, message);
      default:
        if (status == 401) {
          return new Misconfigured(status, c, message);
        }
        return new Declined(status, c, message);
    }
  }
}
