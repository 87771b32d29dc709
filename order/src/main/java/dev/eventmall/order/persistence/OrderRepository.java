package dev.eventmall.order.persistence;

import dev.eventmall.common.db.Sql;
import dev.eventmall.order.domain.Order;
import dev.eventmall.order.domain.OrderLine;
import dev.eventmall.order.domain.OrderStatus;
import dev.eventmall.order.domain.PaymentMethod;
import dev.eventmall.order.domain.ShippingAddress;
import dev.eventmall.order.domain.TimelineEntry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import static dev.eventmall.order.persistence.OrderSql.*;

/** Orders, their lines, timelines and Idempotency-Key records. */
public final class OrderRepository {

  static final Function<Row, Order> ORDER = row -> {
    JsonObject a = new JsonObject(row.getString("shipping_address"));
    return new Order(row.getString("order_id"), row.getString("member_id"),
      OrderStatus.valueOf(row.getString("status")), PaymentMethod.valueOf(row.getString("payment_method")),
      row.getLong("total_amount"), row.getString("order_name"),
      new ShippingAddress(a.getString("addressId"), row.getString("member_id"), a.getString("recipient"),
        a.getString("phone"), a.getString("zipCode"), a.getString("line1"), a.getString("line2")),
      List.of(), Rows.instant(row, "created_at"), Rows.instant(row, "updated_at"));
  };
  static final Function<Row, OrderLine> LINE = row -> new OrderLine(row.getString("product_id"),
    row.getString("product_name"), row.getInteger("quantity"), row.getLong("unit_price"));
  static final Function<Row, TimelineEntry> TIMELINE = row -> new TimelineEntry(row.getLong("seq"),
    row.getString("event_id"), row.getString("event_type"), row.getString("source"), row.getString("outcome"),
    row.getString("from_status") == null ? null : OrderStatus.valueOf(row.getString("from_status")),
    OrderStatus.valueOf(row.getString("to_status")), row.getString("detail"), Rows.instant(row, "occurred_at"),
    Rows.instant(row, "recorded_at"));

  /** A stored Idempotency-Key. */
  public record IdempotencyRecord(String requestHash, String orderId) {
  }

  /** A page of orders. */
  public record Page(List<Order> items, long total) {
  }

  /** Inserts new orders and their lines: one multi-row INSERT for the orders, one for all their lines. */
  public Future<Void> insertAll(SqlConnection conn, List<Order> orders) {
    List<Tuple> rows = new ArrayList<>(orders.size());
    List<Tuple> lines = new ArrayList<>();
    for (Order order : orders) {
      rows.add(Tuple.of(order.orderId(), order.memberId(), order.status().name(), order.paymentMethod().name(),
        order.totalAmount(), order.orderName(), order.shippingAddress().addressId())
        .addValue(addressJson(order.shippingAddress()).encode()).addValue(Rows.utc(order.createdAt()))
        .addValue(Rows.utc(order.updatedAt())));
      for (int i = 0; i < order.lines().size(); i++) {
        OrderLine l = order.lines().get(i);
        lines.add(Tuple.of(order.orderId(), i + 1, l.productId(), l.productName(), l.quantity(), l.unitPrice()));
      }
    }
    return Sql.insert(conn, INSERT_ORDERS_BEFORE, 10, rows, "")
      .compose(v -> Sql.insert(conn, INSERT_LINES_BEFORE, 6, lines, ""))
      .mapEmpty();
  }

  /** The shipping address snapshot (OrderPlaced's {@code shippingAddress}). */
  public static JsonObject addressJson(ShippingAddress a) {
    JsonObject json = new JsonObject().put("addressId", a.addressId()).put("recipient", a.recipient())
      .put("phone", a.phone()).put("zipCode", a.zipCode()).put("line1", a.line1());
    if (a.line2() != null) {
      json.put("line2", a.line2());
    }
    return json;
  }

  /** The order with its lines, if it exists. */
  public Future<Optional<Order>> find(SqlClient client, String orderId) {
    return client.preparedQuery(SELECT_ORDER).mapping(ORDER).execute(Tuple.of(orderId))
      .compose(rows -> withLines(client, rows));
  }

