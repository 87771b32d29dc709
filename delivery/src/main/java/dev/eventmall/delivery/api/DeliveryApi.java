package dev.eventmall.delivery.api;

import dev.eventmall.common.async.Coalescer;
import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.http.ProblemException;
import dev.eventmall.common.http.ContractRoutes;
import dev.eventmall.common.http.Validation;
import dev.eventmall.common.logging.LogContext;
import dev.eventmall.delivery.domain.ShipmentStatus;
import dev.eventmall.delivery.DeliveryEvents;
import dev.eventmall.delivery.persistence.DeliveryRepository;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;
import dev.eventmall.common.db.ReadPools;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Pattern;

/**
 * {@code GET /deliveries/{orderId}} (the order's member or ADMIN; anyone else, an unknown or malformed id → 404) and
 * {@code POST /deliveries/webhooks/carrier} (the carrier's SHIPMENT_STATUS_CHANGED; the body only names the shipment,
 * which is re-read from the carrier before anything changes).
 */
public final class DeliveryApi {
  private static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9_-]{1,200}");
  private static final int MAX_REFRESHES = 64;
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryApi.class);

  private final Vertx vertx;
  private final Pool pool;
  /** Tracking reads (a read replica if configured); the webhook's reads and writes stay on {@code pool}. */
  private final ReadPools reads;
  private final DeliveryRepository repo = new DeliveryRepository();
  private final Coalescer refreshes = new Coalescer(MAX_REFRESHES);

  public DeliveryApi(Vertx vertx, Pool pool) {
    this(vertx, pool, ReadPools.primaryOnly(pool));
  }

  /**
   * Tracking ({@code GET /deliveries/{orderId}}) reads on {@code reads}. Deliveries are written by the saga, not by a
   * client's request, so no response of this service carries a token and a read may be as old as the replica's lag; a
   * read that sends a {@value ReadPools#TOKEN_HEADER} anyway (a GTID position of the primary server, e.g. from
   * another service's write on the same server) is served once the replica has reached it, else by the primary.
   */
  public DeliveryApi(Vertx vertx, Pool pool, ReadPools reads) {
    this.vertx = vertx;
    this.pool = pool;
    this.reads = reads;
  }

  /**
   * Binds the operations of {@code openapi/delivery.yaml}, which validates every request first; {@code webhookLimit}:
   * the per-client limit in front of the webhook (issue 16 row 11).
   */
  public ContractRoutes routes(ContractRoutes routes, JWTAuth jwt, Handler<RoutingContext> webhookLimit) {
    return routes
      .operation("carrierWebhook").before(webhookLimit).respond(this::webhook)
      .operation("getDelivery").before(AuthHandlers.bearer(jwt)).respond(this::one);
  }

  private Future<JsonObject> one(RoutingContext ctx) {
    String orderId = ctx.pathParam("orderId");
    AuthPrincipal principal = AuthHandlers.principal(ctx);
    ProblemException notFound = ProblemException.notFound("No delivery for order " + orderId);
    if (orderId != null && ORDER_ID.matcher(orderId).matches()) {
      LogContext.orderId(orderId);
    }
    if (orderId == null || !ORDER_ID.matcher(orderId).matches()) {
      return Future.failedFuture(notFound);
    }
    String readToken = ReadPools.token(ctx);
    return reads.read(readToken, client -> repo.findOrder(client, orderId).compose(order -> {
      if (order.isEmpty() || !principal.hasRole(AuthPrincipal.ADMIN) && !principal.subject().equals(order.get().memberId())) {
        return Future.failedFuture(notFound);
      }
      var shipment = repo.findShipment(client, orderId);
      var events = repo.events(client, orderId);
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
    }));
  }

  /**
   * A carrier webhook gets the same answer — 200 {@code {"received": true}} — whether or not the shipment is ours, as
   * soon as its body is read (issue 16 row 11: it was a lookup oracle, tracking number → order and status). The
   * shipment is then re-read from the carrier, folded per tracking number and claimed status (a flood of one number
   * costs at most two reads per status; at most {@value #MAX_REFRESHES} at once) — a number that is not ours costs one
   * indexed SELECT and no call to the carrier, and so does a claim ({@code data.status}) that would not move the stored
   * shipment, such as the ACCEPTED webhook of a shipment just booked ({@code TrackingRules#worthReReading}). A webhook
   * lost to a crash or to the cap is covered by the tracking poller ({@code DELIVERY_POLL_INTERVAL_MS}). Only a malformed body is refused (4xx problem).
   */
  private Future<JsonObject> webhook(RoutingContext ctx) {
    // the document has checked the shape (eventType, data.trackingNumber's pattern); the text rule stays here
    Validation v = Validation.of(ContractRoutes.body(ctx));
    v.requiredString("eventType", 100);
    v.done();
    JsonObject data = v.body().getJsonObject("data");
    String trackingNumber = data.getString("trackingNumber");
    // the claim (unverified) only decides whether the carrier is asked at all; each claim is folded apart, so that a
    // claim worth a read is never folded into a run for one that is not
    String claimed = data.getValue("status") instanceof String s
      ? ShipmentStatus.ofCarrier(s).map(Enum::name).orElse(null) : null;
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(15_000);
    if (claimed != null) {
      options.addHeader(DeliveryEvents.CLAIMED, claimed);
    }
    refreshes.request(trackingNumber + " " + claimed, () -> vertx.eventBus().request(DeliveryEvents.REFRESH,
        trackingNumber, options)
      .onFailure(e -> {
        if (!(e instanceof ReplyException r && r.failureCode() == DeliveryEvents.NO_SUCH_SHIPMENT)) {
          LOG.warn("re-reading shipment {} after its webhook failed, the poller will: {}", trackingNumber, e.toString());
        }
      }));
    return Future.succeededFuture(new JsonObject().put("received", true));
  }
}
