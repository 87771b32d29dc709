package dev.eventmall.loadtests.bench;

import dev.eventmall.common.kafka.KafkaConfig;
import dev.eventmall.loadtests.Fixtures;
import dev.eventmall.loadtests.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The measuring parts of bench.sh, one per sub-command; each prints {@code RESULT <name> <value> <unit>} lines that the
 * script collects.
 *
 * <ul>
 *   <li>{@code http-server PORT} — the bare Vert.x JSON endpoint (HTTP ceiling), one event loop per core, serves until
 *   killed; wrk drives it.</li>
 *   <li>{@code kafka BOOTSTRAP RECORDS} — produce RECORDS records of ~600 bytes (an event envelope's size) with the
 *   platform's producer config ({@link KafkaConfig#producer}) while one consumer reads them back; produce+consume
 *   msg/s.</li>
 *   <li>{@code mysql JDBC_URL THREADS SECONDS} — single-row INSERTs, autocommit (one durable commit each), THREADS
 *   connections.</li>
 *   <li>{@code seed COUNT} — COUNT products (so search has something to find), waits until they are indexed, prints
 *   {@code PRODUCT <id>} lines.</li>
 *   <li>{@code orders SECONDS CONCURRENCY PID} — the platform: CONCURRENCY pre-made customers each place an order and
 *   poll it to SHIPPING/DELIVERED, again and again, for SECONDS; orders/s, saga latency, failed/stuck orders, and CPU
 *   µs per order from /proc/PID/stat (and its child processes) over the window.</li>
 *   <li>{@code idle SECONDS PID} — CPU the platform uses with nothing to do: ms of CPU per second per process kind
 *   over SECONDS.</li>
 *   <li>{@code orders-open RATE SECONDS PID [JDBC_URL]} — open workload: POST /orders at RATE per second for SECONDS
 *   whatever the platform's pace, no polling; then the order database tells the saga latency (order created → SHIPPING
 *   recorded) and which orders are stuck; CPU µs per order for each process. See {@link OpenOrders}.</li>
 * </ul>
 */
