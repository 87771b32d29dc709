-- The order service's MySQL side: orders (the saga's state), their lines and timeline, Idempotency-Key records, and
-- the projections of catalog products and member addresses that POST /orders trusts instead of the client.

CREATE TABLE orders (
  order_id         CHAR(36)     NOT NULL PRIMARY KEY,
  member_id        VARCHAR(200) NOT NULL,
  status           VARCHAR(32)  NOT NULL,
  payment_method   VARCHAR(16)  NOT NULL,
  total_amount     BIGINT       NOT NULL,
  order_name       VARCHAR(100) NOT NULL,
  address_id       VARCHAR(200) NOT NULL,
  -- the shipping address as it was when the order was placed (JSON)
  shipping_address TEXT         NOT NULL,
  created_at       DATETIME(6)  NOT NULL,
  updated_at       DATETIME(6)  NOT NULL,
  CONSTRAINT ck_orders_total CHECK (total_amount >= 0),
  KEY ix_orders_member (member_id, created_at),
  KEY ix_orders_member_status (member_id, status, created_at),
  KEY ix_orders_status (status, created_at)
) ENGINE = InnoDB;

CREATE TABLE order_line (
  order_id     CHAR(36)     NOT NULL,
  line_no      INT          NOT NULL,
  product_id   VARCHAR(200) NOT NULL,
  product_name VARCHAR(200) NOT NULL,
  quantity     INT          NOT NULL,
  unit_price   BIGINT       NOT NULL,
  PRIMARY KEY (order_id, line_no),
  CONSTRAINT fk_order_line_order FOREIGN KEY (order_id) REFERENCES orders (order_id),
  CONSTRAINT ck_order_line_qty CHECK (quantity BETWEEN 1 AND 100),
  CONSTRAINT ck_order_line_price CHECK (unit_price >= 0)
) ENGINE = InnoDB;

-- Every event of an order: what the API did, what the saga applied and what it ignored.
CREATE TABLE order_timeline (
  seq          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id     CHAR(36)     NOT NULL,
  event_id     CHAR(36)     NOT NULL,
  event_type   VARCHAR(100) NOT NULL,
  source       VARCHAR(100) NOT NULL,
  outcome      VARCHAR(16)  NOT NULL,
  from_status  VARCHAR(32)  NULL,
  to_status    VARCHAR(32)  NOT NULL,
  detail       VARCHAR(1000) NULL,
  occurred_at  DATETIME(6)  NOT NULL,
  recorded_at  DATETIME(6)  NOT NULL,
  KEY ix_timeline_order (order_id, seq),
  CONSTRAINT fk_timeline_order FOREIGN KEY (order_id) REFERENCES orders (order_id)
) ENGINE = InnoDB;

-- Idempotency-Key: one row per (member, key); the hash of the request decides replay (same) or 422 (different).
CREATE TABLE idempotency_key (
  member_id    VARCHAR(200) NOT NULL,
  idem_key     VARCHAR(100) NOT NULL,
  request_hash CHAR(64)     NOT NULL,
  order_id     CHAR(36)     NOT NULL,
  created_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (member_id, idem_key)
) ENGINE = InnoDB;

-- Projection of catalog.products: the newest version wins.
CREATE TABLE product (
  product_id CHAR(36)     NOT NULL PRIMARY KEY,
  seller_id  VARCHAR(200) NOT NULL,
  name       VARCHAR(200) NOT NULL,
  price      BIGINT       NOT NULL,
  version    BIGINT       NOT NULL,
  deleted    TINYINT(1)   NOT NULL DEFAULT 0,
  updated_at DATETIME(6)  NOT NULL
) ENGINE = InnoDB;

-- Projection of member.events AddressAdded.
CREATE TABLE address (
  address_id CHAR(36)     NOT NULL PRIMARY KEY,
  member_id  VARCHAR(200) NOT NULL,
  recipient  VARCHAR(100) NOT NULL,
  phone      VARCHAR(30)  NOT NULL,
  zip_code   VARCHAR(10)  NOT NULL,
  line1      VARCHAR(200) NOT NULL,
  line2      VARCHAR(200) NULL,
  is_default TINYINT(1)   NOT NULL,
  added_at   DATETIME(6)  NOT NULL,
  KEY ix_address_member (member_id)
) ENGINE = InnoDB;
