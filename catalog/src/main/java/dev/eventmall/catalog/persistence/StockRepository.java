package dev.eventmall.catalog.persistence;

import dev.eventmall.catalog.domain.StockLedger;
import dev.eventmall.common.db.Sql;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.eventmall.catalog.persistence.StockSql.*;

/**
 * Stock and reservations in MySQL for a batch of saga events; every method runs inside the caller's transaction and
 * sends one statement per kind of change whatever the batch's size. Lock order: reservations, then stock;
 * rejections are read after both, without a lock.
 */
public final class StockRepository {

  /** Every reservation row (held or released) of {@code orderIds}, locked. */
  public Future<List<StockLedger.Reservation>> lockReservations(SqlConnection conn, Collection<String> orderIds) {
    return Sql.selectIn(conn, LOCK_RESERVATIONS_BEFORE, LOCK_RESERVATIONS_AFTER, Tuple.tuple(), orderIds,
      row -> new StockLedger.Reservation(row.getString("order_id"), row.getString("product_id"),
        row.getInteger("quantity"), "RESERVED".equals(row.getString("status"))));
  }

  /**
   * Which of {@code orderIds} were rejected before (their stock_rejection rows): a plain read, to be made only once the
   * stock rows of those orders are locked (StockHandlers says why).
   */
  public Future<Set<String>> rejectedBefore(SqlConnection conn, Collection<String> orderIds) {
    return Sql.selectIn(conn, REJECTIONS_BEFORE, REJECTIONS_AFTER, Tuple.tuple(), orderIds,
      row -> row.getString("order_id")).map(HashSet::new);
  }

  /** The stock of {@code productIds} (sorted) that exist, locked; unknown products are missing. */
  public Future<Map<String, StockLedger.Stock>> lockStock(SqlConnection conn, Collection<String> productIds) {
    return Sql.selectIn(conn, LOCK_STOCK_BEFORE, LOCK_STOCK_AFTER, Tuple.tuple(), productIds,
        row -> Map.entry(row.getString("product_id"), new StockLedger.Stock(row.getInteger("available"),
          row.getInteger("reserved"), row.getInteger("deleted") != 0)))
      .map(rows -> {
        Map<String, StockLedger.Stock> stock = new LinkedHashMap<>();
        rows.forEach(e -> stock.put(e.getKey(), e.getValue()));
        return stock;
      });
  }

  /**
   * Writes what the ledger changed: new stock, new reservation rows, orders whose rows were released, rejected orders
   * ({@code causedBy}: the OrderPlaced event id of each order reserved or rejected).
   */
  public Future<Void> write(SqlConnection conn, StockLedger ledger, Map<String, String> causedBy, Instant now) {
    var at = ProductRepository.local(now);
    List<Tuple> stock = ledger.changedStock().entrySet().stream()
      .map(e -> Tuple.of(e.getKey(), e.getValue().available(), e.getValue().reserved())).toList();
    List<Tuple> created = ledger.newReservations().stream()
      .map(r -> Tuple.of(r.orderId(), r.productId(), r.quantity(), r.held() ? "RESERVED" : "RELEASED",
        causedBy.get(r.orderId()), at, at)).toList();
    List<String> released = ledger.releasedOrders();
    List<Tuple> rejected = ledger.newRejections().stream()
      .map(orderId -> Tuple.of(orderId, causedBy.get(orderId), at)).toList();
    return Sql.insert(conn, SET_STOCK_BEFORE, 3, stock, SET_STOCK_AFTER)
      .compose(n -> Sql.insert(conn, INSERT_RESERVATIONS_BEFORE, 7, created, ""))
      .compose(n -> Sql.updateIn(conn, MARK_RELEASED_BEFORE, ")", Tuple.of(at), released))
      .compose(n -> Sql.insert(conn, INSERT_REJECTIONS_BEFORE, 3, rejected, ""))
      .mapEmpty();
  }
}
