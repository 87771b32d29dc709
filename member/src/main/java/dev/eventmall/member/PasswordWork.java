package dev.eventmall.member;

import dev.eventmall.common.domain.DomainException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where Argon2 runs (issue 16 row 5: 16 parallel logins for unknown e-mails took a legitimate login from 117 ms to 4.3 s
 * and slowed every other service, whose blocking work shares Vert.x's worker pool): a worker pool of its own with
 * {@code threads} threads, and at most {@code queue} more hashes waiting. Past that a login or sign-up is refused at
 * once with {@link Busy} (the HTTP edge answers 503 {@code busy} with {@code Retry-After} (seconds) and
 * {@code Retry-After-Ms}), so a flood of password
 * guesses costs at most {@code threads} cores and never delays other requests. One gate per Vert.x instance (the HTTP
 * verticle's instances and the admin seeder share it).
 */
public final class PasswordWork {
  static final String EXECUTOR = "eventmall-password-hashing";
  static final long RETRY_AFTER_MS = 500;
  private static final Map<Vertx, PasswordWork> BY_VERTX = Collections.synchronizedMap(new WeakHashMap<>());

  private final WorkerExecutor executor;
  private final int capacity;
  private final AtomicInteger admitted = new AtomicInteger();

  PasswordWork(Vertx vertx, int threads, int queue) {
    this.executor = vertx.createSharedWorkerExecutor(EXECUTOR, threads);
    this.capacity = threads + queue;
  }

  /** The gate of {@code vertx}, made with the settings' sizes on first use. */
  public static PasswordWork of(Vertx vertx, MemberSettings settings) {
    return BY_VERTX.computeIfAbsent(vertx, v -> new PasswordWork(v, settings.hashThreads(), settings.hashQueue()));
  }

  /** Runs {@code hashing} on the gate's threads, or fails at once with {@link Busy} when the gate is full. */
  public <T> Future<T> run(Callable<T> hashing) {
    if (admitted.incrementAndGet() > capacity) {
      admitted.decrementAndGet();
      return Future.failedFuture(new Busy());
    }
    return executor.executeBlocking(hashing, false).andThen(ar -> admitted.decrementAndGet());
  }

  /** The gate is full: too many password checks are running or waiting; come back after {@value #RETRY_AFTER_MS} ms. */
  public static final class Busy extends DomainException {
    Busy() {
      super(Kind.UNAVAILABLE, "busy", "Service Busy", "Too many password checks are waiting; retry shortly");
    }

    @Override
    public Duration retryAfter() {
      return Duration.ofMillis(RETRY_AFTER_MS);
    }
  }
}
