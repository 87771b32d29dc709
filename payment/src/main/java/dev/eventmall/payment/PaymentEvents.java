package dev.eventmall.payment;

import dev.eventmall.common.async.UnderWay;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.Subscription;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * What the payment service consumes, in one place: consumer group {@value Payments#CONSUMER} ({@link #SAGA}) reads
 * catalog.stock, order.events and delivery.events, all handled by the payment saga ({@link PaymentSaga}) a poll at a
 * time. It also resolves rows left in {@code CHARGING}/{@code REFUNDING} — and verifies webhooks still owed a re-read —
 * at start and then periodically.
 */
public final class PaymentEvents extends VerticleBase {
  /** Charges, refunds and their compensations, driven by the order saga. */
  public static final Subscription SAGA = Subscription.of(Payments.CONSUMER,
    Topics.CATALOG_STOCK, Topics.ORDER_EVENTS, Topics.DELIVERY_EVENTS);
  private static final Logger LOG = LoggerFactory.getLogger(PaymentEvents.class);
  /**
   * How long a stop waits for the recovery under way (its webhook re-reads included) before the pool and the Toss
   * client close (its queries take milliseconds; one waiting on Toss is cut short, leaving the rest of
   * {@code SHUTDOWN_CLOSE_MS} to the outbox relay).
   */
  private static final Duration RECOVERY_STOP_WAIT = Duration.ofSeconds(3);

  private final Payments payments;
  private final Duration recoveryInterval;
  private final Duration recoveryAge;
  private final Duration giveUpAfter;
  private long timer = -1;
  /** The recoveries under way: {@link #stop()} lets the pool close only after them. */
  private final UnderWay recoveries = new UnderWay();

  /** {@code giveUpAfter}: how long a charge may stay unresolved before it gets its terminal outcome (null: never). */
  public PaymentEvents(Payments payments, Duration recoveryInterval, Duration recoveryAge, Duration giveUpAfter) {
    this.payments = payments;
    this.recoveryInterval = recoveryInterval;
    this.recoveryAge = recoveryAge;
    this.giveUpAfter = giveUpAfter;
  }

  @Override
  public Future<?> start() {
    Future<?> registered = SAGA.batch(vertx, new PaymentSaga(payments));
    return registered.onSuccess(v -> {
      // at start every CHARGING row is a crash leftover: resolve them all (lookup by orderId, same Idempotency-Key)
      recover(Duration.ZERO);
      if (!recoveryInterval.isZero()) {
        timer = vertx.setPeriodic(recoveryInterval.toMillis(), id -> recover(recoveryAge));
      }
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    // the recovery under way ends first (bounded): the pool and the Toss client close once this verticle has stopped,
    // and closing them under it failed it and logged a warning on the way down. So do the verifications incoming
    // webhooks started (the HTTP verticles, which take webhooks, have stopped before this one)
    recoveries.track(payments.webhookVerificationsEnded());
    return recoveries.ended(RECOVERY_STOP_WAIT);
  }

  private void recover(Duration age) {
    Future<Integer> resolved = payments.resolveStuck(age, giveUpAfter)
      .onSuccess(n -> {
        if (n > 0) {
          LOG.info("looked at {} unresolved payments", n);
        }
      })
      .onFailure(e -> LOG.warn("resolving unresolved payments failed: {}", e.toString()));
    // the re-reads at Toss (and the writes after them) included: the stop waits for them too
    Future<Integer> verified = payments.verifyOwedWebhooks(age)
      .onSuccess(n -> {
        if (n > 0) {
          LOG.info("re-read {} webhooks still owed a verification at Toss", n);
        }
      })
      .onFailure(e -> LOG.warn("looking for webhooks owed a verification failed: {}", e.toString()));
    recoveries.track(Future.join(resolved, verified));
  }
}
