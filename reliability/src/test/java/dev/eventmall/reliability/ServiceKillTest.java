package dev.eventmall.reliability;

import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.emulators.sandbox.Faults;
import dev.eventmall.infra.ServiceProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A saga service run as an OS process of its own ({@code java -jar}) and SIGKILLed mid-load, mid-saga, then started
 * again: no shutdown hook runs, its Kafka consumer does not leave its group (its partitions wait for the session
 * timeout), its uncommitted offsets are redelivered, its Toss or carrier calls in flight are lost to it (not to Toss).
 * Sagas must resume and nothing may be charged twice; member and search (not saga services) must answer again and
 * catch up. The payment kill runs in CI; order, catalog, delivery, member and search under
 * {@code -Psoak}.
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class ServiceKillTest {

  @BeforeAll
  static void start() {
    Rel.platform();
  }

  @AfterEach
  void clearFaults() {
    Rel.toss().clearFaults();
  }

  @Test
  void paymentSigkilledWhileChargingAndRestartedChargesEveryPaidOrderExactlyOnce() {
    // Toss answers after 400 ms (within the client's 1.5 s): charges are in flight most of the time
    Rel.toss().faults(Faults.none().withLatencyMs(400));
    long chargingAtKill = killMidLoad("payment",
      () -> Stores.count("payment", "SELECT COUNT(*) FROM payments WHERE status = 'CHARGING'"));
    assertThat(chargingAtKill).as("payments CHARGING (a Toss call in flight) when payment was killed").isPositive();
  }

  @Test
  @Tag("soak")
  void orderSigkilledMidLoadAndRestartedDrivesEverySagaToItsEnd() {
    long open = killMidLoad("order", () -> Stores.count("orders",
      "SELECT COUNT(*) FROM orders WHERE status IN ('PENDING', 'PAYMENT_PENDING', 'PAID')"));
    assertThat(open).as("orders mid-saga when order was killed").isPositive();
  }

  @Test
  @Tag("soak")
  void catalogSigkilledMidLoadAndRestartedReservesAndReleasesStockOnce() {
    long open = killMidLoad("catalog", () -> Stores.count("orders",
      "SELECT COUNT(*) FROM orders WHERE status IN ('PENDING', 'PAYMENT_PENDING')"));
    assertThat(open).as("orders waiting for stock or payment when catalog was killed").isPositive();
  }

  @Test
  @Tag("soak")
  void deliverySigkilledMidLoadAndRestartedShipsEveryPaidOrderOnce() {
    long open = killMidLoad("delivery", () -> Stores.count("orders",
      "SELECT COUNT(*) FROM orders WHERE status IN ('PAYMENT_PENDING', 'PAID')"));
    assertThat(open).as("orders paid or being paid when delivery was killed").isPositive();
    // one shipment per order at the carrier, whatever the redeliveries
    Rel.platform().emulators().carrier().shipments().stream()
      .collect(Collectors.groupingBy(s -> s.getString("orderId"), Collectors.counting()))
      .forEach((orderId, n) -> assertThat(n).as("carrier shipments of order %s", orderId).isEqualTo(1));
  }

  @Test
  @Tag("soak")
  void memberSigkilledMidLoadSignUpsLoginsAndAddressesWorkAgainWithoutDuplicateMembers() {
    // account traffic through REST next to the order load: sign-up (retried with the same e-mail and password until it
    // answers 201, or 409 when an earlier attempt committed before the kill), login, an address
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    List<String> emails = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    AtomicLong failed = new AtomicLong();
    AtomicLong conflicts = new AtomicLong();
    AtomicLong completed = new AtomicLong();
    CompletableFuture<Void> accounts = CompletableFuture.runAsync(() -> {
      while (!stop.get()) {
        String email = "kill-" + java.util.UUID.randomUUID() + "@example.com";
        String password = "pass-" + java.util.UUID.randomUUID();
        emails.add(email);
        retry(failed, () -> {
          Rel.Response r = Rel.call("member", "POST", "/members", null, new io.vertx.core.json.JsonObject()
            .put("email", email).put("password", password).put("name", "Kill").put("role", "CUSTOMER"));
          if (r.status() == 409) {
            conflicts.incrementAndGet();
          }
          return r.status() == 201 || r.status() == 409;
        });
        String[] token = new String[1];
        retry(failed, () -> {
          Rel.Response r = Rel.call("member", "POST", "/auth/login", null,
            new io.vertx.core.json.JsonObject().put("email", email).put("password", password));
          token[0] = r.status() == 200 ? r.json().getString("accessToken") : null;
          return token[0] != null;
        });
        retry(failed, () -> Rel.call("member", "POST", "/members/me/addresses", token[0], Rel.addressBody("04524"))
          .status() == 201);
        completed.incrementAndGet();
        Load.sleep(100);
      }
    });
    long killed;
    try {
      killed = killMidLoad("member", () -> 1);
    } finally {
      stop.set(true);
    }
    accounts.orTimeout(120, java.util.concurrent.TimeUnit.SECONDS).join();
    System.out.printf("# member kill: %d accounts (sign-up, login, address) completed, %d requests failed during the"
      + " kill and were retried, %d retried sign-ups answered 409%n", completed.get(), failed.get(), conflicts.get());
    assertThat(killed).isEqualTo(1);
    assertThat(failed.get()).as("account requests that failed while member was down").isPositive();
    for (String email : List.copyOf(emails)) {
      assertThat(Stores.count("member", "SELECT COUNT(*) FROM members WHERE email = '" + email + "'"))
        .as("member rows for %s", email).isEqualTo(1);
    }
    // after the restart: a new account works end to end
    Rel.Customer after = Rel.customer(null, "04524");
    assertThat(after.addressId()).isNotNull();
  }

  @Test
  @Tag("soak")
  void searchSigkilledWhileCatalogChangesProductsCatchesUpFromCatalogProducts() {
    String word = "relkill" + StoreFaultsTest.letters(8);
    Rel.Member seller = Rel.member("SELLER");
    Map<String, Long> expected = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, String> names = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 6; i++) {
      String name = "러닝화 " + word + " " + i;
      long price = 30_000L + 1_000L * i;
      String id = Rel.product(seller, name, 100, price);
      names.put(id, name);
      expected.put(id, price);
    }
    StoreFaultsTest.awaitSearch(word, expected, java.time.Duration.ofSeconds(60));
    ServiceProcess process = Processes.asProcess("search");
    try {
      StoreFaultsTest.awaitSearch(word, expected, java.time.Duration.ofSeconds(60));
      // price changes every 150 ms per product; search SIGKILLed in round 2, started again after round 4
      for (int round = 1; round <= 6; round++) {
        if (round == 2) {
          long pid = process.pid();
          process.kill();
          Figures.fault("SIGKILL of the search process (pid " + pid + ") while catalog changes products");
        }
        for (Map.Entry<String, String> p : names.entrySet()) {
          long price = 30_000L + 100L * round + 7L * (p.getValue().charAt(p.getValue().length() - 1) - '0');
          Rel.Response r = Rel.call("catalog", "PUT", "/products/" + p.getKey(), seller.token(),
            Rel.productBody(p.getValue(), price, 100));
          assertThat(r.status()).as(r.body()).isEqualTo(200);
          expected.put(p.getKey(), price);
          Load.sleep(150);
        }
        if (round == 4) {
          long began = System.nanoTime();
          process.restart();
          System.out.printf("# search process back in %d ms%n", (System.nanoTime() - began) / 1_000_000);
        }
      }
      long began = System.nanoTime();
      StoreFaultsTest.awaitSearch(word, expected, java.time.Duration.ofSeconds(150));
      System.out.printf("# search caught up with %d changed products %d ms after the last change%n", expected.size(),
        (System.nanoTime() - began) / 1_000_000);
    } catch (RuntimeException | AssertionError e) {
      System.out.println("# search process log, last lines:\n" + process.tail(60));
      throw e;
    } finally {
      Processes.backInJvm("search", process);
    }
  }

  /** Repeats {@code attempt} every 250 ms (at most 120 s) until it answers true; counts failed tries. */
  static void retry(AtomicLong failed, java.util.function.BooleanSupplier attempt) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (true) {
      boolean ok;
      try {
        ok = attempt.getAsBoolean();
      } catch (Rel.NoAnswer e) { // the process is down
        ok = false;
      }
      if (ok) {
        return;
      }
      failed.incrementAndGet();
      if (System.nanoTime() > deadline) {
        throw new AssertionError("an account request did not succeed within 120 s");
      }
      Load.sleep(250);
    }
  }

  /**
   * Runs {@code service} as a process, places a steady load of 20 orders and, at the 6th, waits (at most 15 s) until
   * {@code midSaga} counts something in flight, SIGKILLs the process, starts it again 1 s later; checks the invariants
   * and that orders were paid. Answers what {@code midSaga} counted right before the kill.
   */
  static long killMidLoad(String service, LongSupplier midSaga) {
    Load.World world = Load.World.create(3, 30, 4);
    long dlq = Invariants.dlqNow();
    ServiceProcess process = Processes.asProcess(service);
    AtomicLong atKill = new AtomicLong(-1);
    try {
      CompletableFuture<Void> fault = new CompletableFuture<>();
      List<Load.Placed> placed = Load.run(world, 20, 2, 250, i -> {
        if (i == 6) {
          Load.inBackground(fault, () -> {
            long deadline = System.nanoTime() + 15_000_000_000L;
            long seen = midSaga.getAsLong();
            while (seen == 0 && System.nanoTime() < deadline) {
              Load.sleep(20);
              seen = midSaga.getAsLong();
            }
            long pid = process.pid();
            process.kill();
            atKill.set(seen);
            Figures.fault("SIGKILL of the " + service + " process (pid " + pid + ") mid-saga (" + seen
              + " in flight), restarted 1 s later");
            Load.sleep(1_000);
            long began = System.nanoTime();
            process.restart();
            System.out.printf("# %s process back in %d ms%n", service, (System.nanoTime() - began) / 1_000_000);
          });
        }
      });
      fault.join();
      Rel.toss().clearFaults();
      Map<String, String> states = Invariants.check(world, placed, dlq);
      assertThat(FaultScenariosTest.paid(states)).as("orders paid across the crash").isPositive();
      return atKill.get();
    } catch (RuntimeException | AssertionError e) {
      System.out.println("# " + service + " process log, last lines:\n" + process.tail(60));
      throw e;
    } finally {
      Processes.backInJvm(service, process);
    }
  }
}
