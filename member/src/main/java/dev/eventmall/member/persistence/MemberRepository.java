package dev.eventmall.member.persistence;

import dev.eventmall.common.db.Database;
import dev.eventmall.member.domain.LoginThrottle;
import dev.eventmall.member.domain.Member;
import dev.eventmall.member.domain.Role;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/** Members and the per-e-mail login failure counters. Methods take the client (pool or transaction connection). */
public final class MemberRepository {

  static final String INSERT = "INSERT INTO members (id, email, password_hash, name, role, created_at, updated_at) "
    + "VALUES (?, ?, ?, ?, ?, ?, ?)";
  static final String COLUMNS = "id, email, password_hash, name, role, created_at, updated_at";
  static final String BY_ID = "SELECT " + COLUMNS + " FROM members WHERE id = ?";
  static final String BY_ID_FOR_UPDATE = BY_ID + " FOR UPDATE";
  static final String BY_EMAIL = "SELECT " + COLUMNS + " FROM members WHERE email = ?";
  static final String UPDATE_NAME = "UPDATE members SET name = ?, updated_at = ? WHERE id = ?";

  static final String FAILURES =
    "SELECT client, failures, window_started_at, last_failure_at FROM login_failures WHERE email = ?";
  // assignments run left to right: failures is computed against the old window before the window moves
  static final String RECORD_FAILURE = "INSERT INTO login_failures (email, client, failures, window_started_at, "
    + "last_failure_at) VALUES (?, ?, 1, ?, ?) "
    + "ON DUPLICATE KEY UPDATE failures = IF(window_started_at <= ?, 1, failures + 1), "
    + "window_started_at = IF(window_started_at <= ?, VALUES(window_started_at), window_started_at), "
    + "last_failure_at = VALUES(last_failure_at)";
  static final String CLEAR_FAILURES = "DELETE FROM login_failures WHERE email = ? AND client = ?";

  static final Function<Row, Member> MEMBER = row -> new Member(row.getString("id"), row.getString("email"),
    row.getString("password_hash"), row.getString("name"), Role.valueOf(row.getString("role")),
    Rows.instant(row.getLocalDateTime("created_at")), Rows.instant(row.getLocalDateTime("updated_at")));
  static final Function<Row, LoginThrottle.Failures> FAILURE_ROW = row -> {
    Instant windowStarted = Rows.instant(row.getLocalDateTime("window_started_at"));
    java.time.LocalDateTime last = row.getLocalDateTime("last_failure_at");
    return new LoginThrottle.Failures(row.getString("client"), row.getInteger("failures"), windowStarted,
      last == null ? windowStarted : Rows.instant(last));
  };

  /** Inserts {@code member}; fails with {@link DuplicateEmailException} when the e-mail is taken. */
  public Future<Member> insert(SqlClient client, Member member) {
    return client.preparedQuery(INSERT)
      .execute(Tuple.of(member.id(), member.email(), member.passwordHash(), member.name(), member.role().name(),
        Rows.utc(member.createdAt()), Rows.utc(member.updatedAt())))
      .recover(err -> Future.failedFuture(Database.isDuplicateKey(err)
        ? new DuplicateEmailException() : err))
      .map(member);
  }

  public Future<Member> byId(SqlClient client, String id) {
    return one(client.preparedQuery(BY_ID).mapping(MEMBER).execute(Tuple.of(id)));
  }

  /** The member row, locked until the transaction ends (serialises a member's changes and their events). */
  public Future<Member> lock(SqlClient client, String id) {
    return one(client.preparedQuery(BY_ID_FOR_UPDATE).mapping(MEMBER).execute(Tuple.of(id)));
  }

  public Future<Member> byEmail(SqlClient client, String email) {
    return one(client.preparedQuery(BY_EMAIL).mapping(MEMBER).execute(Tuple.of(email)));
  }

  public Future<Boolean> updateName(SqlClient client, String id, String name, Instant now) {
    return client.preparedQuery(UPDATE_NAME).execute(Tuple.of(name, Rows.utc(now), id))
      .map(rows -> rows.rowCount() > 0);
  }

  /** Every client's failures for {@code email}. */
  public Future<java.util.List<LoginThrottle.Failures>> failures(SqlClient client, String email) {
    return client.preparedQuery(FAILURES).mapping(FAILURE_ROW).execute(Tuple.of(email)).map(rows -> {
      java.util.List<LoginThrottle.Failures> all = new java.util.ArrayList<>();
      rows.forEach(all::add);
      return all;
    });
  }

  /** Counts a failed login for {@code email} from {@code from}; a window older than {@code window} restarts at {@code now}. */
  public Future<Void> recordFailure(SqlClient client, String email, String from, Instant now, Duration window) {
    var expired = Rows.utc(now.minus(window));
    return client.preparedQuery(RECORD_FAILURE)
      .execute(Tuple.of(email, from, Rows.utc(now), Rows.utc(now), expired, expired)).mapEmpty();
  }

  /** Forgets the failures of {@code email} from {@code from} (after a success from there). */
  public Future<Void> clearFailures(SqlClient client, String email, String from) {
    return client.preparedQuery(CLEAR_FAILURES).execute(Tuple.of(email, from)).mapEmpty();
  }

  private static <T> Future<T> one(Future<RowSet<T>> rows) {
    return rows.map(rs -> rs.iterator().hasNext() ? rs.iterator().next() : null);
  }

  /** The e-mail address is already registered (unique key). */
  public static final class DuplicateEmailException extends RuntimeException {
    public DuplicateEmailException() {
      super("e-mail already registered", null, false, false);
    }
  }
}
