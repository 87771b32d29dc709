package dev.eventmall.common.testing;

import io.vertx.core.Future;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Blocking helpers for test threads (never call them on an event loop). */
public final class Await {
  private Await() {
  }

  /** The future's result, or its failure rethrown; fails after 30 s. */
  public static <T> T result(Future<T> future) {
    return result(future, Duration.ofSeconds(30));
  }

  public static <T> T result(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    } catch (TimeoutException e) {
      Map<Thread, StackTraceElement[]> threads = Thread.getAllStackTraces();
      System.err.println("no result within " + timeout + "; threads:\n" + describe(threads, Integer.MAX_VALUE));
      threads.keySet().removeIf(t -> t == Thread.currentThread() || !busy(t, threads.get(t)));
      throw new AssertionError("no result within " + timeout + "; busy threads:\n" + describe(threads, 5), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeException(e);
    }
  }

  /**
   * A shutdown (an undeploy closing Kafka clients and pools): its result within 90 s — three times the 30 s a Kafka
   * consumer may take to close — or the failure with the busy threads.
   */
  public static <T> T shutDown(Future<T> future) {
    return result(future, Duration.ofSeconds(90));
  }

  /** {@code threads} with up to {@code frames} frames of each stack. */
  static String describe(Map<Thread, StackTraceElement[]> threads, int frames) {
    StringBuilder out = new StringBuilder();
    threads.forEach((thread, stack) -> {
      out.append("  \"").append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
      for (int i = 0; i < Math.min(frames, stack.length); i++) {
        out.append("      at ").append(stack[i]).append('\n');
      }
    });
    return out.toString();
  }

  /**
   * A thread of the platform's clients and event loops that is not idle (what the failure message, which CI prints,
   * lists): an event loop in epoll or a pool thread parked waiting for work is idle.
   */
  private static boolean busy(Thread thread, StackTraceElement[] stack) {
    String name = thread.getName();
    return (name.startsWith("vert.x-") || name.contains("kafka")) && stack.length > 0 && !idle(stack);
  }

  /** An event loop waiting in epoll/select, or a pool thread waiting for a task. */
  private static boolean idle(StackTraceElement[] stack) {
    String top = stack[0].getClassName() + '.' + stack[0].getMethodName();
    if (top.toLowerCase(Locale.ROOT).contains("epoll") || top.startsWith("sun.nio.ch.")) {
      return true;
    }
    for (StackTraceElement frame : stack) {
      if (frame.getMethodName().equals("getTask") && frame.getClassName().endsWith("ThreadPoolExecutor")) {
        return true;
      }
    }
    return false;
  }

  /** The failure of a future that must fail. */
  public static Throwable failure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("future did not complete", e);
    }
    throw new AssertionError("expected a failure, got success");
  }

  /** Waits until {@code condition} holds, polling every 20 ms; fails with {@code what} after {@code timeout}. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    until(() -> what, timeout, condition);
  }

  /**
   * As {@link #until(String, Duration, BooleanSupplier)}, with the message built when the wait fails (so it can name
   * the last value the condition saw).
   */
  public static void until(Supplier<String> what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what.get());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RuntimeException(e);
      }
    }
  }
}
