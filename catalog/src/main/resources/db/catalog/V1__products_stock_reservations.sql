-- Catalog's MySQL side: the source of truth for products (price, version, the full document as JSON for repair),
-- stock and reservations. Product documents for reads live in Cassandra (see CassandraProducts); this database is
-- where every change commits first, together with its outbox event.

CREATE TABLE product (
  product_id        CHAR(36)     NOT NULL PRIMARY KEY,
  seller_id         VARCHAR(200) NOT NULL,
  category          VARCHAR(50)  NOT NULL,
  price             BIGINT       NOT NULL,
  version           BIGINT       NOT NULL,
  deleted           TINYINT(1)   NOT NULL DEFAULT 0,
  -- name, description, category, attributes, imageUrls, options: what the Cassandra document holds
  document          MEDIUMTEXT   NOT NULL,
  -- 1 until the Cassandra document of this version was written; the repair job re-applies pending rows
  document_pending  TINYINT(1)   NOT NULL DEFAULT 1,
  -- categories this product left while its document was pending: their by-category rows must be deleted too
  stale_categories  TEXT         NOT NULL,
  created_at        DATETIME(6)  NOT NULL,
  updated_at        DATETIME(6)  NOT NULL,
  CONSTRAINT ck_product_price CHECK (price >= 0),
  CONSTRAINT ck_product_version CHECK (version >= 1),
  KEY ix_product_seller (seller_id, deleted),
  KEY ix_product_category (category, deleted),
  KEY ix_product_pending (document_pending)
) ENGINE = InnoDB;

-- available: units that can still be reserved; reserved: units held by orders. Neither can go negative: the
-- reservation UPDATE is conditional (available >= qty) and the CHECKs refuse anything that slips past it.
CREATE TABLE stock (
  product_id CHAR(36) NOT NULL PRIMARY KEY,
  available  INT      NOT NULL,
  reserved   INT      NOT NULL DEFAULT 0,
  version    BIGINT   NOT NULL DEFAULT 0,
  CONSTRAINT ck_stock_available CHECK (available >= 0),
  CONSTRAINT ck_stock_reserved CHECK (reserved >= 0)
) ENGINE = InnoDB;

CREATE TABLE reservation (
  order_id   VARCHAR(200) NOT NULL,
  product_id VARCHAR(200) NOT NULL,
  quantity   INT          NOT NULL,
  status     VARCHAR(16)  NOT NULL,
  caused_by  CHAR(36)     NOT NULL,
  created_at DATETIME(6)  NOT NULL,
  updated_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (order_id, product_id),
  CONSTRAINT ck_reservation_quantity CHECK (quantity > 0),
  CONSTRAINT ck_reservation_status CHECK (status IN ('RESERVED', 'RELEASED', 'COMMITTED'))
) ENGINE = InnoDB;
