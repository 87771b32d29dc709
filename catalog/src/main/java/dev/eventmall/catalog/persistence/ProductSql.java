package dev.eventmall.catalog.persistence;

/** SQL of {@link ProductRepository}. */
final class ProductSql {
  private ProductSql() {
  }

  static final String COLUMNS = "p.product_id, p.seller_id, p.price, p.version, p.deleted, p.document, p.stale_categories, "
    + "p.created_at, p.updated_at, s.available";

  static final String INSERT_PRODUCT = "INSERT INTO product (product_id, seller_id, category, price, version, deleted, "
    + "document, document_pending, stale_categories, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, 1, '[]', ?, ?)";

  static final String INSERT_STOCK = "INSERT INTO stock (product_id, available, reserved, version) VALUES (?, ?, 0, 1)";

  static final String SELECT_FOR_UPDATE = "SELECT " + COLUMNS
    + " FROM product p JOIN stock s ON s.product_id = p.product_id WHERE p.product_id = ? FOR UPDATE";

  static final String SELECT_ONE = "SELECT " + COLUMNS
    + " FROM product p JOIN stock s ON s.product_id = p.product_id WHERE p.product_id = ?";

  static final String UPDATE_PRODUCT = "UPDATE product SET category = ?, price = ?, version = ?, document = ?, "
    + "document_pending = 1, stale_categories = ?, updated_at = ? WHERE product_id = ?";

  static final String UPDATE_STOCK = "UPDATE stock SET available = ?, version = version + 1 WHERE product_id = ?";

  static final String MARK_DELETED = "UPDATE product SET version = ?, deleted = 1, document_pending = 1, updated_at = ? "
    + "WHERE product_id = ?";

  /** Only the version that was written clears the flag: a newer change keeps it pending. */
  static final String MARK_DOCUMENT_APPLIED = "UPDATE product SET document_pending = 0, stale_categories = '[]' "
    + "WHERE product_id = ? AND version = ?";

  static final String SELECT_PENDING = "SELECT " + COLUMNS
    + " FROM product p JOIN stock s ON s.product_id = p.product_id WHERE p.document_pending = 1 "
    + "AND p.updated_at < ? ORDER BY p.updated_at LIMIT ?";

  static final String SELECT_CATEGORY_LISTING = "SELECT (SELECT COUNT(*) FROM product WHERE category = ? AND deleted = 0) "
    + "AS total, (SELECT version FROM category_listing WHERE category = ?) AS listing_version";

  static final String BUMP_CATEGORY_LISTING = "INSERT INTO category_listing (category, version) VALUES (?, 1) "
    + "ON DUPLICATE KEY UPDATE version = version + 1";

  static final String COUNT_BY_SELLER = "SELECT COUNT(*) FROM product WHERE seller_id = ? AND deleted = 0";

  /** Followed by {@code (?, ?, ...)}. */
  static final String SELECT_PRICE_STOCK_IN = "SELECT p.product_id, p.price, p.version, p.deleted, s.available "
    + "FROM product p JOIN stock s ON s.product_id = p.product_id WHERE p.product_id IN ";
}
