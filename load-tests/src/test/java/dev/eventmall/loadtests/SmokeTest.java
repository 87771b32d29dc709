package dev.eventmall.loadtests;

import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.common.testing.TestInfra;
import dev.eventmall.devstack.Platform;
import io.gatling.app.Gatling$;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI's load smoke: the whole platform in this JVM on free ports over TestInfra's real servers (as devstack's E2E), then
 * {@link SmokeSimulation} through Gatling's launcher with the base URLs as system properties. Passes only when Gatling
 * exits 0, i.e. its assertion "no failed request" held. No timing is asserted here.
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class SmokeTest {
  static Platform platform;

  @BeforeAll
  static void start() {
    Map<String, String> env = new HashMap<>(Map.of(
      "KAFKA_BOOTSTRAP_SERVERS", TestInfra.kafka(),
      "MYSQL_URI", TestInfra.mysqlUri(),
      "REDIS_URL", TestInfra.redisUrl(),
      "CASSANDRA_CONTACT_POINTS", TestInfra.cassandraContactPoint(),
      "CASSANDRA_LOCAL_DC", TestInfra.cassandraLocalDc(),
      "CASSANDRA_SCHEMA_WINDOW_MS", "10"));
    // a fast world, as in devstack's E2E: the carrier accepts at once and moves a parcel every 300 ms
    env.put("CARRIER_STEP_MS", "300");
    env.put("DELIVERY_POLL_INTERVAL_MS", "200");
    env.put("DELIVERY_DISPATCH_INTERVAL_MS", "200");
    platform = Platform.start(env, false);
    for (String service : new String[] {"member", "catalog", "search", "order", "payment"}) {
      System.setProperty(service + ".url", "http://127.0.0.1:" + platform.ports().get(service));
    }
    // the billing-auth window's stand-in (cards are registered as the browser does)
    System.setProperty("toss.url", platform.emulators().toss().baseUrl());
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void theSmokeSimulationRunsWithoutAFailedRequest() {
    System.setProperty("duration", System.getProperty("smoke.duration", "15"));
    Path results = Path.of("target", "gatling");
    int exit = Gatling$.MODULE$.fromArgs(new String[] {
      "--simulation", SmokeSimulation.class.getName(),
      "--results-folder", results.toAbsolutePath().toString(),
      "--launcher", "maven"});
    assertThat(exit).as("Gatling's exit code (non-zero: an assertion failed; report under %s)", results).isZero();
  }
}
