package dev.eventmall.catalog.persistence;

import dev.eventmall.catalog.domain.StockLine;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static dev.eventmall.catalog.persistence.StockSql.*;

/** Stock and reservations in MySQL; every method runs inside the caller's transaction. */
public final class StockRepository {

  static final Function<Row, StockLine> LINE = row -> new StockLine(row.getString("product_id"), row.getInteger("quantity"));

  /** The outcome of a reservation attempt: every line reserved, or none and what was available. */
  public record Outcome(boolean reserved, List<Shortage> lines) {
  }

  public record Shortage(String productId, int requested, int available) {
  }

  /** Whether the order already has reservations (reserved or released): placing it again changes nothing. */
  public Future<Boolean> hasReservations(SqlConnection conn, String orderId) {
    return conn.preparedQuery(ANY_RESERVATION).execute(Tuple.of(orderId)).map(rows -> rows.size() > 0);
  }

  /**
   * Reserves every line or none: the lines (sorted by product id) are decremented after a savepoint; at the first line
   * that cannot be served everything after the savepoint is rolled back and the availability of each line is reported.
   */
  public Future<Outcome> reserveAll(SqlConnection conn, String orderId, String causedBy, List<StockLine> lines,
                                    Instant now) {
    return conn.query(SAVEPOINT).execute()
      .compose(v -> decrement(conn, lines, 0))
      .compose(allReserved -> {
        if (allReserved) {
          List<Tuple> rows = lines.stream().map(l -> Tuple.of(orderId, l.productId(), l.quantity(), causedBy,
            ProductRepository.local(now), ProductRepository.local(now))).toList();
          return conn.preparedQuery(INSERT_RESERVATION).executeBatch(rows).map(r -> new Outcome(true, List.of()));
        }
        return conn.query(ROLLBACK_TO_SAVEPOINT).execute()
          .compose(v -> availability(conn, lines, 0, new ArrayList<>()))
          .map(shortages -> new Outcome(false, shortages));
      });
  }

  private Future<Boolean> decrement(SqlConnection conn, List<StockLine> lines, int i) {
    if (i == lines.size()) {
      return Future.succeededFuture(true);
    }
    StockLine l = lines.get(i);
    return conn.preparedQuery(RESERVE).execute(Tuple.of(l.quantity(), l.quantity(), l.productId(), l.quantity()))
      .compose(r -> r.rowCount() == 1 ? decrement(conn, lines, i + 1) : Future.succeededFuture(false));
  }

  private Future<List<Shortage>> availability(SqlConnection conn, List<StockLine> lines, int i, List<Shortage> acc) {
    if (i == lines.size()) {
      return Future.succeededFuture(acc);
    }
    StockLine l = lines.get(i);
    return conn.preparedQuery(AVAILABLE).execute(Tuple.of(l.productId())).compose(rows -> {
      int available = rows.size() == 0 ? 0 : rows.iterator().next().getInteger("available");
      acc.add(new Shortage(l.productId(), l.quantity(), available));
      return availability(conn, lines, i + 1, acc);
    });
  }

  /**
   * Releases what the order still holds (status RESERVED) and marks it RELEASED; returns the released lines, empty when
   * there was nothing to release (no reservation, or released before).
   */
  public Future<List<StockLine>> releaseAll(SqlConnection conn, String orderId, Instant now) {
    return conn.preparedQuery(RESERVED_LINES).mapping(LINE).execute(Tuple.of(orderId)).compose(rows -> {
      List<StockLine> lines = new ArrayList<>();
      rows.forEach(lines::add);
      if (lines.isEmpty()) {
        return Future.succeededFuture(lines);
      }
      List<Tuple> releases = lines.stream().map(l -> Tuple.of(l.quantity(), l.quantity(), l.productId())).toList();
      return conn.preparedQuery(RELEASE).executeBatch(releases)
        .compose(r -> conn.preparedQuery(MARK_RELEASED).execute(Tuple.of(ProductRepository.local(now), orderId)))
        .map(lines);
    });
  }
}
