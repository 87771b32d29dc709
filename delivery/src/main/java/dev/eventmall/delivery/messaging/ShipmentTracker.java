package dev.eventmall.delivery.messaging;

import dev.eventmall.common.async.BatchLoader;
import dev.eventmall.common.db.GroupCommit;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventTypes;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.delivery.client.CarrierClient;
import dev.eventmall.delivery.domain.ShipmentStatus;
import dev.eventmall.delivery.domain.TrackingRules;
import dev.eventmall.delivery.domain.TrackingRules.Outcome;
import dev.eventmall.delivery.domain.TrackingRules.Step;
import dev.eventmall.delivery.persistence.DeliveryRepository;
import dev.eventmall.delivery.persistence.DeliveryRepository.ShipmentRow;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Follows shipments at the carrier. The carrier's shipment is always read with {@code GET /v1/shipments/{tn}} (a webhook
 * body only says which shipment to re-read). Status moves are applied under the shipment's row lock and only forward
 * ({@link TrackingRules}); each move emits DeliveryStatusChanged, DELIVERED also DeliveryCompleted, FAILED / RETURNED also
 * DeliveryFailed, in one transaction with the new status.
 *
 * <p>Group commit, as the order front door's: the shipments whose carrier answers arrive while an earlier transaction
 * is committing are applied together in the next one (one locking SELECT, one insert of their history rows, one outbox
 * insert, one commit), instead of one transaction per webhook; nobody waits for a batch to fill. A batch that fails (a
 * deadlock with a saga step, a lost connection) is split in halves and each applied again, down to the one shipment that
 * fails alone. The lookups that tell whether a tracking number is ours are batched the same way.
 *
 * <p>Confined to one event loop: the saga verticle's, which runs the poller and the webhooks' refreshes.
 */
public final class ShipmentTracker {
  private static final Logger LOG = LoggerFactory.getLogger(ShipmentTracker.class);
  /** The most shipments one transaction applies, and the most tracking numbers one lookup reads. */
  static final int MAX_BATCH = 128;

  /** Outcome of a refresh: which shipment (empty when unknown to delivery or to the carrier) and its status now. */
  public record Refreshed(String orderId, String trackingNumber, ShipmentStatus status) {
  }

  /** A carrier answer waiting to be applied. */
  private record Pending(String trackingNumber, List<Step> steps, String carrierFailureReason,
                         Promise<Refreshed> done) {
  }

  /** What applying one shipment gives: its outcome and the events it emits (written in the batch's transaction). */
  private record Applied(Pending pending, Refreshed refreshed, List<EventEnvelope> emitted) {
  }

  private final Pool pool;
  private final CarrierClient carrier;
  private final DeliveryMetrics metrics;
  private final DeliveryRepository repo = new DeliveryRepository();
  private final BatchLoader<String, ShipmentRow> known;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean writing;
  private boolean polling;

  public ShipmentTracker(Pool pool, CarrierClient carrier, DeliveryMetrics metrics) {
    this.pool = pool;
    this.carrier = carrier;
    this.metrics = metrics;
    this.known = new BatchLoader<>(tns -> repo.findShipmentsByTracking(pool, tns)
      .map(rows -> BatchLoader.byKey(rows, ShipmentRow::trackingNumber)), MAX_BATCH);
  }

  /**
   * One polling round over the shipments not yet terminal (skipped while the previous round still runs): their carrier
   * reads run at once (the carrier client's pool and breaker bound them) and what changed commits together.
   */
  public Future<Void> poll() {
    if (polling) {
      return Future.succeededFuture();
    }
    polling = true;
    return repo.trackable(pool, 50)
      .compose(tns -> {
        List<Future<?>> refreshes = new ArrayList<>(tns.size());
        for (String tn : tns) {
          refreshes.add(refresh(tn).recover(e -> {
            LOG.debug("tracking {} failed: {}", tn, e.toString());
            return Future.succeededFuture();
          }));
        }
        return Future.join(refreshes).<Void>mapEmpty();
      })
      .eventually(() -> {
        polling = false;
        return Future.succeededFuture();
      });
  }

  /** Re-reads a shipment from the carrier and applies what changed; empty when it is unknown here or at the carrier. */
  public Future<Optional<Refreshed>> refresh(String trackingNumber) {
    return refresh(trackingNumber, null);
  }

  /**
   * {@link #refresh(String)} for a webhook that claims the carrier's status is {@code claimed} (null: it named none):
   * a claim that would not move the stored shipment answers the stored status, with no call to the carrier and no
   * transaction ({@link TrackingRules#worthReReading}).
   */
  public Future<Optional<Refreshed>> refresh(String trackingNumber, String claimed) {
    return known.get(trackingNumber).compose(ours -> {
      if (ours.isEmpty()) {
        return Future.succeededFuture(Optional.<Refreshed>empty());
      }
      ShipmentRow row = ours.get();
      if (!TrackingRules.worthReReading(row.status(), claimed)) {
        return Future.succeededFuture(Optional.of(new Refreshed(row.orderId(), trackingNumber, row.status())));
      }
      return carrier.track(trackingNumber).compose(found -> found.isEmpty()
        ? Future.succeededFuture(Optional.<Refreshed>empty())
        : apply(found.get()).map(Optional::of));
    });
  }

