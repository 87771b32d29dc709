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
 * Sagas must resume and nothing may be charged twice. The payment kill runs in CI; order, catalog and delivery under
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
          CompletableFuture.runAsync(() -> {
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
          }).whenComplete((v, e) -> {
            if (e != null) {
              fault.completeExceptionally(e);
            } else {
              fault.complete(null);
            }
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
