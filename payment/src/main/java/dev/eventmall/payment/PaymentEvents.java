package dev.eventmall.payment;

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

  private final Payments payments;
  private final Duration recoveryInterval;
  private final Duration recoveryAge;
  private final Duration giveUpAfter;

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
        vertx.setPeriodic(recoveryInterval.toMillis(), id -> recover(recoveryAge));
      }
    });
  }

  private void recover(Duration age) {
    payments.resolveStuck(age, giveUpAfter)
      .onSuccess(n -> {
        if (n > 0) {
          LOG.info("looked at {} unresolved payments", n);
        }
      })
      .onFailure(e -> LOG.warn("resolving unresolved payments failed: {}", e.toString()));
    payments.verifyOwedWebhooks(age)
      .onSuccess(n -> {
        if (n > 0) {
          LOG.info("verifying {} webhooks still owed a re-read at Toss", n);
        }
      })
      .onFailure(e -> LOG.warn("looking for webhooks owed a verification failed: {}", e.toString()));
  }
}
