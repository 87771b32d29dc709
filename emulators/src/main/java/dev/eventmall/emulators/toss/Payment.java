package dev.eventmall.emulators.toss;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** A payment's state inside the emulator (event-loop confined); {@link #toJson()} is the Toss Payment object. */
final class Payment {

  static final ZoneOffset KST = ZoneOffset.ofHours(9);

  final String paymentKey;
  final String type;
  final String orderId;
  final String orderName;
  final String mId;
  final long totalAmount;
  final long taxFreeAmount;
  final Instant requestedAt;
  final String cardNumber;
  final int installmentPlanMonths;
  String status;
  long balanceAmount;
  Instant approvedAt;
  String lastTransactionKey;
  String approveNo;
  String failureCode;
  String failureMessage;
  /** A virtual account's deposit secret (DEPOSIT_CALLBACK carries it), null for cards. */
  String secret;
  final List<Cancel> cancels = new ArrayList<>(1);

  /**
   * One cancel as Toss lists it in {@code cancels[]}; {@code card} picks the shape (a card payment's cancel has more
   * fields than that of a virtual account not yet paid into).
   */
  record Cancel(String transactionKey, String cancelReason, Instant canceledAt, long cancelAmount, long taxFreeAmount,
                long refundableAmount, boolean card) {

    JsonObject toJson() {
      if (!card) {
        return new JsonObject().put("transactionKey", transactionKey).put("cancelReason", cancelReason)
            .put("canceledAt", kst(canceledAt)).put("cancelAmount", cancelAmount).put("taxFreeAmount", taxFreeAmount)
            .put("refundableAmount", refundableAmount).put("cancelStatus", "DONE");
      }
      return new JsonObject()
          .put("transactionKey", transactionKey)
          .put("cancelReason", cancelReason)
          .put("taxExemptionAmount", 0)
          .put("canceledAt", kst(canceledAt))
          .put("transferDiscountAmount", 0)
          .put("easyPayDiscountAmount", 0)
          .put("receiptKey", null)
          .put("cancelAmount", cancelAmount)
          .put("taxFreeAmount", taxFreeAmount)
          .put("refundableAmount", refundableAmount)
          .put("cancelStatus", "DONE")
          .put("cancelRequestId", null);
    }

    /** The cancel {@link #toJson()} wrote (a state file's). */
    static Cancel fromJson(JsonObject c) {
      return new Cancel(c.getString("transactionKey"), c.getString("cancelReason"),
          OffsetDateTime.parse(c.getString("canceledAt")).toInstant(), c.getLong("cancelAmount"),
          c.getLong("taxFreeAmount"), c.getLong("refundableAmount"), c.containsKey("transferDiscountAmount"));
    }
  }

  Payment(String paymentKey, String type, String orderId, String orderName, String mId, long totalAmount,
      long taxFreeAmount, Instant requestedAt, String cardNumber, int installmentPlanMonths, String status) {
    this.paymentKey = paymentKey;
    this.type = type;
    this.orderId = orderId;
    this.orderName = orderName;
    this.mId = mId;
    this.totalAmount = totalAmount;
    this.taxFreeAmount = taxFreeAmount;
    this.requestedAt = requestedAt;
    this.cardNumber = cardNumber;
    this.installmentPlanMonths = installmentPlanMonths;
    this.status = status;
    this.balanceAmount = totalAmount;
  }