  /** The order (without lines) locked until the transaction ends. */
  public Future<Optional<Order>> lock(SqlConnection conn, String orderId) {
    return conn.preparedQuery(LOCK_ORDER).mapping(ORDER).execute(Tuple.of(orderId))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next()));
  }

  /** The orders (without lines) among {@code orderIds}, locked in id order until the transaction ends. */
  public Future<Map<String, Order>> lockAll(SqlConnection conn, Collection<String> orderIds) {
    return Sql.selectIn(conn, LOCK_ORDERS_BEFORE, LOCK_ORDERS_AFTER, Tuple.tuple(), new TreeSet<>(orderIds), ORDER)
      .map(found -> {
        Map<String, Order> byId = new HashMap<>();
        found.forEach(o -> byId.put(o.orderId(), o));
        return byId;
      });
  }

  /**
   * The ids of the events already recorded in the timelines of {@code orderIds}: one plain {@code SELECT} (per 256
   * orders) over {@code ix_timeline_order}, a handful of rows per order.
   *
   * <p>It is a consistent (non-locking) read on purpose, and it is correct as the saga's duplicate check only after the
   * same transaction locked those orders ({@link #lockAll}) and made no consistent read before: InnoDB (REPEATABLE READ)
   * creates a transaction's read view at its first consistent read, so a view created after the lock was granted
   * sees every timeline row committed by the transaction that held the lock before. A locking read here
   * ({@code FOR UPDATE} / {@code LOCK IN SHARE MODE}) would take next-key locks on the timeline index, which block the
   * timeline inserts of concurrent batches on neighbouring orders or deadlock with them.
   */
  public Future<Set<String>> recordedEventIds(SqlConnection conn, Collection<String> orderIds) {
    return Sql.selectIn(conn, SELECT_TIMELINE_EVENT_IDS_BEFORE, ")", Tuple.tuple(), new TreeSet<>(orderIds),
      row -> row.getString("event_id")).map(HashSet::new);
  }

  /** Sets each order's status ({@code orderId → status}): one UPDATE per distinct status. */
  public Future<Void> updateStatuses(SqlConnection conn, Map<String, OrderStatus> statuses, Instant now) {
    Map<OrderStatus, List<String>> byStatus = new TreeMap<>();
    statuses.forEach((id, status) -> byStatus.computeIfAbsent(status, s -> new ArrayList<>()).add(id));
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<OrderStatus, List<String>> e : byStatus.entrySet()) {
      chain = chain.compose(v -> Sql.updateIn(conn, UPDATE_STATUSES_BEFORE, ")",
        Tuple.of(e.getKey().name(), Rows.utc(now)), e.getValue()).mapEmpty());
    }
    return chain;
  }

  /** Appends timeline rows ({@code orderId}, entry) in list order with multi-row inserts. */
  public Future<Void> appendTimelines(SqlClient conn, List<Map.Entry<String, TimelineEntry>> entries) {
    List<Tuple> rows = new ArrayList<>(entries.size());
    for (Map.Entry<String, TimelineEntry> oe : entries) {
      TimelineEntry e = oe.getValue();
      rows.add(Tuple.of(oe.getKey(), e.eventId(), e.eventType(), e.source(), e.outcome(),
          e.from() == null ? null : e.from().name(), e.to().name(), truncate(e.detail()))
        .addValue(Rows.utc(e.occurredAt())).addValue(Rows.utc(e.recordedAt())));
    }
    return Sql.insert(conn, INSERT_TIMELINE_BEFORE, 10, rows, "").mapEmpty();
  }

  private Future<Optional<Order>> withLines(SqlClient client, RowSet<Order> rows) {
    if (rows.size() == 0) {
      return Future.succeededFuture(Optional.empty());
    }
    Order order = rows.iterator().next();
    return client.preparedQuery(SELECT_LINES).mapping(LINE).execute(Tuple.of(order.orderId()))
      .map(lines -> {
        List<OrderLine> list = new ArrayList<>();
        lines.forEach(list::add);
        return Optional.of(order.withLines(list));
      });
  }

  public Future<Void> updateStatus(SqlConnection conn, String orderId, OrderStatus status, Instant now) {
    return conn.preparedQuery(UPDATE_STATUS).execute(Tuple.of(status.name(), Rows.utc(now), orderId)).mapEmpty();
  }

  /** A member's orders, newest first, optionally of one status (without lines). */
  public Future<Page> listOwn(SqlClient client, String memberId, OrderStatus status, int page, int size) {
    Tuple count = status == null ? Tuple.of(memberId) : Tuple.of(memberId, status.name());
    Tuple list = status == null ? Tuple.of(memberId, size, page * size) : Tuple.of(memberId, status.name(), size,
      page * size);
    return client.preparedQuery(status == null ? COUNT_OWN : COUNT_OWN_STATUS).execute(count)
      .compose(n -> client.preparedQuery(status == null ? LIST_OWN : LIST_OWN_STATUS).mapping(ORDER).execute(list)
        .map(rows -> {
          List<Order> items = new ArrayList<>();
          rows.forEach(items::add);
          return new Page(items, n.iterator().next().getLong("n"));
        }));
  }

  /** Every member's orders, newest first, optionally of one status (ADMIN; without lines). */
  public Future<Page> listAll(SqlClient client, OrderStatus status, int page, int size) {
    Tuple count = status == null ? Tuple.tuple() : Tuple.of(status.name());
    Tuple list = status == null ? Tuple.of(size, page * size) : Tuple.of(status.name(), size, page * size);
    return client.preparedQuery(status == null ? COUNT_ALL : COUNT_ALL_STATUS).execute(count)
      .compose(n -> client.preparedQuery(status == null ? LIST_ALL : LIST_ALL_STATUS).mapping(ORDER).execute(list)
        .map(rows -> {
          List<Order> items = new ArrayList<>();
          rows.forEach(items::add);
          return new Page(items, n.iterator().next().getLong("n"));
        }));
  }

  public Future<Void> appendTimeline(SqlClient client, String orderId, TimelineEntry e) {
    return appendTimelines(client, List.of(Map.entry(orderId, e)));
  }

  public Future<List<TimelineEntry>> timeline(SqlClient client, String orderId) {
    return client.preparedQuery(SELECT_TIMELINE).mapping(TIMELINE).execute(Tuple.of(orderId)).map(rows -> {
      List<TimelineEntry> list = new ArrayList<>();
      rows.forEach(list::add);
      return list;
    });
  }

  /** An Idempotency-Key to store with the order it placed. */
  public record NewIdempotencyKey(String memberId, String key, String requestHash, String orderId, Instant createdAt) {
  }

  /** Inserts the keys with one multi-row INSERT; fails with MySQL error 1062 when a member already used one. */
  public Future<Void> insertIdempotencyKeys(SqlConnection conn, List<NewIdempotencyKey> keys) {
    List<Tuple> rows = new ArrayList<>(keys.size());
    for (NewIdempotencyKey k : keys) {
      rows.add(Tuple.of(k.memberId(), k.key(), k.requestHash(), k.orderId(), Rows.utc(k.createdAt())));
    }
    return Sql.insert(conn, INSERT_IDEMPOTENCY_KEYS_BEFORE, 5, rows, "").mapEmpty();
  }

  public Future<Optional<IdempotencyRecord>> findIdempotencyKey(SqlClient client, String memberId, String key) {
    return client.preparedQuery(SELECT_IDEMPOTENCY_KEY)
      .mapping(r -> new IdempotencyRecord(r.getString("request_hash"), r.getString("order_id")))
      .execute(Tuple.of(memberId, key))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next()));
  }

  private static String truncate(String s) {
    return s == null || s.length() <= 1000 ? s : s.substring(0, 1000);
  }

  /** Unpaid CHECKOUT orders (PENDING or AWAITING_PAYMENT) of {@code memberId}. */
  public Future<Long> countUnpaidCheckouts(SqlClient client, String memberId) {
    return client.preparedQuery(COUNT_UNPAID_CHECKOUTS).execute(Tuple.of(memberId))
      .map(rows -> rows.iterator().next().getLong("n"));
  }

  /** (orderId, memberId) of at most {@code limit} CHECKOUT orders still AWAITING_PAYMENT that were placed before {@code before}, oldest first. */
  public Future<List<Map.Entry<String, String>>> expiredCheckouts(SqlClient client, Instant before, int limit) {
    return client.preparedQuery(EXPIRED_CHECKOUTS).execute(Tuple.of(Rows.utc(before), limit)).map(rows -> {
      List<Map.Entry<String, String>> due = new ArrayList<>();
      rows.forEach(r -> due.add(Map.entry(r.getString("order_id"), r.getString("member_id"))));
      return due;
    });
  }
}
