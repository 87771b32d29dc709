package dev.eventmall.payment.api;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.http.ContractRoutes;
import dev.eventmall.common.http.Problem;
import dev.eventmall.common.http.ProblemException;
import dev.eventmall.common.http.Validation;
import dev.eventmall.common.logging.LogContext;
import dev.eventmall.payment.Payments;
import dev.eventmall.payment.client.TossClient;
import dev.eventmall.payment.client.TossException;
import dev.eventmall.payment.domain.BillingKey;
import dev.eventmall.payment.domain.CustomerKeys;
import dev.eventmall.payment.domain.Payment;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.YearMonth;
import java.util.regex.Pattern;

/**
 * {@code /payments}: billing keys, checkout confirm, payment lookup and the Toss webhook. Toss outcomes become problems:
 * a decline 422 {@code payment-declined} (with {@code code}), a configuration error of ours and an unknown outcome 503
 * {@code payment-provider-unavailable}.
 */
public final class PaymentApi {
  private static final Logger LOG = LoggerFactory.getLogger(PaymentApi.class);
  private static final Pattern DIGITS = Pattern.compile("\\d{8,20}");
  private static final Pattern TWO_DIGITS = Pattern.compile("\\d{2}");
  private static final Pattern MONTH = Pattern.compile("\\d{1,2}");
  private static final Pattern IDENTITY = Pattern.compile("\\d{6}|\\d{10}");
  private static final Pattern PAYMENT_KEY = Pattern.compile("[A-Za-z0-9_\\-]{1,200}");
  private static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9_\\-]{6,64}");
  private static final Pattern AUTH_KEY = Pattern.compile("[A-Za-z0-9_\\-]{1,300}");

  /** The one answer to every well-formed webhook. */
  static final JsonObject WEBHOOK_RECEIVED = new JsonObject().put("received", true);

  /** {@code TOSS_CLIENT_KEY}: the browser SDK's key of the checkout MID (default {@code test_ck_devstack}). */
  public static final String CLIENT_KEY = "TOSS_CLIENT_KEY";
  /** {@code TOSS_BILLING_CLIENT_KEY}: the browser SDK's key of the billing MID (default: {@code TOSS_CLIENT_KEY}). */
  public static final String BILLING_CLIENT_KEY = "TOSS_BILLING_CLIENT_KEY";
  /**
   * {@code TOSS_CARD_NUMBERS_ACCEPTED} ({@code false}): whether {@code POST /payments/billing-keys} takes raw card numbers
   * ({@code /v1/billing/authorizations/card}). Only for a merchant with that separate Toss contract (PCI scope); everyone
   * else registers cards through Toss's billing-auth window and sends the {@code authKey}.
   */
  public static final String CARD_NUMBERS_ACCEPTED = "TOSS_CARD_NUMBERS_ACCEPTED";

  /** What the API needs of the configuration. */
  public record Settings(String clientKey, String billingClientKey, boolean cardNumbersAccepted, String digestSecret) {
    public static Settings of(dev.eventmall.common.config.Config config) {
      String clientKey = config.get(CLIENT_KEY, "test_ck_devstack");
      return new Settings(clientKey, config.get(BILLING_CLIENT_KEY, clientKey),
        Boolean.parseBoolean(config.get(CARD_NUMBERS_ACCEPTED, "false")), config.tossSecretKey());
    }
  }

  private final Payments payments;
  private final TossClient toss;
  private final Settings settings;

  /** {@code settings.digestSecret} keys the digest of card data in the billing-auth Idempotency-Key. */
  public PaymentApi(Payments payments, TossClient toss, Settings settings) {
    this.payments = payments;
    this.toss = toss;
    this.settings = settings;
  }

  /**
   * Binds the operations of {@code openapi/payment.yaml}, which validates every request first; {@code webhookLimit}:
   * the per-client limit in front of the webhook (issue 16 row 11).
   */
  public ContractRoutes routes(ContractRoutes routes, JWTAuth jwt, Handler<RoutingContext> webhookLimit) {
    Handler<RoutingContext> bearer = AuthHandlers.bearer(jwt);
    Handler<RoutingContext> customer = AuthHandlers.requireRole(AuthPrincipal.CUSTOMER);
    return routes
      .operation("tossWebhook").before(webhookLimit).respond(this::webhook)
      .operation("registerBillingKey").before(bearer, customer).respond(this::registerBillingKey)
      .operation("myBillingKey").before(bearer, customer).respond(this::myBillingKey)
      .operation("tossClient").before(bearer, customer).respond(this::tossClient)
      .operation("confirmPayment").before(bearer, customer).respond(this::confirm)
      .operation("paymentOfOrder").before(bearer).respond(this::ofOrder);
  }

  // ---------------------------------------------------------------- billing keys

  /**
   * What a page needs to open Toss's windows for the caller: the client keys of both MIDs and the caller's
   * {@code customerKey} (the SDK's {@code payment({customerKey})}).
   */
  private Future<JsonObject> tossClient(RoutingContext ctx) {
    String memberId = AuthHandlers.principal(ctx).subject();
    return Future.succeededFuture(new JsonObject().put("clientKey", settings.clientKey())
      .put("billingClientKey", settings.billingClientKey()).put("customerKey", CustomerKeys.customerKey(memberId)));
  }

  /**
   * {@code {authKey, customerKey?}} from the success redirect of Toss's billing-auth window → {@code
   * /v1/billing/authorizations/issue} under the billing MID (the standard path). Raw card fields only when {@link
   * #CARD_NUMBERS_ACCEPTED} is on; otherwise refused before anything is read or sent.
   */
  private Future<JsonObject> registerBillingKey(RoutingContext ctx) {
    Validation v = Validation.of(ContractRoutes.body(ctx));
    if (v.body().containsKey("authKey")) {
      return issueBillingKey(ctx, v);
    }
    if (!settings.cardNumbersAccepted()) {
      throw ProblemException.of(422, "card-numbers-not-accepted", "Card numbers are not accepted",
        "Register the card in Toss's billing-auth window and send the authKey of its success redirect "
          + "({\"authKey\": ..., \"customerKey\": ...}); GET /payments/toss-client gives the keys the window needs");
    }
    return registerCardNumber(ctx, v);
  }

  private Future<JsonObject> issueBillingKey(RoutingContext ctx, Validation v) {
    String memberId = AuthHandlers.principal(ctx).subject();
    String customerKey = CustomerKeys.customerKey(memberId);
    String authKey = v.identifier("authKey", 300, AUTH_KEY, "must be letters, digits, '-' or '_'");
    String given = v.optionalString("customerKey", 300);
    if (given != null) {
      v.check(given.equals(customerKey), "customerKey", "is not the caller's customer key");
    }
    v.done();
    return stored(ctx, memberId, customerKey, toss.issueBillingKey(customerKey, authKey));
  }

  private Future<JsonObject> stored(RoutingContext ctx, String memberId, String customerKey,
                                    Future<JsonObject> issued) {
    return issued
      .recover(e -> Future.failedFuture(problem(e)))
      .compose(billing -> {
        JsonObject c = billing.getJsonObject("card", new JsonObject());
        Instant now = Instant.now();
        BillingKey key = new BillingKey(memberId, customerKey, billing.getString("billingKey"), c.getString("number"),
          c.getString("issuerCode"), c.getString("cardType"), now, now);
        return payments.repository().upsertBillingKey(payments.pool(), key)
          .compose(v2 -> payments.repository().findBillingKey(payments.pool(), memberId));
      })
      .map(stored -> {
        ctx.response().setStatusCode(201);
        return stored.toJson();
      });
  }

  private Future<JsonObject> registerCardNumber(RoutingContext ctx, Validation v) {
    String memberId = AuthHandlers.principal(ctx).subject();
    String rawNumber = v.requiredString("cardNumber", 40);
    String year = v.requiredString("cardExpirationYear", 2);
    String month = v.requiredString("cardExpirationMonth", 2);
    String identity = v.requiredString("customerIdentityNumber", 10);
    String number = rawNumber == null ? null : rawNumber.replaceAll("[ -]", "");
    if (number != null) {
      v.check(DIGITS.matcher(number).matches(), "cardNumber", "must be 8 to 20 digits");
    }
    if (year != null && month != null && TWO_DIGITS.matcher(year).matches() && MONTH.matcher(month).matches()) {
      int m = Integer.parseInt(month);
      v.check(m >= 1 && m <= 12, "cardExpirationMonth", "must be 01 to 12");
      if (m >= 1 && m <= 12) {
        v.check(!YearMonth.of(2000 + Integer.parseInt(year), m).isBefore(YearMonth.now()), "cardExpirationYear",
          "the card has expired");
      }
    } else {
      if (year != null) {
        v.check(TWO_DIGITS.matcher(year).matches(), "cardExpirationYear", "must be two digits (YY)");
      }
      if (month != null) {
        v.check(MONTH.matcher(month).matches(), "cardExpirationMonth", "must be one or two digits (MM)");
      }
    }
    if (identity != null) {
      v.check(IDENTITY.matcher(identity).matches(), "customerIdentityNumber",
        "must be a birth date (YYMMDD) or a 10-digit business number");
    }
    v.done();
    String mm = month.length() == 1 ? "0" + month : month;
    String customerKey = CustomerKeys.customerKey(memberId);
    JsonObject card = new JsonObject().put("cardNumber", number).put("cardExpirationYear", year)
      .put("cardExpirationMonth", mm).put("customerIdentityNumber", identity);
    return stored(ctx, memberId, customerKey, toss.authorizeCard(customerKey,
      CustomerKeys.digest(settings.digestSecret(), number, year, mm, identity), card));
  }

  private Future<JsonObject> myBillingKey(RoutingContext ctx) {
    String memberId = AuthHandlers.principal(ctx).subject();
    return payments.repository().findBillingKey(payments.pool(), memberId).map(key -> {
      if (key == null) {
        throw ProblemException.notFound("You have no billing key");
      }
      return key.toJson();
    });
  }

  // ---------------------------------------------------------------- checkout

  private Future<JsonObject> confirm(RoutingContext ctx) {
    String memberId = AuthHandlers.principal(ctx).subject();
    JsonObject body = ContractRoutes.body(ctx); // shapes checked by the document (ConfirmRequest)
    String paymentKey = body.getString("paymentKey");
    String orderId = body.getString("orderId");
    long amount = body.getLong("amount");
    LogContext.orderId(orderId);
    return payments.confirm(memberId, paymentKey, orderId, amount)
      .map(confirmed -> {
        if (confirmed.failure() != null) {
          throw problem(confirmed.failure());
        }
        return confirmed.payment().toJson();
      });
  }

  private Future<JsonObject> ofOrder(RoutingContext ctx) {
    AuthPrincipal principal = AuthHandlers.principal(ctx);
    String orderId = ctx.pathParam("orderId");
    LogContext.orderId(orderId);
    return payments.repository().find(payments.pool(), orderId).map(p -> {
      if (p == null || !principal.hasRole(AuthPrincipal.ADMIN) && !principal.subject().equals(p.memberId())) {
        throw ProblemException.notFound("No payment for order " + orderId);
      }
      return p.toJson();
    });
  }

  // ---------------------------------------------------------------- webhook

  /**
   * A Toss webhook gets the same answer — 200 {@link #WEBHOOK_RECEIVED} — whether or not the payment is ours and
   * whatever its status, as soon as it is recorded: it tells the caller nothing (issue 16 row 11: no lookup oracle)
   * and Toss gets it within its 10 s window however slow the re-read at Toss is (issue 13: a 404 made Toss retry an
   * EXPIRED checkout seven times and e-mail the merchant). The verification runs afterwards ({@link
   * Payments#acceptWebhook}). Only a malformed body is refused (4xx problem).
   */
  private Future<JsonObject> webhook(RoutingContext ctx) {
    Validation v = Validation.of(ContractRoutes.body(ctx));
    if (!v.body().containsKey("eventType") && v.body().containsKey("secret")) {
      return depositCallback(v);
    }
    String eventType = v.requiredString("eventType", 100);
    v.done();
    if (!"PAYMENT_STATUS_CHANGED".equals(eventType)) {
      return Future.succeededFuture(WEBHOOK_RECEIVED.copy());
    }
    Validation d = v.object("data", "a payment object");
    String paymentKey = d.identifier("paymentKey", 200, PAYMENT_KEY, "must be letters, digits, '-' or '_'");
    d.done();
    return payments.acceptWebhook(paymentKey).map(v2 -> WEBHOOK_RECEIVED.copy());
  }

  /**
   * Toss's {@code DEPOSIT_CALLBACK} (virtual accounts): {@code {createdAt, secret, status, transactionKey, orderId}},
   * no {@code eventType}. This service takes cards only and cancels a virtual account at confirm ({@code
   * TossClient.refuseMethod}), so a callback is about a payment it refused: answered like every well-formed webhook
   * (a 4xx would make Toss retry it seven times and e-mail the merchant), logged, nothing verified or changed. The
   * secret is never logged.
   */
  private Future<JsonObject> depositCallback(Validation v) {
    String orderId = v.identifier("orderId", 64, ORDER_ID, "must be 6 to 64 of [A-Za-z0-9_-]");
    String status = v.requiredString("status", 50);
    v.requiredString("secret", 300);
    String transactionKey = v.requiredString("transactionKey", 300);
    v.done();
    LogContext.orderId(orderId);
    LOG.info("DEPOSIT_CALLBACK for order {} (status {}, transaction {}): virtual accounts are refused and cancelled at "
      + "confirm, nothing to do", orderId, status, transactionKey);
    return Future.succeededFuture(WEBHOOK_RECEIVED.copy());
  }

  // ---------------------------------------------------------------- errors

  /** Toss outcomes as problems; anything else passes through (the failure handler makes it a 500). */
  static RuntimeException problem(Throwable e) {
    if (e instanceof TossException.Declined d) {
      // Toss's own message stays in our logs and the payment row: it is Toss's wording for the merchant (and may change
      // or carry details), the code is what a client acts on (issue 16 row 14)
      return new ProblemException(Problem.of(422, "payment-declined", "Payment declined",
        "The card company declined the payment; see code").with("code", d.code()));
    }
    if (e instanceof TossException.ForeignPayment f) {
      return new ProblemException(Problem.of(409, "payment-key-mismatch", "Payment key of another order",
        "The payment key is not an open checkout of this order; nothing was charged. Confirm with the key your "
          + "checkout returned, or start the checkout again").with("code", f.code()));
    }
    if (e instanceof TossException.MethodNotAccepted n) {
      return new ProblemException(Problem.of(422, "payment-method-not-accepted", "Payment method not accepted",
        "Only card payments are accepted; the payment was cancelled and nothing was charged").with("code", n.code()));
    }
    if (e instanceof TossException.Misconfigured m) {
      // the merchant's configuration, never the customer's card: nothing was declined, the payment is retried
      return new ProblemException(Problem.of(503, "payment-provider-unavailable", "Payment provider unavailable",
        "Payments cannot be completed right now; nothing was charged. Retry later")
        .with("code", "PROVIDER_CONFIGURATION")).withHeader("Retry-After", "30");
    }
    if (e instanceof TossException.OutcomeUnknown u) {
      return new ProblemException(Problem.of(503, "payment-provider-unavailable", "Payment provider unavailable",
        "The payment provider did not answer in time; retry later").with("code", u.code()))
        .withHeader("Retry-After", "5");
    }
    if (e instanceof TossException t) {
      return new ProblemException(Problem.of(409, "payment-conflict", "Payment conflict", t.getMessage())
        .with("code", t.code()));
    }
    return e instanceof RuntimeException r ? r : new RuntimeException(e);
  }
}