  static String kst(Instant instant) {
    return instant == null ? null
        : OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.SECONDS), KST).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }

  /** Masks a card number as Toss does: first 8 digits, then {@code ****}, 3 digits, {@code *} (e.g. 43301234****123*). */
  static String mask(String number) {
    if (number.length() < 12) {
      return "*".repeat(number.length());
    }
    StringBuilder sb = new StringBuilder(number.substring(0, 8)).append("****");
    for (int i = 12; i < number.length(); i++) {
      sb.append(i == number.length() - 1 ? '*' : number.charAt(i));
    }
    return sb.toString();
  }

  static String issuerCode(String number) {
    return switch (number.charAt(0)) {
      case '4' -> "4V";
      case '5' -> "4M";
      case '3' -> "7A";
      default -> "11";
    };
  }

  /** Every field, for the emulator's state file. */
  JsonObject state() {
    return new JsonObject().put("paymentKey", paymentKey).put("type", type).put("orderId", orderId)
        .put("orderName", orderName).put("mId", mId).put("totalAmount", totalAmount).put("taxFreeAmount", taxFreeAmount)
        .put("requestedAt", requestedAt.toString()).put("cardNumber", cardNumber)
        .put("installmentPlanMonths", installmentPlanMonths).put("status", status).put("balanceAmount", balanceAmount)
        .put("approvedAt", approvedAt == null ? null : approvedAt.toString()).put("lastTransactionKey", lastTransactionKey)
        .put("approveNo", approveNo).put("failureCode", failureCode).put("failureMessage", failureMessage)
        .put("secret", secret).put("cancels", cancelsJson());
  }

  static Payment fromState(JsonObject s) {
    Payment p = new Payment(s.getString("paymentKey"), s.getString("type"), s.getString("orderId"),
        s.getString("orderName"), s.getString("mId"), s.getLong("totalAmount"), s.getLong("taxFreeAmount"),
        Instant.parse(s.getString("requestedAt")), s.getString("cardNumber"), s.getInteger("installmentPlanMonths"),
        s.getString("status"));
    p.balanceAmount = s.getLong("balanceAmount");
    p.approvedAt = s.getString("approvedAt") == null ? null : Instant.parse(s.getString("approvedAt"));
    p.lastTransactionKey = s.getString("lastTransactionKey");
    p.approveNo = s.getString("approveNo");
    p.failureCode = s.getString("failureCode");
    p.failureMessage = s.getString("failureMessage");
    p.secret = s.getString("secret");
    s.getJsonArray("cancels", new JsonArray()).forEach(c -> p.cancels.add(Cancel.fromJson((JsonObject) c)));
    return p;
  }

  private JsonArray cancelsJson() {
    List<Object> json = new ArrayList<>(cancels.size());
    cancels.forEach(c -> json.add(c.toJson()));
    return new JsonArray(json);
  }

  boolean approved() {
    return approvedAt != null;
  }

  /** A checkout the buyer paid by virtual account (no card). */
  boolean virtualAccount() {
    return cardNumber == null && "NORMAL".equals(type);
  }

  JsonObject toJson() {
    long taxable = balanceAmount - Math.min(taxFreeAmount, balanceAmount);
    long vat = Math.round(taxable / 11.0);
    JsonObject card = cardNumber == null ? null : new JsonObject()
        .put("amount", totalAmount)
        .put("issuerCode", issuerCode(cardNumber))
        .put("acquirerCode", issuerCode(cardNumber))
        .put("number", mask(cardNumber))
        .put("installmentPlanMonths", installmentPlanMonths)
        .put("approveNo", approveNo)
        .put("useCardPoint", false)
        .put("cardType", "신용")
        .put("ownerType", "개인")
        .put("acquireStatus", approved() ? "READY" : null)
        .put("isInterestFree", false)
        .put("interestPayer", null);
    JsonObject failure = failureCode == null ? null
        : new JsonObject().put("code", failureCode).put("message", failureMessage);
    return new JsonObject()
        .put("mId", mId)
        .put("lastTransactionKey", lastTransactionKey)
        .put("paymentKey", paymentKey)
        .put("orderId", orderId)
        .put("orderName", orderName)
        .put("taxExemptionAmount", 0)
        .put("status", status)
        .put("requestedAt", kst(requestedAt))
        .put("approvedAt", kst(approvedAt))
        .put("useEscrow", false)
        .put("cultureExpense", false)
        .put("card", card)
        .put("virtualAccount", !virtualAccount() ? null : new JsonObject()
            .put("accountType", "일반").put("accountNumber", "X6516" + paymentKey.substring(paymentKey.length() - 8))
            .put("bankCode", "20").put("customerName", "EventMall").put("dueDate", kst(requestedAt.plus(7,
                ChronoUnit.DAYS))).put("refundStatus", "NONE").put("expired", false).put("settlementStatus",
                "INCOMPLETED"))
        .put("transfer", null)
        .put("mobilePhone", null)
        .put("giftCertificate", null)
        .put("cashReceipt", null)
        .put("cashReceipts", null)
        .put("discount", null)
        .put("cancels", cancels.isEmpty() ? null : cancelsJson())
        .put("secret", secret)
        .put("type", type)
        .put("easyPay", null)
        .put("country", "KR")
        .put("failure", failure)
        .put("isPartialCancelable", true)
        .put("receipt", lastTransactionKey == null ? null : new JsonObject().put("url",
            "https://dashboard.tosspayments.com/receipt/redirection?transactionId=" + lastTransactionKey + "&ref=PX"))
        .put("checkout", new JsonObject().put("url",
            "https://api.tosspayments.com/v1/payments/" + paymentKey + "/checkout"))
        .put("currency", "KRW")
        .put("totalAmount", totalAmount)
        .put("balanceAmount", balanceAmount)
        .put("suppliedAmount", taxable - vat)
        .put("vat", vat)
        .put("taxFreeAmount", Math.min(taxFreeAmount, balanceAmount))
        .put("method", virtualAccount() ? "가상계좌" : "카드")
        .put("version", "2022-11-16");
  }
}
