package dev.eventmall.order.persistence;

import io.vertx.sqlclient.Row;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** Time conversions: MySQL DATETIME(6) columns hold UTC. */
final class Rows {
  private Rows() {
  }

  static LocalDateTime utc(Instant instant) {
    return instant == null ? null : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  static Instant instant(Row row, String column) {
    LocalDateTime t = row.getLocalDateTime(column);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }
}
