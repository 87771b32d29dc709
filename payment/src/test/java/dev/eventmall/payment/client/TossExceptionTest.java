package dev.eventmall.payment.client;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** How Toss's error answers are classified (/work/shared/TOSS.md "Errors" and "Going live"), one row per answer. */
class TossExceptionTest {

  @ParameterizedTest(name = "{0} {1} (cancel: {2}) → {3}")
  @CsvSource({
    // status, code, cancel, kind, key refused
    "403, REJECT_CARD_COMPANY,                false, Declined,          false",
    "400, EXCEED_MAX_AMOUNT,                  false, Declined,          false",
    "404, NOT_FOUND_PAYMENT_SESSION,          false, Declined,          false",
    "400, INVALID_REQUEST,                    false, Declined,          false",
    "404, NOT_FOUND_PAYMENT,                  false, NotFound,          false",
    "400, ALREADY_PROCESSED_PAYMENT,          false, AlreadyProcessed,  false",
    "400, ALREADY_CANCELED_PAYMENT,           true,  AlreadyProcessed,  false",
    "400, DUPLICATED_ORDER_ID,                false, AlreadyProcessed,  false",
    "409, IDEMPOTENT_REQUEST_PROCESSING,      false, OutcomeUnknown,    false",
    "500, FAILED_INTERNAL_SYSTEM_PROCESSING,  false, OutcomeUnknown,    false",
    "400, PROVIDER_ERROR,                     false, OutcomeUnknown,    false",
    // issue 13: throttling is retryable on every call, not a decline
    "429, TOO_MANY_REQUESTS,                  false, OutcomeUnknown,    false",
    "429, ,                                   false, OutcomeUnknown,    false",
    "403, FORBIDDEN_CONSECUTIVE_REQUEST,      false, OutcomeUnknown,    false",
    "403, FORBIDDEN_CONSECUTIVE_REQUEST,      true,  OutcomeUnknown,    false",
    "500, FAILED_REFUND_PROCESS,              true,  OutcomeUnknown,    false",
    "400, COMMON_ERROR,                       true,  OutcomeUnknown,    false",
    "400, COMMON_ERROR,                       false, Declined,          false",
    // issue 13: the merchant's configuration, never the card
    "401, UNAUTHORIZED_KEY,                   false, Misconfigured,     true",
    "400, INVALID_API_KEY,                    false, Misconfigured,     true",
    "403, INCORRECT_BASIC_AUTH_FORMAT,        false, Misconfigured,     true",
    "401, SOME_NEW_AUTH_CODE,                 false, Misconfigured,     true",
    "400, NOT_SUPPORTED_METHOD,               false, Misconfigured,     false",
    "403, FORBIDDEN_REQUEST,                  false, Misconfigured,     false",
  })
  void classify(int status, String code, boolean cancel, String kind, boolean keyRefused) {
    TossException e = TossException.classify(status, code, "message", cancel);
    assertThat(e.getClass().getSimpleName()).isEqualTo(kind);
    assertThat(e.status()).isEqualTo(status);
    if (e instanceof TossException.Misconfigured m) {
      assertThat(m.keyRefused()).isEqualTo(keyRefused);
    }
  }
}
