package dev.eventmall.reliability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * A steady order load: {@code orders} orders placed by a few threads at a fixed pace over a handful of customers and
 * products, with a hook called before each order (to inject a fault at order k). What was placed is what
 * {@link Invariants} checks.
 */
final class Load {
  record Placed(String orderId, Rel.Customer customer, String productId, int quantity) {
  }

  /**
   * The world of one scenario: its products with their initial stock, its customers, and the member ids of those among
   * them whose card Toss declines.
   */
  record World(Map<String, Integer> initialStock, List<Rel.Customer> customers, Set<String> declinedMembers) {
    static World create(int products, int stockEach, int customers) {
      return create(products, stockEach, customers, 0);
    }

    /** As {@link #create(int, int, int)}, plus {@code declined} customers whose card Toss declines (their orders fail). */
    static World create(int products, int stockEach, int customers, int declined) {
      Rel.Member seller = Rel.member("SELLER");
      Map<String, Integer> stock = new LinkedHashMap<>();
      for (int i = 0; i < products; i++) {
        stock.put(Rel.product(seller, stockEach, 10_000L + 1_000L * i), stockEach);
      }
      List<Rel.Customer> list = new ArrayList<>();
      for (int i = 0; i < customers; i++) {
        list.add(Rel.customer(Rel.GOOD_CARD, "04524"));
      }
      Set<String> declinedMembers = new HashSet<>();
      for (int i = 0; i < declined; i++) {
        Rel.Customer customer = Rel.customer(Rel.DECLINED_CARD, "04524");
        list.add(customer);
        declinedMembers.add(customer.member().id());
      }
      return new World(stock, list, Set.copyOf(declinedMembers));
    }
  }

  private Load() {
  }

  /**
   * Places {@code orders} orders from {@code threads} threads, one every {@code paceMs} per thread; order i buys
   * {@code 1 + i % 2} units of product {@code i % products} for customer {@code i % customers}. {@code beforeOrder} runs on
   * the placing thread before order i is sent.
   */
  static List<Placed> run(World world, int orders, int threads, long paceMs, IntConsumer beforeOrder) {
    List<String> products = List.copyOf(world.initialStock().keySet());
    List<Placed> placed = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        running.add(pool.submit(() -> {
          for (int i = thread; i < orders; i += threads) {
            beforeOrder.accept(i);
            Rel.Customer customer = world.customers().get(i % world.customers().size());
            String productId = products.get(i % products.size());
            int quantity = 1 + i % 2;
            // an Idempotency-Key per order: a POST retried after a crash of the order service places it once
            String orderId = Rel.place(customer, Rel.orderBody(customer, productId, quantity),
                Map.of("Idempotency-Key", "load-" + UUID.randomUUID()))
              .json().getString("orderId");
            placed.add(new Placed(orderId, customer, productId, quantity));
            sleep(paceMs);
          }
          return null;
        }));
      }
      for (Future<?> f : running) {
        f.get(5, TimeUnit.MINUTES);
      }
    } catch (Exception e) {
      throw new AssertionError("the load failed", e);
    } finally {
      pool.shutdownNow();
    }
    Figures.ordersPlaced(placed.size());
    return List.copyOf(placed);
  }

  /** Runs {@code fault} on another thread while the load goes on; {@code done} completes as it does (or fails). */
  static void inBackground(CompletableFuture<Void> done, Runnable fault) {
    CompletableFuture.runAsync(fault).whenComplete((v, e) -> {
      if (e != null) {
        done.completeExceptionally(e);
      } else {
        done.complete(null);
      }
    });
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
