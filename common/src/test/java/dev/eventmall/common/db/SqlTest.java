package dev.eventmall.common.db;

import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The multi-row statements of the batch path, against a real MySQL-compatible server. */
@ExtendWith(VertxExtension.class)
@Needs({Infra.MYSQL})
class SqlTest {
  static final List<String> COLUMNS = List.of("shipping_line_one", "shipping_line_two", "recipient_name",
    "recipient_phone", "seller_reference", "buyer_reference");
  static final String INSERT = "INSERT INTO wide (id, " + String.join(", ", COLUMNS) + ") VALUES ";
  Pool pool;

  @BeforeEach
  void setUp(Vertx vertx) {
    String uri = TestInfra.freshDatabase("sql");
    Await.result(Database.migrate(vertx, uri, Database.COMMON_MIGRATIONS, "classpath:db/testing"));
    Await.result(Database.pool(vertx, uri, "sql-ddl-" + uri, 1).query("CREATE TABLE wide (id INT NOT NULL PRIMARY KEY, "
      + String.join(", ", COLUMNS.stream().map(c -> c + " VARCHAR(40)").toList()) + ")").execute());
    // one connection: its session counters are every statement this pool ran
    pool = Database.pool(vertx, uri, "sql-" + uri, 1);
  }

  @ParameterizedTest(name = "{0} rows of {1} values: chunks {2}")
  @CsvSource(delimiter = ';', textBlock = """
    # rows ; columns ; chunk sizes
    0      ; 7       ; -
    1      ; 7       ; 1
    37     ; 1       ; 32,4,1
    300    ; 1       ; 256,32,8,4
    200    ; 7       ; 64,64,64,8
    100    ; 10      ; 32,32,32,4
    40     ; 16      ; 32,8
    3      ; 600     ; 1,1,1
    """)
  void insertsAreSplitInPowerOfTwoChunksOfAtMost512Values(int rows, int columns, String sizes) {
    List<Integer> expected = sizes.equals("-") ? List.of() : Arrays.stream(sizes.split(",")).map(Integer::parseInt).toList();
    assertThat(Sql.insertChunks(rows, columns)).isEqualTo(expected);
    assertThat(expected.stream().mapToInt(Integer::intValue).sum()).isEqualTo(rows);
  }

  @Test
  void aLargeMultiRowInsertIsPreparedOnceAndReusedAfterwards() {
    long before = prepares();
    assertThat(Await.result(insert(0, 200))).isEqualTo(200);
    long afterFirst = prepares();
    assertThat(Await.result(insert(200, 200))).isEqualTo(200);
    assertThat(Await.result(insert(400, 200))).isEqualTo(200);

    assertThat(count()).isEqualTo(600);
    // 200 rows of 7 values = 64 + 64 + 64 + 8: two distinct texts, each prepared once. Before, 200 = 128 + 64 + 8, and
    // the 128-row text (~3,000 characters) was over the client's default cache limit: prepared again every time
    assertThat(afterFirst - before).isEqualTo(2);
    assertThat(prepares()).as("the second and third batch reuse the prepared statements").isEqualTo(afterFirst);
  }

  @Test
  void aStatementLongerThanTheClientDefaultLimitStaysPrepared() {
    // 64 rows of a 7-value upsert: a text of more than 2,048 characters, the client's default cache limit
    List<String> columns = COLUMNS;
    String before = INSERT;
    // what an upsert of many columns looks like (delivery's OrderPlaced, catalog's stock): a long update clause
    String after = " ON DUPLICATE KEY UPDATE " + String.join(", ", columns.stream()
      .map(c -> c + " = IF(VALUES(" + c + ") IS NULL OR VALUES(" + c + ") = '', " + c + ", VALUES(" + c + "))").toList());
    List<Tuple> rows = IntStream.range(0, 64).mapToObj(i -> Tuple.of(i, "a", "b", "c", "d", "e", "f")).toList();
    assertThat((before + Sql.values(7, 64) + after).length()).isGreaterThan(2_048);
    long start = prepares();
    Await.result(Sql.insert(pool, before, 7, rows, after));
    long once = prepares();
    Await.result(Sql.insert(pool, before, 7, rows, after));
    assertThat(once - start).isEqualTo(1);
    assertThat(prepares()).isEqualTo(once);
    assertThat(count()).isEqualTo(64);
  }

  @Test
  void updateEachGivesEveryRowItsOwnValuesInOneStatementPerChunk() {
    Await.result(insert(0, 100));
    String c1 = COLUMNS.get(0);
    String c2 = COLUMNS.get(1);
    String c3 = COLUMNS.get(2);
    // rows 0..69 get their own values; row 5 is excluded by the extra condition; row 80 is not asked for
    Await.result(pool.query("UPDATE wide SET " + c3 + " = 'frozen' WHERE id = 5").execute());
    List<Tuple> rows = IntStream.range(0, 70).mapToObj(i -> Tuple.of(i, "one-" + i, i % 2 == 0 ? null : "two-" + i))
      .toList();
    long before = prepares();
    int changed = Await.result(Sql.updateEach(pool, "wide", "id", List.of(c1 + " = ?", c2 + " = COALESCE(?, " + c2 + ")"),
      c3 + " = ?", Tuple.of("updated"), " AND " + c3 + " <> 'frozen'", rows));

    assertThat(changed).isEqualTo(69);
    // 70 rows of 5 values each: a chunk of 64 and one of 6 padded to 8
    assertThat(prepares() - before).isEqualTo(2);
    assertThat(row(1)).containsExactly("one-1", "two-1", "updated");
    assertThat(row(2)).as("COALESCE keeps the old value for a null").containsExactly("one-2", "b2", "updated");
    assertThat(row(69)).containsExactly("one-69", "two-69", "updated");
    assertThat(row(5)).as("the extra condition still holds per row").containsExactly("a5", "b5", "frozen");
    assertThat(row(80)).containsExactly("a80", "b80", "c80");
  }

  @Test
  void updateEachRefusesAKeyTwice() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sql.updateEach(pool, "wide", "id",
        List.of(COLUMNS.get(0) + " = ?"), "", Tuple.tuple(), "", List.of(Tuple.of(1, "x"), Tuple.of(1, "y"))))
      .isInstanceOf(IllegalArgumentException.class);
  }

  private List<String> row(int id) {
    var r = Await.result(pool.preparedQuery("SELECT " + String.join(", ", COLUMNS.subList(0, 3)) + " FROM wide WHERE id = ?")
      .execute(Tuple.of(id))).iterator().next();
    return List.of(r.getString(0), r.getString(1), r.getString(2));
  }

  private io.vertx.core.Future<Integer> insert(int from, int n) {
    List<Tuple> rows = IntStream.range(from, from + n)
      .mapToObj(i -> Tuple.of(i, "a" + i, "b" + i, "c" + i, "d" + i, "e" + i, "f" + i)).toList();
    return Sql.insert(pool, INSERT, 7, rows, "");
  }

  private long count() {
    return Await.result(pool.query("SELECT COUNT(*) FROM wide").execute()).iterator().next().getLong(0);
  }

  private long prepares() {
    return Long.parseLong(Await.result(pool.query("SHOW SESSION STATUS LIKE 'Com_stmt_prepare'").execute())
      .iterator().next().getString(1));
  }
}
