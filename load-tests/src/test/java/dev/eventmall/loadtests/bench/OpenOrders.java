package dev.eventmall.loadtests.bench;

import dev.eventmall.loadtests.Fixtures;
import dev.eventmall.loadtests.Settings;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The order saga under an open workload: {@code POST /orders} is sent at a fixed rate for a fixed time whatever the
 * platform's pace (at most {@link #MAX_OUTSTANDING} requests open; a send that finds none free is counted as not sent),
 * and nobody polls. When the window closes, the order database is asked until every accepted order is SHIPPING or
 * terminal (or 120 s pass): the saga latency of an order is {@code orders.created_at} → the {@code order_timeline} row
 * that moved it to SHIPPING, both stamped by the order service; orders still short of that are stuck. CPU is utime +
 * stime of every process of the platform from the first POST until the last order settled, per process kind, divided
 * by the orders accepted.
 */
final class OpenOrders {
  static final int MAX_OUTSTANDING = 512;
  /** {@code -Dpoll.ms=25}: every accepted order is polled ({@code GET /orders/{id}}) at this interval until it settles,
   * as a customer's browser would, and the saga latency is the client's (POST sent → SHIPPING seen); 0 = nobody polls. */
  static final long POLL_MS = Long.getLong("poll.ms", 0);
  /** MariaDB's own counters, read before the first POST and after the last order settled. */
  static final List<String> DB_COUNTERS = List.of("Com_commit", "Handler_commit", "Questions", "Innodb_log_writes",
    "Innodb_os_log_fsyncs", "Com_insert", "Com_update", "Com_select");
  static final Set<String> SETTLED = Set.of("SHIPPING", "DELIVERED", "REJECTED", "PAYMENT_FAILED", "CANCELLED");
  static final Pattern ORDER_ID = Pattern.compile("\"orderId\"\\s*:\\s*\"([^\"]+)\"");

  private OpenOrders() {
  }

  static void run(double rate, int seconds, long pid, String jdbcUrl) throws Exception {
    String seller = Fixtures.member("SELLER");
    List<String> products = Fixtures.products(seller, "open" + System.nanoTime(), 10, 1_000_000);
    Fixtures.awaitOrderable(products);
    List<String[]> customers = new ArrayList<>();
    ExecutorService setup = Executors.newFixedThreadPool(4);
    List<java.util.concurrent.Future<String[]>> made = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      made.add(setup.submit(Fixtures::customer));
    }
    for (var f : made) {
      customers.add(f.get());
    }
    setup.shutdown();
    Thread.sleep(3_000); // the customers' addresses reach the order service's projection

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
      .executor(Executors.newFixedThreadPool(4)).build();
    Semaphore open = new Semaphore(MAX_OUTSTANDING);
    ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Long> postMicros = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicLong notSent = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    AtomicLong shed = new AtomicLong();
    ConcurrentLinkedQueue<Long> shedMicros = new ConcurrentLinkedQueue<>();
    Map<String, Long> clientSagaMicros = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, String> polledStatus = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.ScheduledExecutorService poller = Executors.newScheduledThreadPool(2);
    java.util.concurrent.atomic.AtomicInteger polling = new java.util.concurrent.atomic.AtomicInteger();
    Map<String, Long> counters0 = dbCounters(jdbcUrl);
    Map<String, Long> ticks0 = ticksByKind(pid);
    long total = Math.round(rate * seconds);
    long start = System.nanoTime();
    for (long i = 0; i < total; i++) {
      long due = start + (long) (i * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      if (!open.tryAcquire()) {
        notSent.incrementAndGet();
        continue;
      }
      String[] customer = customers.get((int) (i % customers.size()));
      String product = products.get((int) (i % products.size()));
      String body = "{\"lines\":[{\"productId\":\"" + product + "\",\"quantity\":1}],\"addressId\":\"" + customer[1]
        + "\",\"paymentMethod\":\"BILLING\"}";
      HttpRequest request = HttpRequest.newBuilder(URI.create(Settings.orderUrl() + "/orders"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + customer[0]).POST(HttpRequest.BodyPublishers.ofString(body)).build();
      long t0 = System.nanoTime();
      http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
        open.release();
        if (e != null) {
          refused.incrementAndGet();
          failures.add("POST failed: " + e);
          return;
        }
        if (r.statusCode() == 503) {
          shed.incrementAndGet();
          shedMicros.add((System.nanoTime() - t0) / 1_000);
          return;
        }
        Matcher m = ORDER_ID.matcher(r.body());
        if (r.statusCode() != 201 || !m.find()) {
          refused.incrementAndGet();
          failures.add("POST " + r.statusCode() + " " + r.body());
          return;
        }
        postMicros.add((System.nanoTime() - t0) / 1_000);
        accepted.add(m.group(1));
        if (POLL_MS > 0) {
          polling.incrementAndGet();
          poll(http, poller, customer[0], m.group(1), t0, clientSagaMicros, polledStatus, polling);
        }
      });
    }
    long sendEnd = System.nanoTime();
    open.acquire(MAX_OUTSTANDING); // every answer is in
    double window = (sendEnd - start) / 1e9;

