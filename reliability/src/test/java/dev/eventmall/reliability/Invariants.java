package dev.eventmall.reliability;

import dev.eventmall.common.testing.Await;
import dev.eventmall.emulators.toss.LedgerEntry;
import org.apache.kafka.clients.admin.Admin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The invariants every scenario ends with, checked once the load settles against the stores and the Toss ledger:
 * <ol>
 *   <li>every placed order ends in a terminal state (DELIVERED, REJECTED, PAYMENT_FAILED, CANCELLED) or SHIPPING;</li>
 *   <li>no order has two charges; a paid order (SHIPPING, DELIVERED) exactly one and no refund; an unpaid or cancelled
 *       one is charged nothing net (every charge refunded); every refund matches one charge (payment key, amount);</li>
 *   <li>stock is conserved: per product, available + reserved + committed reservations = initial, and the stock the
 *       catalog shows = initial − units of the paid orders;</li>
 *   <li>no event is lost: no unsent outbox row, every event the services' committed rows owe is on its topic
 *       ({@link Stores#owedEvents()}: OrderPlaced for every order, StockReserved for every reservation, PaymentCompleted
 *       for every charged payment, DeliveryStarted for every accepted shipment...; read from the domain tables, since
 *       the outbox deletes what it published), the saga consumer groups have consumed everything (lag 0), and no
 *       record was parked on a dead-letter topic since {@code dlqBefore} (or it was replayed since).</li>
 * </ol>
 */
final class Invariants {
  static final Set<String> SETTLED = Set.of("DELIVERED", "REJECTED", "PAYMENT_FAILED", "CANCELLED", "SHIPPING");
  static final Set<String> PAID = Set.of("DELIVERED", "SHIPPING");
  static final Duration SETTLE = Duration.ofSeconds(180);

  private Invariants() {
  }

  /** DLQ baseline, to take before a scenario's load. */
  static long dlqNow() {
    try (Admin admin = Stores.admin()) {
      return Stores.dlqRecords(admin);
    }
  }

  /** Waits for every order to settle, checks everything; answers the final status of each order. */
  static Map<String, String> check(Load.World world, List<Load.Placed> placed, long dlqBefore) {
    Figures.INVARIANT_CHECKS.incrementAndGet();
    Map<String, String> states = settle(placed);
    try {
      checkLedger(placed, states);
      checkStock(world, placed, states);
      checkEvents(dlqBefore);
    } catch (AssertionError e) {
      Figures.LOSSES.incrementAndGet();
      throw e;
    }
    System.out.println("# INVARIANTS hold for " + placed.size() + " orders: " + histogram(states));
    return states;
  }

  /** Waits (up to 180 s) until no order is SHIPPING any more: a snapshot to compare against must not move by itself. */
  static void awaitTerminal(List<Load.Placed> placed) {
    Await.until("every order terminal", SETTLE, () -> {
      boolean done = placed.stream().noneMatch(p -> !SETTLED.contains(Rel.status(p.customer(), p.orderId()))
        || "SHIPPING".equals(Rel.status(p.customer(), p.orderId())));
      if (!done) {
        Load.sleep(500);
      }
      return done;
    });
  }

  static Map<String, String> settle(List<Load.Placed> placed) {
    Map<String, String> states = new HashMap<>();
    AtomicReference<String> unsettled = new AtomicReference<>();
    Await.until("every order settled (unsettled: " + unsettled + ")", SETTLE, () -> {
      List<String> open = new ArrayList<>();
      for (Load.Placed p : placed) {
        if (!SETTLED.contains(states.getOrDefault(p.orderId(), "?"))) {
          String status = Rel.status(p.customer(), p.orderId());
          states.put(p.orderId(), status);
          if (!SETTLED.contains(status)) {
            open.add(p.orderId() + "=" + status);
          }
        }
      }
      unsettled.set(open.toString());
      if (!open.isEmpty()) {
        Load.sleep(250);
      }
      return open.isEmpty();
    });
    return states;
  }

  static void checkLedger(List<Load.Placed> placed, Map<String, String> states) {
    for (Load.Placed p : placed) {
      String status = states.get(p.orderId());
      List<LedgerEntry> charges = Rel.toss().charges(p.orderId());
      List<LedgerEntry> cancels = Rel.toss().cancels(p.orderId());
      assertThat(charges).as("charges of %s (%s)", p.orderId(), status).hasSizeLessThanOrEqualTo(1);
      for (LedgerEntry cancel : cancels) {
        assertThat(charges).as("the charge refund %s of %s matches", cancel, p.orderId())
          .anyMatch(c -> c.paymentKey().equals(cancel.paymentKey()) && c.amount() == cancel.amount());
      }
      if (PAID.contains(status)) {
        assertThat(charges).as("paid order %s (%s) charged once", p.orderId(), status).hasSize(1);
        assertThat(cancels).as("paid order %s (%s) not refunded", p.orderId(), status).isEmpty();
      } else {
        // REJECTED, PAYMENT_FAILED, CANCELLED: whatever was charged was refunded (the refund may trail the state)
        Await.until("order " + p.orderId() + " (" + status + ") charged nothing net", Duration.ofSeconds(30),
          () -> {
            boolean ok = Rel.toss().cancels(p.orderId()).size() == Rel.toss().charges(p.orderId()).size();
            if (!ok) {
              Load.sleep(250);
            }
            return ok;
          });
      }
    }
  }

  static void checkStock(Load.World world, List<Load.Placed> placed, Map<String, String> states) {
    for (Map.Entry<String, Integer> product : world.initialStock().entrySet()) {
      String productId = product.getKey();
      int initial = product.getValue();
      int sold = placed.stream().filter(p -> p.productId().equals(productId) && PAID.contains(states.get(p.orderId())))
        .mapToInt(Load.Placed::quantity).sum();
      AtomicReference<String> seen = new AtomicReference<>();
      Await.until("stock of " + productId + " conserved (initial " + initial + ", sold " + sold + ", seen " + seen + ")",
        Duration.ofSeconds(30), () -> {
          long available = Stores.count("catalog", "SELECT available FROM stock WHERE product_id = '" + productId + "'");
          long reserved = Stores.count("catalog", "SELECT reserved FROM stock WHERE product_id = '" + productId + "'");
          long committed = Stores.count("catalog", "SELECT COALESCE(SUM(quantity), 0) FROM reservation WHERE product_id = '"
            + productId + "' AND status = 'COMMITTED'");
          int shown = Rel.stockOf(productId);
          seen.set("available " + available + ", reserved " + reserved + ", committed " + committed + ", shown " + shown);
          boolean ok = available + reserved + committed == initial && shown == initial - sold;
          if (!ok) {
            Load.sleep(250);
          }
          return ok;
        });
    }
  }

  static void checkEvents(long dlqBefore) {
    try (Admin admin = Stores.admin()) {
      // read before the outbox is seen empty: every event these rows owe was appended by then, so published by then
      List<Owed> owed = Stores.owedEvents();
      AtomicReference<Object> seen = new AtomicReference<>();
      Await.until("every outbox row sent (unsent " + seen + ")", Duration.ofSeconds(30), () -> {
        Map<String, Long> unsent = Stores.unsentOutbox();
        seen.set(unsent);
        boolean ok = unsent.values().stream().allMatch(n -> n == 0);
        if (!ok) {
          Load.sleep(250);
        }
        return ok;
      });
      Map<String, Map<String, Set<String>>> published = Stores.keysByType(Stores.published(admin,
        owed.stream().map(Owed::topic).distinct().toList()));
      assertThat(Owed.missing(published, owed)).as("events owed by committed rows and missing from their topics")
        .isEmpty();
      System.out.println("# EVENTS owed by committed rows, all on their topics: " + owed.stream()
        .map(o -> o.type() + " " + new java.util.HashSet<>(o.keys()).size()).toList());
      Await.until("the saga consumer groups consumed everything (lag " + seen + ")", Duration.ofSeconds(60), () -> {
        Map<String, Long> lag = Stores.lag(admin);
        seen.set(lag);
        if (!lag.isEmpty()) {
          Load.sleep(500);
        }
        return lag.isEmpty();
      });
      assertThat(Stores.dlqRecords(admin)).as("records parked on dead-letter topics during the scenario")
        .isEqualTo(dlqBefore);
    }
  }

  static Map<String, Long> histogram(Map<String, String> states) {
    Map<String, Long> h = new java.util.TreeMap<>();
    states.values().forEach(s -> h.merge(s, 1L, Long::sum));
    return h;
  }
}
