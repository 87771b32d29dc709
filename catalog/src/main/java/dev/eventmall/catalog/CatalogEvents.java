package dev.eventmall.catalog;

import dev.eventmall.catalog.messaging.StockHandlers;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.Subscription;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * What the catalog consumes, in one place: consumer group {@value StockHandlers#CONSUMER} ({@link #STOCK}) reads
 * order.events, payment.events and delivery.events, all handled by {@link StockHandlers} a poll at a time. Its
 * {@code KafkaEventBridge} feeds the handlers registered here; they go away with the verticle.
 */
public final class CatalogEvents extends VerticleBase {
  /** Stock reservation and release driven by the order saga. */
  public static final Subscription STOCK = Subscription.of(StockHandlers.CONSUMER,
    Topics.ORDER_EVENTS, Topics.PAYMENT_EVENTS, Topics.DELIVERY_EVENTS);

  private final String mysqlUri;

  public CatalogEvents(String mysqlUri) {
    this.mysqlUri = mysqlUri;
  }

  @Override
  public Future<?> start() {
    return STOCK.batch(vertx, new StockHandlers(Database.pool(vertx, mysqlUri, STOCK.group(), 8)));
  }
}