    long pollDeadline = System.nanoTime() + 120_000_000_000L;
    while (polling.get() > 0 && System.nanoTime() < pollDeadline) {
      Thread.sleep(50);
    }
    poller.shutdownNow();
    List<String> ids = new ArrayList<>(accepted);
    Map<String, String> status = new HashMap<>();
    Map<String, Long> sagaMicros = new HashMap<>();
    try (Connection db = DriverManager.getConnection(jdbcUrl)) {
      long settleDeadline = System.nanoTime() + 120_000_000_000L;
      while (true) {
        status = statuses(db, ids);
        long unsettled = status.values().stream().filter(s -> !SETTLED.contains(s)).count();
        if (unsettled == 0 || System.nanoTime() > settleDeadline) {
          break;
        }
        Thread.sleep(200);
      }
      sagaMicros = sagaLatencies(db, ids);
    }
    long settledAt = System.nanoTime();
    Map<String, Long> ticks1 = ticksByKind(pid);
    Map<String, Long> counters1 = dbCounters(jdbcUrl);

    Map<String, Long> byStatus = status.values().stream()
      .collect(Collectors.groupingBy(s -> s, LinkedHashMap::new, Collectors.counting()));
    long shipped = byStatus.getOrDefault("SHIPPING", 0L) + byStatus.getOrDefault("DELIVERED", 0L);
    long stuck = status.values().stream().filter(s -> !SETTLED.contains(s)).count();
    failures.stream().limit(5).forEach(f -> System.out.println("failure: " + f));
    System.out.println("final states: " + byStatus);
    Bench.result("open_rate_target", rate, "orders/s");
    Bench.result("open_orders_accepted", ids.size(), "orders");
    Bench.result("open_accepted_per_s", ids.size() / window, "orders/s");
    Bench.result("open_not_sent_client_limit", notSent.get(), "orders");
    Bench.result("open_post_refused", refused.get(), "orders");
    Bench.result("open_post_shed_503", shed.get(), "orders");
    percentiles("open_shed", new ArrayList<>(shedMicros));
    Bench.result("open_shipped", shipped, "orders");
    Bench.result("open_stuck", stuck, "orders");
    Bench.result("open_other_terminal", ids.size() - shipped - stuck, "orders");
    Bench.result("open_settle_seconds_after_window", (settledAt - sendEnd) / 1e9, "s");
    percentiles("open_post", new ArrayList<>(postMicros));
    percentiles("open_saga", new ArrayList<>(sagaMicros.values()));
    if (POLL_MS > 0) {
      percentiles("open_client_saga", new ArrayList<>(clientSagaMicros.values()));
    }
    for (String counter : DB_COUNTERS) {
      long delta = counters1.getOrDefault(counter, 0L) - counters0.getOrDefault(counter, 0L);
      Bench.result("open_db_" + counter.toLowerCase() + "_per_order", ids.isEmpty() ? 0 : (double) delta / ids.size(),
        "per order");
    }
    long all = 0;
    for (Map.Entry<String, Long> e : ticks1.entrySet()) {
      long used = e.getValue() - ticks0.getOrDefault(e.getKey(), 0L);
      all += used;
      Bench.result("open_cpu_us_per_order_" + e.getKey(), ids.isEmpty() ? 0 : used * 10_000.0 / ids.size(), "us");
    }
    Bench.result("open_cpu_us_per_order_total", ids.isEmpty() ? 0 : all * 10_000.0 / ids.size(), "us");
    Bench.result("open_cpu_cores_busy", all / 100.0 / ((settledAt - start) / 1e9), "cores");
  }

  /** Polls one order every {@link #POLL_MS} until it settles (or 60 s pass); records the client's saga latency. */
  static void poll(HttpClient http, java.util.concurrent.ScheduledExecutorService poller, String token, String orderId,
                   long t0, Map<String, Long> sagaMicros, Map<String, String> last,
                   java.util.concurrent.atomic.AtomicInteger polling) {
    poller.schedule(() -> {
      HttpRequest get = HttpRequest.newBuilder(URI.create(Settings.orderUrl() + "/orders/" + orderId))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).GET().build();
      http.sendAsync(get, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
        String status = null;
        if (e == null && r.statusCode() == 200) {
          Matcher m = STATUS.matcher(r.body());
          status = m.find() ? m.group(1) : null;
        }
        if (status != null) {
          last.put(orderId, status);
        }
        if (status != null && SETTLED.contains(status)) {
          if (status.equals("SHIPPING") || status.equals("DELIVERED")) {
            sagaMicros.put(orderId, (System.nanoTime() - t0) / 1_000);
          }
          polling.decrementAndGet();
        } else if (System.nanoTime() - t0 > 60_000_000_000L) {
          polling.decrementAndGet();
        } else {
          poll(http, poller, token, orderId, t0, sagaMicros, last, polling);
        }
      });
    }, POLL_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([A-Z_]+)\"");

  /** MariaDB's global counters of {@link #DB_COUNTERS}; empty when the server cannot be asked. */
  static Map<String, Long> dbCounters(String jdbcUrl) {
    Map<String, Long> out = new HashMap<>();
    try (Connection db = DriverManager.getConnection(jdbcUrl);
         PreparedStatement ps = db.prepareStatement("SHOW GLOBAL STATUS WHERE Variable_name IN ("
           + marks(DB_COUNTERS.size()) + ")")) {
      bind(ps, DB_COUNTERS);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
    } catch (Exception e) {
      System.out.println("failure: MariaDB counters not read: " + e);
    }
    return out;
  }

  static void percentiles(String name, List<Long> micros) {
    if (micros.isEmpty()) {
      return;
    }
    micros.sort(Long::compare);
    for (double p : new double[] {0.5, 0.95, 0.99}) {
      long v = micros.get(Math.min(micros.size() - 1, (int) (micros.size() * p)));
      Bench.result(name + "_p" + (int) (p * 100) + "_ms", v / 1000.0, "ms");
    }
    Bench.result(name + "_max_ms", micros.get(micros.size() - 1) / 1000.0, "ms");
  }

  static Map<String, String> statuses(Connection db, List<String> ids) throws Exception {
    Map<String, String> out = new HashMap<>();
    for (List<String> chunk : chunks(ids)) {
      try (PreparedStatement ps = db.prepareStatement(
        "SELECT order_id, status FROM orders WHERE order_id IN (" + marks(chunk.size()) + ")")) {
        bind(ps, chunk);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1), rs.getString(2));
          }
        }
      }
    }
    return out;
  }

  static Map<String, Long> sagaLatencies(Connection db, List<String> ids) throws Exception {
    Map<String, Long> out = new HashMap<>();
    for (List<String> chunk : chunks(ids)) {
      try (PreparedStatement ps = db.prepareStatement(
        "SELECT o.order_id, TIMESTAMPDIFF(MICROSECOND, o.created_at, MIN(t.recorded_at)) FROM orders o "
          + "JOIN order_timeline t ON t.order_id = o.order_id AND t.to_status = 'SHIPPING' "
          + "WHERE o.order_id IN (" + marks(chunk.size()) + ") GROUP BY o.order_id, o.created_at")) {
        bind(ps, chunk);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
    }
    return out;
  }

  static List<List<String>> chunks(List<String> ids) {
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += 500) {
      out.add(ids.subList(i, Math.min(ids.size(), i + 500)));
    }
    return out;
  }

  static String marks(int n) {
    return String.join(",", java.util.Collections.nCopies(n, "?"));
  }

  static void bind(PreparedStatement ps, List<String> values) throws Exception {
    for (int i = 0; i < values.size(); i++) {
      ps.setString(i + 1, values.get(i));
    }
  }

  /** CPU ticks of the platform's processes, by kind (jvm = the services' JVM, kafka, cassandra, mariadb, redis). */
  static Map<String, Long> ticksByKind(long pid) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (long p : Bench.family(pid)) {
      try {
        String cmd = Files.readString(Path.of("/proc/" + p + "/cmdline")).replace('\0', ' ');
        String kind = p == pid || cmd.contains(".jar") && cmd.contains("-jar ") ? "services_jvm" : cmd.contains("kafka.Kafka") ? "kafka"
          : cmd.contains("CassandraDaemon") ? "cassandra" : cmd.contains("mariadbd") || cmd.contains("mysqld") ? "mariadb"
          : cmd.contains("redis-server") ? "redis" : null;
        if (kind != null) {
          out.merge(kind, Bench.ownTicks(p), Long::sum);
        }
      } catch (Exception gone) {
        // the process ended
      }
    }
    return out;
  }
}
