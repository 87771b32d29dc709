package dev.eventmall.common.trace;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** W3C traceparent parsing, child spans, and the trace of the current duplicated context reaching new events. */
class TraceContextTest {
  static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void aChildKeepsTheTraceIdAndFlagsWithANewSpanId() {
    String child = TraceContext.child(PARENT);
    assertThat(TraceContext.valid(child)).isTrue();
    assertThat(TraceContext.traceId(child)).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(TraceContext.spanId(child)).isNotEqualTo("00f067aa0ba902b7");
    assertThat(child).endsWith("-01");
  }

  @Test
  void newTracesAndSpansAreValidAndDistinct() {
    java.util.Set<String> traces = new java.util.HashSet<>();
    java.util.Set<String> spans = new java.util.HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      String trace = TraceContext.newTrace();
      assertThat(TraceContext.valid(trace)).as(trace).isTrue();
      assertThat(trace).hasSize(55).endsWith("-01");
      traces.add(TraceContext.traceId(trace));
      spans.add(TraceContext.spanId(TraceContext.child(trace)));
    }
    assertThat(traces).hasSize(1_000);
    assertThat(spans).hasSize(1_000);
  }

  @Test
  void upperCaseAndSurroundingBlanksAreRead() {
    assertThat(TraceContext.valid("00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01")).isTrue();
    assertThat(TraceContext.valid(" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ")).isTrue();
  }

  @Test
  void malformedOrAllZeroTraceparentsAreNotValidAndStartANewTrace() {
    for (String bad : new String[] {null, "", "garbage", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7x01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0-",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011", "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}) {
      assertThat(TraceContext.valid(bad)).as(bad).isFalse();
      assertThat(TraceContext.valid(TraceContext.child(bad))).as(bad).isTrue();
    }
  }

  @Test
  void eventsMadeOnADuplicatedContextJoinItsTraceAndCausedEventsJoinTheCause() {
    Vertx vertx = Vertx.vertx();
    try {
      EventEnvelope[] made = new EventEnvelope[2];
      Await.result(Future.<Void>future(done -> ((ContextInternal) vertx.getOrCreateContext()).duplicate()
        .runOnContext(v -> {
          TraceContext.setCurrent(PARENT);
          made[0] = EventEnvelope.of("TestHappened", "k", new JsonObject());
          done.complete();
        })));
      made[1] = EventEnvelope.causedBy(made[0], "TestFollowed", "k", new JsonObject());
      assertThat(TraceContext.traceId(made[0].traceparent())).isEqualTo(TraceContext.traceId(PARENT));
      assertThat(TraceContext.traceId(made[1].traceparent())).isEqualTo(TraceContext.traceId(PARENT));
      assertThat(TraceContext.spanId(made[1].traceparent())).isNotEqualTo(TraceContext.spanId(made[0].traceparent()));
      assertThat(EventEnvelope.of("TestHappened", "k", new JsonObject()).traceparent())
        .as("outside a request or event there is no trace").isNull();
    } finally {
      Await.result(vertx.close());
    }
  }
}
