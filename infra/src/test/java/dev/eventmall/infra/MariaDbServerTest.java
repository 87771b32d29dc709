package dev.eventmall.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class MariaDbServerTest {

  @Test
  void storesRowsThatSurviveARestart() throws SQLException {
    try (MariaDbServer db = MariaDbServer.start()) {
      assertEquals("mysql://root@127.0.0.1:" + db.port(), db.uri());
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(), "root", "");
           Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE shop");
        s.execute("CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL)");
        s.execute("INSERT INTO shop.items VALUES (1, '우산')");
        assertEquals("우산", name(s));
      }

      db.restart();

      try (Connection c = DriverManager.getConnection(db.jdbcUrl() + "shop", "root", "");
           Statement s = c.createStatement()) {
        assertEquals("우산", name(s));
      }
    }
  }

  private static String name(Statement s) throws SQLException {
    try (ResultSet rows = s.executeQuery("SELECT name FROM shop.items WHERE id = 1")) {
      assertTrue(rows.next(), "row 1 present");
      return rows.getString(1);
    }
  }
}
