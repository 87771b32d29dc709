package dev.eventmall.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealInfra.class)
@Needs({Infra.MYSQL, Infra.KAFKA, Infra.REDIS})
class TestInfraTest {

  @Test
  void freshDatabasesAreEmptyAndSeparate() throws Exception {
    String first = TestInfra.freshDatabase("orders");
    String second = TestInfra.freshDatabase("orders");
    assertThat(first).startsWith(TestInfra.mysqlUri() + "/orders_").isNotEqualTo(second);

    try (Connection c = connect(first); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id VARCHAR(36) PRIMARY KEY, total BIGINT NOT NULL)");
      s.execute("INSERT INTO orders VALUES ('o-1', 12000)");
      try (ResultSet rows = s.executeQuery("SELECT total FROM orders WHERE id = 'o-1'")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getLong(1)).isEqualTo(12000L);
      }
    }
    try (Connection c = connect(second); Statement s = c.createStatement();
         ResultSet tables = s.executeQuery("SHOW TABLES")) {
      assertThat(tables.next()).as("second database is empty").isFalse();
    }
  }

  @Test
  void kafkaDeliversARecord() throws Exception {
    String bootstrap = TestInfra.kafka();
    String topic = "test-infra-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).isNotEmpty();
    }
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "order-1", "{\"type\":\"OrderPlaced\"}")).get(30, TimeUnit.SECONDS);
    }
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, topic,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      List<ConsumerRecord<String, String>> received = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (received.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(received::add);
      }
      assertThat(received).singleElement().satisfies(r -> {
        assertThat(r.key()).isEqualTo("order-1");
        assertThat(r.value()).contains("OrderPlaced");
      });
    }
  }

  @Test
  void redisAnswersPing() throws Exception {
    URI redis = URI.create(TestInfra.redisUrl());
    try (Socket socket = new Socket(redis.getHost(), redis.getPort())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.UTF_8));
      assertThat(new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine())
          .isEqualTo("+PONG");
    }
  }

  private static Connection connect(String mysqlUri) throws Exception {
    URI uri = URI.create(mysqlUri);
    return DriverManager.getConnection("jdbc:mariadb://" + uri.getHost() + ":" + uri.getPort() + uri.getPath(),
        uri.getUserInfo(), "");
  }
}
