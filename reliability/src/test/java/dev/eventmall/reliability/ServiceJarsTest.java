package dev.eventmall.reliability;

import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.infra.ServiceProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every service runs alone as {@code java -jar <service>/target/<service>.jar} with its environment (what compose and an
 * operator do): it starts, answers {@code /health/ready} 200 and stays up. (Search's jar used to exit 0 in the middle
 * of its start: {@code main} returned while only daemon threads — the Kafka admin client's — were alive, before any
 * event loop had started; {@code ServiceMain} now waits for the deployment.)
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class ServiceJarsTest {

  @BeforeAll
  static void start() {
    Rel.platform();
  }

  @Test
  void eachServiceRunsAloneFromItsJarAndStaysUp() throws Exception {
    for (String service : List.of("member", "search", "catalog", "order", "payment", "delivery")) {
      ServiceProcess process = Processes.asProcess(service);
      try {
        Await.until(service + " ready from its jar", Duration.ofSeconds(60),
          () -> Rel.call(service, "GET", "/health/ready", null, null).status() == 200);
        Thread.sleep(2_000);
        assertThat(process.alive()).as("%s still running 2 s after it was ready; its log:%n%s", service,
          process.tail(30)).isTrue();
        assertThat(Rel.call(service, "GET", "/health/live", null, null).status()).as(service + " live").isEqualTo(200);
      } finally {
        Processes.backInJvm(service, process);
      }
    }
  }
}
