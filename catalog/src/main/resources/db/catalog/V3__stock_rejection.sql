-- An order whose OrderPlaced was answered StockRejected (some line short, nothing reserved). A reserved order's answer
-- is its reservation rows; a rejected order leaves none, so this row is its answer's record: the consumer of the saga
-- events (StockHandlers) keeps no inbox rows and finds a redelivered OrderPlaced by these two natural keys, so a
-- rejected order is never reserved later (after a restock) by a redelivery. One row per rejected order, never updated.
CREATE TABLE stock_rejection (
  order_id    VARCHAR(200) NOT NULL PRIMARY KEY,
  caused_by   CHAR(36)     NOT NULL,
  rejected_at DATETIME(6)  NOT NULL
) ENGINE = InnoDB;
