package dev.eventmall.common.kafka;

import dev.eventmall.common.event.EventEnvelope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.function.Function;

/**
 * One consumer group of a service and the topics it reads. The group name is also the handlers' inbox consumer name,
 * and Kafka keeps the group's committed offsets under it: it never changes. A service's {@code <Service>Events}
 * verticle lists its subscriptions and registers who handles each topic ({@link #batch} or {@link #handle}); its
 * {@code <Service>App} deploys one {@link KafkaEventBridge} per subscription ({@link #bridge}) and creates the topics.
 */
public record Subscription(String group, List<String> topics) {
  public Subscription {
    topics = List.copyOf(topics);
  }

  public static Subscription of(String group, String... topics) {
    return new Subscription(group, List.of(topics));
  }

  /** The bridge options of this group with the defaults (retry policy, handler timeout, poll size). */
  public KafkaEventBridge.Options bridge(String bootstrapServers) {
    return new KafkaEventBridge.Options(bootstrapServers, group, topics);
  }

  /** Registers {@code handler} for the whole group: every topic, a poll at a time ({@link EventHandlers#registerBatch}). */
  public Future<Void> batch(Vertx vertx, BatchHandler handler) {
    return EventHandlers.registerBatch(vertx, group, topics, handler);
  }

  /** Registers {@code handler} for the events of one of the group's topics, one at a time ({@link EventHandlers#register}). */
  public Future<Void> handle(Vertx vertx, String topic, Function<EventEnvelope, Future<?>> handler) {
    if (!topics.contains(topic)) {
      return Future.failedFuture(new IllegalArgumentException(group + " does not read " + topic));
    }
    return EventHandlers.register(vertx, group, topic, handler).completion();
  }
}
