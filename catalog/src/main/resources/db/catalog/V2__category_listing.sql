-- The listing version of each category: bumped (after the Cassandra write) by every document write that touches the
-- category, so the service can keep a category listing read from Cassandra in memory and answer it again only while
-- MySQL still names the version it was read at (ProductStore.byCategory).
CREATE TABLE category_listing (
  category VARCHAR(50) NOT NULL PRIMARY KEY,
  version  BIGINT      NOT NULL
) ENGINE = InnoDB;
