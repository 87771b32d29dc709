package dev.eventmall.common.async;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.function.Supplier;

/**
 * One event loop (the home's) that the state of a batching object is confined to ({@link BatchLoader}, a group
 * commit), so that verticle instances on other event loops can share that one object: {@link #call} runs the work on
 * the home's event loop and answers on the caller's context. Several instances sharing one batcher make its batches as
 * large as their requests together, where one batcher each split them (issue 12: two HTTP instances halved the order
 * front door's batches).
 *
 * <p>Called on the home's event loop (from any context of it: a request's context is not the verticle's), or unbound,
 * the work runs where it is called, as before. From another event loop it runs on the home context itself, which
 * holds none of the caller's context locals: not its current span (what {@code Tracing.current()} and
 * {@code EventEnvelope.of} read) nor its log fields. A caller whose work needs its trace reads it before the call and
 * hands it in. Called from a thread without a context, the work runs on the home and answers there.
 */
public final class HomeContext {
  private volatile Context home;
  private volatile Thread homeThread;

  /** Makes the calling thread's context (and its event loop) the home, unless one is already; answers the home. */
  public synchronized Context bind() {
    if (home == null) {
      home = Vertx.currentContext();
      homeThread = home == null ? null : Thread.currentThread();
    }
    return home;
  }

  /** {@code work} on the home's event loop; its outcome on the caller's context. */
  public <T> Future<T> call(Supplier<Future<T>> work) {
    Context at = home;
    if (at == null || Thread.currentThread() == homeThread) {
      return run(work);
    }
    Context caller = Vertx.currentContext();
    Promise<T> answer = Promise.promise();
    at.runOnContext(v -> run(work).onComplete(ar -> {
      if (caller == null) {
        answer.handle(ar);
      } else {
        caller.runOnContext(x -> answer.handle(ar));
      }
    }));
    return answer.future();
  }

  private static <T> Future<T> run(Supplier<Future<T>> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
