package dev.eventmall.member.persistence;

import dev.eventmall.member.domain.Address;
import dev.eventmall.member.domain.AddressInput;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Shipping addresses. Every statement is scoped by {@code member_id}: a member never sees another's rows. */
public final class AddressRepository {

  static final String COLUMNS = "id, member_id, recipient, phone, zip_code, line1, line2, is_default, created_at, updated_at";
  static final String INSERT = "INSERT INTO addresses (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  static final String ONE = "SELECT " + COLUMNS + " FROM addresses WHERE id = ? AND member_id = ?";
  static final String PAGE = "SELECT " + COLUMNS + " FROM addresses WHERE member_id = ? "
    + "ORDER BY created_at, id LIMIT ? OFFSET ?";
  static final String COUNT = "SELECT COUNT(*) FROM addresses WHERE member_id = ?";
  static final String UPDATE = "UPDATE addresses SET recipient = ?, phone = ?, zip_code = ?, line1 = ?, line2 = ?, "
    + "is_default = ?, updated_at = ? WHERE id = ? AND member_id = ?";
  static final String DELETE = "DELETE FROM addresses WHERE id = ? AND member_id = ?";
  static final String CLEAR_DEFAULT = "UPDATE addresses SET is_default = FALSE WHERE member_id = ? AND id <> ? AND is_default";

  static final Function<Row, Address> ADDRESS = row -> new Address(row.getString("id"), row.getString("member_id"),
    row.getString("recipient"), row.getString("phone"), row.getString("zip_code"), row.getString("line1"),
    row.getString("line2"), row.getBoolean("is_default"), Rows.instant(row.getLocalDateTime("created_at")),
    Rows.instant(row.getLocalDateTime("updated_at")));

  public Future<Address> insert(SqlClient client, Address a) {
    return client.preparedQuery(INSERT)
      .execute(Tuple.from(new Object[]{a.id(), a.memberId(), a.recipient(), a.phone(), a.zipCode(), a.line1(),
        a.line2(), a.isDefault(), Rows.utc(a.createdAt()), Rows.utc(a.updatedAt())}))
      .map(a);
  }

  /** The member's address, or null when it does not exist or belongs to someone else. */
  public Future<Address> one(SqlClient client, String memberId, String id) {
    return client.preparedQuery(ONE).mapping(ADDRESS).execute(Tuple.of(id, memberId))
      .map(rs -> rs.iterator().hasNext() ? rs.iterator().next() : null);
  }

  public Future<List<Address>> page(SqlClient client, String memberId, int page, int size) {
    return client.preparedQuery(PAGE).mapping(ADDRESS).execute(Tuple.of(memberId, size, (long) page * size))
      .map(AddressRepository::list);
  }

  public Future<Long> count(SqlClient client, String memberId) {
    return client.preparedQuery(COUNT).execute(Tuple.of(memberId)).map(rs -> rs.iterator().next().getLong(0));
  }

  /** Whether a row of the member was updated. */
  public Future<Boolean> update(SqlClient client, String memberId, String id, AddressInput in, Instant now) {
    return client.preparedQuery(UPDATE)
      .execute(Tuple.from(new Object[]{in.recipient(), in.phone(), in.zipCode(), in.line1(), in.line2(), in.isDefault(),
        Rows.utc(now), id, memberId}))
      .map(rs -> rs.rowCount() > 0);
  }

  public Future<Boolean> delete(SqlClient client, String memberId, String id) {
    return client.preparedQuery(DELETE).execute(Tuple.of(id, memberId)).map(rs -> rs.rowCount() > 0);
  }

  /** Makes {@code keepId} the only default address of the member. */
  public Future<Void> clearOtherDefaults(SqlClient client, String memberId, String keepId) {
    return client.preparedQuery(CLEAR_DEFAULT).execute(Tuple.of(memberId, keepId)).mapEmpty();
  }

  private static <T> List<T> list(RowSet<T> rows) {
    List<T> out = new ArrayList<>();
    rows.forEach(out::add);
    return out;
  }
}
