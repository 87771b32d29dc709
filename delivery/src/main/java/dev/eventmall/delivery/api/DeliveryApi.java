package dev.eventmall.delivery.api;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.http.ProblemException;
import dev.eventmall.delivery.domain.ShipmentStatus;
import dev.eventmall.delivery.messaging.DeliverySagaVerticle;
import dev.eventmall.delivery.persistence.DeliveryRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.util.regex.Pattern;

/**
 * {@code GET /deliveries/{orderId}} (the order's member or ADMIN; anyone else, an unknown or malformed id → 404) and
 * {@code POST /deliveries/webhooks/carrier} (the carrier's SHIPMENT_STATUS_CHANGED; the body only names the shipment,
 * which is re-read from the carrier before anything changes).
 */
public final class DeliveryApi {
  private static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9_-]{1,200}");
  private static final Pattern TRACKING_NUMBER = Pattern.compile("[A-Za-z0-9_-]{1,100}");

  private final Vertx vertx;
  private final Pool pool;
  private final DeliveryRepository repo = new DeliveryRepository();

  public DeliveryApi(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  public Router router(JWTAuth jwt) {
    Router router = Router.router(vertx);
    router.post("/webhooks/carrier").handler(this::webhook);
    router.get("/:orderId").handler(AuthHandlers.bearer(jwt)).respond(this::one);
    return router;
  }

  private Future<JsonObject> one(RoutingContext ctx) {
    String orderId = ctx.pathParam("orderId");
    AuthPrincipal principal = AuthHandlers.principal(ctx);
    ProblemException notFound = ProblemException.notFound("No delivery for order " + orderId);
    if (orderId == null || !ORDER_ID.matcher(orderId).matches()) {
      return Future.failedFuture(notFound);
    }
    return repo.findOrder(pool, orderId).compose(order -> {
      if (order.isEmpty() || !principal.hasRole(AuthPrincipal.ADMIN) && !principal.subject().equals(order.get().memberId())) {
        return Future.failedFuture(notFound);
      }
      var shipment = repo.findShipment(pool, orderId);
      var events = repo.events(pool, orderId);
      return Future.all(shipment, events).map(all -> {
        JsonObject body = new JsonObject().put("orderId", orderId);
        shipment.result().ifPresentOrElse(s -> body
            .put("status", s.status().name())
            .put("carrier", s.carrier())
            .put("shipmentId", s.shipmentId())
            .put("trackingNumber", s.trackingNumber())
            .put("failureReason", s.failureReason())
            .put("createdAt", s.createdAt().toString())
            .put("updatedAt", s.updatedAt().toString()),
          () -> body.put("status", order.get().cancelRequested() ? ShipmentStatus.CANCELLED.name() : "AWAITING_PAYMENT")
            .putNull("carrier").putNull("trackingNumber"));
        return body.put("events", new JsonArray(events.result().stream().map(DeliveryRepository.EventRow::toJson).toList()));
      });
    });
  }

  private void webhook(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    JsonObject data = body == null ? null : body.getValue("data") instanceof JsonObject d ? d : null;
    Object tn = data == null ? null : data.getValue("trackingNumber");
    if (!(tn instanceof String trackingNumber) || !TRACKING_NUMBER.matcher(trackingNumber).matches()) {
      ctx.fail(ProblemException.badRequest("expected {eventType, data: {trackingNumber, ...}}"));
      return;
    }
    vertx.eventBus().<JsonObject>request(DeliverySagaVerticle.REFRESH, trackingNumber,
        new DeliveryOptions().setSendTimeout(15_000))
      .onSuccess(reply -> ctx.json(reply.body()))
      .onFailure(e -> {
        int code = e instanceof ReplyException r ? r.failureCode() : 503;
        ctx.fail(code == 404
          ? ProblemException.notFound("Unknown shipment " + trackingNumber)
          : ProblemException.serviceUnavailable("The carrier could not be asked about " + trackingNumber));
      });
  }
}
