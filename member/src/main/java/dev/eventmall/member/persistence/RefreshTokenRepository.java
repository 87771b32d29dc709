package dev.eventmall.member.persistence;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.function.Function;

/** Refresh tokens by SHA-256 hash, grouped in families (one per login). */
public final class RefreshTokenRepository {

  static final String INSERT = "INSERT INTO refresh_tokens (token_hash, family_id, member_id, created_at, expires_at) "
    + "VALUES (?, ?, ?, ?, ?)";
  static final String FOR_UPDATE = "SELECT token_hash, family_id, member_id, expires_at, used_at, revoked_at "
    + "FROM refresh_tokens WHERE token_hash = ? FOR UPDATE";
  static final String MARK_USED = "UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL";
  static final String REVOKE_FAMILY = "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL";

  /** A stored token. */
  public record StoredToken(String tokenHash, String familyId, String memberId, Instant expiresAt, Instant usedAt,
                            Instant revokedAt) {
  }

  static final Function<Row, StoredToken> TOKEN = row -> new StoredToken(row.getString("token_hash"),
    row.getString("family_id"), row.getString("member_id"), Rows.instant(row.getLocalDateTime("expires_at")),
    Rows.instant(row.getLocalDateTime("used_at")), Rows.instant(row.getLocalDateTime("revoked_at")));

  public Future<Void> insert(SqlClient client, String tokenHash, String familyId, String memberId, Instant now,
                             Instant expiresAt) {
    return client.preparedQuery(INSERT)
      .execute(Tuple.of(tokenHash, familyId, memberId, Rows.utc(now), Rows.utc(expiresAt))).mapEmpty();
  }

  /** The token row locked for this transaction, or null. */
  public Future<StoredToken> lock(SqlClient client, String tokenHash) {
    return client.preparedQuery(FOR_UPDATE).mapping(TOKEN).execute(Tuple.of(tokenHash))
      .map(rs -> rs.iterator().hasNext() ? rs.iterator().next() : null);
  }

  public Future<Boolean> markUsed(SqlClient client, String tokenHash, Instant now) {
    return client.preparedQuery(MARK_USED).execute(Tuple.of(Rows.utc(now), tokenHash)).map(rs -> rs.rowCount() > 0);
  }

  public Future<Void> revokeFamily(SqlClient client, String familyId, Instant now) {
    return client.preparedQuery(REVOKE_FAMILY).execute(Tuple.of(Rows.utc(now), familyId)).mapEmpty();
  }
}
