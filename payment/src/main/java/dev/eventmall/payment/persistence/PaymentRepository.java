package dev.eventmall.payment.persistence;

import dev.eventmall.common.db.Sql;
import dev.eventmall.payment.domain.BillingKey;
import dev.eventmall.payment.domain.Payment;
import dev.eventmall.payment.domain.PaymentMethod;
import dev.eventmall.payment.domain.PaymentStatus;
import dev.eventmall.payment.client.TossAttempt;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/** {@code payments}, {@code payment_attempts} and {@code billing_keys}. Times are stored as UTC DATETIME(6). */
public final class PaymentRepository {

  static final Function<Row, Payment> PAYMENT = row -> new Payment(
    row.getString("payment_id"), row.getString("order_id"), row.getString("member_id"), row.getLong("amount"),
    row.getString("method") == null ? null : PaymentMethod.valueOf(row.getString("method")),
    row.getString("order_name"), PaymentStatus.valueOf(row.getString("status")), row.getString("payment_key"),
    row.getString("toss_status"), row.getString("failure_code"), row.getString("failure_message"),
    instant(row, "approved_at"), instant(row, "refunded_at"), instant(row, "created_at"), instant(row, "updated_at"));

  static final Function<Row, BillingKey> BILLING_KEY = row -> new BillingKey(
    row.getString("member_id"), row.getString("customer_key"), row.getString("billing_key"),
    row.getString("card_masked"), row.getString("issuer_code"), row.getString("card_type"),
    instant(row, "created_at"), instant(row, "updated_at"));

  /** A guarded state change: fields left null keep their value. */
  public record Transition(PaymentStatus to, String paymentKey, String tossStatus, String failureCode,
                           String failureMessage, Instant approvedAt, Instant refundedAt, String refundReason) {
    public static Transition to(PaymentStatus status) {
      return new Transition(status, null, null, null, null, null, null, null);
    }

    public Transition paymentKey(String v) {
      return new Transition(to, v, tossStatus, failureCode, failureMessage, approvedAt, refundedAt, refundReason);
    }

    public Transition tossStatus(String v) {
      return new Transition(to, paymentKey, v, failureCode, failureMessage, approvedAt, refundedAt, refundReason);
    }

    public Transition failure(String code, String message) {
      return new Transition(to, paymentKey, tossStatus, code, trim(message, 1000), approvedAt, refundedAt, refundReason);
    }

    public Transition approvedAt(Instant v) {
      return new Transition(to, paymentKey, tossStatus, failureCode, failureMessage, v, refundedAt, refundReason);
    }

    public Transition refunded(Instant at, String reason) {
      return new Transition(to, paymentKey, tossStatus, failureCode, failureMessage, approvedAt, at, trim(reason, 200));
    }
  }

  public Future<Payment> find(SqlClient client, String orderId) {
    return one(client.preparedQuery(PaymentSql.FIND).execute(Tuple.of(orderId)));
  }

  /** The order's row, locked until the transaction of {@code conn} ends; null when there is none. */
  public Future<Payment> findForUpdate(SqlClient conn, String orderId) {
    return one(conn.preparedQuery(PaymentSql.FIND_FOR_UPDATE).execute(Tuple.of(orderId)));
  }

  public Future<Payment> findByPaymentKey(SqlClient client, String paymentKey) {
    return one(client.preparedQuery(PaymentSql.FIND_BY_PAYMENT_KEY).execute(Tuple.of(paymentKey)));
  }

  /** Rows in {@code status} untouched since {@code before} (crash leftovers), oldest first. */
  public Future<List<Payment>> findStuck(SqlClient client, PaymentStatus status, Instant before, int limit) {
    return client.preparedQuery(PaymentSql.FIND_STUCK).execute(Tuple.of(status.name(), utc(before), limit))
      .map(rows -> {
        List<Payment> list = new ArrayList<>();
        rows.forEach(r -> list.add(PAYMENT.apply(r)));
        return list;
      });
  }

  /** Moves the row from {@code from} to {@code t.to()}; false when it was no longer in {@code from}. */
  public Future<Boolean> transition(SqlClient conn, String orderId, PaymentStatus from, Transition t) {
    return conn.preparedQuery(PaymentSql.TRANSITION).execute(Tuple.wrap(new ArrayList<>(java.util.Arrays.asList(
        t.to().name(), t.paymentKey(), t.tossStatus(), t.failureCode(), t.failureMessage(), utc(t.approvedAt()),
        utc(t.refundedAt()), t.refundReason(), utc(Instant.now()), orderId, from.name()))))
      .map(rows -> rows.rowCount() == 1);
  }

  /** CHARGING with {@code paymentKey} → AWAITING_CHECKOUT without a key; false when the row was not in that state. */
  public Future<Boolean> releaseCheckout(SqlClient conn, String orderId, String paymentKey) {
    return conn.preparedQuery(PaymentSql.RELEASE_CHECKOUT).execute(Tuple.of(utc(Instant.now()), orderId, paymentKey))
      .map(rows -> rows.rowCount() == 1);
  }

  /** Records that a webhook for {@code paymentKey} is owed a verification; false when no payment has that key. */
  public Future<Boolean> webhookPending(SqlClient client, String paymentKey, Instant at) {
    return client.preparedQuery(PaymentSql.WEBHOOK_PENDING).execute(Tuple.of(utc(at), paymentKey))
      .map(rows -> rows.rowCount() > 0);
  }

