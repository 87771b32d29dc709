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
