package dev.eventmall.common.async;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads by key, many keys per round trip: the keys asked for while a load is under way are loaded together by the next
 * one (one {@code SELECT … WHERE id IN (…)} instead of one statement per request). Nobody waits for a batch to fill: a
 * key asked for when no load is under way is loaded at once, so a lone request costs what it did, and under load a batch
 * is whatever arrived during the previous load (at most {@code maxBatch} distinct keys). Never staler than a read issued
 * at the moment of asking: the load that answers a key starts after the key was asked for.
 *
 * <p>The same shape as the front door's group commit ({@code OrderWriter}). java-dataloader does batch loading too, but
 * it needs an explicit {@code dispatch()} per tick from the caller; here the previous load's end is the dispatch.
 *
 * <p>Confined to one event loop: called from the context it belongs to, or from any through a {@link HomeContext}
 * (the order service's HTTP instances share one loader per table that way, so their lookups batch together).
 *
 * @param <K> the key
 * @param <V> what is read for a key; a key the load does not answer is {@link Optional#empty()}
 */
public final class BatchLoader<K, V> {
  private final Function<List<K>, Future<Map<K, V>>> load;
  private final int maxBatch;
  /** Keys asked for and not yet in a load, with everyone waiting for each (insertion order). */
  private final LinkedHashMap<K, List<Promise<Optional<V>>>> queued = new LinkedHashMap<>();
  private boolean loading;

  /**
   * @param load     reads the given distinct keys (at most {@code maxBatch}) and answers what it found, by key
   * @param maxBatch the most keys one load reads
   */
  public BatchLoader(Function<List<K>, Future<Map<K, V>>> load, int maxBatch) {
    this.load = load;
    this.maxBatch = Math.max(1, maxBatch);
  }

  /** What is stored for {@code key}, read with the keys asked for at the same time. */
  public Future<Optional<V>> get(K key) {
    Promise<Optional<V>> promise = Promise.promise();
    queued.computeIfAbsent(key, k -> new ArrayList<>(1)).add(promise);
    if (!loading) {
      loadNext();
    }
    return promise.future();
  }

  /** Keys asked for and not yet being loaded (for tests and metrics). */
  public int queued() {
    return queued.size();
  }

  private void loadNext() {
    if (queued.isEmpty()) {
      loading = false;
      return;
    }
    loading = true;
    Map<K, List<Promise<Optional<V>>>> batch = new LinkedHashMap<>();
    var it = queued.entrySet().iterator();
    while (it.hasNext() && batch.size() < maxBatch) {
      var next = it.next();
      batch.put(next.getKey(), next.getValue());
      it.remove();
    }
    Future<Map<K, V>> loaded;
    try {
      loaded = load.apply(List.copyOf(batch.keySet()));
    } catch (RuntimeException e) {
      loaded = Future.failedFuture(e);
    }
    loaded.onComplete(ar -> {
      batch.forEach((key, waiting) -> {
        for (Promise<Optional<V>> p : waiting) {
          if (ar.succeeded()) {
            p.complete(Optional.ofNullable(ar.result().get(key)));
          } else {
            p.fail(ar.cause());
          }
        }
      });
      loadNext();
    });
  }

  /** {@code values} by {@code key} (the last one wins), for a load that reads rows. */
  public static <K, V> Map<K, V> byKey(Collection<V> values, Function<V, K> key) {
    Map<K, V> out = new LinkedHashMap<>();
    values.forEach(v -> out.put(key.apply(v), v));
    return out;
  }
}
