package dev.eventmall.reliability;

import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.emulators.sandbox.Faults;
import dev.eventmall.emulators.toss.LedgerEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Toss misbehaving the way TOSS.md says it can, during a steady load in which some customers' cards are declined:
 * answers slower than the client waits (the charge happens, the client has given up; repeats meanwhile get 409
 * {@code IDEMPOTENT_REQUEST_PROCESSING}), answers that never come (charged, no answer), and injected 409 in-flight answers.
 * Every order of a good card ends paid with exactly one charge, every order of a declined card ends PAYMENT_FAILED with
 * no charge, and the invariants hold.
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class TossFaultsTest {
  /** The payment service's read timeout in the reliability platform (Rel: TOSS_READ_TIMEOUT_MS). */
  static final long CLIENT_TIMEOUT_MS = 1_500;

  @BeforeAll
  static void start() {
    Rel.platform();
  }

  @AfterEach
  void clearFaults() {
    Rel.toss().clearFaults();
  }

  @Test
  void tossSlowerThanTheClientAndSilentChargesEachOrderOnceAndDeclinesCleanly() {
    Load.World world = Load.World.create(3, 30, 3, 1);
    long dlq = Invariants.dlqNow();
    CompletableFuture<Void> fault = new CompletableFuture<>();
    List<Load.Placed> placed = Load.run(world, 24, 2, 250, i -> {
      if (i == 4) {
        Load.inBackground(fault, () -> {
          // every Toss call answers after 2.5 s, the client gives up after 1.5 s and retries with the same key:
          // the repeats get 409 while the first runs, then its stored answer
          Rel.toss().faults(Faults.none().withLatencyMs(CLIENT_TIMEOUT_MS + 1_000));
          Figures.fault("Toss answers 1 s later than the client's timeout, for 6 s");
          Load.sleep(6_000);
          // Toss charges at once but never answers: only the repeat with the same key (or the lookup) tells
          Rel.toss().faults(Faults.none().withTimeout(-1, true).withPaths(List.of("/v1/billing/")));
          Figures.fault("Toss charges but never answers the charge, for 6 s");
          Load.sleep(6_000);
          Rel.toss().clearFaults();
        });
      }
    });
    fault.join();
    checkOutcomes(world, placed, dlq);
  }

  @Test
  void inFlight409AnswersUnderLoadChargeEachOrderOnceAndDeclinesCleanly() {
    Load.World world = Load.World.create(3, 30, 3, 1);
    long dlq = Invariants.dlqNow();
    // 40% of every Toss call: 409 IDEMPOTENT_REQUEST_PROCESSING after the work was done (the client must not charge
    // again: it repeats with the same key and gets the stored answer, or looks the payment up)
    Rel.toss().faults(Faults.none().withErrors(0.4, "IDEMPOTENT_REQUEST_PROCESSING", 409).withErrorApplyEffect(true));
    Figures.fault("Toss answers 409 IDEMPOTENT_REQUEST_PROCESSING (work done) to 40% of the calls during the load");
    List<Load.Placed> placed = Load.run(world, 24, 2, 200, i -> { });
    Rel.toss().clearFaults();
    checkOutcomes(world, placed, dlq);
  }

  /**
   * The invariants, and: every order of a declined card is PAYMENT_FAILED with no charge (and its decline in the
   * ledger), every other order is paid (SHIPPING or DELIVERED) with exactly one charge.
   */
  static void checkOutcomes(Load.World world, List<Load.Placed> placed, long dlq) {
    Map<String, String> states = Invariants.check(world, placed, dlq);
    Set<String> declinedMembers = world.declinedMembers();
    long failed = 0;
    for (Load.Placed p : placed) {
      String status = states.get(p.orderId());
      List<LedgerEntry> charges = Rel.toss().charges(p.orderId());
      if (declinedMembers.contains(p.customer().member().id())) {
        failed++;
        assertThat(status).as("order %s of the declined card", p.orderId()).isEqualTo("PAYMENT_FAILED");
        assertThat(charges).as("charges of declined order %s", p.orderId()).isEmpty();
        assertThat(Rel.toss().ledger()).as("a DECLINE of order %s", p.orderId())
          .anyMatch(e -> p.orderId().equals(e.orderId()) && e.kind() == LedgerEntry.Kind.DECLINE);
      } else {
        assertThat(status).as("order %s of a good card", p.orderId()).isIn(Invariants.PAID);
        assertThat(charges).as("charges of paid order %s", p.orderId()).hasSize(1);
      }
    }
    assertThat(failed).as("orders of the declined card").isPositive();
  }
}