public final class Bench {
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "http-server" -> httpServer(Integer.parseInt(args[1]));
      case "kafka" -> kafka(args[1], Integer.parseInt(args[2]));
      case "mysql" -> mysql(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      case "seed" -> {
        String tag = "bench" + Long.toHexString(System.nanoTime());
        List<String> ids = Fixtures.products(Fixtures.member("SELLER"), tag, Integer.parseInt(args[1]), 1_000);
        Fixtures.awaitSearchable(tag, Integer.parseInt(args[1]));
        ids.forEach(id -> System.out.println("PRODUCT " + id));
      }
      case "orders" -> orders(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]));
      case "idle" -> idle(Integer.parseInt(args[1]), Long.parseLong(args[2]));
      case "orders-open" -> OpenOrders.run(Double.parseDouble(args[1]), Integer.parseInt(args[2]),
        Long.parseLong(args[3]), args.length > 4 ? args[4] : "jdbc:mariadb://127.0.0.1:3306/orders?user=root");
      default -> throw new IllegalArgumentException(args[0]);
    }
    System.exit(0);
  }

  public static void result(String name, double value, String unit) {
    System.out.printf("RESULT %s %.1f %s%n", name, value, unit);
  }

  static void httpServer(int port) throws Exception {
    Vertx vertx = Vertx.vertx();
    int loops = Runtime.getRuntime().availableProcessors();
    Buffer body = new JsonObject().put("items", List.of(new JsonObject().put("productId", UUID.randomUUID().toString())
      .put("name", "무선 이어폰").put("price", 129000))).put("total", 1).toBuffer();
    CountDownLatch up = new CountDownLatch(loops);
    for (int i = 0; i < loops; i++) {
      vertx.createHttpServer().requestHandler(req -> req.response().putHeader("content-type", "application/json")
        .end(body)).listen(port).onComplete(ar -> up.countDown());
    }
    up.await();
    System.out.println("bare vert.x JSON endpoint on " + port);
    Thread.currentThread().join();
  }

  static void kafka(String bootstrap, int records) throws Exception {
    String topic = "bench.baseline." + UUID.randomUUID().toString().substring(0, 8);
    try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
    }
    Map<String, Object> producerConfig = new HashMap<>(KafkaConfig.producer(bootstrap));
    producerConfig.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    byte[] value = new byte[600];
    byte[] envelope = ("{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"OrderPlaced\",\"version\":1,\"payload\":{}}")
      .getBytes();
    for (int i = 0; i < value.length; i++) {
      value[i] = i < envelope.length ? envelope[i] : (byte) ('a' + (i * 7) % 26);
    }
    Properties consumerConfig = new Properties();
    consumerConfig.put("bootstrap.servers", bootstrap);
    consumerConfig.put("group.id", topic);
    consumerConfig.put("auto.offset.reset", "earliest");
    consumerConfig.put("enable.auto.commit", "false");
    consumerConfig.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    consumerConfig.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    AtomicInteger consumed = new AtomicInteger();
    Thread consumer = new Thread(() -> {
      try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig)) {
        c.subscribe(List.of(topic));
        while (consumed.get() < records) {
          ConsumerRecords<String, byte[]> batch = c.poll(Duration.ofMillis(100));
          consumed.addAndGet(batch.count());
          if (!batch.isEmpty()) {
            c.commitAsync();
          }
        }
      }
    });
    consumer.start();
    Thread.sleep(2_000); // let the consumer join its group
    long start = System.nanoTime();
    AtomicLong failed = new AtomicLong();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig)) {
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, "order-" + (i % 10_000), value), (md, e) -> {
          if (e != null) {
            failed.incrementAndGet();
          }
        });
      }
      producer.flush();
    }
    double produceSeconds = (System.nanoTime() - start) / 1e9;
    consumer.join(120_000);
    double seconds = (System.nanoTime() - start) / 1e9;
    result("kafka_produce_msgs_per_s", records / produceSeconds, "msg/s");
    result("kafka_produce_consume_msgs_per_s", consumed.get() / seconds, "msg/s");
    result("kafka_failed_sends", failed.get(), "records");
  }

  static void mysql(String jdbcUrl, int threads, int seconds) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE IF NOT EXISTS bench");
      s.execute("CREATE TABLE IF NOT EXISTS bench.rows_ (id BINARY(16) PRIMARY KEY, payload VARCHAR(600) NOT NULL,"
        + " created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB");
      try (ResultSet rs = s.executeQuery("SELECT @@innodb_flush_log_at_trx_commit, @@sync_binlog, @@log_bin")) {
        rs.next();
        System.out.println("mysql innodb_flush_log_at_trx_commit=" + rs.getString(1) + " sync_binlog=" + rs.getString(2)
          + " log_bin=" + rs.getString(3));
      }
    }
    String payload = "x".repeat(600);
    AtomicLong inserted = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      futures.add(pool.submit(() -> {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
             PreparedStatement ps = c.prepareStatement("INSERT INTO bench.rows_ (id, payload) VALUES (?, ?)")) {
          c.setAutoCommit(true);
          while (System.nanoTime() < end) {
            UUID id = UUID.randomUUID();
            ps.setBytes(1, java.nio.ByteBuffer.allocate(16).putLong(id.getMostSignificantBits())
              .putLong(id.getLeastSignificantBits()).array());
            ps.setString(2, payload);
            ps.executeUpdate();
            inserted.incrementAndGet();
          }
        }
        return null;
      }));
    }
    for (var f : futures) {
      f.get();
    }
    pool.shutdown();
    result("mysql_insert_tps_" + threads + "_threads", inserted.get() / ((System.nanoTime() - start) / 1e9), "tps");
  }

  static void idle(int seconds, long pid) throws Exception {
    Map<String, Long> before = OpenOrders.ticksByKind(pid);
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    double elapsed = (System.nanoTime() - start) / 1e9;
    Map<String, Long> after = OpenOrders.ticksByKind(pid);
    long all = 0;
    for (Map.Entry<String, Long> e : after.entrySet()) {
      long used = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      all += used;
      result("idle_cpu_ms_per_s_" + e.getKey(), used * 10.0 / elapsed, "ms/s");
    }
    result("idle_cpu_ms_per_s_total", all * 10.0 / elapsed, "ms/s"); // the target (< 0.05 cores) is 50 ms/s
    result("idle_cpu_cores", all / 100.0 / elapsed, "cores");
  }

  /** utime + stime of a process and all its descendants, in clock ticks (100/s on Linux). */
  public static long cpuTicks(long pid) {
    long total = 0;
    for (long p : family(pid)) {
      total += ownTicks(p);
    }
    return total;
  }

  /** utime + stime of one process (its threads), in clock ticks; 0 when it is gone. */
  public static long ownTicks(long p) {
    try {
      String stat = Files.readString(Path.of("/proc/" + p + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15: utime, stime
    } catch (Exception e) {
      return 0;
    }
  }

  public static List<Long> family(long pid) {
    List<Long> all = new ArrayList<>(List.of(pid));
    ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> all.add(d.pid())));
    return all;
  }

  static void orders(int seconds, int concurrency, long pid) throws Exception {
    String seller = Fixtures.member("SELLER");
    List<String> products = Fixtures.products(seller, "bench" + System.nanoTime(), 10, 1_000_000);
    Fixtures.awaitOrderable(products);
    List<String[]> customers = new ArrayList<>();
    ExecutorService setup = Executors.newFixedThreadPool(8);
    List<java.util.concurrent.Future<String[]>> made = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      made.add(setup.submit(Fixtures::customer));
    }
    for (var f : made) {
      customers.add(f.get());
    }
    setup.shutdown();
    Thread.sleep(3_000); // the customers' addresses reach the order service's projection
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    long ticks0 = cpuTicks(pid);
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    ExecutorService workers = Executors.newFixedThreadPool(concurrency);
    List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
    AtomicInteger next = new AtomicInteger();
    for (String[] customer : customers) {
      futures.add(workers.submit(() -> {
        while (System.nanoTime() < end) {
          String product = products.get(next.getAndIncrement() % products.size());
          String body = "{\"lines\":[{\"productId\":\"" + product + "\",\"quantity\":1}],\"addressId\":\"" + customer[1]
            + "\",\"paymentMethod\":\"BILLING\"}";
          long t0 = System.nanoTime();
          Fixtures.Response placed = Fixtures.call("POST", Settings.orderUrl() + "/orders", customer[0], body);
          if (placed.status() != 201) {
            failed.incrementAndGet();
            failures.add("place " + placed.status() + " " + placed.body());
            continue;
          }
          String orderId = placed.body().replaceAll(".*\"orderId\"\\s*:\\s*\"([^\"]+)\".*", "$1");
          String status = "PENDING";
          long deadline = t0 + 30_000_000_000L;
          while (!List.of("SHIPPING", "DELIVERED", "REJECTED", "PAYMENT_FAILED", "CANCELLED").contains(status)
            && System.nanoTime() < deadline) {
            try {
              Thread.sleep(20);
            } catch (InterruptedException e) {
              return null;
            }
            status = Fixtures.call("GET", Settings.orderUrl() + "/orders/" + orderId, customer[0], null).body()
              .replaceAll(".*\"status\"\\s*:\\s*\"([A-Z_]+)\".*", "$1");
          }
          if (status.equals("SHIPPING") || status.equals("DELIVERED")) {
            ok.incrementAndGet();
            latencies.add((System.nanoTime() - t0) / 1_000_000);
          } else {
            failed.incrementAndGet();
            failures.add("order " + orderId + " ended " + status);
          }
        }
        return null;
      }));
    }
    for (var f : futures) {
      f.get();
    }
    workers.shutdown();
    double elapsed = (System.nanoTime() - start) / 1e9;
    long ticks = cpuTicks(pid) - ticks0;
    List<Long> sorted = new ArrayList<>(latencies);
    sorted.sort(Long::compare);
    failures.stream().limit(5).forEach(f -> System.out.println("failure: " + f));
    result("orders_per_s", ok.get() / elapsed, "orders/s");
    result("orders_ok", ok.get(), "orders");
    result("orders_failed_or_stuck", failed.get(), "orders");
    if (!sorted.isEmpty()) {
      result("saga_p50_ms", sorted.get(sorted.size() / 2), "ms");
      result("saga_p99_ms", sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))), "ms");
    }
    result("platform_cpu_us_per_order", ok.get() == 0 ? 0 : ticks * 10_000.0 / ok.get(), "us");
  }
}
