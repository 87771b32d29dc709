-- An aggregate for common's own tests: each transaction bumps a counter and publishes the new value.
CREATE TABLE counters (
  k VARCHAR(50) NOT NULL PRIMARY KEY,
  n INT         NOT NULL
) ENGINE = InnoDB;

CREATE TABLE effects (
  id      BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  note    VARCHAR(100) NOT NULL
) ENGINE = InnoDB;
