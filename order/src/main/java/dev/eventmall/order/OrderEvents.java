package dev.eventmall.order;

import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.Subscription;
import dev.eventmall.order.messaging.ProjectionHandlers;
import dev.eventmall.order.messaging.SagaHandlers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;

/**
 * What the order service consumes, in one place (what it publishes is {@code messaging.OrderEvents}): consumer group
 * {@value SagaHandlers#CONSUMER} ({@link #SAGA}: catalog.stock, payment.events, delivery.events → {@link SagaHandlers},
 * a poll at a time) and {@value ProjectionHandlers#CONSUMER} ({@link #PROJECTIONS}: catalog.products and member.events,
 * each → its {@link ProjectionHandlers} method). Their {@code KafkaEventBridge}s feed the handlers registered here.
 */
public final class OrderEvents extends VerticleBase {
  /** The order state machine, driven by the other services' saga events. */
  public static final Subscription SAGA = Subscription.of(SagaHandlers.CONSUMER,
    Topics.CATALOG_STOCK, Topics.PAYMENT_EVENTS, Topics.DELIVERY_EVENTS);
  /** The product and member projections {@code POST /orders} trusts. */
  public static final Subscription PROJECTIONS = Subscription.of(ProjectionHandlers.CONSUMER,
    Topics.CATALOG_PRODUCTS, Topics.MEMBER_EVENTS);

  private final String mysqlUri;
  private final OrderMetrics metrics;

  public OrderEvents(String mysqlUri, OrderMetrics metrics) {
    this.mysqlUri = mysqlUri;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Pool pool = Database.pool(vertx, mysqlUri, "orders-events", 8);
    ProjectionHandlers projections = new ProjectionHandlers(pool);
    return Future.all(
      SAGA.batch(vertx, new SagaHandlers(pool, metrics)),
      PROJECTIONS.handle(vertx, Topics.CATALOG_PRODUCTS, projections::onProductEvent),
      PROJECTIONS.handle(vertx, Topics.MEMBER_EVENTS, projections::onMemberEvent));
  }
}
