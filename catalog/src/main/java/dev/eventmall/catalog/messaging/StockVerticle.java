package dev.eventmall.catalog.messaging;

import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.EventHandlers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.List;

/**
 * Registers the stock handlers for consumer group {@value #GROUP} as one batch handler of the topics its
 * {@code KafkaEventBridge} reads ({@link #TOPICS}); the consumers go away with the verticle.
 */
public final class StockVerticle extends VerticleBase {
  public static final String GROUP = StockHandlers.CONSUMER;
  public static final List<String> TOPICS = List.of(Topics.ORDER_EVENTS, Topics.PAYMENT_EVENTS, Topics.DELIVERY_EVENTS);

  private final String mysqlUri;

  public StockVerticle(String mysqlUri) {
    this.mysqlUri = mysqlUri;
  }

  @Override
  public Future<?> start() {
    StockHandlers handlers = new StockHandlers(Database.pool(vertx, mysqlUri, GROUP, 8));
    return EventHandlers.registerBatch(vertx, GROUP, TOPICS, handlers);
  }
}
