-- Delivery's own view of an order (from OrderPlaced / OrderCancelRequested) and its shipment with the carrier.

-- One row per order the saga has seen; the row every delivery decision locks (SELECT ... FOR UPDATE).
CREATE TABLE delivery_order (
  order_id          VARCHAR(200) NOT NULL PRIMARY KEY,
  member_id         VARCHAR(200) NULL,
  -- OrderPlaced.shippingAddress snapshot (JSON) and the lines (JSON), null until OrderPlaced was seen
  shipping_address  TEXT         NULL,
  order_lines       TEXT         NULL,
  order_name        VARCHAR(100) NULL,
  placed            TINYINT(1)   NOT NULL DEFAULT 0,
  cancel_requested  TINYINT(1)   NOT NULL DEFAULT 0,
  created_at        DATETIME(3)  NOT NULL,
  updated_at        DATETIME(3)  NOT NULL
) ENGINE = InnoDB;

-- One shipment per order. status: PENDING (carrier call not resolved yet), ACCEPTED, IN_TRANSIT, DELIVERED, FAILED,
-- RETURNED, CANCELED (by the carrier), CANCELLED (never sent: the order was cancelled first).
CREATE TABLE shipment (
  order_id          VARCHAR(200) NOT NULL PRIMARY KEY,
  status            VARCHAR(20)  NOT NULL,
  carrier           VARCHAR(50)  NOT NULL,
  shipment_id       VARCHAR(100) NULL,
  tracking_number   VARCHAR(100) NULL,
  idempotency_key   VARCHAR(255) NOT NULL,
  attempts          INT          NOT NULL DEFAULT 0,
  next_attempt_at   DATETIME(3)  NOT NULL,
  failure_reason    VARCHAR(1000) NULL,
  cause_event_id    CHAR(36)     NOT NULL,
  created_at        DATETIME(3)  NOT NULL,
  updated_at        DATETIME(3)  NOT NULL,
  UNIQUE KEY uq_shipment_tracking (tracking_number),
  KEY ix_shipment_due (status, next_attempt_at)
) ENGINE = InnoDB;

-- The shipment's timeline as GET /deliveries/{orderId} shows it.
CREATE TABLE shipment_event (
  seq          BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id     VARCHAR(200)  NOT NULL,
  status       VARCHAR(20)   NOT NULL,
  description  VARCHAR(1000) NULL,
  occurred_at  DATETIME(3)   NOT NULL,
  KEY ix_shipment_event_order (order_id, seq)
) ENGINE = InnoDB;
