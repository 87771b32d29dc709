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
    return chunks(n, Math.min(MAX_ROWS, Integer.highestOneBit(Math.max(1, MAX_PARAMS / Math.max(1, columns)))));
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
