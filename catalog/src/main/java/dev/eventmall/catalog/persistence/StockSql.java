package dev.eventmall.catalog.persistence;

/** SQL of {@link StockRepository}: each statement serves a whole batch of saga events (IN lists, multi-row VALUES). */
final class StockSql {
  private StockSql() {
  }

  /** Every reservation row of the batch's orders, locked, in key order (orders, then products). */
  static final String LOCK_RESERVATIONS_BEFORE = "SELECT order_id, product_id, quantity, status FROM reservation "
    + "WHERE order_id IN (";
  static final String LOCK_RESERVATIONS_AFTER = ") ORDER BY order_id, product_id FOR UPDATE";
  /**
   * Which of the batch's placed orders were rejected before: a plain read, taken after the stock locks (see
   * StockHandlers: a locking read here would lock the small table's gaps, which every new rejection inserts into).
   */
  static final String REJECTIONS_BEFORE = "SELECT order_id FROM stock_rejection WHERE order_id IN (";
  static final String REJECTIONS_AFTER = ")";
  /**
   * The stock of the batch's products, locked in product id order (every transaction locks stock rows in this order,
   * so concurrent batches cannot deadlock): the latest committed values, not the transaction's snapshot.
   */
  static final String LOCK_STOCK_BEFORE = "SELECT s.product_id, s.available, s.reserved, p.deleted FROM stock s "
    + "JOIN product p ON p.product_id = s.product_id WHERE s.product_id IN (";
  static final String LOCK_STOCK_AFTER = ") ORDER BY s.product_id FOR UPDATE";
  /** The new stock of the products the batch changed, one statement (rows exist: they are locked above). */
  static final String SET_STOCK_BEFORE = "INSERT INTO stock (product_id, available, reserved) VALUES ";
  static final String SET_STOCK_AFTER = " ON DUPLICATE KEY UPDATE available = VALUES(available), "
    + "reserved = VALUES(reserved), version = version + 1";
  static final String INSERT_RESERVATIONS_BEFORE = "INSERT INTO reservation (order_id, product_id, quantity, status, "
    + "caused_by, created_at, updated_at) VALUES ";
  static final String INSERT_REJECTIONS_BEFORE = "INSERT INTO stock_rejection (order_id, caused_by, rejected_at) VALUES ";
  static final String MARK_RELEASED_BEFORE = "UPDATE reservation SET status = 'RELEASED', updated_at = ? "
    + "WHERE status = 'RESERVED' AND order_id IN (";
}
