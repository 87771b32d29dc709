package dev.eventmall.common.db;

import io.vertx.core.Future;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The failure half of a group commit (several callers' writes in one transaction): when the batch's transaction fails,
 * each half is tried again the same way, down to the one item that fails alone, so one item's failure is never
 * another's — one bad item of 100 costs about 14 transactions, not 100. Used by the order front door's writer and the
 * delivery tracker.
 */
public final class GroupCommit {
  private GroupCommit() {
  }

  /**
   * Tries {@code batch} with {@code attempt} (one transaction); on success hands its result to {@code succeeded}, on
   * failure splits as above and hands each item that failed alone to {@code failed}. Completes when every item has its
   * outcome; never fails itself.
   */
  public static <T, R> Future<Void> splitting(List<T> batch, Function<List<T>, Future<R>> attempt,
                                              BiConsumer<List<T>, R> succeeded, BiConsumer<T, Throwable> failed) {
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    Future<R> tried;
    try {
      tried = attempt.apply(batch);
    } catch (RuntimeException e) {
      tried = Future.failedFuture(e);
    }
    return tried.transform(ar -> {
      if (ar.succeeded()) {
        succeeded.accept(batch, ar.result());
        return Future.succeededFuture();
      }
      if (batch.size() == 1) {
        failed.accept(batch.get(0), ar.cause());
        return Future.succeededFuture();
      }
      int half = batch.size() / 2;
      return splitting(batch.subList(0, half), attempt, succeeded, failed)
        .compose(v -> splitting(batch.subList(half, batch.size()), attempt, succeeded, failed));
    });
  }
}
