package dev.eventmall.reliability;

import dev.eventmall.common.testing.TestInfra;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Direct reads of the stores (MariaDB over JDBC, Kafka through an admin client): the evidence behind the invariants. */
final class Stores {
  /** The service databases that hold an outbox. */
  static final List<String> DATABASES = List.of("member", "catalog", "orders", "payment", "delivery");
  /** Topic → the database whose outbox produces it. */
  static final Map<String, String> PRODUCER = Map.of(
    "member.events", "member", "catalog.products", "catalog", "catalog.stock", "catalog",
    "order.events", "orders", "payment.events", "payment", "delivery.events", "delivery");
  /** Saga consumer groups and what they consume (docs/saga.md). */
  static final Map<String, List<String>> GROUPS = Map.of(
    "order-saga", List.of("catalog.stock", "payment.events", "delivery.events"),
    "catalog-stock", List.of("order.events", "payment.events", "delivery.events"),
    "payment-saga", List.of("catalog.stock", "order.events", "delivery.events"),
    "delivery-saga", List.of("order.events", "payment.events"));

  private Stores() {
  }

  static Connection db(String database) throws SQLException {
    URI uri = URI.create(TestInfra.mysqlUri());
    String user = "root";
    String password = "";
    if (uri.getUserInfo() != null) {
      String[] parts = uri.getUserInfo().split(":", 2);
      user = parts[0];
      password = parts.length > 1 ? parts[1] : "";
    }
    return DriverManager.getConnection("jdbc:mariadb://" + uri.getHost() + ":" + uri.getPort() + "/" + database,
      user, password);
  }

  static long count(String database, String sql) {
    try (Connection c = db(database); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(database + ": " + sql, e);
    }
  }

