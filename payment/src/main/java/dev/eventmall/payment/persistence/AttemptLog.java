package dev.eventmall.payment.persistence;

import dev.eventmall.payment.client.TossAttempt;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The sink of Toss exchanges ({@code payment_attempts}), group-committed: at most one insert in flight; exchanges that
 * come meanwhile wait for it and go together in the next multi-row insert. Idle, an exchange is written at once; under
 * load a batch of charges costs one insert, not one transaction per call.
 */
public final class AttemptLog implements Consumer<TossAttempt> {
  private static final Logger LOG = LoggerFactory.getLogger(AttemptLog.class);

  private final Pool pool;
  private final PaymentRepository repo = new PaymentRepository();
  private List<TossAttempt> waiting = new ArrayList<>();
  private boolean writing;

  public AttemptLog(Pool pool) {
    this.pool = pool;
  }

  @Override
  public void accept(TossAttempt attempt) {
    synchronized (this) {
      waiting.add(attempt);
      if (writing) {
        return;
      }
      writing = true;
    }
    flush();
  }

  private void flush() {
    List<TossAttempt> batch;
    synchronized (this) {
      if (waiting.isEmpty()) {
        writing = false;
        return;
      }
      batch = waiting;
      waiting = new ArrayList<>();
    }
    repo.insertAttempts(pool, batch)
      .onFailure(e -> LOG.warn("could not log {} Toss attempts (first: {} {}): {}", batch.size(),
        batch.get(0).operation(), batch.get(0).orderId(), e.toString()))
      .onComplete(ar -> flush());
  }
}
