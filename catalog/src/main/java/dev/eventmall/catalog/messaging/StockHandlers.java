package dev.eventmall.catalog.messaging;

import dev.eventmall.catalog.domain.StockLine;
import dev.eventmall.catalog.persistence.StockRepository;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.inbox.Inbox;
import dev.eventmall.common.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Stock reservation driven by the order saga. Each handled event runs in ONE MySQL transaction together with its inbox
 * row ({@link Inbox#once}, consumer {@value #CONSUMER}) and the outgoing {@code catalog.stock} event (outbox), so a
 * redelivered event changes nothing and emits nothing.
 * <ul>
 *   <li>{@code OrderPlaced}: every line is reserved or none ({@link StockRepository#reserveAll}); emits
 *   {@code StockReserved} or {@code StockRejected}.</li>
 *   <li>{@code PaymentFailed}, {@code OrderCancelled}, {@code DeliveryFailed}: the order's RESERVED lines go back to
 *   available and become RELEASED; emits {@code StockReleased} once. Without a reservation (never reserved, rejected or
 *   already released) it is a no-op.</li>
 * </ul>
 * Other event types on these topics are acknowledged and ignored.
 */
public final class StockHandlers {
  public static final String CONSUMER = "catalog-stock";
  private static final Logger LOG = LoggerFactory.getLogger(StockHandlers.class);

  private final Pool pool;
  private final StockRepository stock = new StockRepository();

  public StockHandlers(Pool pool) {
    this.pool = pool;
  }

  /** {@code order.events}. */
  public Future<?> onOrderEvent(EventEnvelope event) {
    return switch (event.type()) {
      case "OrderPlaced" -> reserve(event);
      case "OrderCancelled" -> release(event);
      default -> Future.succeededFuture();
    };
  }

  /** {@code payment.events}. */
  public Future<?> onPaymentEvent(EventEnvelope event) {
    return "PaymentFailed".equals(event.type()) ? release(event) : Future.succeededFuture();
  }

  /** {@code delivery.events}. */
  public Future<?> onDeliveryEvent(EventEnvelope event) {
    return "DeliveryFailed".equals(event.type()) ? release(event) : Future.succeededFuture();
  }

  Future<Boolean> reserve(EventEnvelope placed) {
    String orderId = orderId(placed);
    List<StockLine> lines = StockLine.normalize(placed.payload().getJsonArray("lines"));
    return Inbox.once(pool, CONSUMER, placed, conn -> reserve(conn, placed, orderId, lines));
  }

  private Future<Void> reserve(SqlConnection conn, EventEnvelope placed, String orderId, List<StockLine> lines) {
    Instant now = now();
    return stock.hasReservations(conn, orderId).compose(already -> {
      if (already) {
        LOG.info("order {} already has reservations; {} {} ignored", orderId, placed.type(), placed.id());
        return Future.succeededFuture();
      }
      return stock.reserveAll(conn, orderId, placed.id().toString(), lines, now).compose(outcome -> {
        EventEnvelope answer = outcome.reserved()
          ? EventEnvelope.causedBy(placed, "StockReserved", orderId, reserved(placed, orderId, lines, now))
          : EventEnvelope.causedBy(placed, "StockRejected", orderId, new JsonObject()
            .put("orderId", orderId)
            .put("reason", "insufficient stock")
            .put("lines", new JsonArray(outcome.lines().stream().map(s -> new JsonObject()
              .put("productId", s.productId()).put("requested", s.requested()).put("available", s.available()))
              .toList()))
            .put("rejectedAt", now.toString()));
        LOG.debug("order {}: {} {}", orderId, answer.type(), answer.payload().getJsonArray("lines"));
        return Outbox.append(conn, Topics.CATALOG_STOCK, answer);
      });
    });
  }

  /**
   * StockReserved also carries what payment needs to charge (docs/saga.md): the member, amount, method and order name
   * copied from the OrderPlaced, when it had them.
   */
  private static JsonObject reserved(EventEnvelope placed, String orderId, List<StockLine> lines, Instant now) {
    JsonObject payload = new JsonObject()
      .put("orderId", orderId).put("lines", StockLine.toJson(lines)).put("reservedAt", now.toString());
    for (String carried : List.of("memberId", "totalAmount", "paymentMethod", "orderName")) {
      Object value = placed.payload().getValue(carried);
      if (value != null) {
        payload.put(carried, value);
      }
    }
    return payload;
  }

  Future<Boolean> release(EventEnvelope cause) {
    String orderId = orderId(cause);
    return Inbox.once(pool, CONSUMER, cause, conn -> {
      LOG.debug("order {}: release on {} {}", orderId, cause.type(), cause.id());
      Instant now = now();
      return stock.releaseAll(conn, orderId, now).compose(lines -> lines.isEmpty()
        ? Future.succeededFuture()
        : Outbox.append(conn, Topics.CATALOG_STOCK, EventEnvelope.causedBy(cause, "StockReleased", orderId,
          new JsonObject().put("orderId", orderId).put("lines", StockLine.toJson(lines)).put("cause", cause.type())
            .put("releasedAt", now.toString()))));
    });
  }

  private static String orderId(EventEnvelope event) {
    String orderId = event.payload().getString("orderId");
    if (orderId == null || orderId.isBlank()) {
      throw new IllegalArgumentException(event.type() + " " + event.id() + " has no orderId");
    }
    return orderId;
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }
}