  /** Clears what a verification started at {@code startedAt} settled (webhooks that came later stay owed). */
  public Future<Void> webhookVerified(SqlClient client, String paymentKey, Instant startedAt) {
    return client.preparedQuery(PaymentSql.WEBHOOK_VERIFIED).execute(Tuple.of(paymentKey, utc(startedAt))).mapEmpty();
  }

  /** Keys with a verification owed since before {@code before}, oldest first. */
  public Future<List<String>> webhooksPending(SqlClient client, Instant before, int limit) {
    return client.preparedQuery(PaymentSql.WEBHOOKS_PENDING).execute(Tuple.of(utc(before), limit)).map(rows -> {
      List<String> keys = new ArrayList<>();
      rows.forEach(r -> keys.add(r.getString("payment_key")));
      return keys;
    });
  }

  public Future<Void> tossStatus(SqlClient conn, String orderId, String tossStatus) {
    return conn.preparedQuery(PaymentSql.TOSS_STATUS).execute(Tuple.of(tossStatus, utc(Instant.now()), orderId))
      .mapEmpty();
  }

  public Future<BillingKey> findBillingKey(SqlClient client, String memberId) {
    return client.preparedQuery(PaymentSql.FIND_BILLING_KEY).execute(Tuple.of(memberId))
      .map(rows -> rows.size() == 0 ? null : BILLING_KEY.apply(rows.iterator().next()));
  }

  public Future<Void> upsertBillingKey(SqlClient client, BillingKey k) {
    return client.preparedQuery(PaymentSql.UPSERT_BILLING_KEY).execute(Tuple.wrap(new ArrayList<>(java.util.Arrays.asList(
      k.memberId(), k.customerKey(), k.billingKey(), k.cardMasked(), k.issuerCode(), k.cardType(), utc(k.createdAt()),
      utc(k.updatedAt()))))).mapEmpty();
  }

  /** The rows of {@code orderIds}, locked until the transaction ends; orders without a row are missing. */
  public Future<Map<String, Payment>> lockAll(SqlClient conn, Collection<String> orderIds) {
    return Sql.selectIn(conn, PaymentSql.LOCK_ALL_BEFORE, PaymentSql.LOCK_ALL_AFTER, Tuple.tuple(), new TreeSet<>(orderIds),
      PAYMENT).map(rows -> {
        Map<String, Payment> byOrder = new HashMap<>();
        rows.forEach(p -> byOrder.put(p.orderId(), p));
        return byOrder;
      });
  }

  /** The billing keys of {@code memberIds}; members without one are missing. */
  public Future<Map<String, BillingKey>> billingKeys(SqlClient conn, Collection<String> memberIds) {
    return Sql.selectIn(conn, PaymentSql.BILLING_KEYS_BEFORE, ")", Tuple.tuple(), new TreeSet<>(memberIds), BILLING_KEY)
      .map(rows -> {
        Map<String, BillingKey> byMember = new HashMap<>();
        rows.forEach(k -> byMember.put(k.memberId(), k));
        return byMember;
      });
  }

  /** A row to write and the refund reason to record with it (null keeps the stored one). */
  public record Saved(Payment payment, boolean inserted, String refundReason) {
  }

  /**
   * Writes rows decided under the caller's locks: new rows with one multi-row insert (a second row of an order fails on
   * the unique key), changed rows with one multi-row upsert.
   */
  public Future<Void> saveAll(SqlClient conn, List<Saved> rows) {
    List<Tuple> inserted = new ArrayList<>();
    List<Tuple> updated = new ArrayList<>();
    for (Saved s : rows) {
      Payment p = s.payment();
      Tuple t = Tuple.wrap(new ArrayList<>(java.util.Arrays.asList(p.paymentId(), p.orderId(), p.memberId(), p.amount(),
        p.method() == null ? null : p.method().name(), p.orderName(), p.status().name(), p.paymentKey(), p.tossStatus(),
        p.failureCode(), trim(p.failureMessage(), 1000), trim(s.refundReason(), 200), utc(p.approvedAt()),
        utc(p.refundedAt()), utc(p.createdAt()), utc(p.updatedAt()))));
      (s.inserted() ? inserted : updated).add(t);
    }
    return Sql.insert(conn, PaymentSql.INSERT_ALL_BEFORE, 16, inserted, "")
      .compose(n -> Sql.insert(conn, PaymentSql.INSERT_ALL_BEFORE, 16, updated, PaymentSql.UPDATE_ALL_AFTER))
      .mapEmpty();
  }

  /** Logs many Toss exchanges with one statement. */
  public Future<Void> insertAttempts(SqlClient client, List<TossAttempt> attempts) {
    return Sql.insert(client, PaymentSql.INSERT_ATTEMPTS_BEFORE, 7, attempts.stream().map(a -> Tuple.wrap(
      new ArrayList<>(java.util.Arrays.asList(a.orderId(), a.operation(), a.idempotencyKey(), a.httpStatus(), a.code(),
        a.durationMs(), utc(a.at()))))).toList(), "").mapEmpty();
  }

  private static Future<Payment> one(Future<RowSet<Row>> rows) {
    return rows.map(rs -> rs.size() == 0 ? null : PAYMENT.apply(rs.iterator().next()));
  }

  static LocalDateTime utc(Instant i) {
    return i == null ? null : LocalDateTime.ofInstant(i, ZoneOffset.UTC);
  }

  static Instant instant(Row row, String column) {
    LocalDateTime t = row.getLocalDateTime(column);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  static String trim(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
