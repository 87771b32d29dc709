package dev.eventmall.payment;

import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.LogCapture;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.payment.client.TossClient;
import dev.eventmall.payment.persistence.AttemptLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** A crash between "Toss charged" and "row DONE" leaves a CHARGING row; the next start resolves it without charging again. */
class PaymentRecoveryTest extends PaymentTestSupport {

  @Test
  void aChargingRowLeftByACrashIsResolvedAtStartupWithoutASecondCharge() {
    String memberId = memberWithCard(GOOD_CARD);
    JsonObject key = row("SELECT billing_key, customer_key FROM billing_keys WHERE member_id = ?", memberId);
    String orderId = newOrderId();
    // the state a crash leaves: the CHARGING row committed, Toss charged (same Idempotency-Key), the answer lost
    Await.result(db.preparedQuery("INSERT INTO payments (payment_id, order_id, member_id, amount, method, order_name, "
        + "status, created_at, updated_at) VALUES (?, ?, ?, 6000, 'BILLING', 'Crashed order', 'CHARGING', NOW(6), NOW(6))")
      .execute(Tuple.of(UUID.randomUUID().toString(), orderId, memberId)));
    HttpResponse<Buffer> charged = atToss("/v1/billing/" + key.getString("billing_key"), "charge:" + orderId,
      new JsonObject().put("customerKey", key.getString("customer_key")).put("amount", 6000)
        .put("orderId", orderId).put("orderName", "Crashed order"), TOSS_BILLING_SECRET_KEY);
    assertThat(charged.statusCode()).as(charged.bodyAsString()).isEqualTo(200);
    assertThat(toss.charges(orderId)).hasSize(1);

    // restart the service
    Await.shutDown(deployment.undeploy(vertx));
    client.close();
    deployment = Await.result(PaymentApp.deploy(vertx, config, Metrics.create("payment-test-restart")),
      Duration.ofSeconds(120));
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(deployment.httpPort()));

