package dev.eventmall.order;

import dev.eventmall.order.domain.Admission;
import dev.eventmall.order.domain.Overloaded;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The edge of {@link Admission}: counts the orders in the saga every {@value #SAMPLE_MS} ms, every second when idle (one indexed COUNT on
 * {@code orders(status, created_at)}: PENDING, PAYMENT_PENDING and PAID orders of the last minute, so that a stuck
 * order does not hold the door shut for ever) and refuses {@code POST /orders} beyond the budget before any other work:
 * {@link Overloaded}, which the HTTP edge answers with 503 {@code overloaded} and {@code Retry-After} (seconds, as HTTP
 * has it) and {@code Retry-After-Ms}.
 */
public final class SagaAdmission {
  static final long SAMPLE_MS = 100;
  static final long IDLE_SAMPLE_NANOS = 1_000_000_000L;
  static final String IN_SAGA = "SELECT COUNT(*) FROM orders WHERE status IN ('PENDING', 'PAYMENT_PENDING', 'PAID') "
    + "AND created_at > ?";
  private static final Logger LOG = LoggerFactory.getLogger(SagaAdmission.class);

  private final Admission admission;
  private final AtomicLong inSaga = new AtomicLong();
  private final AtomicLong admitted = new AtomicLong();
  private final Counter shed;
  private long timer = -1;

  public SagaAdmission(Admission admission, MeterRegistry registry) {
    this.admission = admission;
    this.shed = Counter.builder("orders.shed").description("POST /orders refused with 503 because the saga is behind")
      .register(registry);
  }

  /** Starts counting (nothing when the budget is 0). */
  public SagaAdmission start(Vertx vertx, Pool pool) {
    if (admission.budget() > 0) {
      boolean[] sampling = {false};
      long[] last = {0};
      timer = vertx.setPeriodic(SAMPLE_MS, id -> {
        long now = System.nanoTime();
        // idle (nothing in the saga, nothing admitted since): count once a second only
        boolean quiet = inSaga.get() == 0 && admitted.get() == 0 && now - last[0] < IDLE_SAMPLE_NANOS;
        if (sampling[0] || quiet) {
          return;
        }
        sampling[0] = true;
        last[0] = now;
        long before = admitted.get();
        pool.preparedQuery(IN_SAGA).execute(Tuple.of(LocalDateTime.now(ZoneOffset.UTC).minusMinutes(1)))
          .onSuccess(rows -> {
            inSaga.set(rows.iterator().next().getLong(0));
            admitted.addAndGet(-before);
          })
          .onFailure(e -> LOG.debug("orders in the saga not counted: {}", e.toString()))
          .onComplete(ar -> sampling[0] = false);
      });
    }
    return this;
  }

  public void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Admits one order, or throws {@link Overloaded} with when to come back. */
  public void admit() {
    Admission.Decision d = admission.decide(inSaga.get(), admitted.get());
    if (d.admitted()) {
      admitted.incrementAndGet();
      return;
    }
    shed.increment();
    throw new Overloaded(d.retryAfterMs());
  }
}