  /** Queues the carrier's view of a shipment for the next transaction; completes once it is committed. */
  private Future<Refreshed> apply(JsonObject shipment) {
    Promise<Refreshed> done = Promise.promise();
    queue.add(new Pending(shipment.getString("trackingNumber"), steps(shipment), shipment.getString("failureReason"),
      done));
    if (!writing) {
      writeNext();
    }
    return done.future();
  }

  private void writeNext() {
    if (queue.isEmpty()) {
      writing = false;
      return;
    }
    writing = true;
    // one answer per shipment per batch: a later answer for a shipment already in it waits for the next batch, in order
    Map<String, Pending> batch = new LinkedHashMap<>();
    List<Pending> later = new ArrayList<>();
    while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
      Pending next = queue.poll();
      if (batch.putIfAbsent(next.trackingNumber(), next) != null) {
        later.add(next);
      }
    }
    for (int i = later.size() - 1; i >= 0; i--) {
      queue.addFirst(later.get(i));
    }
    writeOrSplit(new ArrayList<>(batch.values())).onComplete(v -> writeNext());
  }

  /** Applies the batch in one transaction, or each half again down to the one that fails alone ({@link GroupCommit}). */
  private Future<Void> writeOrSplit(List<Pending> batch) {
    return GroupCommit.splitting(batch, part -> pool.withTransaction(conn -> applyAll(conn, part)),
      (part, applied) -> applied.forEach(this::answer),
      (one, failure) -> one.done().fail(failure));
  }

  private void answer(Applied a) {
    if (a.refreshed() == null) {
      a.pending().done().fail(new IllegalStateException("shipment " + a.pending().trackingNumber() + " is gone"));
      return;
    }
    a.emitted().forEach(this::count);
    a.pending().done().complete(a.refreshed());
  }

  private Future<List<Applied>> applyAll(SqlConnection conn, List<Pending> batch) {
    List<String> tns = batch.stream().map(Pending::trackingNumber).toList();
    return repo.lockShipmentsByTracking(conn, tns).compose(rows -> {
      Map<String, ShipmentRow> byTracking = BatchLoader.byKey(rows, ShipmentRow::trackingNumber);
      List<Applied> applied = new ArrayList<>(batch.size());
      List<Map.Entry<String, DeliveryRepository.EventRow>> history = new ArrayList<>();
      List<EventEnvelope> emitted = new ArrayList<>();
      List<Map.Entry<String, Outcome>> moved = new ArrayList<>(); // order id → its shipment's outcome
      for (Pending p : batch) {
        ShipmentRow row = byTracking.get(p.trackingNumber());
        if (row == null) {
          applied.add(new Applied(p, null, List.of()));
          continue;
        }
        Outcome outcome = TrackingRules.follow(row.status(), p.steps(), p.carrierFailureReason());
        List<EventEnvelope> events = new ArrayList<>();
        for (TrackingRules.Move m : outcome.moves()) {
          history.add(Map.entry(row.orderId(),
            new DeliveryRepository.EventRow(m.to().name(), m.description(), m.at())));
          events.add(DeliveryEvents.statusChanged(row.orderId(), p.trackingNumber(), m.to(), m.from(), m.description(),
            m.at()));
          if (m.completed()) {
            events.add(DeliveryEvents.completed(row.orderId(), p.trackingNumber(), m.at()));
          }
          if (m.failed()) {
            events.add(DeliveryEvents.failed(row.orderId(), null, m.failureReason(), p.trackingNumber(), m.at()));
          }
        }
        if (outcome.changed()) {
          moved.add(Map.entry(row.orderId(), outcome));
        }
        emitted.addAll(events);
        applied.add(new Applied(p, new Refreshed(row.orderId(), p.trackingNumber(), outcome.status()), events));
      }
      if (moved.isEmpty()) {
        return Future.succeededFuture(applied);
      }
      Instant now = ShipmentDispatcher.now();
      return repo.addEvents(conn, history)
        .compose(v -> repo.moveAll(conn, moved.stream().map(m -> new DeliveryRepository.Move(m.getKey(),
          m.getValue().status(), m.getValue().failureReason())).toList(), now))
        .compose(v -> Outbox.appendAll(conn, Topics.DELIVERY_EVENTS, emitted)).map(applied);
    });
  }

  private void count(EventEnvelope e) {
    LOG.debug("order {}: {} {}", e.key(), e.type(), e.payload().getString("status", ""));
    switch (e.type()) {
      case EventTypes.DELIVERY_COMPLETED -> metrics.completed.increment();
      case EventTypes.DELIVERY_FAILED -> metrics.failed.increment();
      default -> {
      }
    }
  }

  /** The carrier's history (events[]) in order, then its current status in case the history lacks it. */
  private static List<Step> steps(JsonObject shipment) {
    List<Step> steps = new ArrayList<>();
    JsonArray events = shipment.getJsonArray("events", new JsonArray());
    for (int i = 0; i < events.size(); i++) {
      JsonObject e = events.getJsonObject(i);
      ShipmentStatus.ofCarrier(e.getString("status"))
        .ifPresent(s -> steps.add(new Step(s, time(e.getString("at")), e.getString("description"))));
    }
    ShipmentStatus.ofCarrier(shipment.getString("status"))
      .ifPresent(s -> steps.add(new Step(s, time(shipment.getString("updatedAt")), null)));
    return steps;
  }

  private static Instant time(String iso) {
    try {
      return iso == null ? ShipmentDispatcher.now() : Instant.parse(iso);
    } catch (DateTimeParseException e) {
      return ShipmentDispatcher.now();
    }
  }
}
