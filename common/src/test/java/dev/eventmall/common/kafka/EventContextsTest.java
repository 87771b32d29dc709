package dev.eventmall.common.kafka;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.logging.LogContext;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.LogCapture;
import dev.eventmall.common.trace.Tracing;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contexts the event path runs its work on, with trace ids on (as compose runs the services): each event handled
 * one by one ({@link EventHandlers#register}) has its own log fields and current span, however its callbacks interleave
 * with another event's; a call made in another trace ({@link EventHandlers#inTrace}) runs under that trace's span
 * through its own async hops, answers on the caller's context and leaves the caller's span as it was.
 */
class EventContextsTest {
  private static final Logger APP = LoggerFactory.getLogger("dev.eventmall.test.events");
  private static final String TRACE_SLOW = "11111111111111111111111111111111";
  private static final String TRACE_FAST = "22222222222222222222222222222222";

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Metrics.create("event-contexts-test").newVertx(new VertxOptions().setEventLoopPoolSize(1),
      Tracing.from(Config.of(Map.of(Tracing.OTEL_TRACES_EXPORTER, "none")), "event-contexts-test"));
  }

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  private static String traceparent(String traceId, String spanId) {
    return "00-" + traceId + "-" + spanId + "-01";
  }

  @Test
  void interleavedEventsKeepTheirOwnLogFieldsAndSpans() {
    // the handler learns its order id, then logs after a delay: the slow event's line comes after the fast one's
    Await.result(EventHandlers.register(vertx, "g", "orders", event -> {
      LogContext.orderId(event.key());
      return vertx.timer(event.payload().getLong("delayMs")).map(v -> {
        APP.info("handled {}", event.key());
        return null;
      });
    }).completion());
    try (LogCapture lines = LogCapture.json(APP.getName())) {
      Future<?> slow = deliver("o-slow", 300, traceparent(TRACE_SLOW, "aaaaaaaaaaaaaaaa"));
      Future<?> fast = deliver("o-fast", 1, traceparent(TRACE_FAST, "bbbbbbbbbbbbbbbb"));
      Await.result(Future.all(slow, fast));
      assertThat(lines.lines()).extracting(l -> l.getString("message") + " " + l.getString("orderId") + " "
          + l.getString("traceId"))
        .containsExactly("handled o-fast o-fast " + TRACE_FAST, "handled o-slow o-slow " + TRACE_SLOW);
    }
    // the event loop's own context was never one of theirs
    Promise<String> off = Promise.promise();
    vertx.runOnContext(v -> off.complete(LogContext.orderId() + " " + Tracing.current()));
    assertThat(Await.result(off.future())).isEqualTo("null null");
  }

  private Future<?> deliver(String orderId, long delayMs, String traceparent) {
    return vertx.eventBus().request(EventHandlers.address("g", "orders"),
      EventEnvelope.of("OrderPlaced", orderId, new JsonObject().put("delayMs", delayMs)).toJson(),
      new DeliveryOptions().addHeader(Tracing.HEADER, traceparent));
  }

  @Test
  void aCallInAnotherTraceRunsUnderItsSpanAndAnswersOnTheCallersContext() {
    String caller = traceparent(TRACE_SLOW, "cccccccccccccccc");
    String first = traceparent(TRACE_FAST, "dddddddddddddddd");
    String second = traceparent(TRACE_FAST, "eeeeeeeeeeeeeeee");
    List<String> seen = new CopyOnWriteArrayList<>();
    Promise<List<String>> done = Promise.promise();
    // a batch's context: the caller's span is current there, and two calls in other traces interleave
    Await.result(EventHandlers.register(vertx, "g", "batch", event -> {
      Context context = Vertx.currentContext();
      Future<String> a = EventHandlers.inTrace(first, () -> {
        seen.add("first starts " + Tracing.current());
        return vertx.timer(100).map(v -> {
          seen.add("first after a hop " + Tracing.current());
          return "a";
        });
      });
      Future<String> b = EventHandlers.inTrace(second, () -> {
        seen.add("second starts " + Tracing.current());
        return vertx.timer(1).map(v -> "b");
      });
      return Future.all(a, b).map(all -> {
        String answers = all.<String>resultAt(0) + all.<String>resultAt(1);
        done.complete(List.of(answers, String.valueOf(Vertx.currentContext() == context), Tracing.current()));
        return null;
      });
    }).completion());
    Await.result(vertx.eventBus().request(EventHandlers.address("g", "batch"),
      EventEnvelope.of("OrderPlaced", "o-1", new JsonObject()).toJson(),
      new DeliveryOptions().addHeader(Tracing.HEADER, caller)));
    List<String> after = Await.result(done.future());
    assertThat(seen).containsExactlyInAnyOrder("first starts " + first, "second starts " + second,
      "first after a hop " + first);
    assertThat(after.get(0)).isEqualTo("ab");
    assertThat(after.get(1)).as("the outcome comes back on the caller's context").isEqualTo("true");
    assertThat(after.get(2)).as("the caller's current span: its CONSUMER span, in its own trace")
      .startsWith("00-" + TRACE_SLOW + "-").isNotEqualTo(caller);
  }
}
