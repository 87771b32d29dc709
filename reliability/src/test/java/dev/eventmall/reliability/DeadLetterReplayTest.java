package dev.eventmall.reliability;

import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.emulators.sandbox.Faults;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dead-letter path an operator walks, under a load: the carrier cannot deliver to some addresses (DeliveryFailed),
 * so payment must refund those orders, but Toss refuses the refunds ({@code REFUND_REJECTED}, a final answer): the
 * payment saga retries, then parks each DeliveryFailed on {@code delivery.events.dlq}. The operator sees them through
 * {@code GET /admin/dlq} (ADMIN), fixes the cause (here: Toss takes refunds again), replays them through
 * {@code POST /admin/dlq/replay}; each refund then happens exactly once, the orders end CANCELLED and nothing is parked.
 * Every answer of the dead-letter admin is checked against payment's OpenAPI document (through {@link Rel}). Under
 * {@code -Psoak}.
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class DeadLetterReplayTest {
  /** Zip code the carrier emulator refuses (422 ADDRESS_UNDELIVERABLE). */
  static final String UNDELIVERABLE = "00000";

  @BeforeAll
  static void start() {
    Rel.platform();
  }

  @AfterEach
  void clearFaults() {
    Rel.toss().clearFaults();
  }

  @Test
  @Tag("soak") // ~60 s: the payment saga's 8 attempts take ~46 s before it parks
  void refundsParkedByTossRefusalsAreListedReplayedOnceAfterTheFixAndTheDlqEmpties() {
    Load.World world = Load.World.create(2, 30, 2);
    Rel.Customer undeliverable = Rel.customer(Rel.GOOD_CARD, UNDELIVERABLE);
    String productId = world.initialStock().keySet().iterator().next();
    Rel.Member admin = Rel.admin();
    long dlq = Invariants.dlqNow();
    Set<String> before = listParked(admin).stream().map(p -> p.getString("id")).collect(Collectors.toSet());

    // Toss refuses every refund for good; charges go through
    Rel.toss().faults(Faults.none().withErrors(1.0, "REFUND_REJECTED", 0).withPaths(List.of("/v1/payments/")));
    Figures.fault("Toss refuses every refund (REFUND_REJECTED) while the carrier refuses an address");
    // one order in the middle of the load goes to an address the carrier refuses (a refund parks for ~50 s, and parked
    // events of one partition wait for each other: one is enough to walk the path)
    List<Load.Placed> extra = new ArrayList<>();
    List<Load.Placed> load = Load.run(world, 10, 2, 200, i -> {
      if (i == 4) {
        String orderId = Rel.place(undeliverable, Rel.orderBody(undeliverable, productId, 1),
          Map.of("Idempotency-Key", "dlq-" + UUID.randomUUID())).json().getString("orderId");
        synchronized (extra) {
          extra.add(new Load.Placed(orderId, undeliverable, productId, 1));
        }
      }
    });
    List<Load.Placed> placed = new ArrayList<>(load);
    placed.addAll(extra);
    Figures.ordersPlaced(extra.size());
    List<String> refused = extra.stream().map(Load.Placed::orderId).toList();
    assertThat(refused).hasSize(1);

    // the payment saga retries each refund, then parks its DeliveryFailed: the operator sees them
    AtomicReference<List<JsonObject>> seen = new AtomicReference<>();
    long began = System.nanoTime();
    Await.until("a DeliveryFailed of each refused order parked (seen " + seen + ")", Duration.ofSeconds(180), () -> {
      seen.set(listParked(admin).stream().filter(p -> !before.contains(p.getString("id"))).toList());
      boolean all = seen.get().stream().map(p -> p.getString("key")).collect(Collectors.toSet())
        .containsAll(refused);
      if (!all) {
        Load.sleep(1_000);
      }
      return all;
    });
    System.out.printf("# %d DeliveryFailed parked by payment-saga within %d ms of the load's end%n", refused.size(),
      (System.nanoTime() - began) / 1_000_000);
    List<JsonObject> parked = seen.get();
    assertThat(parked).as("parked events of payment-saga").hasSize(refused.size())
      .allSatisfy(p -> {
        assertThat(p.getString("topic")).isEqualTo("delivery.events");
        assertThat(p.getString("type")).isEqualTo("DeliveryFailed");
        assertThat(p.getString("error")).contains("REFUND_REJECTED");
        assertThat(p.getInteger("attempts")).isGreaterThan(1);
      });
    for (String orderId : refused) {
      assertThat(Rel.toss().cancels(orderId)).as("refunds of %s while parked", orderId).isEmpty();
      assertThat(Stores.count("payment", "SELECT COUNT(*) FROM payments WHERE order_id = '" + orderId
        + "' AND status = 'REFUNDING'")).as("payment of %s waits REFUNDING", orderId).isEqualTo(1);
    }
    long parkedNow = Invariants.dlqNow();
    assertThat(parkedNow - dlq).as("records parked on the dead-letter topics").isEqualTo(refused.size());

    // the fix: Toss takes refunds again; the replay hands each parked event to the saga handler once more
    Rel.toss().clearFaults();
    Rel.Response replay = Rel.call("payment", "POST", "/admin/dlq/replay", admin.token(), null);
    assertThat(replay.status()).as(replay.body()).isEqualTo(200);
    assertThat(replay.json().getJsonArray("stillParked")).as("events that failed again").isEmpty();
    Figures.fault("replayed " + refused.size() + " parked events through POST /admin/dlq/replay");

    assertThat(listParked(admin)).as("GET /admin/dlq after the replay").noneMatch(p -> !before.contains(p.getString("id")));
    // one of them named again: it is no longer parked (every answer here is checked against payment's document)
    String replayedId = parked.get(0).getString("id");
    Rel.Response gone = Rel.call("payment", "POST", "/admin/dlq/" + replayedId + "/replay", admin.token(), null);
    assertThat(gone.status()).as(gone.body()).isEqualTo(404);
    assertThat(gone.contentType()).startsWith("application/problem+json");
    assertThat(gone.json().getString("detail")).contains(replayedId);
    assertThat(Invariants.dlqNow()).as("parked and not replayed").isEqualTo(dlq);
    Map<String, String> states = Invariants.check(world, placed, dlq);
    // the events payment published (the outbox deletes its published rows): distinct event ids, so a re-send counts once
    List<Stores.Published> paymentEvents;
    try (org.apache.kafka.clients.admin.Admin kafka = Stores.admin()) {
      paymentEvents = Stores.published(kafka, List.of("payment.events"));
    }
    for (String orderId : refused) {
      assertThat(states.get(orderId)).as("order %s", orderId).isEqualTo("CANCELLED");
      assertThat(Rel.toss().charges(orderId)).as("charges of %s", orderId).hasSize(1);
      assertThat(Rel.toss().cancels(orderId)).as("refunds of %s: exactly one", orderId).hasSize(1);
      assertThat(paymentEvents.stream().filter(r -> orderId.equals(r.key()) && "PaymentRefunded".equals(r.type()))
        .map(Stores.Published::eventId).distinct()).as("PaymentRefunded events of %s on payment.events", orderId)
        .hasSize(1);
    }
    // a second replay finds nothing to do
    Rel.Response again = Rel.call("payment", "POST", "/admin/dlq/replay", admin.token(), null);
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(again.json().getJsonArray("stillParked")).isEmpty();
    Map<String, Long> cancels = new HashMap<>();
    refused.forEach(id -> cancels.put(id, (long) Rel.toss().cancels(id).size()));
    assertThat(cancels.values()).as("refunds per order after a second replay").containsOnly(1L);
  }

  /** {@code GET /admin/dlq} of the payment service: its parked events. */
  static List<JsonObject> listParked(Rel.Member admin) {
    Rel.Response list = Rel.call("payment", "GET", "/admin/dlq?size=500", admin.token(), null);
    assertThat(list.status()).as(list.body()).isEqualTo(200);
    List<JsonObject> items = new ArrayList<>();
    list.json().getJsonArray("items").forEach(o -> items.add((JsonObject) o));
    assertThat(list.json().getInteger("total")).isEqualTo(items.size());
    return items;
  }
}
