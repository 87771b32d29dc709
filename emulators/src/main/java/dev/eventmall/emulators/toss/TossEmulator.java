package dev.eventmall.emulators.toss;

import dev.eventmall.emulators.sandbox.BoundedLog;
import dev.eventmall.emulators.sandbox.BoundedMap;
import dev.eventmall.emulators.sandbox.FaultInjector;
import dev.eventmall.emulators.sandbox.Faults;
import dev.eventmall.emulators.sandbox.IdempotencyStore;
import dev.eventmall.emulators.sandbox.Reply;
import dev.eventmall.emulators.sandbox.WebhookSender;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emulator of the Toss Payments API ({@code /v1}, see /work/shared/TOSS.md) with a sandbox API for tests and ops.
 *
 * <h2>Test cards</h2>
 * Decided by the card number's last four digits (billing: the card registered with the billing key; checkout: the
 * {@code cardNumber} given to {@code POST /sandbox/checkout}):
 * <ul>
 *   <li>{@code ...0000}: charge / confirm declined, 403 {@code REJECT_CARD_COMPANY}</li>
 *   <li>{@code ...0001}: charge / confirm declined, 400 {@code EXCEED_MAX_AMOUNT}</li>
 *   <li>{@code ...0002}: charge / confirm declined, 403 {@code REJECT_CARD_PAYMENT}</li>
 *   <li>{@code ...0003}: charge / confirm declined, 400 {@code INVALID_STOPPED_CARD}</li>
 *   <li>{@code ...9999}: refused at billing authorization, 400 {@code INVALID_CARD_NUMBER}</li>
 *   <li>any other number of 8–20 digits: approved (an expiry in the past gives 400 {@code INVALID_CARD_EXPIRATION})</li>
 * </ul>
 *
 * <h2>Java API</h2>
 * {@link #start(Vertx, TossConfig)}, {@link #actualPort()}, {@link #baseUrl()}, {@link #close()}, {@link #ledger()},
 * {@link #charges(String)}, {@link #faults(Faults)}, {@link #advanceClock(Duration)}, {@link #webhookUrl(String)},
 * {@link #webhookDeliveries()}. All state lives on the verticle's event loop; the ledger and faults are safe to read and
 * set from any thread. Payments, ledger, Idempotency-Keys and the webhook log are each kept up to a limit, the oldest
 * dropped first: see {@link TossConfig}.
 */
public final class TossEmulator extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(TossEmulator.class);
  private static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9_-]{6,64}");
  private static final Pattern CUSTOMER_KEY = Pattern.compile("[a-zA-Z0-9\\-_=.,@]{2,300}");
  private static final Pattern CARD_NUMBER = Pattern.compile("[0-9]{8,20}");
  private static final Set<String> SETTLED = Set.of("DONE", "CANCELED", "PARTIAL_CANCELED");
  private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  @FunctionalInterface
  private interface Operation {
    Reply apply(RoutingContext ctx, String idempotencyKey);
  }

  private record BillingKey(String mId, String billingKey, String customerKey, String cardNumber,
                            Instant authenticatedAt) {}

  private record AuthKey(String mId, String customerKey, String cardNumber) {}

  /** The routing-context key of the caller's MID (from its secret key). */
  private static final String MID = "toss.mId";
  /** Whether the caller authenticated with a live key (the test-code header is then ignored). */
  private static final String LIVE_KEY = "toss.liveKey";

  private final TossConfig config;
  private final FaultInjector faults;
  private final AtomicLong clockOffsetMs = new AtomicLong();
  private final AtomicLong ledgerSeq = new AtomicLong();
  private final BoundedLog<LedgerEntry> ledger;
  /** By paymentKey, oldest first; a payment dropped beyond the limit is unknown from then on (404, as Toss answers). */
  private final BoundedMap<String, Payment> payments;
  private final Map<OrderKey, Payment> paymentsByOrderId = new HashMap<>();
  private final Map<String, BillingKey> billingKeys = new HashMap<>();
  private final Map<String, AuthKey> authKeys = new HashMap<>();
  private IdempotencyStore idempotency;
  private WebhookSender webhooks;
  private HttpServer server;
  /** The state file and its journal; null without a state file. */
  private StateJournal journal;
  // what changed since the journal was last appended to (event-loop confined)
  private final Set<Payment> touched = new java.util.LinkedHashSet<>();
  private final List<LedgerEntry> ledgerAdded = new java.util.ArrayList<>();
  private final List<BillingKey> billingKeysAdded = new java.util.ArrayList<>();
  /** authKey → its value, or null when it was used up. */
  private final Map<String, AuthKey> authKeysChanged = new LinkedHashMap<>();
  private long journalledClockOffsetMs;
  private long journalledLedgerSeq;
  /** NORMAL checkout sessions in the order they were opened (so by requestedAt): the ones expiry looks at. */
  private final java.util.ArrayDeque<Payment> openSessions = new java.util.ArrayDeque<>();

  public TossEmulator(TossConfig config) {
    this.config = config;
    this.faults = new FaultInjector(config.faults());
    this.ledger = new BoundedLog<>(config.maxLedgerEntries());
    this.payments = new BoundedMap<>(config.maxPayments(),
        p -> paymentsByOrderId.remove(orderKey(p.mId, p.orderId), p));
  }

  /** Deploys an emulator and answers it once it listens. */
  public static Future<TossEmulator> start(Vertx vertx, TossConfig config) {
    TossEmulator emulator = new TossEmulator(config);
    return vertx.deployVerticle(emulator).map(id -> emulator);
  }

  @Override
  public Future<?> start() {
    idempotency = new IdempotencyStore(Duration.ofDays(15), config.maxIdempotencyKeys(), this::now);
    webhooks = new WebhookSender(vertx, config.webhookUrl(), config.webhookRetryDelays(), config.webhookTimeout(),
        config.maxWebhookDeliveries()).transmissionHeaders("tosspayments-webhook");
    Future<Void> loaded = Future.succeededFuture();
    if (config.stateFile() != null) {
      journal = new StateJournal(config.stateFile());
      loaded = vertx.executeBlocking(this::loadState);
      vertx.setPeriodic(250, id -> appendChanges());
    }
    return loaded.compose(v -> {
      vertx.setPeriodic(1000, id -> expireSessions());
      server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()));
      // listen(port) alone binds 0.0.0.0 whatever the options say (issue 16 row 15): the host must be passed here
      return server.requestHandler(router()).listen(config.port(), config.host());
    });
  }

  @Override
  public Future<?> stop() {
    webhooks.close();
    if (journal != null) {
      JsonObject state = state();
      clearChanges(); // the snapshot holds them
      // ordered: after any append still queued
      return vertx.executeBlocking(() -> {
        journal.compact(state);
        return null;
      }, true);
    }
    return Future.succeededFuture();
  }

  // ---------------------------------------------------------------- state file

  private JsonObject state() {
    return new JsonObject()
        .put("clockOffsetMs", clockOffsetMs.get())
        .put("ledgerSeq", ledgerSeq.get())
        .put("payments", new JsonArray(payments.values().stream().map(Payment::state).toList()))
        .put("billingKeys", new JsonArray(billingKeys.values().stream().map(TossEmulator::billingKeyJson).toList()))
        .put("authKeys", new JsonObject(new HashMap<>(authKeys.entrySet().stream().collect(java.util.stream.Collectors
            .toMap(Map.Entry::getKey, e -> (Object) authKeyJson(e.getValue()))))))
        .put("ledger", new JsonArray(ledger.stream().map(LedgerEntry::toJson).toList()));
  }

  /**
   * Reads the snapshot and replays the journal into the (still unshared) maps, then folds both into a new snapshot:
   * runs before the server listens.
   */
  private Void loadState() throws java.io.IOException {
    JsonObject s = journal.readSnapshot();
    if (s != null) {
      clockOffsetMs.set(s.getLong("clockOffsetMs", 0L));
      ledgerSeq.set(s.getLong("ledgerSeq", 0L));
      s.getJsonArray("payments", new JsonArray()).forEach(o -> loadPayment((JsonObject) o));
      s.getJsonArray("billingKeys", new JsonArray()).forEach(o -> loadBillingKey((JsonObject) o));
      s.getJsonObject("authKeys", new JsonObject()).forEach(e -> loadAuthKey(e.getKey(), (JsonObject) e.getValue()));
      s.getJsonArray("ledger", new JsonArray()).forEach(o -> loadLedgerEntry((JsonObject) o));
    }
    int changes = journal.replay(change -> {
      if (change.containsKey("payment")) {
        loadPayment(change.getJsonObject("payment"));
      } else if (change.containsKey("ledger")) {
        loadLedgerEntry(change.getJsonObject("ledger"));
      } else if (change.containsKey("billingKey")) {
        loadBillingKey(change.getJsonObject("billingKey"));
      } else if (change.containsKey("authKey")) {
        loadAuthKey(change.getString("authKey"), change.getJsonObject("value"));
      } else if (change.containsKey("clockOffsetMs")) {
        clockOffsetMs.set(Math.max(clockOffsetMs.get(), change.getLong("clockOffsetMs")));
        ledgerSeq.set(Math.max(ledgerSeq.get(), change.getLong("ledgerSeq")));
      }
    });
    payments.values().stream()
        .filter(p -> "IN_PROGRESS".equals(p.status) && "NORMAL".equals(p.type))
        .sorted(java.util.Comparator.comparing((Payment p) -> p.requestedAt))
        .forEach(openSessions::add);
    journalledClockOffsetMs = clockOffsetMs.get();
    journalledLedgerSeq = ledgerSeq.get();
    if (s != null || changes > 0) {
      journal.compact(state());
      LOG.info("Toss emulator state read from {} (+{} journal changes): {} payments, {} billing keys, {} ledger entries",
          config.stateFile(), changes, payments.size(), billingKeys.size(), ledger.size());
    }
    return null;
  }

  private void loadPayment(JsonObject state) {
    putPayment(Payment.fromState(state)); // a later state of the same payment replaces the earlier one
  }

  /** Keeps {@code p} (as the latest payment of its order); beyond the limit the oldest payment is dropped. */
  private void putPayment(Payment p) {
    payments.put(p.paymentKey, p);
    paymentsByOrderId.put(orderKey(p.mId, p.orderId), p);
  }

  private void loadBillingKey(JsonObject k) {
    billingKeys.put(k.getString("billingKey"), new BillingKey(k.getString("mId"), k.getString("billingKey"),
        k.getString("customerKey"), k.getString("cardNumber"), Instant.parse(k.getString("authenticatedAt"))));
  }

  private void loadAuthKey(String authKey, JsonObject a) {
    if (a == null) {
      authKeys.remove(authKey);
    } else {
      authKeys.put(authKey, new AuthKey(a.getString("mId"), a.getString("customerKey"), a.getString("cardNumber")));
    }
  }

  private void loadLedgerEntry(JsonObject json) {
    LedgerEntry entry = LedgerEntry.fromJson(json);
    // a journal replayed over the snapshot that already holds it (a crash between the two writes of compact)
    if (ledger.isEmpty() || entry.seq() > lastLedgerSeq) {
      ledger.add(entry);
      lastLedgerSeq = entry.seq();
    }
  }

  private long lastLedgerSeq;

  private static JsonObject billingKeyJson(BillingKey k) {
    return new JsonObject().put("mId", k.mId()).put("billingKey", k.billingKey()).put("customerKey", k.customerKey())
        .put("cardNumber", k.cardNumber()).put("authenticatedAt", k.authenticatedAt().toString());
  }

  private static JsonObject authKeyJson(AuthKey a) {
    return a == null ? null
        : new JsonObject().put("mId", a.mId()).put("customerKey", a.customerKey()).put("cardNumber", a.cardNumber());
  }

  /** A payment whose state changed: journalled with the next append. */
  private void touch(Payment p) {
    if (journal != null) {
      touched.add(p);
    }
  }

  private void clearChanges() {
    touched.clear();
    ledgerAdded.clear();
    billingKeysAdded.clear();
    authKeysChanged.clear();
    journalledClockOffsetMs = clockOffsetMs.get();
    journalledLedgerSeq = ledgerSeq.get();
  }

  /**
   * Every 250 ms: what changed since the last time, as journal lines taken on the event loop (in proportion to the
   * changes) and appended off it, in order.
   */
  private void appendChanges() {
    List<String> lines = new java.util.ArrayList<>();
    touched.forEach(p -> lines.add(StateJournal.line("payment", p.state())));
    billingKeysAdded.forEach(k -> lines.add(StateJournal.line("billingKey", billingKeyJson(k))));
    authKeysChanged.forEach((key, value) ->
        lines.add(new JsonObject().put("authKey", key).put("value", authKeyJson(value)).encode()));
    ledgerAdded.forEach(e -> lines.add(StateJournal.line("ledger", e.toJson())));
    if (clockOffsetMs.get() != journalledClockOffsetMs || ledgerSeq.get() != journalledLedgerSeq) {
      lines.add(new JsonObject().put("clockOffsetMs", clockOffsetMs.get()).put("ledgerSeq", ledgerSeq.get()).encode());
    }
    clearChanges();
    if (lines.isEmpty()) {
      return;
    }
    vertx.executeBlocking(() -> {
      journal.append(lines);
      return null;
    }, true).onFailure(e -> LOG.warn("appending to the Toss emulator journal {} failed: {}", journal.journalFile(),
        e.toString()));
  }

  /** Undeploys the emulator (closes its server). */
  public Future<Void> close() {
    return vertx.undeploy(deploymentID());
  }

  public int actualPort() {
    return server.actualPort();
  }

  public String baseUrl() {
    return "http://" + config.host() + ":" + actualPort();
  }

  /** Every charge, declined charge and cancel so far (the newest {@link TossConfig#maxLedgerEntries()}), oldest first. */
  public List<LedgerEntry> ledger() {
    return ledger.snapshot();
  }

  /** The successful charges (billing charge or confirm) for an order: a correct client makes at most one. */
  public List<LedgerEntry> charges(String orderId) {
    return ledger.stream().filter(e -> e.kind() == LedgerEntry.Kind.CHARGE && e.orderId().equals(orderId)).toList();
  }

  /** The cancels of an order's payment. */
  public List<LedgerEntry> cancels(String orderId) {
    return ledger.stream().filter(e -> e.kind() == LedgerEntry.Kind.CANCEL && e.orderId().equals(orderId)).toList();
  }

  public Faults faults() {
    return faults.get();
  }

  public void faults(Faults f) {
    faults.set(f);
  }

  public void clearFaults() {
    faults.set(Faults.none());
  }

  /** The emulator's time: the configured clock plus what {@link #advanceClock} added. */
  public Instant now() {
    return config.clock().instant().plusMillis(clockOffsetMs.get());
  }

  /** Moves the emulator's time forward (checkout sessions older than the TTL expire at once). */
  public void advanceClock(Duration d) {
    clockOffsetMs.addAndGet(d.toMillis());
    context.runOnContext(v -> expireSessions());
  }

  public void webhookUrl(String url) {
    webhooks.targetUrl(url);
  }

  /** How many Idempotency-Keys the emulator holds (read on its event loop). */
  Future<Integer> idempotencyKeysHeld() {
    io.vertx.core.Promise<Integer> held = io.vertx.core.Promise.promise();
    context.runOnContext(v -> held.complete(idempotency.size()));
    return held.future();
  }

  public List<WebhookSender.Delivery> webhookDeliveries() {
    return webhooks.deliveries();
  }

  // ---------------------------------------------------------------- routing

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));

    Router v1 = Router.router(vertx);
    v1.post("/payments/confirm").handler(api(this::confirm));
    v1.post("/payments/:paymentKey/cancel").handler(api(this::cancel));
    v1.get("/payments/orders/:orderId").handler(api(this::byOrderId));
    v1.get("/payments/:paymentKey").handler(api(this::byPaymentKey));
    v1.post("/billing/authorizations/card").handler(api(this::authorizeCard));
    v1.post("/billing/authorizations/issue").handler(api(this::issueBillingKey));
    v1.post("/billing/:billingKey").handler(api(this::chargeBillingKey));
    router.route("/v1/*").subRouter(v1);
    router.route("/v1/*").handler(ctx -> error(ctx, new TossError("NOT_FOUND", "no such endpoint"), 404).send(ctx));

    Router sandbox = Router.router(vertx);
    sandbox.post("/checkout").handler(this::createCheckout);
    sandbox.post("/billing-auth").handler(this::createBillingAuth);
    sandbox.get("/faults").handler(ctx -> Reply.ok(faults.get().toJson()).send(ctx));
    sandbox.put("/faults").handler(this::putFaults);
    sandbox.get("/ledger").handler(this::getLedger);
    sandbox.get("/webhooks").handler(ctx -> Reply.ok(new JsonObject().put("url", webhooks.targetUrl()).put("deliveries",
        new JsonArray(webhooks.deliveries().stream().map(WebhookSender.Delivery::toJson).toList()))).send(ctx));
    sandbox.put("/webhook").handler(this::putWebhook);
    sandbox.post("/clock").handler(this::postClock);
    router.route("/sandbox/*").subRouter(sandbox);

    // the browser side: the SDK stand-in and the payment windows it opens (issue 13)
    router.get("/v2/standard").handler(this::sdk);
    router.get("/window/payment").handler(this::paymentWindow);
    router.post("/window/payment").handler(this::paymentWindowSubmit);
    router.get("/window/billing-auth").handler(this::billingAuthWindow);
    router.post("/window/billing-auth").handler(this::billingAuthWindowSubmit);
    return router;
  }

  // ---------------------------------------------------------------- browser: SDK stand-in and payment windows

  private String sdkSource;

  private void sdk(RoutingContext ctx) {
    if (sdkSource == null) {
      try (var in = TossEmulator.class.getResourceAsStream("/toss/sdk-v2-standard.js")) {
        sdkSource = new String(java.util.Objects.requireNonNull(in, "sdk resource").readAllBytes(),
            StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        ctx.fail(e);
        return;
      }
    }
    ctx.response().putHeader("Content-Type", "application/javascript; charset=utf-8")
        .putHeader("Cache-Control", "no-cache").end(sdkSource);
  }

  /** The checkout window: order, amount, a card number field (test cards decide declines, as in the sandbox API). */
  private void paymentWindow(RoutingContext ctx) {
    var q = ctx.request().params();
    String error = windowParamsError(q, List.of("clientKey", "customerKey", "method", "amount", "orderId", "orderName",
        "successUrl", "failUrl"));
    if (error != null) {
      windowError(ctx, error);
      return;
    }
    StringBuilder hidden = new StringBuilder();
    for (String name : List.of("clientKey", "customerKey", "method", "amount", "orderId", "orderName", "successUrl",
        "failUrl")) {
      hidden.append("<input type=\"hidden\" name=\"").append(name).append("\" value=\"").append(html(q.get(name)))
          .append("\">");
    }
    windowPage(ctx, "결제하기", "<p class=\"order\" id=\"order-name\">" + html(q.get("orderName")) + "</p>"
        + "<p class=\"amount\" id=\"amount\">" + html(q.get("amount")) + "원</p>"
        + "<form method=\"post\" action=\"/window/payment\">" + hidden
        + "<label>카드 번호 (card number) <input id=\"card-number\" name=\"cardNumber\" value=\"4330123412341234\" "
        + "inputmode=\"numeric\" autocomplete=\"off\"></label>"
        + "<button id=\"pay\" name=\"action\" value=\"pay\">" + html(q.get("amount")) + "원 결제하기</button>"
        + "<button id=\"cancel\" name=\"action\" value=\"cancel\" class=\"secondary\">취소</button></form>");
  }

  private void paymentWindowSubmit(RoutingContext ctx) {
    var f = ctx.request().formAttributes();
    String failUrl = f.get("failUrl");
    String error = windowParamsError(f, List.of("clientKey", "customerKey", "amount", "orderId", "orderName",
        "successUrl", "failUrl"));
    if (error != null) {
      windowError(ctx, error);
      return;
    }
    String orderId = f.get("orderId");
    if ("cancel".equals(f.get("action"))) {
      redirect(ctx, failUrl, query("code", "PAY_PROCESS_CANCELED", "message", "사용자에 의해 결제가 취소되었습니다.",
          "orderId", orderId));
      return;
    }
    String card = f.get("cardNumber") == null ? "" : f.get("cardNumber").replaceAll("[ -]", "");
    if (!CARD_NUMBER.matcher(card).matches() || card.endsWith("9999")) {
      redirect(ctx, failUrl, query("code", "INVALID_CARD_NUMBER", "message", "카드번호를 다시 확인해주세요.",
          "orderId", orderId));
      return;
    }
    try {
      long amount = Long.parseLong(f.get("amount"));
      JsonObject session = new JsonObject().put("orderId", orderId).put("amount", amount)
          .put("orderName", f.get("orderName")).put("cardNumber", card).put("clientKey", f.get("clientKey"));
      Payment p = openCheckout(session);
      redirect(ctx, f.get("successUrl"), query("paymentType", "NORMAL", "orderId", orderId,
          "paymentKey", p.paymentKey, "amount", Long.toString(amount)));
    } catch (NumberFormatException e) {
      windowError(ctx, "amount must be a whole number");
    } catch (TossError e) {
      redirect(ctx, failUrl, query("code", e.code(), "message", e.message(false), "orderId", orderId));
    }
  }

  /** The billing-auth window: the card is entered here (at Toss), the merchant gets an authKey only. */
  private void billingAuthWindow(RoutingContext ctx) {
    var q = ctx.request().params();
    String error = windowParamsError(q, List.of("clientKey", "customerKey", "method", "successUrl", "failUrl"));
    if (error != null) {
      windowError(ctx, error);
      return;
    }
    StringBuilder hidden = new StringBuilder();
    for (String name : List.of("clientKey", "customerKey", "successUrl", "failUrl")) {
      hidden.append("<input type=\"hidden\" name=\"").append(name).append("\" value=\"").append(html(q.get(name)))
          .append("\">");
    }
    windowPage(ctx, "카드 등록", "<p>자동결제에 사용할 카드를 등록합니다 (register a card for automatic payments).</p>"
        + "<form method=\"post\" action=\"/window/billing-auth\">" + hidden
        + "<label>카드 번호 (card number) <input id=\"card-number\" name=\"cardNumber\" value=\"4330123412341234\" "
        + "inputmode=\"numeric\" autocomplete=\"off\"></label>"
        + "<label>유효기간 (MM/YY) <input id=\"card-expiry\" name=\"expiry\" value=\"12/30\"></label>"
        + "<button id=\"register\" name=\"action\" value=\"register\">카드 등록하기</button>"
        + "<button id=\"cancel\" name=\"action\" value=\"cancel\" class=\"secondary\">취소</button></form>");
  }

  private void billingAuthWindowSubmit(RoutingContext ctx) {
    var f = ctx.request().formAttributes();
    String error = windowParamsError(f, List.of("clientKey", "customerKey", "successUrl", "failUrl"));
    if (error != null) {
      windowError(ctx, error);
      return;
    }
    if ("cancel".equals(f.get("action"))) {
      redirect(ctx, f.get("failUrl"), query("code", "PAY_PROCESS_CANCELED", "message",
          "사용자에 의해 결제가 취소되었습니다."));
      return;
    }
    String card = f.get("cardNumber") == null ? "" : f.get("cardNumber").replaceAll("[ -]", "");
    if (!CARD_NUMBER.matcher(card).matches() || card.endsWith("9999")) {
      redirect(ctx, f.get("failUrl"), query("code", "INVALID_CARD_NUMBER", "message", "카드번호를 다시 확인해주세요."));
      return;
    }
    String customerKey = f.get("customerKey");
    if (!CUSTOMER_KEY.matcher(customerKey).matches()) {
      redirect(ctx, f.get("failUrl"), query("code", "INVALID_REQUEST", "message", "잘못된 요청입니다."));
      return;
    }
    String authKey = "bln_" + random(20);
    putAuthKey(authKey, new AuthKey(config.mIdOfClientKey(f.get("clientKey")), customerKey, card));
    redirect(ctx, f.get("successUrl"), query("customerKey", customerKey, "authKey", authKey));
  }

  /** What is missing or malformed in a window's parameters (the redirect URLs must be absolute http(s)), or null. */
  private static String windowParamsError(io.vertx.core.MultiMap params, List<String> required) {
    for (String name : required) {
      String v = params.get(name);
      if (v == null || v.isBlank()) {
        return name + " is required";
      }
    }
    for (String name : List.of("successUrl", "failUrl")) {
      if (required.contains(name)) {
        try {
          java.net.URI uri = java.net.URI.create(params.get(name));
          if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            return name + " must be an absolute http(s) URL";
          }
        } catch (IllegalArgumentException e) {
          return name + " must be an absolute http(s) URL";
        }
      }
    }
    return null;
  }

  /** Query parameters in the order given (Toss's order on its redirects). */
  private static Map<String, String> query(String... keysAndValues) {
    Map<String, String> q = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      q.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return q;
  }

  /** A 303 to {@code url} with {@code params} added to its query (before any fragment), as Toss's redirects do. */
  private static void redirect(RoutingContext ctx, String url, Map<String, String> params) {
    java.net.URI uri = java.net.URI.create(url);
    StringBuilder query = new StringBuilder(uri.getRawQuery() == null ? "" : uri.getRawQuery());
    params.forEach((k, v) -> query.append(query.length() == 0 ? "" : "&").append(k).append('=')
        .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
    String target = uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null || uri.getRawPath()
        .isEmpty() ? "/" : uri.getRawPath()) + "?" + query + (uri.getRawFragment() == null ? "" : "#"
        + uri.getRawFragment());
    ctx.response().setStatusCode(303).putHeader("Location", target).putHeader("Cache-Control", "no-store").end();
  }

  private static void windowError(RoutingContext ctx, String message) {
    windowPage(ctx.response().setStatusCode(400), ctx, "요청 오류", "<p class=\"error\" id=\"window-error\">"
        + html(message) + "</p>");
  }

  private static void windowPage(RoutingContext ctx, String title, String body) {
    windowPage(ctx.response(), ctx, title, body);
  }

  private static void windowPage(io.vertx.core.http.HttpServerResponse res, RoutingContext ctx, String title,
                                 String body) {
    res.putHeader("Content-Type", "text/html; charset=utf-8").putHeader("Cache-Control", "no-store")
        .end("<!doctype html><html lang=\"ko\"><head><meta charset=\"utf-8\"><title>토스페이먼츠 (sandbox) - "
            + html(title) + "</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<style>body{font-family:sans-serif;max-width:420px;margin:40px auto;padding:0 16px;color:#191f28}"
            + "h1{font-size:20px;color:#3182f6}.amount{font-size:28px;font-weight:bold}label{display:block;margin:12px 0}"
            + "input{display:block;width:100%;padding:8px;font-size:16px;box-sizing:border-box}"
            + "button{margin:8px 8px 0 0;padding:10px 16px;font-size:16px;border:0;border-radius:6px;background:#3182f6;"
            + "color:#fff}button.secondary{background:#e5e8eb;color:#191f28}.error{color:#d22030}"
            + ".note{color:#8b95a1;font-size:12px;margin-top:24px}</style></head><body><h1>토스페이먼츠 "
            + html(title) + "</h1>" + body + "<p class=\"note\">EventMall Toss emulator: a sandbox window, not Toss."
            + "</p></body></html>");
  }

  private static String html(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private Handler<RoutingContext> api(Operation op) {
    return ctx -> {
      handle(ctx, op);
    };
  }

  /** Outage, auth, Idempotency-Key, latency, injected errors, test code, timeout: in that order. */
  private void handle(RoutingContext ctx, Operation op) {
    FaultInjector.Decision decision = faults.decide(ctx.request().path());
    Faults f = decision.faults();
    if (f.outage() == Faults.Outage.CLOSE_CONNECTION) {
      ctx.request().connection().close();
      return;
    }
    if (f.outage() == Faults.Outage.SERVICE_UNAVAILABLE) {
      new Reply(503, new JsonObject().put("code", "SERVICE_UNAVAILABLE").put("message", "Service Unavailable")).send(ctx);
      return;
    }
    String apiKey;
    try {
      apiKey = authenticate(ctx);
    } catch (TossError e) {
      error(ctx, e).send(ctx);
      return;
    }
    String idempotencyKey = null;
    String storeKey = null;
    if (ctx.request().method() == HttpMethod.POST) {
      idempotencyKey = ctx.request().getHeader("Idempotency-Key");
      if (idempotencyKey != null && idempotencyKey.length() > 300) {
        error(ctx, new TossError("INVALID_IDEMPOTENCY_KEY")).send(ctx);
        return;
      }
      if (idempotencyKey != null && !idempotencyKey.isEmpty()) {
        storeKey = IdempotencyStore.key(apiKey, "POST", ctx.request().path(), idempotencyKey);
        IdempotencyStore.Lookup lookup = idempotency.begin(storeKey);
        if (lookup instanceof IdempotencyStore.InFlight) {
          error(ctx, new TossError("IDEMPOTENT_REQUEST_PROCESSING")).send(ctx);
          return;
        }
        if (lookup instanceof IdempotencyStore.Replay replay) {
          replay.reply().send(ctx);
          return;
        }
      } else {
        idempotencyKey = null;
      }
    }
    String key = idempotencyKey;
    String stored = storeKey;
    if (f.latencyMs() > 0) {
      vertx.setTimer(f.latencyMs(), t -> execute(ctx, op, decision, stored, key));
    } else {
      execute(ctx, op, decision, stored, key);
    }
  }

  private void execute(RoutingContext ctx, Operation op, FaultInjector.Decision decision, String storeKey, String key) {
    Faults f = decision.faults();
    if (decision.error()) {
      if (f.errorApplyEffect()) {
        idempotency.complete(storeKey, invoke(ctx, op, key));
      } else {
        idempotency.abort(storeKey);
      }
      injectedError(ctx, f).send(ctx);
      return;
    }
    String testCode = ctx.request().getHeader("TossPayments-Test-Code");
    // as at Toss: honoured with test keys only, a live key ignores it
    if (testCode != null && !testCode.isBlank() && !Boolean.TRUE.equals(ctx.get(LIVE_KEY))) {
      idempotency.abort(storeKey);
      error(ctx, new TossError(testCode.trim())).send(ctx);
      return;
    }
    if (f.timeoutMs() != 0) {
      Reply reply;
      if (f.timeoutApplyEffect()) {
        reply = invoke(ctx, op, key);
        idempotency.complete(storeKey, reply);
      } else {
        idempotency.abort(storeKey);
        reply = injectedError(ctx, f);
      }
      if (f.timeoutMs() > 0) {
        vertx.setTimer(f.timeoutMs(), t -> reply.send(ctx));
      }
      return;
    }
    Reply reply = invoke(ctx, op, key);
    idempotency.complete(storeKey, reply);
    reply.send(ctx);
  }

  private Reply invoke(RoutingContext ctx, Operation op, String key) {
    try {
      return op.apply(ctx, key);
    } catch (TossError e) {
      return error(ctx, e);
    } catch (RuntimeException e) {
      LOG.error("emulator failure on {}", ctx.request().path(), e);
      return error(ctx, new TossError("FAILED_INTERNAL_SYSTEM_PROCESSING", e.toString()));
    }
  }

  private Reply injectedError(RoutingContext ctx, Faults f) {
    return error(ctx, new TossError(f.errorCode()), f.errorStatus() > 0 ? f.errorStatus() : TossError.statusOf(f.errorCode()));
  }

  private static boolean english(RoutingContext ctx) {
    String lang = ctx.request().getHeader("Accept-Language");
    return lang != null && lang.trim().toLowerCase().startsWith("en");
  }

  private static Reply error(RoutingContext ctx, TossError e) {
    return error(ctx, e, e.status());
  }

  private static Reply error(RoutingContext ctx, TossError e, int status) {
    return new Reply(status, new JsonObject().put("code", e.code()).put("message", e.message(english(ctx))));
  }

  private String authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || header.isBlank()) {
      throw new TossError("UNAUTHORIZED_KEY", "missing Authorization header");
    }
    if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
      throw new TossError("INCORRECT_BASIC_AUTH_FORMAT");
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new TossError("INCORRECT_BASIC_AUTH_FORMAT");
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new TossError("INCORRECT_BASIC_AUTH_FORMAT");
    }
    String key = decoded.substring(0, colon);
    boolean known = config.secretKeys().contains(key) || config.merchantKey(key)
        || (!config.strictKeys() && key.startsWith("test_sk_"));
    if (!known) {
      throw new TossError("UNAUTHORIZED_KEY");
    }
    ctx.put(MID, config.mIdOfSecretKey(key));
    ctx.put(LIVE_KEY, key.startsWith("live_"));
    return key;
  }

  // ---------------------------------------------------------------- /v1 operations

  private Reply confirm(RoutingContext ctx, String idempotencyKey) {
    JsonObject body = body(ctx);
    String paymentKey = text(body, "paymentKey", 1, 200);
    String orderId = orderId(body);
    long amount = amount(body, "amount");
    Payment p = payments.get(paymentKey);
    if (p == null || !"NORMAL".equals(p.type) || !p.mId.equals(mId(ctx))) {
      throw new TossError("NOT_FOUND_PAYMENT_SESSION");
    }
    if (SETTLED.contains(p.status) || "ABORTED".equals(p.status)) {
      throw new TossError("ALREADY_PROCESSED_PAYMENT");
    }
    if ("IN_PROGRESS".equals(p.status) && sessionExpired(p)) {
      expire(p);
    }
    if (!"IN_PROGRESS".equals(p.status) || !p.orderId.equals(orderId)) {
      throw new TossError("NOT_FOUND_PAYMENT_SESSION");
    }
    if (amount != p.totalAmount) {
      throw TossError.invalid("amount " + amount + " does not match the payment's " + p.totalAmount);
    }
    String decline = p.cardNumber == null ? null : declineCode(p.cardNumber);
    if (decline != null) {
      TossError e = new TossError(decline);
      touch(p);
      p.status = "ABORTED";
      p.failureCode = decline;
      p.failureMessage = e.message(false);
      record(LedgerEntry.Kind.DECLINE, p, p.totalAmount, null, idempotencyKey, decline);
      notifyStatusChanged(p);
      throw e;
    }
    if (p.virtualAccount()) {
      // issued, not paid: the buyer deposits later (DEPOSIT_CALLBACK); nothing is charged yet
      touch(p);
      p.status = "WAITING_FOR_DEPOSIT";
      p.lastTransactionKey = transactionKey();
      p.secret = "ps_" + random(20);
      return Reply.ok(p.toJson());
    }
    approve(p);
    record(LedgerEntry.Kind.CHARGE, p, p.totalAmount, p.lastTransactionKey, idempotencyKey, null);
    notifyStatusChanged(p);
    return Reply.ok(p.toJson());
  }

  private Reply cancel(RoutingContext ctx, String idempotencyKey) {
    Payment p = visible(ctx, payments.get(ctx.pathParam("paymentKey")));
    JsonObject body = body(ctx);
    String reason = text(body, "cancelReason", 1, 200);
    Long cancelAmount = body.getValue("cancelAmount") == null ? null : amount(body, "cancelAmount");
    long taxFree = body.getValue("taxFreeAmount") == null ? 0 : wholeNumber(body, "taxFreeAmount", 0);
    if ("CANCELED".equals(p.status)) {
      throw new TossError("ALREADY_CANCELED_PAYMENT");
    }
    if ("WAITING_FOR_DEPOSIT".equals(p.status)) {
      // a virtual account not paid into yet: cancelled whole, nothing to refund
      touch(p);
      p.status = "CANCELED";
      p.lastTransactionKey = transactionKey();
      p.cancels.add(new Payment.Cancel(p.lastTransactionKey, reason, now(), p.balanceAmount, 0, 0, false));
      p.balanceAmount = 0;
      record(LedgerEntry.Kind.CANCEL, p, 0, p.lastTransactionKey, idempotencyKey, null);
      notifyStatusChanged(p);
      return Reply.ok(p.toJson());
    }
    if (!SETTLED.contains(p.status)) {
      throw new TossError("NOT_CANCELABLE_PAYMENT");
    }
    long amount = cancelAmount == null ? p.balanceAmount : cancelAmount;
    if (amount > p.balanceAmount) {
      throw new TossError("NOT_CANCELABLE_AMOUNT", "balance is " + p.balanceAmount);
    }
    String tx = transactionKey();
    touch(p);
    p.balanceAmount -= amount;
    p.status = p.balanceAmount == 0 ? "CANCELED" : "PARTIAL_CANCELED";
    p.lastTransactionKey = tx;
    p.cancels.add(new Payment.Cancel(tx, reason, now(), amount, taxFree, p.balanceAmount, true));
    record(LedgerEntry.Kind.CANCEL, p, amount, tx, idempotencyKey, null);
    notifyStatusChanged(p);
    return Reply.ok(p.toJson());
  }

  private Reply byPaymentKey(RoutingContext ctx, String ignored) {
    return Reply.ok(visible(ctx, payments.get(ctx.pathParam("paymentKey"))).toJson());
  }

  private Reply byOrderId(RoutingContext ctx, String ignored) {
    return Reply.ok(visible(ctx, paymentsByOrderId.get(orderKey(mId(ctx), ctx.pathParam("orderId")))).toJson());
  }

  /** {@code p} when the caller's MID made it; NOT_FOUND_PAYMENT otherwise (another merchant's payment is not seen). */
  private static Payment visible(RoutingContext ctx, Payment p) {
    if (p == null || !p.mId.equals(mId(ctx))) {
      throw new TossError("NOT_FOUND_PAYMENT");
    }
    return p;
  }

  private static String mId(RoutingContext ctx) {
    return ctx.get(MID);
  }

  /** Order ids are unique per merchant (a record: it shares the payment's strings). */
  private record OrderKey(String mId, String orderId) {}

  private static OrderKey orderKey(String mId, String orderId) {
    return new OrderKey(mId, orderId);
  }

  private Reply authorizeCard(RoutingContext ctx, String ignored) {
    JsonObject body = body(ctx);
    String customerKey = customerKey(body);
    String cardNumber = text(body, "cardNumber", 1, 20).replace("-", "");
    if (!CARD_NUMBER.matcher(cardNumber).matches()) {
      throw new TossError("INVALID_CARD_NUMBER");
    }
    String year = text(body, "cardExpirationYear", 2, 2);
    String month = text(body, "cardExpirationMonth", 1, 2);
    text(body, "customerIdentityNumber", 6, 10);
    YearMonth expiry;
    try {
      expiry = YearMonth.of(2000 + Integer.parseInt(year), Integer.parseInt(month));
    } catch (RuntimeException e) {
      throw new TossError("INVALID_CARD_EXPIRATION");
    }
    if (expiry.isBefore(YearMonth.from(now().atOffset(Payment.KST)))) {
      throw new TossError("INVALID_CARD_EXPIRATION");
    }
    if (cardNumber.endsWith("9999")) {
      throw new TossError("INVALID_CARD_NUMBER");
    }
    return Reply.ok(billing(newBillingKey(mId(ctx), customerKey, cardNumber)));
  }

  private Reply issueBillingKey(RoutingContext ctx, String ignored) {
    JsonObject body = body(ctx);
    String authKey = text(body, "authKey", 1, 300);
    String customerKey = customerKey(body);
    AuthKey auth = authKeys.get(authKey);
    if (auth == null || !auth.mId().equals(mId(ctx))) {
      throw TossError.invalid("unknown authKey");
    }
    if (!auth.customerKey().equals(customerKey)) {
      throw new TossError("NOT_MATCHES_CUSTOMER_KEY");
    }
    authKeys.remove(authKey);
    if (journal != null) {
      authKeysChanged.put(authKey, null);
    }
    return Reply.ok(billing(newBillingKey(auth.mId(), customerKey, auth.cardNumber())));
  }

  private Reply chargeBillingKey(RoutingContext ctx, String idempotencyKey) {
    JsonObject body = body(ctx);
    String customerKey = customerKey(body);
    long amount = amount(body, "amount");
    String orderId = orderId(body);
    String orderName = text(body, "orderName", 1, 100);
    long taxFree = body.getValue("taxFreeAmount") == null ? 0 : wholeNumber(body, "taxFreeAmount", 0);
    int installment = body.getValue("cardInstallmentPlan") == null ? 0 : (int) wholeNumber(body, "cardInstallmentPlan", 0);
    BillingKey key = billingKeys.get(ctx.pathParam("billingKey"));
    if (key == null || !key.mId().equals(mId(ctx))) {
      throw TossError.invalid("unknown billingKey");
    }
    if (!key.customerKey().equals(customerKey)) {
      throw new TossError("NOT_MATCHES_CUSTOMER_KEY");
    }
    if (paymentsByOrderId.containsKey(orderKey(key.mId(), orderId))) {
      throw new TossError("DUPLICATED_ORDER_ID");
    }
    Payment p = new Payment(paymentKey(), "BILLING", orderId, orderName, key.mId(), amount, taxFree, now(),
        key.cardNumber(), installment, "IN_PROGRESS");
    String decline = declineCode(key.cardNumber());
    if (decline != null) {
      record(LedgerEntry.Kind.DECLINE, p, amount, null, idempotencyKey, decline);
      throw new TossError(decline);
    }
    approve(p);
    putPayment(p);
    record(LedgerEntry.Kind.CHARGE, p, amount, p.lastTransactionKey, idempotencyKey, null);
    return Reply.ok(p.toJson());
  }

  // ---------------------------------------------------------------- sandbox

  /**
   * {@code POST /sandbox/checkout {orderId, amount, orderName?, cardNumber?, method?, clientKey?}}: what the browser SDK
   * would do. {@code method} {@code CARD} (default) or {@code VIRTUAL_ACCOUNT} (confirm then gives WAITING_FOR_DEPOSIT);
   * {@code clientKey} picks the merchant (default: the default MID).
   */
  private void createCheckout(RoutingContext ctx) {
    Reply reply;
    try {
      Payment p = openCheckout(body(ctx));
      reply = new Reply(201, new JsonObject()
          .put("paymentKey", p.paymentKey)
          .put("orderId", p.orderId)
          .put("amount", p.totalAmount)
          .put("status", p.status)
          .put("expiresAt", Payment.kst(p.requestedAt.plus(config.sessionTtl()))));
    } catch (TossError e) {
      reply = error(ctx, e);
    }
    reply.send(ctx);
  }

  /** A checkout session (IN_PROGRESS: the buyer authenticated) as the payment window leaves it. */
  private Payment openCheckout(JsonObject body) {
    String orderId = orderId(body);
    long amount = amount(body, "amount");
    String orderName = body.getValue("orderName") == null ? "EventMall order" : text(body, "orderName", 1, 100);
    String method = body.getValue("method") == null ? "CARD" : text(body, "method", 1, 30);
    if (!method.equals("CARD") && !method.equals("VIRTUAL_ACCOUNT")) {
      throw TossError.invalid("method must be CARD or VIRTUAL_ACCOUNT");
    }
    String card = method.equals("VIRTUAL_ACCOUNT") ? null
        : body.getValue("cardNumber") == null ? "4330123412341234" : text(body, "cardNumber", 8, 20);
    String mId = config.mIdOfClientKey(body.getString("clientKey"));
    Payment previous = paymentsByOrderId.get(orderKey(mId, orderId));
    if (previous != null && (previous.approved() || "IN_PROGRESS".equals(previous.status) && !sessionExpired(previous))) {
      throw new TossError("DUPLICATED_ORDER_ID");
    }
    Payment p = new Payment(paymentKey(), "NORMAL", orderId, orderName, mId, amount, 0, now(), card, 0,
        "IN_PROGRESS");
    putPayment(p);
    openSessions.add(p);
    touch(p);
    return p;
  }

  /**
   * {@code POST /sandbox/billing-auth {customerKey, cardNumber?, clientKey?}}: the authKey the billing-auth redirect
   * would carry; {@code clientKey} picks the merchant whose secret key may issue the billing key.
   */
  private void createBillingAuth(RoutingContext ctx) {
    Reply reply;
    try {
      JsonObject body = body(ctx);
      String customerKey = customerKey(body);
      String card = body.getValue("cardNumber") == null ? "4330123412341234" : text(body, "cardNumber", 8, 20);
      String authKey = "bln_" + random(20);
      putAuthKey(authKey, new AuthKey(config.mIdOfClientKey(body.getString("clientKey")), customerKey, card));
      reply = new Reply(201, new JsonObject().put("authKey", authKey).put("customerKey", customerKey));
    } catch (TossError e) {
      reply = error(ctx, e);
    }
    reply.send(ctx);
  }

  private void putFaults(RoutingContext ctx) {
    try {
      faults.set(Faults.fromJson(ctx.body().asJsonObject()));
      Reply.ok(faults.get().toJson()).send(ctx);
    } catch (RuntimeException e) {
      new Reply(400, new JsonObject().put("code", "INVALID_REQUEST").put("message", String.valueOf(e.getMessage())))
          .send(ctx);
    }
  }

  /** {@code GET /sandbox/ledger[?orderId=..]}. */
  private void getLedger(RoutingContext ctx) {
    String orderId = ctx.request().getParam("orderId");
    List<JsonObject> entries = ledger.stream()
        .filter(e -> orderId == null || e.orderId().equals(orderId))
        .map(LedgerEntry::toJson).toList();
    Reply.ok(new JsonObject().put("entries", new JsonArray(entries))).send(ctx);
  }

  private void putWebhook(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    webhooks.targetUrl(body == null ? null : body.getString("url"));
    Reply.ok(new JsonObject().put("url", webhooks.targetUrl())).send(ctx);
  }

  /** {@code POST /sandbox/clock {advanceMs}}: moves the emulator's time forward. */
  private void postClock(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    long ms = body == null ? 0 : body.getLong("advanceMs", 0L);
    clockOffsetMs.addAndGet(Math.max(0, ms));
    expireSessions();
    Reply.ok(new JsonObject().put("now", Payment.kst(now())).put("offsetMs", clockOffsetMs.get())).send(ctx);
  }

  // ---------------------------------------------------------------- helpers

  private void approve(Payment p) {
    touch(p);
    p.status = "DONE";
    p.approvedAt = now();
    p.lastTransactionKey = transactionKey();
    p.approveNo = String.format("%08d", ThreadLocalRandom.current().nextInt(100_000_000));
  }

  private boolean sessionExpired(Payment p) {
    return now().isAfter(p.requestedAt.plus(config.sessionTtl()));
  }

  /**
   * Expires the checkout sessions past their TTL. Sessions are opened in time order, so it looks at the oldest open ones
   * only (not at every payment ever made): those confirmed or aborted meanwhile are dropped, the expired ones expire,
   * and it stops at the first one still within its TTL. A session dropped beyond the payments limit is forgotten.
   */
  private void expireSessions() {
    while (!openSessions.isEmpty()) {
      Payment p = openSessions.peekFirst();
      if ("IN_PROGRESS".equals(p.status) && !sessionExpired(p)) {
        return;
      }
      openSessions.pollFirst();
      if ("IN_PROGRESS".equals(p.status) && payments.get(p.paymentKey) == p) {
        expire(p);
      }
    }
  }

  private void expire(Payment p) {
    touch(p);
    p.status = "EXPIRED";
    notifyStatusChanged(p);
  }

  /** Webhook {@code PAYMENT_STATUS_CHANGED}; never for billing charges (a billing payment's cancel does notify). */
  private void notifyStatusChanged(Payment p) {
    if ("BILLING".equals(p.type) && !p.status.contains("CANCELED")) {
      return;
    }
    webhooks.send(new JsonObject()
        .put("eventType", "PAYMENT_STATUS_CHANGED")
        // as Toss writes it: KST wall-clock time with microseconds and no offset (2024-02-01T12:34:56.000000)
        .put("createdAt", java.time.LocalDateTime.ofInstant(now(), Payment.KST)
            .format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS")))
        .put("data", p.toJson()));
  }

  private void record(LedgerEntry.Kind kind, Payment p, long amount, String tx, String idempotencyKey, String failure) {
    // journalled also when the answer is never sent (a timeout fault that applies the effect)
    LedgerEntry entry = new LedgerEntry(ledgerSeq.incrementAndGet(), kind, p.type, p.paymentKey, p.orderId, amount,
        kind == LedgerEntry.Kind.DECLINE ? "ABORTED" : p.status, tx, idempotencyKey, failure, now());
    ledger.add(entry);
    if (journal != null) {
      ledgerAdded.add(entry);
    }
  }

  private void putAuthKey(String authKey, AuthKey value) {
    authKeys.put(authKey, value);
    if (journal != null) {
      authKeysChanged.put(authKey, value);
    }
  }

  private static String declineCode(String cardNumber) {
    if (cardNumber.endsWith("0000")) {
      return "REJECT_CARD_COMPANY";
    }
    if (cardNumber.endsWith("0001")) {
      return "EXCEED_MAX_AMOUNT";
    }
    if (cardNumber.endsWith("0002")) {
      return "REJECT_CARD_PAYMENT";
    }
    if (cardNumber.endsWith("0003")) {
      return "INVALID_STOPPED_CARD";
    }
    return null;
  }

  private BillingKey newBillingKey(String mId, String customerKey, String cardNumber) {
    BillingKey key = new BillingKey(mId, random(44), customerKey, cardNumber, now());
    billingKeys.put(key.billingKey(), key);
    if (journal != null) {
      billingKeysAdded.add(key);
    }
    return key;
  }

  private JsonObject billing(BillingKey key) {
    String masked = Payment.mask(key.cardNumber());
    return new JsonObject()
        .put("mId", key.mId())
        .put("customerKey", key.customerKey())
        .put("authenticatedAt", Payment.kst(key.authenticatedAt()))
        .put("method", "카드")
        .put("billingKey", key.billingKey())
        .put("cardCompany", "현대")
        .put("cardNumber", masked)
        .put("card", new JsonObject()
            .put("issuerCode", Payment.issuerCode(key.cardNumber()))
            .put("acquirerCode", Payment.issuerCode(key.cardNumber()))
            .put("number", masked)
            .put("cardType", "신용")
            .put("ownerType", "개인"));
  }

  private String paymentKey() {
    return "tviva" + Payment.kst(now()).replaceAll("[^0-9]", "").substring(0, 14) + random(21);
  }

  private static String transactionKey() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 32; i++) {
      sb.append(Character.forDigit(ThreadLocalRandom.current().nextInt(16), 16));
    }
    return sb.toString().toUpperCase();
  }

  private static String random(int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(ALNUM.charAt(ThreadLocalRandom.current().nextInt(ALNUM.length())));
    }
    return sb.toString();
  }

  private static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        throw TossError.invalid("a JSON body is required");
      }
      return body;
    } catch (DecodeException | ClassCastException e) {
      throw TossError.invalid("the body is not a JSON object");
    }
  }

  private static String text(JsonObject body, String field, int min, int max) {
    Object v = body.getValue(field);
    if (!(v instanceof String s) || s.isBlank() || s.length() < min || s.length() > max) {
      throw TossError.invalid(field + " must be a string of " + min + " to " + max + " characters");
    }
    return s;
  }

  private static String orderId(JsonObject body) {
    Object v = body.getValue("orderId");
    if (!(v instanceof String s) || !ORDER_ID.matcher(s).matches()) {
      throw TossError.invalid("orderId must be 6 to 64 characters of [A-Za-z0-9_-]");
    }
    return s;
  }

  private static String customerKey(JsonObject body) {
    Object v = body.getValue("customerKey");
    if (!(v instanceof String s) || !CUSTOMER_KEY.matcher(s).matches()) {
      throw TossError.invalid("customerKey must be 2 to 300 characters of [a-zA-Z0-9-_=.,@]");
    }
    return s;
  }

  private static long amount(JsonObject body, String field) {
    return wholeNumber(body, field, 1);
  }

  private static long wholeNumber(JsonObject body, String field, long min) {
    Object v = body.getValue(field);
    long n;
    if (v instanceof Integer || v instanceof Long) {
      n = ((Number) v).longValue();
    } else if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())
        && Math.abs(num.doubleValue()) < 1e15) {
      n = num.longValue();
    } else {
      throw TossError.invalid(field + " must be a whole number");
    }
    if (n < min) {
      throw TossError.invalid(field + " must be at least " + min);
    }
    return n;
  }
}
