package dev.eventmall.payment.persistence;

/** SQL of the payment repositories. */
final class PaymentSql {
  private PaymentSql() {
  }

  static final String COLUMNS = "payment_id, order_id, member_id, amount, method, order_name, status, payment_key, "
    + "toss_status, failure_code, failure_message, approved_at, refunded_at, created_at, updated_at";

  static final String FIND = "SELECT " + COLUMNS + " FROM payments WHERE order_id = ?";
  static final String FIND_FOR_UPDATE = FIND + " FOR UPDATE";
  static final String FIND_BY_PAYMENT_KEY = "SELECT " + COLUMNS + " FROM payments WHERE payment_key = ?";
  static final String FIND_STUCK = "SELECT " + COLUMNS + " FROM payments WHERE status = ? AND updated_at < ? "
    + "ORDER BY updated_at LIMIT ?";

  /** A state transition guarded by the expected current state (so two resolvers never both emit). */
  /** A checkout charge whose key was not this order's goes back to waiting for the customer's own key. */
  static final String RELEASE_CHECKOUT = "UPDATE payments SET status = 'AWAITING_CHECKOUT', payment_key = NULL, "
    + "toss_status = NULL, updated_at = ? WHERE order_id = ? AND status = 'CHARGING' AND payment_key = ?";
  static final String TRANSITION = "UPDATE payments SET status = ?, payment_key = COALESCE(?, payment_key), "
    + "toss_status = COALESCE(?, toss_status), failure_code = COALESCE(?, failure_code), "
    + "failure_message = COALESCE(?, failure_message), approved_at = COALESCE(?, approved_at), "
    + "refunded_at = COALESCE(?, refunded_at), refund_reason = COALESCE(?, refund_reason), updated_at = ? "
    + "WHERE order_id = ? AND status = ?";

  /** A webhook for this key arrived: a verification is owed (0 rows: the key is not ours). */
  static final String WEBHOOK_PENDING = "UPDATE payments SET webhook_pending_at = ? WHERE payment_key = ?";
  /** Verified by a run that started at or after the webhook: nothing owed any more (a later webhook keeps its flag). */
  static final String WEBHOOK_VERIFIED = "UPDATE payments SET webhook_pending_at = NULL WHERE payment_key = ? "
    + "AND webhook_pending_at <= ?";
  static final String WEBHOOKS_PENDING = "SELECT payment_key FROM payments WHERE webhook_pending_at IS NOT NULL "
    + "AND webhook_pending_at < ? ORDER BY webhook_pending_at LIMIT ?";

  static final String TOSS_STATUS = "UPDATE payments SET toss_status = ?, updated_at = ? WHERE order_id = ?";

  static final String BILLING_COLUMNS = "member_id, customer_key, billing_key, card_masked, issuer_code, card_type, "
    + "created_at, updated_at";
  static final String FIND_BILLING_KEY = "SELECT " + BILLING_COLUMNS + " FROM billing_keys WHERE member_id = ?";
  static final String UPSERT_BILLING_KEY = "INSERT INTO billing_keys (" + BILLING_COLUMNS + ") "
    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE customer_key = VALUES(customer_key), "
    + "billing_key = VALUES(billing_key), card_masked = VALUES(card_masked), issuer_code = VALUES(issuer_code), "
    + "card_type = VALUES(card_type), updated_at = VALUES(updated_at)";

  /** The batch's rows, locked in order id order. */
  static final String LOCK_ALL_BEFORE = "SELECT " + COLUMNS + " FROM payments WHERE order_id IN (";
  static final String LOCK_ALL_AFTER = ") ORDER BY order_id FOR UPDATE";
  static final String BILLING_KEYS_BEFORE = "SELECT " + BILLING_COLUMNS + " FROM billing_keys WHERE member_id IN (";

  static final String SAVE_COLUMNS = "payment_id, order_id, member_id, amount, method, order_name, status, payment_key, "
    + "toss_status, failure_code, failure_message, refund_reason, approved_at, refunded_at, created_at, updated_at";
  /** New rows, many at once; a second row of an order fails on the unique key (a second charge is impossible). */
  static final String INSERT_ALL_BEFORE = "INSERT INTO payments (" + SAVE_COLUMNS + ") VALUES ";
  /** Rows that exist (locked by the caller), many at once: their new state. */
  static final String UPDATE_ALL_AFTER = " ON DUPLICATE KEY UPDATE status = VALUES(status), "
    + "payment_key = VALUES(payment_key), toss_status = VALUES(toss_status), failure_code = VALUES(failure_code), "
    + "failure_message = VALUES(failure_message), refund_reason = COALESCE(VALUES(refund_reason), refund_reason), "
    + "approved_at = VALUES(approved_at), refunded_at = VALUES(refunded_at), updated_at = VALUES(updated_at)";

  static final String INSERT_ATTEMPTS_BEFORE = "INSERT INTO payment_attempts (order_id, operation, idempotency_key, "
    + "http_status, code, duration_ms, attempted_at) VALUES ";
}
