package dev.eventmall.delivery.persistence;

import dev.eventmall.common.db.Sql;
import dev.eventmall.delivery.domain.ShipmentStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

import static dev.eventmall.delivery.persistence.DeliverySql.*;

/** The delivery tables; every method runs on the connection (or pool) it is given, inside the caller's transaction. */
public final class DeliveryRepository {

  /** What delivery knows of an order; {@code placed} once OrderPlaced was seen. */
  public record OrderRow(String orderId, String memberId, JsonObject shippingAddress, JsonArray lines, String orderName,
                         boolean placed, boolean cancelRequested) {
  }

  public record ShipmentRow(String orderId, ShipmentStatus status, String carrier, String shipmentId,
                            String trackingNumber, String idempotencyKey, int attempts, String failureReason,
                            String causeEventId, Instant createdAt, Instant updatedAt) {
  }

  public record EventRow(String status, String description, Instant at) {
    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("status", status).put("at", at.toString());
      return description == null ? json : json.put("description", description);
    }
  }

  static final Function<Row, OrderRow> ORDER = row -> new OrderRow(
    row.getString("order_id"), row.getString("member_id"),
    row.getString("shipping_address") == null ? null : new JsonObject(row.getString("shipping_address")),
    row.getString("order_lines") == null ? null : new JsonArray(row.getString("order_lines")),
    row.getString("order_name"), truth(row, "placed"), truth(row, "cancel_requested"));

  static final Function<Row, ShipmentRow> SHIPMENT = row -> new ShipmentRow(
    row.getString("order_id"), ShipmentStatus.valueOf(row.getString("status")), row.getString("carrier"),
    row.getString("shipment_id"), row.getString("tracking_number"), row.getString("idempotency_key"),
    row.getInteger("attempts"), row.getString("failure_reason"), row.getString("cause_event_id"),
    instant(row.getLocalDateTime("created_at")), instant(row.getLocalDateTime("updated_at")));

  static final Function<Row, EventRow> EVENT = row -> new EventRow(row.getString("status"), row.getString("description"),
    instant(row.getLocalDateTime("occurred_at")));

  public Future<Optional<OrderRow>> findOrder(SqlClient conn, String orderId) {
    return one(conn, FIND_ORDER, ORDER, orderId);
  }

  public Future<Optional<ShipmentRow>> findShipment(SqlClient conn, String orderId) {
    return one(conn, FIND_SHIPMENT, SHIPMENT, orderId);
  }

  /** The shipments with these tracking numbers (unknown ones are absent). */
  public Future<List<ShipmentRow>> findShipmentsByTracking(SqlClient conn, Collection<String> trackingNumbers) {
    return Sql.selectIn(conn, SHIPMENTS_BY_TRACKING_BEFORE, ")", Tuple.tuple(), trackingNumbers, SHIPMENT);
  }

  /**
   * The shipments with these tracking numbers, locked for the caller's transaction (unknown ones are absent). Rows are
   * locked in tracking-number order, so two such locks never wait for each other in a cycle.
   */
  public Future<List<ShipmentRow>> lockShipmentsByTracking(SqlClient conn, Collection<String> trackingNumbers) {
    return Sql.selectIn(conn, SHIPMENTS_BY_TRACKING_BEFORE, ") ORDER BY tracking_number FOR UPDATE", Tuple.tuple(),
      new TreeSet<>(trackingNumbers), SHIPMENT);
  }

  /** Records the carrier's ids on a row that has none yet (e.g. cancelled while the create call was in flight). */
  public Future<Void> attachTracking(SqlClient conn, String orderId, String shipmentId, String trackingNumber, Instant now) {
    return conn.preparedQuery(ATTACH_TRACKING).execute(Tuple.of(shipmentId, trackingNumber, utc(now), orderId)).mapEmpty();
  }

  public Future<Void> move(SqlClient conn, String orderId, ShipmentStatus status, String failureReason, Instant now) {
    return conn.preparedQuery(MOVE).execute(Tuple.of(status.name(), failureReason, utc(now), orderId)).mapEmpty();
  }

  /** A shipment's new status, and the failure reason to record (null keeps the one it has). */
  public record Move(String orderId, ShipmentStatus status, String failureReason) {
  }

  /** {@link #move} of many shipments (distinct orders) in one statement per chunk. */
  public Future<Void> moveAll(SqlClient conn, List<Move> moves, Instant now) {
    return Sql.updateEach(conn, "shipment", "order_id", MOVE_EACH, "updated_at = ?", Tuple.of(utc(now)), "",
      moves.stream().map(m -> Tuple.of(m.orderId(), m.status().name(), m.failureReason())).toList()).mapEmpty();
  }

  /** The carrier's ids of a shipment it accepted. */
  public record Acceptance(String orderId, String shipmentId, String trackingNumber) {
  }

  /** PENDING → ACCEPTED with the carrier's ids, for many shipments (distinct orders) in one statement per chunk. */
  public Future<Void> acceptAll(SqlClient conn, List<Acceptance> accepted, Instant now) {
    return Sql.updateEach(conn, "shipment", "order_id", ACCEPT_EACH, "status = 'ACCEPTED', updated_at = ?",
      Tuple.of(utc(now)), " AND status = 'PENDING'",
      accepted.stream().map(a -> Tuple.of(a.orderId(), a.shipmentId(), a.trackingNumber())).toList()).mapEmpty();
  }

  public Future<Void> retryLater(SqlClient conn, String orderId, int attempts, Instant next, Instant now) {
    return conn.preparedQuery(RETRY_LATER).execute(Tuple.of(attempts, utc(next), utc(now), orderId)).mapEmpty();
  }

  /** Order ids of PENDING shipments whose next carrier attempt is due. */
  public Future<List<String>> due(SqlClient conn, Instant now, int limit) {
    return conn.preparedQuery(DUE).execute(Tuple.of(utc(now), limit)).map(rows -> {
      List<String> ids = new ArrayList<>();
      rows.forEach(r -> ids.add(r.getString(0)));
      return ids;
    });
  }

  /** Tracking numbers of shipments the carrier still moves (ACCEPTED, IN_TRANSIT), least recently updated first. */
  public Future<List<String>> trackable(SqlClient conn, int limit) {
    return conn.preparedQuery(TRACKABLE).execute(Tuple.of(limit)).map(rows -> {
      List<String> ids = new ArrayList<>();
      rows.forEach(r -> ids.add(r.getString(0)));
      return ids;
    });
  }

  public Future<List<EventRow>> events(SqlClient conn, String orderId) {
    return conn.preparedQuery(EVENTS).mapping(EVENT::apply).execute(Tuple.of(orderId)).map(rows -> {
      List<EventRow> list = new ArrayList<>();
      rows.forEach(list::add);
      return list;
    });
  }

  // ---------------------------------------------------------------- batches

  /** The rows of {@code orderIds}, locked in id order; orders without one are missing. */
  public Future<Map<String, OrderRow>> lockOrders(SqlClient conn, Collection<String> orderIds) {
    return Sql.selectIn(conn, ORDERS_BEFORE, LOCK_AFTER, Tuple.tuple(), new TreeSet<>(orderIds), ORDER)
      .map(rows -> byOrder(rows, OrderRow::orderId));
  }

  public Future<Map<String, OrderRow>> findOrders(SqlClient conn, Collection<String> orderIds) {
    return Sql.selectIn(conn, ORDERS_BEFORE, ")", Tuple.tuple(), new TreeSet<>(orderIds), ORDER)
      .map(rows -> byOrder(rows, OrderRow::orderId));
  }

  /** The shipments of {@code orderIds}, locked in id order; orders without one are missing. */
  public Future<Map<String, ShipmentRow>> lockShipments(SqlClient conn, Collection<String> orderIds) {
    return Sql.selectIn(conn, SHIPMENTS_BEFORE, LOCK_AFTER, Tuple.tuple(), new TreeSet<>(orderIds), SHIPMENT)
      .map(rows -> byOrder(rows, ShipmentRow::orderId));
  }

  public Future<Map<String, ShipmentRow>> findShipments(SqlClient conn, Collection<String> orderIds) {
    return Sql.selectIn(conn, SHIPMENTS_BEFORE, ")", Tuple.tuple(), new TreeSet<>(orderIds), SHIPMENT)
      .map(rows -> byOrder(rows, ShipmentRow::orderId));
  }

  /** OrderPlaced of many orders: one row each (order_id, member_id, shipping_address, order_lines, order_name). */
  public Future<Void> upsertPlacedAll(SqlClient conn, List<OrderRow> placed, Instant now) {
    List<Tuple> rows = placed.stream().map(o -> Tuple.of(o.orderId(), o.memberId(),
      o.shippingAddress() == null ? null : o.shippingAddress().encode(), o.lines() == null ? null : o.lines().encode(),
      o.orderName(), 1, utc(now), utc(now))).toList();
    return Sql.insert(conn, UPSERT_PLACED_BEFORE, 8, rows, UPSERT_PLACED_AFTER).mapEmpty();
  }

  public Future<Void> markCancelRequestedAll(SqlClient conn, Collection<String> orderIds, Instant now) {
    List<Tuple> rows = orderIds.stream().map(id -> Tuple.of(id, 1, utc(now), utc(now))).toList();
    return Sql.insert(conn, UPSERT_CANCEL_REQUESTED_BEFORE, 4, rows, UPSERT_CANCEL_REQUESTED_AFTER).mapEmpty();
  }

  /** A new shipment row: order, status, carrier, idempotency key, failure reason, cause event. */
  public record NewShipment(String orderId, ShipmentStatus status, String carrier, String idempotencyKey,
                            String failureReason, String causeEventId) {
  }

  public Future<Void> insertShipments(SqlClient conn, List<NewShipment> shipments, Instant now) {
    List<Tuple> rows = shipments.stream().map(s -> Tuple.of(s.orderId(), s.status().name(), s.carrier(),
      s.idempotencyKey(), 0, utc(now), s.failureReason(), s.causeEventId(), utc(now), utc(now))).toList();
    return Sql.insert(conn, INSERT_SHIPMENTS_BEFORE, 10, rows, "").mapEmpty();
  }

  /** Timeline entries ({@code orderId}, entry) of many orders in one statement, in list order. */
  public Future<Void> addEvents(SqlClient conn, List<Map.Entry<String, EventRow>> events) {
    List<Tuple> rows = events.stream().map(oe -> Tuple.of(oe.getKey(), oe.getValue().status(),
      oe.getValue().description(), utc(oe.getValue().at()))).toList();
    return Sql.insert(conn, INSERT_EVENTS_BEFORE, 4, rows, "").mapEmpty();
  }

  private static <T> Map<String, T> byOrder(List<T> rows, Function<T, String> id) {
    Map<String, T> map = new HashMap<>();
    rows.forEach(r -> map.put(id.apply(r), r));
    return map;
  }

  private static <T> Future<Optional<T>> one(SqlClient conn, String sql, Function<Row, T> mapper, String id) {
    return conn.preparedQuery(sql).mapping(mapper::apply).execute(Tuple.of(id))
      .map(rows -> rows.size() == 0 ? Optional.<T>empty() : Optional.of(rows.iterator().next()));
  }

  private static boolean truth(Row row, String column) {
    Object v = row.getValue(column);
    return v instanceof Boolean b ? b : v instanceof Number n && n.intValue() != 0;
  }

  static LocalDateTime utc(Instant instant) {
    return instant == null ? null : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  static Instant instant(LocalDateTime time) {
    return time == null ? null : time.toInstant(ZoneOffset.UTC);
  }
}
