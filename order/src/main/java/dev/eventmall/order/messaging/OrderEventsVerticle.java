package dev.eventmall.order.messaging;

import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.EventHandlers;
import dev.eventmall.order.OrderMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;

import java.util.List;

/**
 * Registers the domain handlers of the order service's two consumer groups on the event-bus addresses their
 * {@code KafkaEventBridge}s feed: {@value SagaHandlers#CONSUMER} ({@link #SAGA_TOPICS}) and
 * {@value ProjectionHandlers#CONSUMER} ({@link #PROJECTION_TOPICS}).
 */
public final class OrderEventsVerticle extends VerticleBase {
  public static final String SAGA_GROUP = SagaHandlers.CONSUMER;
  public static final String PROJECTION_GROUP = ProjectionHandlers.CONSUMER;
  public static final List<String> SAGA_TOPICS =
    List.of(Topics.CATALOG_STOCK, Topics.PAYMENT_EVENTS, Topics.DELIVERY_EVENTS);
  public static final List<String> PROJECTION_TOPICS = List.of(Topics.CATALOG_PRODUCTS, Topics.MEMBER_EVENTS);

  private final String mysqlUri;
  private final OrderMetrics metrics;

  public OrderEventsVerticle(String mysqlUri, OrderMetrics metrics) {
    this.mysqlUri = mysqlUri;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Pool pool = Database.pool(vertx, mysqlUri, "orders-events", 8);
    SagaHandlers saga = new SagaHandlers(pool, metrics);
    ProjectionHandlers projections = new ProjectionHandlers(pool);
    return Future.all(
      EventHandlers.registerBatch(vertx, SAGA_GROUP, SAGA_TOPICS, saga),
      EventHandlers.register(vertx, PROJECTION_GROUP, Topics.CATALOG_PRODUCTS, projections::onProductEvent)
        .completion(),
      EventHandlers.register(vertx, PROJECTION_GROUP, Topics.MEMBER_EVENTS, projections::onMemberEvent).completion());
  }
}
