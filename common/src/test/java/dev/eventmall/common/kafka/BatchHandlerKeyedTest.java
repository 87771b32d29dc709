package dev.eventmall.common.kafka;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventPayloads;
import dev.eventmall.common.event.EventTypes;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.event.payload.OrderCancelRequested;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a batch handler is handed by {@link BatchHandler#keyed}: the events it acts on with their payload read into
 * their record, while an event whose payload does not read fails alone in its results (the bridge retries it and
 * parks it on the dead-letter topic) and the others stand.
 */
class BatchHandlerKeyedTest {

  static Consumed cancel(String orderId, JsonObject payload) {
    return new Consumed(Topics.ORDER_EVENTS, EventEnvelope.of(EventTypes.ORDER_CANCEL_REQUESTED, orderId, payload),
      null);
  }

  static JsonObject cancelPayload(String orderId) {
    return new JsonObject().put("orderId", orderId).put("reason", "changed my mind")
      .put("requestedAt", Instant.now().toString());
  }

  @Test
  void anEventWhosePayloadDoesNotReadFailsAloneAndTheRestAreKeyedByTheirOrder() {
    List<Consumed> batch = List.of(
      cancel("o-1", cancelPayload("o-1")),
      cancel("o-2", cancelPayload("o-2").put("requestedAt", 1_700_000_000)),
      cancel("o-3", new JsonObject().put("orderId", "o-3")),
      new Consumed(Topics.ORDER_EVENTS, EventEnvelope.of(EventTypes.ORDER_COMPLETED, "o-4", new JsonObject()), null),
      cancel("o-5", cancelPayload(" ")),
      cancel("o-6", cancelPayload("o-6")));
    List<Future<Void>> results = new ArrayList<>(BatchHandler.acknowledged(batch.size()));

    List<BatchHandler.Keyed> keyed = BatchHandler.keyed(batch,
      c -> c.type().equals(EventTypes.ORDER_CANCEL_REQUESTED), results);

    assertThat(keyed).extracting(BatchHandler.Keyed::index).containsExactly(0, 5);
    assertThat(keyed).extracting(BatchHandler.Keyed::key).containsExactly("o-1", "o-6");
    assertThat(keyed.get(1).payload(OrderCancelRequested.class).reason()).isEqualTo("changed my mind");
    assertThat(results.get(0).succeeded()).as("acknowledged unless the handler says otherwise").isTrue();
    assertThat(results.get(3).succeeded()).as("not acted on: acknowledged, never read").isTrue();
    assertThat(results.get(1).cause()).isInstanceOf(EventPayloads.InvalidPayloadException.class)
      .hasMessageContaining("requestedAt");
    assertThat(results.get(2).cause()).isInstanceOf(EventPayloads.InvalidPayloadException.class)
      .hasMessageContaining("reason");
    assertThat(results.get(4).cause()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("orderId");
  }
}
