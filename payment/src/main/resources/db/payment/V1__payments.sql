-- Payment service schema. Card numbers are never stored: only Toss's billing key and the masked number it returns.

CREATE TABLE billing_keys (
  member_id     VARCHAR(200) NOT NULL PRIMARY KEY,
  customer_key  VARCHAR(300) NOT NULL,
  billing_key   VARCHAR(300) NOT NULL,
  card_masked   VARCHAR(40)  NULL,
  issuer_code   VARCHAR(20)  NULL,
  card_type     VARCHAR(20)  NULL,
  created_at    DATETIME(6)  NOT NULL,
  updated_at    DATETIME(6)  NOT NULL,
  UNIQUE KEY uk_billing_keys_customer (customer_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- One row per order: the unique key makes a second charge of the same order impossible.
CREATE TABLE payments (
  payment_id      CHAR(36)     NOT NULL PRIMARY KEY,
  order_id        VARCHAR(200) NOT NULL,
  member_id       VARCHAR(200) NULL,
  amount          BIGINT       NULL,
  method          VARCHAR(16)  NULL,
  order_name      VARCHAR(100) NULL,
  status          VARCHAR(20)  NOT NULL,
  payment_key     VARCHAR(200) NULL,
  toss_status     VARCHAR(30)  NULL,
  failure_code    VARCHAR(100) NULL,
  failure_message VARCHAR(1000) NULL,
  refund_reason   VARCHAR(200) NULL,
  cause_event_id  VARCHAR(64)  NULL,
  approved_at     DATETIME(6)  NULL,
  refunded_at     DATETIME(6)  NULL,
  created_at      DATETIME(6)  NOT NULL,
  updated_at      DATETIME(6)  NOT NULL,
  UNIQUE KEY uk_payments_order (order_id),
  KEY ix_payments_status (status, updated_at),
  CONSTRAINT ck_payments_status CHECK (status IN ('AWAITING_CHECKOUT', 'CHARGING', 'DONE', 'FAILED', 'VOIDED',
                                                  'REFUNDING', 'REFUNDED')),
  CONSTRAINT ck_payments_amount CHECK (amount IS NULL OR amount >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Every call to Toss, successful or not.
CREATE TABLE payment_attempts (
  id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id        VARCHAR(200) NULL,
  operation       VARCHAR(20)  NOT NULL,
  idempotency_key VARCHAR(300) NULL,
  http_status     INT          NOT NULL,
  code            VARCHAR(100) NULL,
  duration_ms     BIGINT       NOT NULL,
  attempted_at    DATETIME(6)  NOT NULL,
  KEY ix_payment_attempts_order (order_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
