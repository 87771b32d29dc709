package dev.eventmall.order.persistence;

/** SQL of the order service, beside the repositories that run it. */
final class OrderSql {
  private OrderSql() {
  }

  static final String ORDER_COLUMNS = "order_id, member_id, status, payment_method, total_amount, order_name, "
    + "address_id, shipping_address, created_at, updated_at";

  static final String INSERT_ORDERS_BEFORE = "INSERT INTO orders (" + ORDER_COLUMNS + ") VALUES ";
  static final String INSERT_LINES_BEFORE =
    "INSERT INTO order_line (order_id, line_no, product_id, product_name, quantity, unit_price) VALUES ";
  static final String SELECT_ORDER = "SELECT " + ORDER_COLUMNS + " FROM orders WHERE order_id = ?";
  static final String LOCK_ORDER = SELECT_ORDER + " FOR UPDATE";
  static final String SELECT_LINES =
    "SELECT product_id, product_name, quantity, unit_price FROM order_line WHERE order_id = ? ORDER BY line_no";
  static final String LOCK_ORDERS_BEFORE = "SELECT " + ORDER_COLUMNS + " FROM orders WHERE order_id IN (";
  static final String LOCK_ORDERS_AFTER = ") ORDER BY order_id FOR UPDATE";
  static final String UPDATE_STATUSES_BEFORE = "UPDATE orders SET status = ?, updated_at = ? WHERE order_id IN (";
  static final String INSERT_TIMELINE_BEFORE = "INSERT INTO order_timeline (order_id, event_id, event_type, source, "
    + "outcome, from_status, to_status, detail, occurred_at, recorded_at) VALUES ";
  static final String UPDATE_STATUS = "UPDATE orders SET status = ?, updated_at = ? WHERE order_id = ?";
  static final String LIST_OWN = "SELECT " + ORDER_COLUMNS + " FROM orders WHERE member_id = ? "
    + "ORDER BY created_at DESC, order_id LIMIT ? OFFSET ?";
  static final String COUNT_OWN = "SELECT COUNT(*) AS n FROM orders WHERE member_id = ?";
  static final String COUNT_UNPAID_CHECKOUTS = "SELECT COUNT(*) AS n FROM orders WHERE member_id = ? "
    + "AND payment_method = 'CHECKOUT' AND status IN ('PENDING', 'AWAITING_PAYMENT')";
  static final String EXPIRED_CHECKOUTS = "SELECT order_id, member_id FROM orders WHERE status = 'AWAITING_PAYMENT' "
    + "AND payment_method = 'CHECKOUT' AND created_at < ? ORDER BY created_at LIMIT ?";
  static final String LIST_OWN_STATUS = "SELECT " + ORDER_COLUMNS + " FROM orders WHERE member_id = ? AND status = ? "
    + "ORDER BY created_at DESC, order_id LIMIT ? OFFSET ?";
  static final String COUNT_OWN_STATUS = "SELECT COUNT(*) AS n FROM orders WHERE member_id = ? AND status = ?";
  static final String LIST_ALL = "SELECT " + ORDER_COLUMNS + " FROM orders ORDER BY created_at DESC, order_id LIMIT ? OFFSET ?";
  static final String COUNT_ALL = "SELECT COUNT(*) AS n FROM orders";
  static final String LIST_ALL_STATUS = "SELECT " + ORDER_COLUMNS + " FROM orders WHERE status = ? "
    + "ORDER BY created_at DESC, order_id LIMIT ? OFFSET ?";
  static final String COUNT_ALL_STATUS = "SELECT COUNT(*) AS n FROM orders WHERE status = ?";

  /**
   * The event ids already in the timelines of a batch's orders (the saga's duplicate check). A plain, consistent read,
   * never a locking one: see {@code OrderRepository#recordedEventIds}.
   */
  /**
   * The saga's duplicate check. FORCE INDEX: with an IN list longer than {@code eq_range_index_dive_limit} (200; the
   * lists are padded to powers of two, up to 256) MariaDB estimates the ranges from index statistics instead of diving
   * into the index, and at load it chose a full scan of the timeline for some of these (RESULTS run 13: tens of
   * thousands of rows read per statement, the saga fell behind at 400 orders/s).
   */
  static final String SELECT_TIMELINE_EVENT_IDS_BEFORE =
    "SELECT event_id FROM order_timeline FORCE INDEX (ix_timeline_order) WHERE order_id IN (";
  static final String SELECT_TIMELINE = "SELECT seq, event_id, event_type, source, outcome, from_status, to_status, "
    + "detail, occurred_at, recorded_at FROM order_timeline WHERE order_id = ? ORDER BY seq";

  static final String INSERT_IDEMPOTENCY_KEYS_BEFORE =
    "INSERT INTO idempotency_key (member_id, idem_key, request_hash, order_id, created_at) VALUES ";
  static final String SELECT_IDEMPOTENCY_KEY =
    "SELECT request_hash, order_id FROM idempotency_key WHERE member_id = ? AND idem_key = ?";

  // projections
  static final String SELECT_PRODUCTS_IN = "SELECT product_id, seller_id, name, price, version, deleted FROM product "
    + "WHERE product_id IN (";
  static final String INSERT_PRODUCT_IGNORE = "INSERT IGNORE INTO product "
    + "(product_id, seller_id, name, price, version, deleted, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
  static final String UPDATE_PRODUCT_IF_NEWER = "UPDATE product SET seller_id = ?, name = ?, price = ?, deleted = ?, "
    + "updated_at = ?, version = ? WHERE product_id = ? AND version < ?";
  static final String DELETE_PRODUCT_IF_NEWER = "UPDATE product SET deleted = 1, updated_at = ?, version = ? "
    + "WHERE product_id = ? AND version < ?";
  static final String INSERT_ADDRESS_IGNORE = "INSERT IGNORE INTO address "
    + "(address_id, member_id, recipient, phone, zip_code, line1, line2, is_default, added_at) "
    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
  static final String SELECT_ADDRESSES_IN = "SELECT address_id, member_id, recipient, phone, zip_code, line1, line2 "
    + "FROM address WHERE address_id IN (";
}
