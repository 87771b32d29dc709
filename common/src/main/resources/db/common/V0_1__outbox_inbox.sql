-- Mechanics shared by every service database (dev.eventmall.common.outbox / .inbox).

-- Transactional outbox: a service inserts its events here in the same transaction as the state change;
-- OutboxRelay publishes unsent rows in seq order and stamps sent_at only after Kafka acknowledged them.
CREATE TABLE outbox (
  seq        BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id   CHAR(36)     NOT NULL,
  topic      VARCHAR(200) NOT NULL,
  event_key  VARCHAR(200) NOT NULL,
  event_type VARCHAR(100) NOT NULL,
  traceparent VARCHAR(64) NULL,
  envelope   MEDIUMTEXT   NOT NULL,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  sent_at    TIMESTAMP(6) NULL,
  UNIQUE KEY uq_outbox_event (event_id),
  KEY ix_outbox_unsent (sent_at, seq)
) ENGINE = InnoDB;

-- Inbox: one row per (consumer, event) handled, written in the same transaction as the consumer's effect,
-- so that a redelivered event is a no-op.
CREATE TABLE inbox (
  consumer     VARCHAR(100) NOT NULL,
  event_id     CHAR(36)     NOT NULL,
  event_type   VARCHAR(100) NOT NULL,
  processed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (consumer, event_id)
) ENGINE = InnoDB;