    awaitStatus(orderId, "DONE");
    EventEnvelope completed = awaitPaymentEvent(orderId, "PaymentCompleted");
    assertThat(completed.payload().getLong("amount")).isEqualTo(6000L);
    assertThat(toss.charges(orderId)).hasSize(1);
    assertThat(payment(orderId).getString("payment_key")).isEqualTo(charged.bodyAsJsonObject().getString("paymentKey"));
  }

  /** A CHECKOUT row left CHARGING since {@code since} with the key of a checkout opened at Toss but never confirmed. */
  String chargingCheckout(String orderId, String memberId, String since) {
    String paymentKey = openCheckout(orderId, 8_000);
    Await.result(db.preparedQuery("INSERT INTO payments (payment_id, order_id, member_id, amount, method, order_name, "
        + "status, payment_key, created_at, updated_at) VALUES (?, ?, ?, 8000, 'CHECKOUT', 'Checkout', 'CHARGING', ?, "
        + since + ", " + since + ")")
      .execute(Tuple.of(UUID.randomUUID().toString(), orderId, memberId, paymentKey)));
    return paymentKey;
  }

  /**
   * Issue 16 row 2's terminal outcome: a charge whose outcome stays unknown (here Toss says the order's payment is
   * IN_PROGRESS — authenticated, never confirmed — and every re-confirm is refused) is given up on once it has been CHARGING
   * longer than the give-up age: FAILED with PAYMENT_UNRESOLVED and PaymentFailed (the order fails, its stock is
   * released), nothing charged. A younger row in the same state stays CHARGING and is retried. Before: retried for ever.
   */
  @Test
  void aChargeUnresolvedForTooLongIsFailedByWhatTossSaysAndAYoungerOneIsStillRetried() {
    String old = newOrderId();
    String young = newOrderId();
    chargingCheckout(old, newMemberId(), "NOW(6) - INTERVAL 2 DAY");
    chargingCheckout(young, newMemberId(), "NOW(6)");
    // every re-confirm answers ALREADY_PROCESSED_PAYMENT, the key reads back as this order's payment, IN_PROGRESS: the
    // outcome stays unknown without the answers that would open the breaker
    toss.faults(new dev.eventmall.emulators.sandbox.Faults(0, 1.0, "ALREADY_PROCESSED_PAYMENT", 400, false, 0, true,
      dev.eventmall.emulators.sandbox.Faults.Outage.NONE, false, java.util.List.of("/v1/payments/confirm"), -1));

    Await.result(deployment.part(Payments.class).resolveStuck(Duration.ZERO, Duration.ofDays(1)), Duration.ofSeconds(60));

    JsonObject failed = payment(old);
    assertThat(failed.getString("status")).isEqualTo("FAILED");
    assertThat(failed.getString("failure_code")).isEqualTo("PAYMENT_UNRESOLVED");
    EventEnvelope event = awaitPaymentEvent(old, "PaymentFailed");
    assertThat(event.payload().getString("code")).isEqualTo("PAYMENT_UNRESOLVED");
    assertThat(payment(young).getString("status")).isEqualTo("CHARGING");
    assertThat(toss.charges(old)).isEmpty();
    assertThat(toss.charges(young)).isEmpty();

    // Toss answering again: the young one is confirmed by the next round, the failed one is never confirmed again
    toss.clearFaults();
    Await.result(deployment.part(Payments.class).resolveStuck(Duration.ZERO, Duration.ofDays(1)), Duration.ofSeconds(60));
    assertThat(payment(young).getString("status")).isEqualTo("DONE");
    assertThat(toss.charges(young)).hasSize(1);
    assertThat(payment(old).getString("status")).isEqualTo("FAILED");
    assertThat(toss.charges(old)).isEmpty();
  }

  /** While Toss cannot be asked at all, even a very old CHARGING row stays CHARGING: nothing is guessed. */
  @Test
  void aChargeIsNeverGivenUpOnWhileTossCannotBeAsked() throws InterruptedException {
    String orderId = newOrderId();
    chargingCheckout(orderId, newMemberId(), "NOW(6) - INTERVAL 2 DAY");
    toss.faults(new dev.eventmall.emulators.sandbox.Faults(0, 0, null, 0, false, 0, true,
      dev.eventmall.emulators.sandbox.Faults.Outage.SERVICE_UNAVAILABLE, false, null, -1));

    Await.result(deployment.part(Payments.class).resolveStuck(Duration.ZERO, Duration.ofDays(1)), Duration.ofSeconds(60));

    assertThat(payment(orderId).getString("status")).isEqualTo("CHARGING");
    assertThat(paymentEventsOf(orderId)).isEmpty();
    toss.clearFaults();
    Thread.sleep(1_200); // the breaker the outage opened half-opens again for the next test
  }

  /**
   * The periodic recovery stopped while its reads of {@code payments} are under way (here held by MariaDB itself: another
   * connection holds {@code LOCK TABLES payments WRITE}), then the pool and the Toss client closed, in the order a
   * service's stop runs ({@code PaymentApp}'s closing step comes after the verticles): the stop waits for the recovery
   * instead of letting the pool close under it, so the way down logs no warning about a recovery that the next start
   * runs anyway. Before, the reads failed on the closed pool and logged "resolving unresolved payments failed" at WARN.
   * Its own Vert.x (this class's deployment keeps its saga handler registration) and its own database (the rows the other
   * tests leave CHARGING stay out of it; nothing is found, nothing goes to Toss).
   */
  @Test
  void aStopDuringARecoveryWaitsForItAndWarnsOfNothing() throws Exception {
    Vertx own = Vertx.vertx();
    String mysqlUri = TestInfra.freshDatabase("payment_stop");
    LogCapture logged = LogCapture.json(PaymentEvents.class.getName());
    try {
      Await.result(Database.migrate(own, mysqlUri, Database.COMMON_MIGRATIONS, "classpath:db/payment"),
        Duration.ofSeconds(60));
      SqlConnection locker = Await.result(Database.pool(own, mysqlUri, "payment-stop-locker", 1).getConnection());
      for (int round = 0; round < 3; round++) {
        Pool pool = Database.pool(own, mysqlUri, "payment-stop-" + round, 4);
        TossClient tossClient = TossClient.create(own, config, new AttemptLog(pool));
        Payments payments = new Payments(pool, tossClient, new PaymentMetrics(new SimpleMeterRegistry()));
        String id = Await.result(own.deployVerticle(new PaymentEvents(payments, Duration.ofMillis(10), Duration.ZERO,
          null)));
        // every read of payments waits 300 ms: the next recovery (within 10 ms) is under way when the stop comes
        Await.result(locker.query("LOCK TABLES payments WRITE").execute());
        own.setTimer(300, t -> locker.query("UNLOCK TABLES").execute());
        Thread.sleep(50);
        long stopping = System.nanoTime();
        Await.result(own.undeploy(id));
        Duration took = Duration.ofNanos(System.nanoTime() - stopping);
        // then what PaymentApp closes once its verticles have stopped
        tossClient.close();
        Await.result(pool.close());
        assertThat(took).as("the stop waited for the recovery held by the lock").isGreaterThan(Duration.ofMillis(150))
          .isLessThan(Duration.ofMillis(2_000));
        Thread.sleep(300); // the lock is released before the next round
      }
      assertThat(logged.warnings()).as("warnings on the way down").isEmpty();
    } finally {
      logged.close();
      Await.result(own.close());
    }
  }

  /**
   * The recovery also re-reads at Toss the webhooks still owed a verification, and writes what Toss says; a stop that
   * comes while such a re-read is under way (here Toss answers after 700 ms) waits for it, and for the writes after it,
   * before the pool and the Toss client close: the way down logs no warning and the webhook is verified. Before, the
   * recovery counted the re-reads it started but did not wait for them: the stop returned at once, the pool and the
   * client closed under the re-read, "verifying the webhook of payment .. failed" was logged at WARN and the webhook
   * stayed owed. Own Vert.x and database as above.
   */
  @Test
  void aStopDuringAWebhookReReadOfTheRecoveryWaitsForItAndWarnsOfNothing() throws Exception {
    // a checkout under way whose webhook was acknowledged a minute ago and never verified (a crash, Toss down): the
    // recovery at start lists it and starts its re-read at Toss
    stopDuringAWebhookReRead("payment_stop_webhook", java.time.LocalDateTime.now(java.time.ZoneOffset.UTC)
      .minusMinutes(1), (payments, paymentKey) -> { });
  }

  /**
   * A webhook taken over HTTP (not the recovery's) starts its verification at once; a stop that comes while that re-read
   * is under way at Toss (700 ms) waits for it and the writes after it, as it waits for the recovery's: no warning on
   * the way down, the webhook verified. Before, only the recovery's re-reads were waited for: the pool and the Toss
   * client closed under this one, it logged "verifying the webhook of payment .. failed" and the webhook stayed owed
   * until the next start's recovery. Own Vert.x and database as above.
   */
  @Test
  void aStopDuringAnIncomingWebhooksReReadWaitsForItAndWarnsOfNothing() throws Exception {
    // a checkout under way, no webhook owed yet: the recovery at start finds nothing to verify; then what PaymentApi
    // does with a PAYMENT_STATUS_CHANGED webhook: the row owes a verification, which starts
    stopDuringAWebhookReRead("payment_stop_incoming", null, (payments, paymentKey) -> {
      Await.result(payments.acceptWebhook(paymentKey));
      Thread.sleep(100);
    });
  }

  /** What a test does while {@link PaymentEvents} runs, with the service's {@link Payments} and the checkout's key. */
  @FunctionalInterface
  interface WhileRunning {
    void run(Payments payments, String paymentKey) throws Exception;
  }

  /**
   * A checkout row ({@code webhookOwedSince}: when its webhook was acknowledged, null for none), Toss answering its
   * re-reads after 700 ms, {@link PaymentEvents} deployed over its own pool and Toss client (the recovery at start
   * only), {@code whileRunning}, then the stop and what {@code PaymentApp} closes after it. The way down must log no
   * warning, the webhook must be verified before the stop ended, and the stop must have waited for the re-read.
   */
  private void stopDuringAWebhookReRead(String database, java.time.LocalDateTime webhookOwedSince,
                                        WhileRunning whileRunning) throws Exception {
    Vertx own = Vertx.vertx();
    String mysqlUri = TestInfra.freshDatabase(database);
    LogCapture logged = LogCapture.json("dev.eventmall.payment");
    try {
      Await.result(Database.migrate(own, mysqlUri, Database.COMMON_MIGRATIONS, "classpath:db/payment"),
        Duration.ofSeconds(60));
      Pool reader = Database.pool(own, mysqlUri, database + "-reader", 1);
      String orderId = newOrderId();
      String paymentKey = openCheckout(orderId, 8_000);
      Await.result(reader.preparedQuery("INSERT INTO payments (payment_id, order_id, member_id, amount, method, "
          + "order_name, status, payment_key, webhook_pending_at, created_at, updated_at) VALUES (?, ?, ?, 8000, "
          + "'CHECKOUT', 'Checkout', 'AWAITING_CHECKOUT', ?, ?, NOW(6), NOW(6))")
        .execute(Tuple.of(UUID.randomUUID().toString(), orderId, newMemberId(), paymentKey, webhookOwedSince)));
      toss.faults(dev.eventmall.emulators.sandbox.Faults.none().withLatencyMs(700)
        .withPaths(java.util.List.of("/v1/payments/")));

      Pool pool = Database.pool(own, mysqlUri, database, 4);
      TossClient tossClient = TossClient.create(own, config, new AttemptLog(pool));
      Payments payments = new Payments(pool, tossClient, new PaymentMetrics(new SimpleMeterRegistry()));
      String id = Await.result(own.deployVerticle(new PaymentEvents(payments, Duration.ZERO, Duration.ZERO, null)));
      Thread.sleep(200);
      whileRunning.run(payments, paymentKey);
      long stopping = System.nanoTime();
      Await.result(own.undeploy(id));
      Duration took = Duration.ofNanos(System.nanoTime() - stopping);
      // then what PaymentApp closes once its verticles have stopped
      tossClient.close();
      Await.result(pool.close());
      Thread.sleep(1_000); // what failed under the closed pool has logged by now

      assertThat(logged.warnings()).as("warnings on the way down").isEmpty();
      JsonObject row = Await.result(reader.preparedQuery("SELECT webhook_pending_at, toss_status FROM payments "
        + "WHERE order_id = ?").execute(Tuple.of(orderId))).iterator().next().toJson();
      assertThat(row.getValue("webhook_pending_at")).as("the webhook verified before the stop ended").isNull();
      assertThat(row.getString("toss_status")).isNotNull();
      assertThat(took).as("the stop waited for the re-read").isGreaterThan(Duration.ofMillis(300))
        .isLessThan(Duration.ofMillis(3_500));
      Await.result(reader.close());
    } finally {
      toss.clearFaults();
      logged.close();
      Await.result(own.close());
    }
  }
}