  static <T> List<T> rows(String database, String sql, Function<ResultSet, T> row) {
    try (Connection c = db(database); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      List<T> out = new ArrayList<>();
      while (r.next()) {
        out.add(row.apply(r));
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(database + ": " + sql, e);
    }
  }

  /** Row count of every table of every service database: "db.table" → rows (Flyway's history aside). */
  static Map<String, Long> tableCounts() {
    Map<String, Long> counts = new TreeMap<>();
    for (String database : DATABASES) {
      List<String> tables = rows(database, "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
        + database + "' AND table_type = 'BASE TABLE'", r -> {
          try {
            return r.getString(1);
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        });
      for (String table : tables) {
        if (!table.startsWith("flyway")) {
          counts.put(database + "." + table, count(database, "SELECT COUNT(*) FROM `" + table + "`"));
        }
      }
    }
    return counts;
  }

  /** Unsent outbox rows per database. */
  static Map<String, Long> unsentOutbox() {
    Map<String, Long> unsent = new TreeMap<>();
    for (String database : DATABASES) {
      unsent.put(database, count(database, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL"));
    }
    return unsent;
  }

  /**
   * The events the services' committed rows owe their topics, read from the domain tables (each row and its event commit
   * in one transaction; the outbox itself may have deleted its published rows). Only what holds in every scenario:
   * <ul>
   *   <li>every member (member.members, the seeded admin included: it registers like anyone) has its MemberRegistered
   *       on member.events, and every member with an address its AddressAdded (keyed by the member);</li>
   *   <li>every order (orders.orders) has its OrderPlaced on order.events; a CANCELLED one its OrderCancelled, a
   *       DELIVERED one its OrderCompleted;</li>
   *   <li>every order with a stock reservation (catalog.reservation, written only when all its lines were reserved)
   *       has its StockReserved on catalog.stock, and one with RELEASED lines its StockReleased;</li>
   *   <li>every product (catalog.product) has its ProductCreated on catalog.products;</li>
   *   <li>every payment that was charged (payment.payments DONE, REFUNDING, REFUNDED: only CHARGING + an approval
   *       makes DONE) has its PaymentCompleted on payment.events, a REFUNDED one its PaymentRefunded;</li>
   *   <li>every shipment the carrier accepted (delivery.shipment with a tracking number, except CANCELLED: those got
   *       theirs after the order was cancelled and are withdrawn, no event) has its DeliveryStarted on
   *       delivery.events; a FAILED one without a tracking number (refused, or no address) its DeliveryFailed.</li>
   * </ul>
   */
  static List<Owed> owedEvents() {
    return List.of(
      owed("member.members", "member", "SELECT id FROM members", "member.events", "MemberRegistered"),
      owed("members with an address", "member", "SELECT DISTINCT member_id FROM addresses", "member.events",
        "AddressAdded"),
      owed("orders.orders", "orders", "SELECT order_id FROM orders", "order.events", "OrderPlaced"),
      owed("CANCELLED orders", "orders", "SELECT order_id FROM orders WHERE status = 'CANCELLED'", "order.events",
        "OrderCancelled"),
      owed("DELIVERED orders", "orders", "SELECT order_id FROM orders WHERE status = 'DELIVERED'", "order.events",
        "OrderCompleted"),
      owed("catalog.reservation", "catalog", "SELECT DISTINCT order_id FROM reservation", "catalog.stock",
        "StockReserved"),
      owed("RELEASED reservations", "catalog", "SELECT DISTINCT order_id FROM reservation WHERE status = 'RELEASED'",
        "catalog.stock", "StockReleased"),
      owed("catalog.stock_rejection", "catalog", "SELECT order_id FROM stock_rejection", "catalog.stock",
        "StockRejected"),
      owed("catalog.product", "catalog", "SELECT product_id FROM product", "catalog.products", "ProductCreated"),
      owed("charged payments", "payment",
        "SELECT order_id FROM payments WHERE status IN ('DONE', 'REFUNDING', 'REFUNDED')", "payment.events",
        "PaymentCompleted"),
      owed("REFUNDED payments", "payment", "SELECT order_id FROM payments WHERE status = 'REFUNDED'", "payment.events",
        "PaymentRefunded"),
      owed("accepted shipments", "delivery",
        "SELECT order_id FROM shipment WHERE tracking_number IS NOT NULL AND status <> 'CANCELLED'", "delivery.events",
        "DeliveryStarted"),
      owed("refused shipments", "delivery",
        "SELECT order_id FROM shipment WHERE status = 'FAILED' AND tracking_number IS NULL", "delivery.events",
        "DeliveryFailed"));
  }

  private static Owed owed(String what, String database, String sql, String topic, String type) {
    return new Owed(what, topic, type, rows(database, sql, r -> {
      try {
        return r.getString(1);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }));
  }

  /** A record on a topic: its key, {@code type} header and envelope id. */
  record Published(String topic, String key, String type, String eventId) {
  }

  /** Every record of the {@code topics} that exist, from offset 0 to their end now. */
  static List<Published> published(Admin admin, Collection<String> topics) {
    List<Published> out = new ArrayList<>();
    readAll(endOffsets(admin, topics), r -> {
      Header type = r.headers().lastHeader("type");
      String id = null;
      try {
        id = new io.vertx.core.json.JsonObject(new String(r.value(), StandardCharsets.UTF_8)).getString("id");
      } catch (RuntimeException notAnEnvelope) {
        // counted by key and type only
      }
      out.add(new Published(r.topic(), r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
        type == null ? null : new String(type.value(), StandardCharsets.UTF_8), id));
    });
    return out;
  }

  /** topic → type → keys of {@code records}: what {@link Owed#missing} compares with. */
  static Map<String, Map<String, java.util.Set<String>>> keysByType(List<Published> records) {
    Map<String, Map<String, java.util.Set<String>>> keys = new TreeMap<>();
    for (Published r : records) {
      if (r.type() != null && r.key() != null) {
        keys.computeIfAbsent(r.topic(), t -> new TreeMap<>()).computeIfAbsent(r.type(), t -> new java.util.HashSet<>())
          .add(r.key());
      }
    }
    return keys;
  }

  /** topic → the distinct event ids on it (a record re-sent, or copied again, counts once). */
  static Map<String, java.util.Set<String>> eventIds(Admin admin, Collection<String> topics) {
    Map<String, java.util.Set<String>> ids = new TreeMap<>();
    published(admin, topics).forEach(r -> ids.computeIfAbsent(r.topic(), t -> new java.util.TreeSet<>())
      .add(String.valueOf(r.eventId())));
    return ids;
  }

  static Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Rel.kafka()));
  }

  /** End offset per partition of the topics that exist among {@code topics}. */
  static Map<TopicPartition, Long> endOffsets(Admin admin, Collection<String> topics) {
    try {
      List<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
        .filter(topics::contains).toList();
      Map<String, TopicDescription> described = admin.describeTopics(existing).allTopicNames().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      described.values().forEach(d -> d.partitions().forEach(p ->
        request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
      return admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    } catch (Exception e) {
      throw new IllegalStateException("end offsets of " + topics, e);
    }
  }

  /** Records in each topic (sum of end offsets; nothing is compacted or expired within a test run). */
  static Map<String, Long> topicSizes(Admin admin, Collection<String> topics) {
    Map<String, Long> sizes = new TreeMap<>();
    endOffsets(admin, topics).forEach((tp, end) -> sizes.merge(tp.topic(), end, Long::sum));
    return sizes;
  }

  /**
   * Records parked on every dead-letter topic and not replayed since: parked records minus those a replay marked
   * ({@code dlq-replayed-of: <dlq topic>:<partition>:<offset>}, appended by {@code POST /admin/dlq/replay}).
   */
  static long dlqRecords(Admin admin) {
    List<String> dlqs = PRODUCER.keySet().stream().map(t -> t + ".dlq").toList();
    Map<TopicPartition, Long> ends = endOffsets(admin, dlqs);
    ends.values().removeIf(end -> end == 0);
    if (ends.isEmpty()) {
      return 0;
    }
    java.util.Set<String> parked = new java.util.HashSet<>();
    java.util.Set<String> replayed = new java.util.HashSet<>();
    readAll(ends, r -> {
      Header marker = r.headers().lastHeader("dlq-replayed-of");
      if (marker != null) {
        replayed.add(new String(marker.value(), StandardCharsets.UTF_8));
      } else {
        parked.add(r.topic() + ":" + r.partition() + ":" + r.offset());
      }
    });
    parked.removeAll(replayed);
    return parked.size();
  }

  /** Hands {@code each} every record of the partitions {@code ends} names, from the start of each to (at least) its end. */
  static void readAll(Map<TopicPartition, Long> ends, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
    Map<TopicPartition, Long> partitions = new HashMap<>(ends);
    partitions.values().removeIf(end -> end == 0);
    if (partitions.isEmpty()) {
      return;
    }
    Map<String, Object> config = Map.of(
      ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Rel.kafka(),
      ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
      ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
      ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.assign(partitions.keySet());
      consumer.seekToBeginning(partitions.keySet());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (partitions.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + partitions.keySet() + " took over 60 s");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(each);
      }
    }
  }

  /** Consumer lag per "group topic-partition" of the saga groups: records on the topic the group has not committed. */
  static Map<String, Long> lag(Admin admin) {
    Map<String, Long> lag = new TreeMap<>();
    try {
      for (Map.Entry<String, List<String>> group : GROUPS.entrySet()) {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.getKey())
          .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        endOffsets(admin, group.getValue()).forEach((tp, end) -> {
          OffsetAndMetadata at = committed.get(tp);
          long behind = end - (at == null ? 0 : at.offset());
          if (behind > 0) {
            lag.put(group.getKey() + " " + tp, behind);
          }
        });
      }
    } catch (Exception e) {
      throw new IllegalStateException("consumer lag", e);
    }
    return lag;
  }
}
