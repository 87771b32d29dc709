package dev.eventmall.emulators.toss;

import java.util.Map;

/** An error answer {@code {code, message}} with the HTTP status Toss gives that code. */
final class TossError extends RuntimeException {

  private static final Map<String, Integer> STATUS = Map.ofEntries(
      Map.entry("UNAUTHORIZED_KEY", 401),
      Map.entry("REJECT_CARD_PAYMENT", 403), Map.entry("REJECT_CARD_COMPANY", 403),
      Map.entry("REJECT_ACCOUNT_PAYMENT", 403), Map.entry("FORBIDDEN_REQUEST", 403),
      Map.entry("EXCEED_MAX_AUTH_COUNT", 403), Map.entry("EXCEED_MAX_ONE_DAY_AMOUNT", 403),
      Map.entry("INVALID_PASSWORD", 403), Map.entry("INCORRECT_BASIC_AUTH_FORMAT", 403), Map.entry("FDS_ERROR", 403),
      Map.entry("NOT_CANCELABLE_AMOUNT", 403), Map.entry("NOT_CANCELABLE_PAYMENT", 403),
      Map.entry("FORBIDDEN_CONSECUTIVE_REQUEST", 403), Map.entry("EXCEED_CANCEL_LIMIT", 403),
      Map.entry("NOT_FOUND_PAYMENT", 404), Map.entry("NOT_FOUND_PAYMENT_SESSION", 404),
      Map.entry("IDEMPOTENT_REQUEST_PROCESSING", 409),
      Map.entry("FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING", 500), Map.entry("FAILED_INTERNAL_SYSTEM_PROCESSING", 500),
      Map.entry("UNKNOWN_PAYMENT_ERROR", 500), Map.entry("FAILED_REFUND_PROCESS", 500),
      Map.entry("FAILED_METHOD_HANDLING_CANCEL", 500), Map.entry("COMMON_ERROR", 500));

  private static final Map<String, String[]> MESSAGES = Map.ofEntries(
      Map.entry("UNAUTHORIZED_KEY", new String[] {"인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.", "Unauthorized secret key or client key."}),
      Map.entry("INCORRECT_BASIC_AUTH_FORMAT", new String[] {"잘못된 요청입니다. ':' 를 포함해 인코딩해주세요.", "Incorrect basic auth format: encode the key followed by ':'."}),
      Map.entry("INVALID_REQUEST", new String[] {"잘못된 요청입니다.", "Invalid request."}),
      Map.entry("INVALID_IDEMPOTENCY_KEY", new String[] {"멱등키는 300자 이하여야 합니다.", "The Idempotency-Key must be at most 300 characters."}),
      Map.entry("IDEMPOTENT_REQUEST_PROCESSING", new String[] {"이전 멱등 요청이 처리중입니다. 잠시 후 다시 시도해주세요.", "A request with this Idempotency-Key is still being processed. Retry later."}),
      Map.entry("ALREADY_PROCESSED_PAYMENT", new String[] {"이미 처리된 결제 입니다.", "The payment has already been processed."}),
      Map.entry("ALREADY_CANCELED_PAYMENT", new String[] {"이미 취소된 결제 입니다.", "The payment has already been canceled."}),
      Map.entry("DUPLICATED_ORDER_ID", new String[] {"이미 승인 및 취소가 진행된 중복된 주문번호 입니다.", "Duplicated orderId: a payment with this orderId already exists."}),
      Map.entry("NOT_MATCHES_CUSTOMER_KEY", new String[] {"빌링 인증 고객키와 결제 요청 고객키가 일치하지 않습니다.", "The customerKey does not match the billing key's."}),
      Map.entry("NOT_CANCELABLE_AMOUNT", new String[] {"취소 할 수 없는 금액 입니다.", "The amount cannot be canceled."}),
      Map.entry("NOT_CANCELABLE_PAYMENT", new String[] {"취소 할 수 없는 결제 입니다.", "The payment cannot be canceled."}),
      Map.entry("NOT_FOUND_PAYMENT", new String[] {"존재하지 않는 결제 정보 입니다.", "The payment does not exist."}),
      Map.entry("NOT_FOUND_PAYMENT_SESSION", new String[] {"결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.", "The payment session expired or does not exist."}),
      Map.entry("REJECT_CARD_COMPANY", new String[] {"결제 승인이 거절되었습니다.", "The card company rejected the payment."}),
      Map.entry("EXCEED_MAX_AMOUNT", new String[] {"거래금액 한도를 초과했습니다.", "The transaction amount exceeds the limit."}),
      Map.entry("INVALID_CARD_NUMBER", new String[] {"카드번호를 다시 확인해주세요.", "Check the card number."}),
      Map.entry("INVALID_CARD_EXPIRATION", new String[] {"카드 정보를 다시 확인해주세요. (유효기간)", "Check the card's expiration date."}),
      Map.entry("FAILED_INTERNAL_SYSTEM_PROCESSING", new String[] {"내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요.", "Internal system processing failed. Retry later."}));

  private final String code;
  private final int status;
  private final String detail;

  TossError(String code, String detail) {
    super(code + (detail == null ? "" : ": " + detail));
    this.code = code;
    this.status = statusOf(code);
    this.detail = detail;
  }

  TossError(String code) {
    this(code, null);
  }

  static TossError invalid(String detail) {
    return new TossError("INVALID_REQUEST", detail);
  }

  /** The status the TOSS.md table gives a code; 400 for codes it does not list. */
  static int statusOf(String code) {
    return STATUS.getOrDefault(code, 400);
  }

  String code() {
    return code;
  }

  int status() {
    return status;
  }

  String message(boolean english) {
    String[] m = MESSAGES.get(code);
    String base = m == null ? (english ? "Error: " + code : "오류가 발생했습니다: " + code) : m[english ? 1 : 0];
    return detail == null ? base : base + " (" + detail + ")";
  }
}
