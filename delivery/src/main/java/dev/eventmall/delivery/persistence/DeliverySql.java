package dev.eventmall.delivery.persistence;

import java.util.List;

/** SQL of the delivery database (db/delivery). */
final class DeliverySql {
  private DeliverySql() {
  }

  static final String ORDER_COLUMNS =
    "order_id, member_id, shipping_address, order_lines, order_name, placed, cancel_requested FROM delivery_order";
  static final String FIND_ORDER = "SELECT " + ORDER_COLUMNS + " WHERE order_id = ?";

  static final String SHIPMENT_COLUMNS = "order_id, status, carrier, shipment_id, tracking_number, idempotency_key, "
    + "attempts, failure_reason, cause_event_id, created_at, updated_at FROM shipment";
  static final String FIND_SHIPMENT = "SELECT " + SHIPMENT_COLUMNS + " WHERE order_id = ?";
  static final String SHIPMENTS_BY_TRACKING_BEFORE = "SELECT " + SHIPMENT_COLUMNS + " WHERE tracking_number IN (";

  static final String ATTACH_TRACKING = """
    UPDATE shipment SET shipment_id = ?, tracking_number = ?, updated_at = ? WHERE order_id = ? AND tracking_number IS NULL""";

  static final String MOVE = "UPDATE shipment SET status = ?, failure_reason = COALESCE(?, failure_reason), updated_at = ? "
    + "WHERE order_id = ?";

  /** {@link #MOVE} per row of a batch ({@code Sql.updateEach}), with {@code updated_at = ?} for all. */
  static final List<String> MOVE_EACH = List.of("status = ?", "failure_reason = COALESCE(?, failure_reason)");
  /** PENDING → ACCEPTED with the carrier's ids, per row of a batch, with {@code status = 'ACCEPTED', updated_at = ?} for all, PENDING rows only. */
  static final List<String> ACCEPT_EACH = List.of("shipment_id = ?", "tracking_number = ?");

  static final String RETRY_LATER = "UPDATE shipment SET attempts = ?, next_attempt_at = ?, updated_at = ? "
    + "WHERE order_id = ? AND status = 'PENDING'";

  static final String DUE = "SELECT order_id FROM shipment WHERE status = 'PENDING' AND next_attempt_at <= ? "
    + "ORDER BY next_attempt_at LIMIT ?";

  static final String TRACKABLE = "SELECT tracking_number FROM shipment WHERE status IN ('ACCEPTED', 'IN_TRANSIT') "
    + "AND tracking_number IS NOT NULL ORDER BY updated_at LIMIT ?";

  static final String EVENTS = "SELECT status, description, occurred_at FROM shipment_event WHERE order_id = ? ORDER BY seq";

  // ---------------------------------------------------------------- a batch of saga events: one statement per kind

  static final String UPSERT_PLACED_BEFORE = "INSERT INTO delivery_order (order_id, member_id, shipping_address, "
    + "order_lines, order_name, placed, created_at, updated_at) VALUES ";
  static final String UPSERT_PLACED_AFTER = " ON DUPLICATE KEY UPDATE member_id = VALUES(member_id), "
    + "shipping_address = VALUES(shipping_address), order_lines = VALUES(order_lines), order_name = VALUES(order_name), "
    + "placed = 1, updated_at = VALUES(updated_at)";
  static final String UPSERT_CANCEL_REQUESTED_BEFORE = "INSERT INTO delivery_order (order_id, cancel_requested, "
    + "created_at, updated_at) VALUES ";
  static final String UPSERT_CANCEL_REQUESTED_AFTER = " ON DUPLICATE KEY UPDATE cancel_requested = 1, "
    + "updated_at = VALUES(updated_at)";
  /** The orders / shipments of an IN list: read as is ({@code ")"}), or locked in id order ({@link #LOCK_AFTER}). */
  static final String ORDERS_BEFORE = "SELECT " + ORDER_COLUMNS + " WHERE order_id IN (";
  static final String SHIPMENTS_BEFORE = "SELECT " + SHIPMENT_COLUMNS + " WHERE order_id IN (";
  static final String LOCK_AFTER = ") ORDER BY order_id FOR UPDATE";
  static final String INSERT_SHIPMENTS_BEFORE = "INSERT IGNORE INTO shipment (order_id, status, carrier, "
    + "idempotency_key, attempts, next_attempt_at, failure_reason, cause_event_id, created_at, updated_at) VALUES ";
  static final String INSERT_EVENTS_BEFORE = "INSERT INTO shipment_event (order_id, status, description, occurred_at) "
    + "VALUES ";
}
