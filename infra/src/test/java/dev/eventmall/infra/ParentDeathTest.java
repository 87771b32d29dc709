package dev.eventmall.infra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Servers die with the JVM that started them even when it is SIGKILLed (no shutdown hook runs). */
class ParentDeathTest {

  @Test
  void serversDieWhenTheirParentIsKilled() throws Exception {
    Process holder = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Holder.class.getName())
        .redirectErrorStream(true)
        .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
        StandardCharsets.UTF_8))) {
      List<Integer> ports = null;
      String line;
      while ((line = out.readLine()) != null) { // ends when the holder exits
        System.out.println("[holder] " + line);
        if (line.startsWith("PORTS ")) {
          ports = List.of(Integer.parseInt(line.split(" ")[1]), Integer.parseInt(line.split(" ")[2]));
          break;
        }
      }
      assertTrue(ports != null, "holder started Redis and Kafka");
      ports.forEach(port -> assertTrue(Ports.accepts(port), "port " + port + " open"));

      holder.destroyForcibly(); // SIGKILL
      assertTrue(holder.waitFor(10, TimeUnit.SECONDS));

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (ports.stream().anyMatch(Ports::accepts) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      for (int port : ports) {
        assertFalse(Ports.accepts(port), "port " + port + " closed within 30 s of the parent's SIGKILL");
      }
    } finally {
      holder.destroyForcibly();
    }
  }

  /** Starts a native server (sh watchdog) and a JVM server (ParentWatch), prints their ports, waits. */
  public static final class Holder {
    public static void main(String[] args) throws InterruptedException {
      RedisServer redis = RedisServer.start();
      KafkaCluster kafka = KafkaCluster.start();
      System.out.println("PORTS " + redis.port() + " " + kafka.port(0));
      System.out.flush();
      Thread.sleep(TimeUnit.MINUTES.toMillis(5));
    }
  }
}
