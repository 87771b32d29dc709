package dev.eventmall.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MariaDbReplicaTest {

  @Test
  void replicaFollowsThePrimaryAndRefusesWrites() throws Exception {
    try (MariaDbServer primary = MariaDbServer.start(MariaDbServer.Options.defaults().primary());
         MariaDbServer replica = MariaDbServer.startReplica(primary, 2, MariaDbServer.Options.defaults())) {
      assertEquals("mysql://reader@127.0.0.1:" + replica.port(), replica.uri());
      try (Connection p = DriverManager.getConnection(primary.jdbcUrl(), "root", "");
           Statement s = p.createStatement()) {
        s.execute("CREATE DATABASE shop");
        s.execute("CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL)");
        s.execute("INSERT INTO shop.items VALUES (1, '우산')");
      }

      try (Connection r = DriverManager.getConnection(replica.jdbcUrl(), MariaDbServer.READER_USER, "");
           Statement s = r.createStatement()) {
        Optional<String> replicated = eventually(s, "SELECT name FROM shop.items WHERE id = 1");
        assertEquals(Optional.of("우산"), replicated, () -> status(s));
        SQLException refused = assertThrows(SQLException.class,
            () -> s.executeUpdate("INSERT INTO shop.items VALUES (2, 'written on the replica')"));
        assertEquals(1290, refused.getErrorCode(), refused.getMessage()); // ER_OPTION_PREVENTS_STATEMENT: --read-only
        try (ResultSet status = s.executeQuery("SHOW REPLICA STATUS")) {
          assertTrue(status.next(), "replication configured");
          assertEquals("Yes", status.getString("Slave_IO_Running"));
          assertEquals("Yes", status.getString("Slave_SQL_Running"));
        }
      }

      // a restarted replica resumes from the GTID it applied: no duplicate-key stop, later rows arrive
      replica.restart();
      try (Connection p = DriverManager.getConnection(primary.jdbcUrl(), "root", "");
           Statement s = p.createStatement()) {
        s.execute("UPDATE shop.items SET name = '양산' WHERE id = 1");
      }
      try (Connection r = DriverManager.getConnection(replica.jdbcUrl(), MariaDbServer.READER_USER, "");
           Statement s = r.createStatement()) {
        assertEquals(Optional.of("양산"), eventually(s, "SELECT name FROM shop.items WHERE id = 1 AND name = '양산'"));
      }
    }
  }

  private static String status(Statement s) {
    try (ResultSet status = s.executeQuery("SHOW REPLICA STATUS")) {
      if (!status.next()) {
        return "no replication configured";
      }
      return "IO " + status.getString("Slave_IO_Running") + " " + status.getString("Last_IO_Error") + "; SQL "
          + status.getString("Slave_SQL_Running") + " " + status.getString("Last_SQL_Error");
    } catch (SQLException e) {
      return e.toString();
    }
  }

  /** The first column of the first row, once the query returns one (the replica lags a little). */
  private static Optional<String> eventually(Statement s, String query) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (ResultSet rows = s.executeQuery(query)) {
        if (rows.next()) {
          return Optional.of(rows.getString(1));
        }
      } catch (SQLException notYet) {
        // the database may not exist on the replica yet
      }
      Thread.sleep(50);
    }
    return Optional.empty();
  }
}
