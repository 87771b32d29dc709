package dev.eventmall.catalog.persistence;

/** SQL of {@link StockRepository}. */
final class StockSql {
  private StockSql() {
  }

  /**
   * The reservation of one line: takes {@code qty} from {@code available} only if that many are there (so stock never
   * goes below 0, whatever runs concurrently: the row lock serializes the check and the decrement), and only for a
   * product that is not deleted.
   */
  static final String RESERVE = "UPDATE stock s JOIN product p ON p.product_id = s.product_id "
    + "SET s.available = s.available - ?, s.reserved = s.reserved + ?, s.version = s.version + 1 "
    + "WHERE s.product_id = ? AND s.available >= ? AND p.deleted = 0";
  /** Latest committed availability (a locking read, not the transaction snapshot); 0 for a deleted product. */
  static final String AVAILABLE = "SELECT IF(p.deleted = 0, s.available, 0) AS available FROM stock s "
    + "JOIN product p ON p.product_id = s.product_id WHERE s.product_id = ? LOCK IN SHARE MODE";
  static final String INSERT_RESERVATION = "INSERT INTO reservation (order_id, product_id, quantity, status, caused_by, "
    + "created_at, updated_at) VALUES (?, ?, ?, 'RESERVED', ?, ?, ?)";
  static final String ANY_RESERVATION = "SELECT 1 FROM reservation WHERE order_id = ? LIMIT 1";
  static final String RESERVED_LINES = "SELECT product_id, quantity FROM reservation "
    + "WHERE order_id = ? AND status = 'RESERVED' ORDER BY product_id FOR UPDATE";
  static final String RELEASE = "UPDATE stock SET available = available + ?, reserved = reserved - ?, "
    + "version = version + 1 WHERE product_id = ?";
  static final String MARK_RELEASED = "UPDATE reservation SET status = 'RELEASED', updated_at = ? "
    + "WHERE order_id = ? AND status = 'RESERVED'";
  static final String SAVEPOINT = "SAVEPOINT reserve_lines";
  static final String ROLLBACK_TO_SAVEPOINT = "ROLLBACK TO SAVEPOINT reserve_lines";
}
