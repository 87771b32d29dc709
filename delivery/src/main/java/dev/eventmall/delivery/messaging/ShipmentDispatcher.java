package dev.eventmall.delivery.messaging;

import dev.eventmall.common.db.Database;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.EventHandlers;
import dev.eventmall.common.logging.LogContext;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.delivery.client.CarrierClient;
import dev.eventmall.delivery.domain.Backoff;
import dev.eventmall.delivery.domain.DeliveryRules;
import dev.eventmall.delivery.domain.ShipmentStatus;
import dev.eventmall.delivery.domain.ShippingRequest;
import dev.eventmall.delivery.persistence.DeliveryRepository;
import dev.eventmall.delivery.persistence.DeliveryRepository.EventRow;
import dev.eventmall.delivery.persistence.DeliveryRepository.OrderRow;
import dev.eventmall.delivery.persistence.DeliveryRepository.ShipmentRow;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends PENDING shipments to the carrier, outside any consumer transaction: {@code POST /v1/shipments} with
 * {@code Idempotency-Key: ship:<orderId>}.
 * <ul>
 *   <li>201 → ACCEPTED + tracking number + DeliveryStarted (one transaction, only from PENDING).</li>
 *   <li>A definite 4xx (ADDRESS_UNDELIVERABLE, INVALID_REQUEST, ...) → FAILED + DeliveryFailed at once.</li>
 *   <li>Outcome unknown (timeout, 5xx, connection error, 409 in flight, breaker open) → attempts + 1, next attempt after
 *   {@link Backoff}; the periodic {@link #dispatchDue()} sends it again with the SAME key. Exhausted → the carrier is
 *   asked for the order's shipments first ({@code GET /v1/shipments?orderId=}); one found is adopted, else FAILED +
 *   DeliveryFailed.</li>
 * </ul>
 * A batch of shipments is booked at once: the calls run concurrently and their definite answers are recorded in one
 * transaction. When that transaction fails, each answer is recorded in a transaction of its own, so one answer that
 * cannot be recorded holds no other order back; one that still fails alone is decided by
 * {@link DeliveryRules#unrecorded}: a tracking number another order's shipment already has (the carrier answers it
 * again for the same key, so it would fail for ever) → FAILED + DeliveryFailed, as a refusal; anything else stays as
 * it is and is sent again when due.
 * Runs on the saga verticle's event loop; an order is never dispatched twice at the same time by this instance, and the
 * conditional {@code PENDING} update makes concurrent instances harmless (the carrier dedups by key).
 */
public final class ShipmentDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(ShipmentDispatcher.class);

  private final Pool pool;
  private final CarrierClient carrier;
  private final Backoff backoff;
  private final DeliveryMetrics metrics;
  private final DeliveryRepository repo = new DeliveryRepository();
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  /** Order id → traceparent of the handling that asked for its shipment, until the booking is answered. */
  private final Map<String, String> traces = new ConcurrentHashMap<>();

  public ShipmentDispatcher(Pool pool, CarrierClient carrier, Backoff backoff, DeliveryMetrics metrics) {
    this.pool = pool;
    this.carrier = carrier;
    this.backoff = backoff;
    this.metrics = metrics;
  }

  /** Sends every PENDING shipment whose next attempt is due (restarts resume here too). */
  public Future<Void> dispatchDue() {
    return repo.due(pool, now(), 100).compose(ids -> {
      dispatchAll(ids);
      return Future.<Void>succeededFuture();
    });
  }

  /**
   * One carrier attempt for each of {@code orderIds} not already in flight, all at once: their rows read with two
   * statements, the bookings sent concurrently, and the definite answers (accepted, refused) recorded together in one
   * transaction (each alone if that fails); an unknown outcome is scheduled for a retry row by row.
   */
  public void dispatchAll(List<String> orderIds) {
    dispatchAll(orderIds, Map.of());
  }

  /**
   * As {@link #dispatchAll(List)}, in the traces of the events that asked for the shipments ({@code spans}: order id →
   * traceparent of the handling): the DeliveryStarted / DeliveryFailed a booking ends with continues that trace.
   */
  public void dispatchAll(List<String> orderIds, Map<String, String> spans) {
    traces.putAll(spans);
    List<String> ids = orderIds.stream().filter(inFlight::add).toList();
    if (ids.isEmpty()) {
      return;
    }
    attempt(ids)
      .onFailure(e -> LOG.warn("orders {}: shipment attempts could not be recorded: {}", ids, e.toString()))
      .onComplete(ar -> ids.forEach(inFlight::remove));
  }

  /** The carrier's definite answer for one shipment: its created shipment, or the reason it refused. */
  private record Answer(ShipmentRow row, JsonObject shipment, String refusal) {
  }

  private Future<Void> attempt(List<String> orderIds) {
    Future<Map<String, ShipmentRow>> shipments = repo.findShipments(pool, orderIds);
    Future<Map<String, OrderRow>> orders = repo.findOrders(pool, orderIds);
    return Future.all(shipments, orders).compose(all -> {
      List<Answer> answers = new ArrayList<>();
      List<Future<Void>> calls = new ArrayList<>();
      for (String orderId : orderIds) {
        ShipmentRow row = shipments.result().get(orderId);
        if (row == null || row.status() != ShipmentStatus.PENDING) {
          continue;
        }
        OrderRow o = orders.result().get(orderId);
        JsonObject body = ShippingRequest.of(orderId, o.shippingAddress(), o.lines(), o.orderName());
        // in the trace of the handling that asked for it: the carrier call is a CLIENT span of that order's trace
        Future<CarrierClient.Created> created =
          EventHandlers.inTrace(traces.get(orderId), () -> carrier.create(row.idempotencyKey(), body));
        calls.add(created.transform(ar -> {
          if (ar.failed()) {
            return unknownOutcome(row, ar.cause());
          }
          if (ar.result() instanceof CarrierClient.Accepted a) {
            answers.add(new Answer(row, a.shipment(), null));
          } else {
            answers.add(new Answer(row, null, "carrier refused the shipment: "
              + ((CarrierClient.Refused) ar.result()).reason()));
          }
          return Future.<Void>succeededFuture();
        }));
      }
      return Future.join(calls).transform(ar -> answers.isEmpty() ? Future.succeededFuture() : record(answers));
    });
  }

  private Future<Void> unknownOutcome(ShipmentRow row, Throwable cause) {
    DeliveryRules.Retry retry = DeliveryRules.unknownOutcome(row.attempts(), backoff);
    if (!retry.giveUp()) {
      Instant next = now().plus(retry.after());
      LogContext.about(LOG.atInfo(), row.orderId(), null).log(
        "order {}: carrier outcome unknown (attempt {}/{}: {}); next attempt at {}", row.orderId(), retry.attempts(),
        backoff.maxAttempts(), cause.getMessage(), next);
      return repo.retryLater(pool, row.orderId(), retry.attempts(), next, now());
    }
    String reason = "carrier unavailable after " + retry.attempts() + " attempts: " + cause.getMessage();
    return carrier.findByOrder(row.orderId())
      .compose(found -> record(List.of(found.isEmpty() ? new Answer(row, null, reason)
          : new Answer(row, found.get(0), null))),
        lookupFailed -> record(List.of(new Answer(row, null, reason))));
  }

  /**
   * The definite answers: together in one transaction; if that fails, each in a transaction of its own, so the answers
   * that can be recorded are, whatever one of them does.
   */
  private Future<Void> record(List<Answer> answers) {
    if (answers.size() == 1) {
      return recordAlone(answers.get(0));
    }
    return recordTogether(answers).recover(e -> {
      LOG.warn("orders {}: the {} carrier answers could not be recorded together ({}); recording each alone",
        answers.stream().map(a -> a.row().orderId()).toList(), answers.size(), e.toString());
      return Future.join(answers.stream().map(this::recordAlone).toList()).mapEmpty();
    });
  }

  /**
   * One answer in a transaction of its own. One that cannot be recorded is decided by {@link DeliveryRules#unrecorded}:
   * a tracking number the shipment of another order already has fails the shipment as a refusal does (FAILED +
   * DeliveryFailed, and no carrier cancel: that number names the other order's parcel too); any other failure is logged
   * and leaves the row as it is (a PENDING one is sent again when due).
   */
  private Future<Void> recordAlone(Answer a) {
    return recordTogether(List.of(a)).recover(cause -> {
      String orderId = a.row().orderId();
      String trackingNumber = a.shipment() == null ? null : a.shipment().getString("trackingNumber");
      boolean duplicate = Database.isDuplicateKey(cause);
      Future<String> holder = duplicate && trackingNumber != null
        ? repo.findShipmentsByTracking(pool, List.of(trackingNumber))
        .map(rows -> rows.isEmpty() ? null : rows.get(0).orderId())
        : Future.succeededFuture();
      return holder.compose(h -> {
        DeliveryRules.Unrecorded decision = DeliveryRules.unrecorded(orderId, trackingNumber, duplicate, h);
        if (!decision.fail()) {
          return Future.<Void>failedFuture(cause);
        }
        LogContext.about(LOG.atError(), orderId, null).log("order {}: the carrier returned tracking number {} (shipment "
            + "{}), which the shipment of order {} already has: recorded as a carrier refusal, the parcel is not "
            + "cancelled (the number is the other order's too)", orderId, trackingNumber,
          a.shipment().getString("shipmentId"), h);
        return recordTogether(List.of(new Answer(a.row(), null, decision.reason())));
      }).recover(e -> {
        LogContext.about(LOG.atWarn(), orderId, null).log("order {}: the carrier's answer could not be recorded ({}); "
          + "the shipment stays as it is (sent again when due if PENDING)", orderId, e.toString());
        return Future.succeededFuture();
      });
    });
  }

  /** The definite answers in one transaction, each against its row as locked now (only PENDING rows move). */
  private Future<Void> recordTogether(List<Answer> answers) {
    Instant at = now();
    List<Runnable> after = new ArrayList<>();
    return pool.withTransaction(conn -> repo.lockShipments(conn, answers.stream().map(a -> a.row().orderId()).toList())
        .compose(locked -> {
          List<Map.Entry<String, EventRow>> timeline = new ArrayList<>();
          List<Outbox.Outgoing> emitted = new ArrayList<>();
          List<DeliveryRepository.Acceptance> accepted = new ArrayList<>();
          Set<String> answered = new HashSet<>();
          Future<Void> chain = Future.succeededFuture();
          for (Answer a : answers) {
            String orderId = a.row().orderId();
            ShipmentRow current = locked.get(orderId);
            if (current == null || !answered.add(orderId)) {
              continue;
            }
            if (a.shipment() != null) {
              String shipmentId = a.shipment().getString("shipmentId");
              String trackingNumber = a.shipment().getString("trackingNumber");
              switch (DeliveryRules.accepted(current.status(), current.trackingNumber())) {
                case ACCEPT -> {
                  accepted.add(new DeliveryRepository.Acceptance(orderId, shipmentId, trackingNumber));
                  timeline.add(Map.entry(orderId, new EventRow(ShipmentStatus.ACCEPTED.name(),
                    "Carrier accepted the shipment, tracking number " + trackingNumber, at)));
                  emitted.add(traced(orderId, DeliveryEvents.started(orderId, current.causeEventId(), shipmentId,
                    trackingNumber, current.carrier(), at)));
                  after.add(() -> {
                    traces.remove(orderId);
                    metrics.started.increment();
                    LogContext.about(LOG.atDebug(), orderId, null).log("order {}: carrier accepted shipment {} ({})",
                      orderId, shipmentId, trackingNumber);
                  });
                }
                case ATTACH_AND_WITHDRAW -> {
                  // the order was cancelled while the create call was in flight: keep the ids and withdraw the parcel
                  chain = chain.compose(v -> repo.attachTracking(conn, orderId, shipmentId, trackingNumber, at));
                  timeline.add(Map.entry(orderId, new EventRow(ShipmentStatus.CANCELLED.name(), "Carrier accepted " + trackingNumber
                    + " after the order was cancelled: cancelling it with the carrier", at)));
                  after.add(() -> carrier.cancel(trackingNumber).onComplete(ar -> LogContext.about(LOG.atInfo(),
                    orderId, null).log("order {}: carrier cancel of {} after the order was cancelled: {}", orderId,
                    trackingNumber, ar.succeeded()
                    ? ar.result().isPresent() ? "CANCELED" : "not cancelable" : ar.cause().toString())));
                }
                default -> {
                }
              }
            } else if (DeliveryRules.refused(current.status())) {
              String reason = a.refusal();
              chain = chain.compose(v -> repo.move(conn, orderId, ShipmentStatus.FAILED, reason, at));
              timeline.add(Map.entry(orderId, new EventRow(ShipmentStatus.FAILED.name(), reason, at)));
              emitted.add(traced(orderId, DeliveryEvents.failed(orderId, current.causeEventId(), reason, null, at)));
              after.add(() -> {
                traces.remove(orderId);
                metrics.failed.increment();
                LogContext.about(LOG.atInfo(), orderId, null).log("order {}: DeliveryFailed ({})", orderId, reason);
              });
            }
          }
          return chain.compose(v -> repo.acceptAll(conn, accepted, at))
            .compose(v -> repo.addEvents(conn, timeline))
            .compose(v -> Outbox.appendAll(conn, emitted));
        }))
      .onSuccess(v -> after.forEach(Runnable::run));
  }

  /**
   * {@code event} as an outbox row in the trace of the handling that asked for the shipment, if known (kept until the
   * event is committed: a transaction that fails may be tried again alone).
   */
  private Outbox.Outgoing traced(String orderId, EventEnvelope event) {
    String span = traces.get(orderId);
    return new Outbox.Outgoing(Topics.DELIVERY_EVENTS, span == null ? event : event.withTraceparent(span));
  }

  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }
}
