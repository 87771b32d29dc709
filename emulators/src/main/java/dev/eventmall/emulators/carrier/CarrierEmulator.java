package dev.eventmall.emulators.carrier;

import dev.eventmall.emulators.sandbox.BoundedMap;
import dev.eventmall.emulators.sandbox.FaultInjector;
import dev.eventmall.emulators.sandbox.Faults;
import dev.eventmall.emulators.sandbox.IdempotencyStore;
import dev.eventmall.emulators.sandbox.Reply;
import dev.eventmall.emulators.sandbox.WebhookSender;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emulator of a parcel carrier's REST API (documented in emulators/README.md).
 *
 * <ul>
 *   <li>{@code POST /v1/shipments} ({@code Authorization: Bearer <key>}, optional {@code Idempotency-Key}: same key, same
 *       shipment) → 201 shipment {@code ACCEPTED}; zip code {@code 00000} or the {@code refuseNew} fault → 422
 *       {@code ADDRESS_UNDELIVERABLE}.</li>
 *   <li>{@code GET /v1/shipments/{trackingNumber}}, {@code GET /v1/shipments?orderId=..},
 *       {@code POST /v1/shipments/{trackingNumber}/cancel} (only while ACCEPTED).</li>
 *   <li>Status ACCEPTED → IN_TRANSIT → DELIVERED every {@link CarrierConfig#stepInterval()} or on
 *       {@code POST /sandbox/shipments/{trackingNumber}/advance}; FAILED / RETURNED on
 *       {@code POST /sandbox/shipments/{trackingNumber}/fail}. Each change may be posted to a webhook.</li>
 *   <li>Faults as the Toss emulator: {@code GET/PUT /sandbox/faults}.</li>
 * </ul>
 * Errors are {@code {code, message}}. Shipments, Idempotency-Keys and the webhook log are each kept up to a limit, the
 * oldest dropped first: see {@link CarrierConfig}.
 */
public final class CarrierEmulator extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(CarrierEmulator.class);
  private static final Pattern ZIP = Pattern.compile("[0-9]{5}");
  private static final Pattern PHONE = Pattern.compile("\\+?[0-9][0-9-]{6,18}");

  /** An error answer. */
  static final class CarrierError extends RuntimeException {
    final int status;
    final String code;

    CarrierError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }

    Reply reply() {
      return new Reply(status, new JsonObject().put("code", code).put("message", getMessage()));
    }
  }

  @FunctionalInterface
  private interface Operation {
    Reply apply(RoutingContext ctx, String idempotencyKey);
  }

  private final CarrierConfig config;
  private final FaultInjector faults;
  /** By tracking number, oldest first; one dropped beyond the limit is unknown from then on (404 NOT_FOUND). */
  private final BoundedMap<String, Shipment> shipments;
  /**
   * The same shipments by order id, oldest first: {@code GET /v1/shipments?orderId=} (a client's lookup when a booking's
   * outcome is unknown) and the tests' {@link #shipmentsFor} read it instead of scanning up to
   * {@link CarrierConfig#maxShipments()} shipments. Kept with {@link #shipments}: a shipment dropped there leaves here.
   */
  private final Map<String, List<Shipment>> byOrder = new ConcurrentHashMap<>();
  /** Candidate tracking numbers: "6" + 11 random digits. */
  private final Supplier<String> trackingNumbers;
  private IdempotencyStore idempotency;
  private WebhookSender webhooks;
  private HttpServer server;

  public CarrierEmulator(CarrierConfig config) {
    this(config, () -> "6" + random(11, "0123456789"));
  }

  /** {@code trackingNumbers}: where candidate tracking numbers come from (a test may repeat one on purpose). */
  CarrierEmulator(CarrierConfig config, Supplier<String> trackingNumbers) {
    this.config = config;
    this.faults = new FaultInjector(config.faults());
    this.shipments = new BoundedMap<>(config.maxShipments(), dropped -> byOrder.computeIfPresent(dropped.orderId,
        (orderId, list) -> {
          list.remove(dropped);
          return list.isEmpty() ? null : list;
        }));
    this.trackingNumbers = trackingNumbers;
  }

  /** Deploys an emulator and answers it once it listens. */
  public static Future<CarrierEmulator> start(Vertx vertx, CarrierConfig config) {
    return start(vertx, new CarrierEmulator(config));
  }

  static Future<CarrierEmulator> start(Vertx vertx, CarrierEmulator emulator) {
    return vertx.deployVerticle(emulator).map(id -> emulator);
  }

  @Override
  public Future<?> start() {
    idempotency = new IdempotencyStore(Duration.ofDays(1), config.maxIdempotencyKeys(), Instant::now);
    webhooks = new WebhookSender(vertx, config.webhookUrl(), config.webhookRetryDelays(), config.webhookTimeout(),
        config.maxWebhookDeliveries());
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()));
    // listen(port) alone binds 0.0.0.0 whatever the options say (issue 16 row 15): the host must be passed here
    return server.requestHandler(router()).listen(config.port(), config.host());
  }

  @Override
  public Future<?> stop() {
    webhooks.close();
    return Future.succeededFuture();
  }

  public Future<Void> close() {
    return vertx.undeploy(deploymentID());
  }

  public int actualPort() {
    return server.actualPort();
  }

  public String baseUrl() {
    return "http://" + config.host() + ":" + actualPort();
  }

  /** Every shipment created so far (the newest {@link CarrierConfig#maxShipments()}; snapshots). */
  public List<JsonObject> shipments() {
    return shipments.values().stream().map(Shipment::toJson).toList();
  }

  /** The shipments of an order: a correct client creates one. */
  public List<JsonObject> shipmentsFor(String orderId) {
    List<Shipment> found = byOrder.getOrDefault(orderId, List.of());
    return found.stream().map(Shipment::toJson).toList();
  }

  /**
   * How many times {@code GET /v1/shipments/{trackingNumber}} answered this shipment (0 for one the emulator does not
   * keep): what a client's tracking costs the carrier.
   */
  public int trackingReads(String trackingNumber) {
    Shipment s = shipments.get(trackingNumber);
    return s == null ? 0 : s.reads();
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

  public void webhookUrl(String url) {
    webhooks.targetUrl(url);
  }

  public List<WebhookSender.Delivery> webhookDeliveries() {
    return webhooks.deliveries();
  }

  /** Moves a shipment one step forward (ACCEPTED → IN_TRANSIT → DELIVERED); answers the shipment. */
  public Future<JsonObject> advance(String trackingNumber) {
    return onContext(() -> doAdvance(trackingNumber));
  }

  /** Makes a shipment fail: {@code status} FAILED or RETURNED. */
  public Future<JsonObject> fail(String trackingNumber, String status, String reason) {
    return onContext(() -> doFail(trackingNumber, status, reason));
  }

  private Future<JsonObject> onContext(Supplier<JsonObject> action) {
    Promise<JsonObject> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        promise.complete(action.get());
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  // ---------------------------------------------------------------- routing

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));

    Router v1 = Router.router(vertx);
    v1.post("/shipments").handler(api(this::create));
    v1.get("/shipments").handler(api(this::list));
    v1.get("/shipments/:trackingNumber").handler(api(this::track));
    v1.post("/shipments/:trackingNumber/cancel").handler(api(this::cancel));
    router.route("/v1/*").subRouter(v1);

    Router sandbox = Router.router(vertx);
    sandbox.get("/faults").handler(ctx -> Reply.ok(faults.get().toJson()).send(ctx));
    sandbox.put("/faults").handler(this::putFaults);
    sandbox.get("/shipments").handler(ctx -> Reply.ok(new JsonObject().put("shipments", new JsonArray(shipments())))
        .send(ctx));
    sandbox.post("/shipments/:trackingNumber/advance").handler(sandboxed(ctx -> doAdvance(ctx.pathParam("trackingNumber"))));
    sandbox.post("/shipments/:trackingNumber/fail").handler(sandboxed(ctx -> {
      JsonObject body = ctx.body().asJsonObject();
      body = body == null ? new JsonObject() : body;
      return doFail(ctx.pathParam("trackingNumber"), body.getString("status", "FAILED"),
          body.getString("reason", "Recipient could not be reached"));
    }));
    sandbox.get("/webhooks").handler(ctx -> Reply.ok(new JsonObject().put("url", webhooks.targetUrl()).put("deliveries",
        new JsonArray(webhooks.deliveries().stream().map(WebhookSender.Delivery::toJson).toList()))).send(ctx));
    sandbox.put("/webhook").handler(ctx -> {
      JsonObject body = ctx.body().asJsonObject();
      webhooks.targetUrl(body == null ? null : body.getString("url"));
      Reply.ok(new JsonObject().put("url", webhooks.targetUrl())).send(ctx);
    });
    router.route("/sandbox/*").subRouter(sandbox);
    router.route().handler(ctx -> new CarrierError(404, "NOT_FOUND", "No such endpoint").reply().send(ctx));
    return router;
  }

  private void putFaults(RoutingContext ctx) {
    try {
      faults.set(Faults.fromJson(ctx.body().asJsonObject()));
      Reply.ok(faults.get().toJson()).send(ctx);
    } catch (RuntimeException e) {
      invalid(String.valueOf(e.getMessage())).reply().send(ctx);
    }
  }

  private static Handler<RoutingContext> sandboxed(Function<RoutingContext, JsonObject> action) {
    return ctx -> {
      try {
        Reply.ok(action.apply(ctx)).send(ctx);
      } catch (CarrierError e) {
        e.reply().send(ctx);
      } catch (RuntimeException e) {
        new CarrierError(400, "INVALID_REQUEST", String.valueOf(e.getMessage())).reply().send(ctx);
      }
    };
  }

  private Handler<RoutingContext> api(Operation op) {
    return ctx -> handle(ctx, op);
  }

  private void handle(RoutingContext ctx, Operation op) {
    FaultInjector.Decision decision = faults.decide(ctx.request().path());
    Faults f = decision.faults();
    if (f.outage() == Faults.Outage.CLOSE_CONNECTION) {
      ctx.request().connection().close();
      return;
    }
    if (f.outage() == Faults.Outage.SERVICE_UNAVAILABLE) {
      new CarrierError(503, "SERVICE_UNAVAILABLE", "Service unavailable").reply().send(ctx);
      return;
    }
    String apiKey;
    try {
      apiKey = authenticate(ctx);
    } catch (CarrierError e) {
      e.reply().send(ctx);
      return;
    }
    String key = ctx.request().method() == HttpMethod.POST ? ctx.request().getHeader("Idempotency-Key") : null;
    String storeKey = null;
    if (key != null && !key.isEmpty()) {
      if (key.length() > 255) {
        new CarrierError(400, "INVALID_IDEMPOTENCY_KEY", "Idempotency-Key must be at most 255 characters").reply().send(ctx);
        return;
      }
      storeKey = IdempotencyStore.key(apiKey, "POST", ctx.request().path(), key);
      IdempotencyStore.Lookup lookup = idempotency.begin(storeKey);
      if (lookup instanceof IdempotencyStore.InFlight) {
        new CarrierError(409, "IDEMPOTENT_REQUEST_PROCESSING", "A request with this Idempotency-Key is in progress")
            .reply().send(ctx);
        return;
      }
      if (lookup instanceof IdempotencyStore.Replay replay) {
        ctx.response().putHeader("Idempotent-Replayed", "true");
        replay.reply().send(ctx);
        return;
      }
    } else {
      key = null;
    }
    String idempotencyKey = key;
    String stored = storeKey;
    if (f.latencyMs() > 0) {
      vertx.setTimer(f.latencyMs(), t -> execute(ctx, op, decision, stored, idempotencyKey));
    } else {
      execute(ctx, op, decision, stored, idempotencyKey);
    }
  }

  private void execute(RoutingContext ctx, Operation op, FaultInjector.Decision decision, String storeKey, String key) {
    Faults f = decision.faults();
    if (f.refuseNew() && ctx.request().method() == HttpMethod.POST && ctx.request().path().endsWith("/shipments")) {
      idempotency.abort(storeKey);
      undeliverable().reply().send(ctx);
      return;
    }
    if (decision.error()) {
      if (f.errorApplyEffect()) {
        idempotency.complete(storeKey, invoke(ctx, op, key));
      } else {
        idempotency.abort(storeKey);
      }
      injectedError(f).send(ctx);
      return;
    }
    if (f.timeoutMs() != 0) {
      Reply reply;
      if (f.timeoutApplyEffect()) {
        reply = invoke(ctx, op, key);
        idempotency.complete(storeKey, reply);
      } else {
        idempotency.abort(storeKey);
        reply = injectedError(f);
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
    } catch (CarrierError e) {
      return e.reply();
    } catch (RuntimeException e) {
      LOG.error("carrier emulator failure on {}", ctx.request().path(), e);
      return new CarrierError(500, "INTERNAL_ERROR", e.toString()).reply();
    }
  }

  private static Reply injectedError(Faults f) {
    String code = Faults.DEFAULT_ERROR_CODE.equals(f.errorCode()) ? "INTERNAL_ERROR" : f.errorCode();
    return new CarrierError(f.errorStatus() > 0 ? f.errorStatus() : 500, code, "Injected failure").reply();
  }

  private static CarrierError undeliverable() {
    return new CarrierError(422, "ADDRESS_UNDELIVERABLE", "The address cannot be served");
  }

  private String authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
      throw new CarrierError(401, "UNAUTHORIZED", "Authorization: Bearer <api key> is required");
    }
    String key = header.substring(7).trim();
    if (!config.apiKeys().contains(key) && (config.strictKeys() || !key.startsWith("test_"))) {
      throw new CarrierError(401, "UNAUTHORIZED", "Unknown API key");
    }
    return key;
  }

  // ---------------------------------------------------------------- /v1 operations

  private Reply create(RoutingContext ctx, String idempotencyKey) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw invalid("the body is not a JSON object");
    }
    if (body == null) {
      throw invalid("a JSON body is required");
    }
    String orderId = text(body, "orderId", 1, 64);
    JsonObject recipient = object(body, "recipient");
    text(recipient, "name", 1, 100);
    String phone = text(recipient, "phone", 7, 20);
    if (!PHONE.matcher(phone).matches()) {
      throw invalid("recipient.phone must be a phone number");
    }
    JsonObject address = object(body, "address");
    String zip = text(address, "zipCode", 5, 5);
    if (!ZIP.matcher(zip).matches()) {
      throw invalid("address.zipCode must be 5 digits");
    }
    text(address, "line1", 1, 200);
    if (address.getValue("line2") != null) {
      text(address, "line2", 0, 200);
    }
    JsonArray items = body.getValue("items") instanceof JsonArray a ? a : null;
    if (items == null || items.isEmpty()) {
      throw invalid("items must be a non-empty array");
    }
    for (Object item : items) {
      if (!(item instanceof JsonObject i) || !(i.getValue("quantity") instanceof Integer q) || q < 1) {
        throw invalid("each item needs a positive whole quantity");
      }
    }
    if ("00000".equals(zip)) {
      throw undeliverable();
    }
    Shipment s = new Shipment("shp_" + random(16, "abcdefghijklmnopqrstuvwxyz0123456789"),
        unusedTrackingNumber(), orderId, recipient, address, items, idempotencyKey, Instant.now());
    byOrder.computeIfAbsent(s.orderId, o -> new CopyOnWriteArrayList<>()).add(s);
    shipments.put(s.trackingNumber, s); // may drop the eldest, from byOrder too
    scheduleStep(s, Shipment.Status.ACCEPTED);
    notifyChanged(s);
    ctx.response().putHeader("Location", "/v1/shipments/" + s.trackingNumber);
    return new Reply(201, s.toJson());
  }

  /**
   * A tracking number no shipment has: a real carrier's numbers name one parcel each, and with 11 random digits two of ~100k
   * shipments share one a few times in a hundred. Only this verticle's event loop adds shipments, so the number cannot
   * be taken between the check and the {@code put}.
   */
  private String unusedTrackingNumber() {
    String candidate = trackingNumbers.get();
    while (shipments.containsKey(candidate)) {
      candidate = trackingNumbers.get();
    }
    return candidate;
  }

  private Reply track(RoutingContext ctx, String ignored) {
    Shipment s = find(ctx.pathParam("trackingNumber"));
    s.read();
    return Reply.ok(s.toJson());
  }

  private Reply list(RoutingContext ctx, String ignored) {
    String orderId = ctx.request().getParam("orderId");
    if (orderId == null) {
      throw invalid("orderId query parameter is required");
    }
    return Reply.ok(new JsonObject().put("shipments", new JsonArray(shipmentsFor(orderId))));
  }

  private Reply cancel(RoutingContext ctx, String ignored) {
    Shipment s = find(ctx.pathParam("trackingNumber"));
    if (s.status() == Shipment.Status.CANCELED) {
      return Reply.ok(s.toJson());
    }
    if (s.status() != Shipment.Status.ACCEPTED) {
      throw new CarrierError(409, "NOT_CANCELABLE", "Only an ACCEPTED shipment can be canceled; it is " + s.status());
    }
    s.move(Shipment.Status.CANCELED, "Shipment canceled by the sender", null, Instant.now());
    notifyChanged(s);
    return Reply.ok(s.toJson());
  }

  // ---------------------------------------------------------------- progression

  private void scheduleStep(Shipment s, Shipment.Status from) {
    long ms = config.stepInterval().toMillis();
    if (ms <= 0) {
      return;
    }
    vertx.setTimer(ms, t -> {
      // a shipment dropped beyond the limit meanwhile moves no more
      if (s.status() == from && from.next() != null && shipments.get(s.trackingNumber) == s) {
        step(s);
      }
    });
  }

  private JsonObject doAdvance(String trackingNumber) {
    Shipment s = find(trackingNumber);
    if (s.status().next() == null) {
      throw new CarrierError(409, "INVALID_TRANSITION", "The shipment is " + s.status() + ": no next step");
    }
    step(s);
    return s.toJson();
  }

  private void step(Shipment s) {
    Shipment.Status to = s.status().next();
    s.move(to, to == Shipment.Status.IN_TRANSIT ? "Left the origin hub" : "Delivered to the recipient", null, Instant.now());
    notifyChanged(s);
    scheduleStep(s, to);
  }

  private JsonObject doFail(String trackingNumber, String status, String reason) {
    Shipment s = find(trackingNumber);
    Shipment.Status to;
    try {
      to = Shipment.Status.valueOf(status);
    } catch (IllegalArgumentException e) {
      throw invalid("status must be FAILED or RETURNED");
    }
    if (to != Shipment.Status.FAILED && to != Shipment.Status.RETURNED) {
      throw invalid("status must be FAILED or RETURNED");
    }
    if (s.status().terminal()) {
      throw new CarrierError(409, "INVALID_TRANSITION", "The shipment is already " + s.status());
    }
    s.move(to, to == Shipment.Status.FAILED ? "Delivery failed" : "Returned to the sender", reason, Instant.now());
    notifyChanged(s);
    return s.toJson();
  }

  private void notifyChanged(Shipment s) {
    webhooks.send(new JsonObject().put("eventType", "SHIPMENT_STATUS_CHANGED").put("createdAt", Instant.now().toString())
        .put("data", s.toJson()));
  }

  // ---------------------------------------------------------------- helpers

  private Shipment find(String trackingNumber) {
    Shipment s = shipments.get(trackingNumber);
    if (s == null) {
      throw new CarrierError(404, "NOT_FOUND", "No shipment with tracking number " + trackingNumber);
    }
    return s;
  }

  private static CarrierError invalid(String message) {
    return new CarrierError(400, "INVALID_REQUEST", message);
  }

  private static JsonObject object(JsonObject body, String field) {
    if (!(body.getValue(field) instanceof JsonObject o)) {
      throw invalid(field + " must be an object");
    }
    return o;
  }

  private static String text(JsonObject body, String field, int min, int max) {
    Object v = body.getValue(field);
    if (!(v instanceof String s) || s.length() < min || s.length() > max || (min > 0 && s.isBlank())) {
      throw invalid(field + " must be a string of " + min + " to " + max + " characters");
    }
    return s;
  }

  private static String random(int n, String alphabet) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
    }
    return sb.toString();
  }
}
