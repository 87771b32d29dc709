package dev.eventmall.delivery;

import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.Subscription;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.delivery.client.CarrierClient;
import dev.eventmall.delivery.messaging.DeliveryHandlers;
import dev.eventmall.delivery.messaging.DeliveryMetrics;
import dev.eventmall.delivery.messaging.ShipmentDispatcher;
import dev.eventmall.delivery.messaging.ShipmentTracker;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the delivery service consumes, in one place (what it publishes is {@code messaging.DeliveryEvents}): consumer
 * group {@value DeliveryHandlers#CONSUMER} ({@link #SAGA}) reads order.events and payment.events, all handled by
 * {@link DeliveryHandlers} a poll at a time.
 *
 * <p>The delivery saga, ONE instance: those handlers, the carrier client and its breaker, the shipment dispatcher
 * (periodic retry of due PENDING rows) and the tracking poller. The HTTP verticles reach the tracker over the event bus
 * ({@value #REFRESH}: body = tracking number, header {@value #CLAIMED} = the status the webhook claims, if it named one;
 * reply {orderId, trackingNumber, status} (the stored status when the claim was not worth a re-read), or failure
 * {@link #NO_SUCH_SHIPMENT} when the shipment is unknown here or at the carrier, {@link #CARRIER_UNAVAILABLE} when the
 * carrier cannot be asked).
 */
public final class DeliveryEvents extends VerticleBase {
  /** Shipments for paid orders, cancelled with their orders. */
  public static final Subscription SAGA = Subscription.of(DeliveryHandlers.CONSUMER,
    Topics.ORDER_EVENTS, Topics.PAYMENT_EVENTS);
  public static final String REFRESH = "eventmall.delivery.tracking.refresh";
  /** {@value #REFRESH} header: the carrier status the webhook's body claims ({@code TrackingRules#worthReReading}). */
  public static final String CLAIMED = "claimed";
  /** {@value #REFRESH} failure code: no shipment with that tracking number, here or at the carrier. */
  public static final int NO_SUCH_SHIPMENT = 404;
  /** {@value #REFRESH} failure code: the carrier could not be asked (its breaker is open, it failed or timed out). */
  public static final int CARRIER_UNAVAILABLE = 503;
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryEvents.class);

  private final String mysqlUri;
  private final DeliverySettings settings;
  private final Metrics metrics;
  private CarrierClient carrier;
  private long dispatchTimer = -1;
  private long pollTimer = -1;
  /** The dispatch and the tracking poll under way: {@link #stop()} waits for them before the pool closes. */
  private Future<Void> dispatching = Future.succeededFuture();
  private Future<Void> polling = Future.succeededFuture();

  public DeliveryEvents(String mysqlUri, DeliverySettings settings, Metrics metrics) {
    this.mysqlUri = mysqlUri;
    this.settings = settings;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Pool pool = Database.pool(vertx, mysqlUri, SAGA.group(), 8);
    carrier = new CarrierClient(vertx, settings.carrier());
    DeliveryMetrics counters = new DeliveryMetrics(metrics.registry(), carrier);
    ShipmentDispatcher dispatcher = new ShipmentDispatcher(pool, carrier, settings.backoff(), counters);
    ShipmentTracker tracker = new ShipmentTracker(pool, carrier, counters);
    DeliveryHandlers handlers = new DeliveryHandlers(pool, carrier, dispatcher, counters);

    long dispatchMs = settings.dispatchInterval().toMillis();
    dispatchTimer = vertx.setPeriodic(dispatchMs, dispatchMs, id -> dispatching = dispatcher.dispatchDue()
      .onFailure(e -> LOG.warn("dispatching due shipments failed: {}", e.toString())));
    long pollMs = settings.pollInterval().toMillis();
    pollTimer = vertx.setPeriodic(pollMs, pollMs, id -> polling = tracker.poll());

    var refresh = vertx.eventBus().<String>localConsumer(REFRESH, msg -> tracker.refresh(msg.body(),
        msg.headers().get(CLAIMED)).onComplete(ar -> {
      if (ar.failed()) {
        msg.fail(CARRIER_UNAVAILABLE, "carrier unavailable: " + ar.cause().getMessage());
      } else if (ar.result().isEmpty()) {
        msg.fail(NO_SUCH_SHIPMENT, "no shipment with tracking number " + msg.body());
      } else {
        ShipmentTracker.Refreshed r = ar.result().get();
        msg.reply(new JsonObject().put("orderId", r.orderId()).put("trackingNumber", r.trackingNumber())
          .put("status", r.status().name()));
      }
    }));
    return Future.all(SAGA.batch(vertx, handlers), refresh.completion());
  }

  @Override
  public Future<?> stop() {
    // no new round, and the one under way finishes before the pool closes with this verticle
    vertx.cancelTimer(dispatchTimer);
    vertx.cancelTimer(pollTimer);
    return Future.join(dispatching, polling)
      .transform(x -> carrier == null ? Future.succeededFuture() : carrier.close());
  }
}
