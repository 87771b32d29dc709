package dev.eventmall.common.kafka;

import dev.eventmall.common.domain.DomainException;
import dev.eventmall.common.domain.DomainException.Kind;
import dev.eventmall.common.event.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Handler;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Inspects and replays what one consumer group parked on the dead-letter topics of its topics. A parked event is named
 * {@code <topic>.dlq:<partition>:<offset>} (its place on the dead-letter topic). Replay hands it to the group's handler
 * again (with the group's retry policy); on success a marker record {@code dlq-replayed-of: <id>} is appended to the
 * dead-letter topic so the event is no longer listed. A replay that fails again leaves it parked.
 *
 * <p>{@link #mount} adds the admin endpoints, meant for {@code /admin/dlq} behind an ADMIN role check:
 * {@code GET /admin/dlq} (paged: {@code page}, {@code size}), {@code POST /admin/dlq/:id/replay},
 * {@code POST /admin/dlq/replay} (all).
 */
public final class DeadLetters {
  public static final String H_REPLAYED_OF = "dlq-replayed-of";

  private final Vertx vertx;
  private final String bootstrapServers;
  private final String group;
  private final List<String> topics;
  private final EventDelivery delivery;
  private KafkaProducer<String, Buffer> producer;

  public DeadLetters(Vertx vertx, KafkaEventBridge.Options bridge) {
    this.vertx = vertx;
    this.bootstrapServers = bridge.bootstrapServers();
    this.group = bridge.group();
    this.topics = bridge.topics();
    this.delivery = new EventDelivery(vertx, bridge.retry(), bridge.handlerTimeout(), false);
  }

  /**
   * Event-bus address (local) told after a successful replay of {@code group}'s events: its {@link KafkaEventBridge}
   * then counts what is still parked at once.
   */
  static String replayedAddress(String group) {
    return "eventmall.dlq.replayed." + group;
  }

  /** How many events the group parked and nobody replayed yet, per original topic (topics without any are absent). */
  public Future<Map<String, Long>> unreplayedByTopic() {
    return list().map(all -> all.stream()
      .collect(java.util.stream.Collectors.groupingBy(Parked::originalTopic, java.util.stream.Collectors.counting())));
  }

  /** The marker producer, made on the first replay (a DeadLetters that only lists needs none). */
  private KafkaProducer<String, Buffer> producer() {
    if (producer == null) {
      producer = KafkaProducer.createShared(vertx, "dead-letters-" + group, KafkaConfig.producer(bootstrapServers));
    }
    return producer;
  }

  /** One parked event; {@code raw} is the record's text, shown when it is not a JSON object. */
  public record Parked(String id, String originalTopic, int originalPartition, long originalOffset, String key,
                       String type, String error, int attempts, String parkedAt, JsonObject event, String raw) {
    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("id", id).put("topic", originalTopic).put("partition", originalPartition)
        .put("offset", originalOffset).put("key", key).put("type", type).put("error", error).put("attempts", attempts)
        .put("parkedAt", parkedAt).put("event", event);
      return event == null ? json.put("raw", raw) : json;
    }
  }

  /** Every event this group parked and nobody replayed yet, oldest first per dead-letter partition. */
  public Future<List<Parked>> list() {
    return vertx.executeBlocking(this::readParked, false);
  }

  /**
   * Replays one parked event. Fails with a {@link DomainException} NOT_FOUND when there is no such (unreplayed) event,
   * CONFLICT when it cannot be replayed or the handler fails again.
   */
  public Future<Parked> replay(String id) {
    return list().compose(all -> all.stream().filter(p -> p.id().equals(id)).findFirst()
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new DomainException(Kind.NOT_FOUND, null, null, "no parked event " + id))))
      .compose(this::replay);
  }

  /** Replays every parked event, one after the other; returns those that failed again (still parked). */
  public Future<List<Parked>> replayAll() {
    return list().compose(all -> {
      List<Parked> failed = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (Parked p : all) {
        chain = chain.compose(v -> replay(p).<Void>mapEmpty().recover(e -> {
          failed.add(p);
          return Future.succeededFuture();
        }));
      }
      return chain.map(v -> failed);
    });
  }

  private Future<Parked> replay(Parked parked) {
    if (parked.event() == null) {
      return Future.failedFuture(new DomainException(Kind.CONFLICT, null, null,
        parked.id() + " is not an event envelope; it cannot be replayed"));
    }
    return delivery.deliver(EventHandlers.address(group, parked.originalTopic()), parked.event(), "replay:" + parked.id())
      .compose(outcome -> {
        if (!outcome.delivered()) {
          return Future.failedFuture(new DomainException(Kind.CONFLICT, null, null,
            "replay of " + parked.id() + " failed again: " + outcome.failure()));
        }
        KafkaProducerRecord<String, Buffer> marker =
          KafkaProducerRecord.create(Topics.dlq(parked.originalTopic()), parked.key(), Buffer.buffer());
        marker.addHeader(H_REPLAYED_OF, parked.id()).addHeader(KafkaEventBridge.H_GROUP, group);
        return producer().send(marker).map(meta -> {
          vertx.eventBus().publish(replayedAddress(group), parked.id());
          return parked;
        });
      });
  }

  /**
   * Adds {@code GET base}, {@code POST base/:id/replay} and {@code POST base/replay} to {@code router}, each behind
   * {@code guards} (e.g. authentication and an ADMIN role check) in that order.
   */
  @SafeVarargs
  public final void mount(Router router, String base, Handler<RoutingContext>... guards) {
    route(router.get(base), guards).respond(this::listPage);
    route(router.post(base + "/replay"), guards).respond(ctx -> replayAll().map(failed -> new JsonObject()
      .put("stillParked", new JsonArray(failed.stream().map(Parked::toJson).toList()))));
    route(router.post(base + "/:id/replay"), guards).respond(ctx -> replay(ctx.pathParam("id")).map(Parked::toJson));
  }

  private static Route route(Route route, Handler<RoutingContext>[] guards) {
    for (Handler<RoutingContext> guard : guards) {
      route.handler(guard);
    }
    return route;
  }

  private Future<JsonObject> listPage(RoutingContext ctx) {
    int page = intParam(ctx, "page", 0, 0, Integer.MAX_VALUE);
    int size = intParam(ctx, "size", 50, 1, 500);
    return list().map(all -> new JsonObject()
      .put("total", all.size())
      .put("page", page)
      .put("size", size)
      .put("items", new JsonArray(all.stream().skip((long) page * size).limit(size).map(Parked::toJson).toList())));
  }

  private static int intParam(RoutingContext ctx, String name, int dflt, int min, int max) {
    String value = ctx.queryParams().get(name);
    if (value == null) {
      return dflt;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException ignored) {
      // fall through
    }
    throw new HttpException(400, "query parameter " + name + " must be an integer in [" + min + ", " + max + "]");
  }

  private List<Parked> readParked() {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("enable.auto.commit", "false");
    props.put("allow.auto.create.topics", "false");
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    List<Parked> parked = new ArrayList<>();
    Set<String> replayed = new HashSet<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        consumer.partitionsFor(Topics.dlq(topic), Duration.ofSeconds(5))
          .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(5));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading the dead-letter topics took over 20 s");
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (!group.equals(header(record, KafkaEventBridge.H_GROUP))) {
            continue;
          }
          String replayedOf = header(record, H_REPLAYED_OF);
          if (replayedOf != null) {
            replayed.add(replayedOf);
          } else {
            parked.add(toParked(record));
          }
        }
      }
    }
    parked.removeIf(p -> replayed.contains(p.id()));
    return parked;
  }

  private static Parked toParked(ConsumerRecord<String, byte[]> record) {
    String raw = new String(record.value(), StandardCharsets.UTF_8);
    JsonObject event;
    try {
      event = new JsonObject(raw);
    } catch (RuntimeException notJson) {
      event = null;
    }
    return new Parked(record.topic() + ':' + record.partition() + ':' + record.offset(),
      header(record, KafkaEventBridge.H_TOPIC),
      Integer.parseInt(header(record, KafkaEventBridge.H_PARTITION)),
      Long.parseLong(header(record, KafkaEventBridge.H_OFFSET)),
      record.key(),
      header(record, "type") != null ? header(record, "type") : event == null ? null : event.getString("type"),
      header(record, KafkaEventBridge.H_EXCEPTION),
      Integer.parseInt(header(record, KafkaEventBridge.H_ATTEMPTS)),
      header(record, KafkaEventBridge.H_PARKED_AT),
      event,
      raw);
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
