package dev.eventmall.payment;

import dev.eventmall.common.testing.Await;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Card numbers through the payment service ({@code /v1/billing/authorizations/card}), switched on as a merchant with
 * Toss's card-number contract would ({@code TOSS_CARD_NUMBERS_ACCEPTED=true}); off by default (PaymentApiTest).
 */
class CardNumberRegistrationTest extends PaymentTestSupport {

  @Override
  void configure(Map<String, String> env) {
    env.put(dev.eventmall.payment.api.PaymentApi.CARD_NUMBERS_ACCEPTED, "true");
  }

  HttpResponse<Buffer> post(String path, String token, JsonObject body) {
    return Await.result(client.post(path).bearerTokenAuthentication(token).sendJsonObject(body));
  }

  @Test
  void registeringACardStoresTheBillingKeyButNeverTheCardNumber() {
    String memberId = newMemberId();
    HttpResponse<Buffer> res = registerCardNumber(memberId, "4330-1234-1234-5678");
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    JsonObject body = res.bodyAsJsonObject();
    assertThat(body.getString("cardMasked")).contains("*").doesNotContain("12345678");
    assertThat(body.containsKey("billingKey")).isFalse();
    assertThat(body.getString("customerKey")).startsWith("cust_");

    JsonObject row = row("SELECT * FROM billing_keys WHERE member_id = ?", memberId);
    assertThat(row.getString("billing_key")).isNotBlank();
    assertThat(row.encode()).doesNotContain("4330123412345678").doesNotContain("4330-1234-1234-5678");
    assertThat(count("SELECT COUNT(*) AS n FROM payment_attempts WHERE operation = 'billing-auth' AND "
      + "idempotency_key LIKE ?", "billing-auth:" + body.getString("customerKey") + ":%")).isEqualTo(1);

    HttpResponse<Buffer> mine = Await.result(client.get("/payments/billing-keys/me")
      .bearerTokenAuthentication(customerToken(memberId)).send());
    assertThat(mine.statusCode()).isEqualTo(200);
    assertThat(mine.bodyAsJsonObject().getString("cardMasked")).isEqualTo(body.getString("cardMasked"));
    assertProblem(Await.result(client.get("/payments/billing-keys/me")
      .bearerTokenAuthentication(customerToken(newMemberId())).send()), 404);
  }

  @Test
  void aCardTossRefusesIsA422ProblemWithTheTossCode() {
    HttpResponse<Buffer> res = registerCardNumber(newMemberId(), "4330123412349999");
    assertProblem(res, 422);
    assertThat(res.bodyAsJsonObject().getString("code")).isEqualTo("INVALID_CARD_NUMBER");
    assertThat(res.bodyAsJsonObject().getString("type")).endsWith("/payment-declined");
    // issue 16 row 14: our words, not Toss's message (before: the emulator's message was forwarded)
    assertThat(res.bodyAsJsonObject().getString("detail")).isEqualTo("The card company declined the payment; see code");
  }

  @Test
  void badCardFieldsAreProblemsListingEachField() {
    HttpResponse<Buffer> invalid = post("/payments/billing-keys", customerToken(newMemberId()), new JsonObject()
      .put("cardNumber", "12ab").put("cardExpirationYear", "2030").put("cardExpirationMonth", "13")
      .put("customerIdentityNumber", "1"));
    assertProblem(invalid, 422);
    assertThat(invalid.bodyAsJsonObject().getJsonArray("errors").size()).isGreaterThanOrEqualTo(3);
  }
}
