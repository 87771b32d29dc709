package dev.eventmall.common.kafka;

import dev.eventmall.common.event.EventPayloads;
import dev.eventmall.common.event.payload.EventPayload;
import dev.eventmall.common.event.payload.OrderScoped;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * The domain side of a consumer group on the batch-shaped event path: the {@link KafkaEventBridge} hands it the records
 * of a poll (all topics and partitions of the group, each partition in offset order) as one batch, and a handler applies
 * them in one transaction: the aggregates touched locked, the duplicates found (an inbox claim for all, or the rows the
 * events left, as the saga's four handlers do), the state changes of every aggregate, one outbox insert, one commit.
 *
 * <p>The returned future says when the next batch may start; it holds one future per event (same order), which says
 * what became of that event: success acknowledges it, failure hands it to the bridge's single-record lane (retried
 * alone with backoff, finally parked on the dead-letter topic) while the rest of the batch stands. A failed outer future
 * sends every event of the batch to that lane: that is how a poison event is isolated when it breaks the batch's
 * transaction. A handler may complete an event's future later than the outer one (after an outside call the
 * transaction announced, as payment's charges): later records of the same topic, partition and key then wait for it.
 *
 * <p>A handler must be idempotent per event (an inbox, or the rows the event left, read under the batch's locks) and must give the same outcome whether an event comes in a
 * batch or alone: the single-record lane and the dead-letter replay call it with a batch of one.
 */
@FunctionalInterface
public interface BatchHandler {

  Future<List<Future<Void>>> handle(List<Consumed> batch);

  /**
   * Whether this handler acts on events of {@code type} read from {@code topic}. The bridge acknowledges the others by
   * the record's {@code type} header, without parsing them or handing them over, so a group that reads a topic for one
   * or two of its event types does not pay for the rest (issue 12). Handlers must still ignore what they are handed and
   * do not act on (a record without the header, the single-record lane, a dead-letter replay). Default: every event.
   */
  default boolean actsOn(String topic, String type) {
    return true;
  }

  /** {@link #keyed} over the events this handler {@linkplain #actsOn acts on}. */
  default List<Keyed> keyedActedOn(List<Consumed> batch, List<Future<Void>> results) {
    return keyed(batch, c -> actsOn(c.topic(), c.type()), results);
  }

  /** Every one of {@code n} events acknowledged. */
  static List<Future<Void>> acknowledged(int n) {
    return Collections.nCopies(n, Future.succeededFuture());
  }

  /**
   * An event of a batch that a handler acts on: its place in the batch, its payload read into its record
   * ({@link EventPayloads}) and the order it concerns.
   */
  record Keyed(int index, Consumed consumed, OrderScoped payload) {
    public String type() {
      return consumed.type();
    }

    /** The order id, the aggregate the event concerns. */
    public String key() {
      return payload.orderId();
    }

    /** The payload as {@code type} (the record of {@link #type()}). */
    public <T extends OrderScoped> T payload(Class<T> type) {
      return type.cast(payload);
    }
  }

  /**
   * The events of {@code batch} that {@code acts} selects, each with its payload read into the record of its type. An
   * event whose payload does not read ({@link EventPayloads.InvalidPayloadException}: a required field missing, a field
   * of the wrong type), is not about an order, or has a blank order id fails alone in {@code results} (retried, then
   * parked on the dead-letter topic) and is left out; the rest of the batch goes on.
   */
  static List<Keyed> keyed(List<Consumed> batch, Predicate<Consumed> acts, List<Future<Void>> results) {
    List<Keyed> keyed = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Consumed c = batch.get(i);
      if (!acts.test(c)) {
        continue;
      }
      EventPayload payload;
      try {
        payload = EventPayloads.read(c.event());
      } catch (IllegalArgumentException unreadable) {
        results.set(i, Future.failedFuture(unreadable));
        continue;
      }
      if (!(payload instanceof OrderScoped ordered) || ordered.orderId().isBlank()) {
        results.set(i, Future.failedFuture(new IllegalArgumentException(c.type() + " " + c.event().id()
          + " has no orderId")));
        continue;
      }
      keyed.add(new Keyed(i, c, ordered));
    }
    return keyed;
  }
}
