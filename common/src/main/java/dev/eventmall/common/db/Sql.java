package dev.eventmall.common.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * Multi-row statements for the batch-shaped event path: one {@code INSERT … VALUES (…),(…)} or one
 * {@code … WHERE id IN (…)} for a whole batch instead of one statement per row.
 *
 * <p>Statements stay prepared and cached (MySQL parses each distinct text once per connection): row counts are rounded
 * to powers of two, so a batch of any size uses at most a dozen distinct texts per statement. IN lists are padded by
 * repeating their last value (which changes nothing); inserts are split into power-of-two chunks
 * ({@code 37 = 32 + 4 + 1}) of at most {@link #MAX_PARAMS} values.
 */
public final class Sql {
  /** The largest chunk one statement carries. */
  public static final int MAX_ROWS = 256;
  /**
   * The most parameters one multi-row insert carries: an insert is split in chunks of at most this many values, so a
   * cached prepared statement (whose parameter definitions the client keeps, one per mark) stays small and its text
   * within {@link Database#PREPARED_SQL_LIMIT}.
   */
  public static final int MAX_PARAMS = 512;

  private Sql() {
  }

  /** {@code ?, ?, …} ({@code n} marks). */
  public static String marks(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  /** {@code (?, ?), (?, ?), …}: {@code rows} groups of {@code columns} marks. */
  public static String values(int columns, int rows) {
    String one = "(" + marks(columns) + ")";
    return String.join(", ", Collections.nCopies(rows, one));
  }

  /** The smallest power of two ≥ {@code n} (1 for 0). */
  public static int padded(int n) {
    return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
  }

  /** Power-of-two chunk sizes, largest first, that add up to {@code n}; none above {@link #MAX_ROWS}. */
  public static List<Integer> chunks(int n) {
    return chunks(n, MAX_ROWS);
  }

  /** The chunks of an insert of {@code n} rows of {@code columns} values: none above {@link #MAX_PARAMS} values. */
  public static List<Integer> insertChunks(int n, int columns) {
    return chunks(n, rowsPerStatement(columns));
  }

  /** The most rows of {@code valuesPerRow} values one statement carries: a power of two, within both bounds. */
  private static int rowsPerStatement(int valuesPerRow) {
    return Math.min(MAX_ROWS, Integer.highestOneBit(Math.max(1, MAX_PARAMS / Math.max(1, valuesPerRow))));
  }

  private static List<Integer> chunks(int n, int max) {
    List<Integer> sizes = new ArrayList<>();
    int left = n;
    while (left > 0) {
      int size = Math.min(max, Integer.highestOneBit(left));
      sizes.add(size);
      left -= size;
    }
    return sizes;
  }

  /**
   * Runs {@code before + "(?, …), (?, …)" + after} over {@code rows} (each a tuple of {@code columns} values) in
   * power-of-two chunks, one after the other; succeeds with the rows affected. Nothing is sent for no rows.
   */
  public static Future<Integer> insert(SqlClient client, String before, int columns, List<Tuple> rows, String after) {
    Future<Integer> chain = Future.succeededFuture(0);
    int from = 0;
    for (int size : insertChunks(rows.size(), columns)) {
      int start = from;
      from += size;
      chain = chain.compose(n -> {
        Tuple params = Tuple.tuple();
        for (Tuple row : rows.subList(start, start + size)) {
          if (row.size() != columns) {
            throw new IllegalArgumentException("a row of " + row.size() + " values for " + columns + " columns");
          }
          for (int i = 0; i < columns; i++) {
            params.addValue(row.getValue(i));
          }
        }
        return client.preparedQuery(before + values(columns, size) + after).execute(params)
          .map(r -> n + r.rowCount());
      });
    }
    return chain;
  }

  /**
   * Runs {@code before + "?, …" + after} with {@code leading} parameters first and {@code values} in the IN list
   * (padded to a power of two, chunked above {@link #MAX_ROWS}), and maps every row of every chunk. No values, no
   * statement.
   */
  public static <T> Future<List<T>> selectIn(SqlClient client, String before, String after, Tuple leading,
                                             Collection<?> values, Function<Row, T> mapper) {
    List<T> out = new ArrayList<>();
    return inChunks(client, before, after, leading, values, rows -> rows.forEach(r -> out.add(mapper.apply(r))))
      .map(v -> out);
  }

  /** As {@link #selectIn} for a statement that returns nothing (an UPDATE … WHERE id IN); succeeds with rows affected. */
  public static Future<Integer> updateIn(SqlClient client, String before, String after, Tuple leading,
                                         Collection<?> values) {
    int[] affected = {0};
    return inChunks(client, before, after, leading, values, rows -> affected[0] += rows.rowCount())
      .map(v -> affected[0]);
  }

  /**
   * Gives each of many rows its own values in one statement per chunk instead of one {@code UPDATE} per row:
   * <pre>{@code
   * UPDATE shipment SET status = CASE order_id WHEN ? THEN ? WHEN ? THEN ? END,
   *   failure_reason = CASE order_id WHEN ? THEN COALESCE(?, failure_reason) WHEN ? THEN … END,
   *   updated_at = ? WHERE order_id IN (?, ?)
   * }</pre>
   * for {@code assignments = ["status = ?", "failure_reason = COALESCE(?, failure_reason)"]},
   * {@code also = "updated_at = ?"}. Each row of {@code rows} is its key, then one value per assignment (each
   * assignment's expression holds one {@code ?}). Keys must be distinct: one row's values apply to it once, as its own
   * {@code UPDATE} would. Chunks are padded to powers of two by repeating their last row (the same values again) and hold
   * at most {@link #MAX_PARAMS} values, so the texts stay few and prepared.
   *
   * @param also       assignments that are the same for every row (may be empty), with their {@code alsoParams}
   * @param where      more conditions, appended after the IN list (e.g. {@code " AND status = 'PENDING'"}), or ""
   * @return the rows changed
   */
  public static Future<Integer> updateEach(SqlClient client, String table, String key, List<String> assignments,
                                           String also, Tuple alsoParams, String where, List<Tuple> rows) {
    java.util.Set<Object> keys = new java.util.HashSet<>();
    for (Tuple row : rows) {
      if (row.size() != assignments.size() + 1) {
        throw new IllegalArgumentException("a row of " + row.size() + " values for a key and " + assignments.size()
          + " assignments");
      }
      if (!keys.add(row.getValue(0))) {
        throw new IllegalArgumentException("key " + row.getValue(0) + " twice in one update");
      }
    }
    // a row's key and value in each CASE, and its key in the IN list
    int max = rowsPerStatement(2 * assignments.size() + 1);
    Future<Integer> chain = Future.succeededFuture(0);
    for (int from = 0; from < rows.size(); from += max) {
      List<Tuple> chunk = rows.subList(from, Math.min(rows.size(), from + max));
      int size = padded(chunk.size());
      chain = chain.compose(n -> {
        StringBuilder sql = new StringBuilder("UPDATE ").append(table).append(" SET ");
        Tuple params = Tuple.tuple();
        for (int a = 0; a < assignments.size(); a++) {
          String assignment = assignments.get(a);
          int eq = assignment.indexOf('=');
          sql.append(a == 0 ? "" : ", ").append(assignment, 0, eq).append("= CASE ").append(key);
          String expression = assignment.substring(eq + 1).trim();
          for (int r = 0; r < size; r++) {
            Tuple row = chunk.get(Math.min(r, chunk.size() - 1));
            sql.append(" WHEN ? THEN ").append(expression);
            params.addValue(row.getValue(0)).addValue(row.getValue(a + 1));
          }
          sql.append(" END");
        }
        if (!also.isEmpty()) {
          sql.append(", ").append(also);
          for (int i = 0; i < alsoParams.size(); i++) {
            params.addValue(alsoParams.getValue(i));
          }
        }
        sql.append(" WHERE ").append(key).append(" IN (").append(marks(size)).append(")").append(where);
        for (int r = 0; r < size; r++) {
          params.addValue(chunk.get(Math.min(r, chunk.size() - 1)).getValue(0));
        }
        return client.preparedQuery(sql.toString()).execute(params).map(result -> n + result.rowCount());
      });
    }
    return chain;
  }

  private static Future<Void> inChunks(SqlClient client, String before, String after, Tuple leading,
                                       Collection<?> values, java.util.function.Consumer<RowSet<Row>> each) {
    List<?> all = new ArrayList<>(values);
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < all.size(); from += MAX_ROWS) {
      List<?> chunk = all.subList(from, Math.min(all.size(), from + MAX_ROWS));
      int size = padded(chunk.size());
      chain = chain.compose(v -> {
        Tuple params = Tuple.tuple();
        for (int i = 0; i < leading.size(); i++) {
          params.addValue(leading.getValue(i));
        }
        for (int i = 0; i < size; i++) {
          params.addValue(chunk.get(Math.min(i, chunk.size() - 1)));
        }
        return client.preparedQuery(before + marks(size) + after).execute(params).<Void>map(rows -> {
          each.accept(rows);
          return null;
        });
      });
    }
    return chain;
  }
}
