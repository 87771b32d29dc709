package dev.eventmall.payment.messaging;

import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.EventHandlers;
import dev.eventmall.payment.PaymentSaga;
import dev.eventmall.payment.Payments;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * Registers the payment saga ({@link PaymentSaga}, a batch handler) of consumer group {@value #GROUP} ({@link #TOPICS}) and resolves rows left in
 * {@code CHARGING}/{@code REFUNDING} — and verifies webhooks still owed a re-read — at start and then periodically.
 */
public final class PaymentSagaVerticle extends VerticleBase {
  public static final String GROUP = Payments.CONSUMER;
  public static final List<String> TOPICS = List.of(Topics.CATALOG_STOCK, Topics.ORDER_EVENTS, Topics.DELIVERY_EVENTS);
  private static final Logger LOG = LoggerFactory.getLogger(PaymentSagaVerticle.class);

  private final Payments payments;
  private final Duration recoveryInterval;
  private final Duration recoveryAge;
  private final Duration giveUpAfter;

  /** {@code giveUpAfter}: how long a charge may stay unresolved before it gets its terminal outcome (null: never). */
  public PaymentSagaVerticle(Payments payments, Duration recoveryInterval, Duration recoveryAge, Duration giveUpAfter) {
    this.payments = payments;
    this.recoveryInterval = recoveryInterval;
    this.recoveryAge = recoveryAge;
    this.giveUpAfter = giveUpAfter;
  }

  @Override
  public Future<?> start() {
    Future<?> registered = EventHandlers.registerBatch(vertx, GROUP, TOPICS, new PaymentSaga(payments));
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
