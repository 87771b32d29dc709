package dev.eventmall.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CassandraServerTest {

  @Test
  void storesAndReadsARowThatSurvivesARestart() {
    try (CassandraServer cassandra = CassandraServer.start(CassandraServer.Options.defaults().ephemeral(true))) {
      try (CqlSession session = session(cassandra)) {
        session.execute("CREATE KEYSPACE catalog WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
        session.execute("CREATE TABLE catalog.products (id text PRIMARY KEY, title text)");
        session.execute("INSERT INTO catalog.products (id, title) VALUES ('p-1', '우산')");
        assertEquals("우산", title(session));
      }
      cassandra.restart();
      try (CqlSession session = session(cassandra)) {
        assertEquals("우산", title(session));
      }
    }
  }

  private static String title(CqlSession session) {
    Row row = session.execute("SELECT title FROM catalog.products WHERE id = 'p-1'").one();
    assertNotNull(row, "row p-1 present");
    return row.getString("title");
  }

  private static CqlSession session(CassandraServer cassandra) {
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress("127.0.0.1", cassandra.port()))
        .withLocalDatacenter(CassandraServer.LOCAL_DATACENTER)
        .withConfigLoader(DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(10))
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
            .build())
        .build();
  }
}
