package dev.eventmall.common;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one service skeleton: steps start in the order declared, stop in reverse, and a start that fails half-way leaves
 * nothing running (what had started is undone, in reverse). What is observed: the verticles Vert.x has deployed and
 * the order in which each step started and stopped.
 */
@ExtendWith(VertxExtension.class)
class ServiceDeploymentTest {
  private static final Config CONFIG = Config.of(Map.of());

  /** A verticle that notes its start and stop; it fails to start when {@code failing}. */
  static final class Noting extends VerticleBase {
    private final String name;
    private final List<String> log;
    private final boolean failing;
    private final int port;

    Noting(String name, List<String> log, boolean failing, int port) {
      this.name = name;
      this.log = log;
      this.failing = failing;
      this.port = port;
    }

    int port() {
      return port;
    }

    @Override
    public Future<?> start() {
      log.add("start " + name);
      return failing ? Future.failedFuture(name + " cannot start") : Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      log.add("stop " + name);
      return Future.succeededFuture();
    }
  }

  @Test
  void stepsStartInOrderAndStopInReverse(Vertx vertx) {
    List<String> log = new CopyOnWriteArrayList<>();
    ServiceDeployment deployment = Await.result(ServiceDeployment.steps(vertx, CONFIG)
      .closing(() -> {
        log.add("close pool");
        return Future.succeededFuture();
      })
      .prepare(() -> note(log, "migrate"))
      .then(() -> note(log, "seed"))
      .verticle(() -> new Noting("relay", log, false, 0))
      .step(() -> Future.succeededFuture("session"), session -> note(log, "close " + session))
      .http(() -> new Noting("http", log, false, 8123), Noting::port, 2)
      .part(String.class, "shared with the tests")
      .start());

    assertThat(deployment.httpPort()).isEqualTo(8123);
    assertThat(deployment.part(String.class)).isEqualTo("shared with the tests");
    assertThatThrownBy(() -> deployment.part(Integer.class)).isInstanceOf(IllegalArgumentException.class);
    assertThat(vertx.deploymentIDs()).as("the relay and the HTTP deployment").hasSize(2);
    assertThat(log).containsExactly("migrate", "seed", "start relay", "start http", "start http");

    log.clear();
    Await.result(deployment.undeploy(vertx));
    assertThat(vertx.deploymentIDs()).isEmpty();
    assertThat(log).containsExactly("stop http", "stop http", "close session", "stop relay", "close pool");
  }

  @Test
  void aStepThatFailsUndoesWhatStartedInReverseAndFailsWithItsError(Vertx vertx) {
    List<String> log = new CopyOnWriteArrayList<>();
    Future<ServiceDeployment> started = ServiceDeployment.steps(vertx, CONFIG)
      .closing(() -> note(log, "close pool"))
      .verticle(() -> new Noting("relay", log, false, 0))
      .verticle(() -> new Noting("events", log, false, 0))
      .verticle(() -> new Noting("bridge", log, true, 0))
      .http(() -> new Noting("http", log, false, 8123), Noting::port, 1)
      .start();

    assertThatThrownBy(() -> Await.result(started)).hasMessageContaining("bridge cannot start");
    assertThat(vertx.deploymentIDs()).as("a half-started service must not keep consuming").isEmpty();
    assertThat(log).containsExactly("start relay", "start events", "start bridge",
      "stop events", "stop relay", "close pool");
  }

  @Test
  void preparationsRunTogetherAndAFailedOneStartsNothing(Vertx vertx) {
    List<String> log = new CopyOnWriteArrayList<>();
    Promise<Void> migration = Promise.promise();
    Future<ServiceDeployment> started = ServiceDeployment.steps(vertx, CONFIG)
      .prepare(() -> {
        log.add("migrate");
        return migration.future();
      })
      .prepare(() -> {
        log.add("topics");
        throw new IllegalStateException("no broker");
      })
      .verticle(() -> new Noting("relay", log, false, 0))
      .start();

    assertThat(log).as("the second preparation did not wait for the first").containsExactly("migrate", "topics");
    assertThatThrownBy(() -> Await.result(started)).hasMessageContaining("no broker");
    migration.complete();
    assertThat(vertx.deploymentIDs()).isEmpty();
    assertThat(log).containsExactly("migrate", "topics");
  }

  @Test
  void aStepThatFailsToStopDoesNotKeepTheOthersRunning(Vertx vertx) {
    List<String> log = new CopyOnWriteArrayList<>();
    ServiceDeployment deployment = Await.result(ServiceDeployment.steps(vertx, CONFIG)
      .verticle(() -> new Noting("relay", log, false, 0))
      .closing(() -> Future.failedFuture("pool already closed"))
      .verticle(() -> new Noting("events", log, false, 0))
      .start());

    assertThatThrownBy(() -> Await.result(deployment.undeploy(vertx))).hasMessageContaining("pool already closed");
    assertThat(vertx.deploymentIDs()).isEmpty();
    assertThat(log).containsExactly("start relay", "start events", "stop events", "stop relay");
  }

  @Test
  void aBadSettingReadWhileDeclaringTheStepsIsAFailedStart(Vertx vertx) {
    Future<ServiceDeployment> started = ServiceDeployment.deploy(() -> {
      int instances = Config.of(Map.of("HTTP_INSTANCES", "many")).getInt("HTTP_INSTANCES", 1);
      return ServiceDeployment.steps(vertx, CONFIG)
        .http(() -> new Noting("http", new CopyOnWriteArrayList<>(), false, 8123), Noting::port, instances)
        .start();
    });
    assertThat(started.failed()).as("failed at once, nothing thrown at the caller").isTrue();
    assertThat(started.cause()).hasMessageContaining("HTTP_INSTANCES");
    assertThat(vertx.deploymentIDs()).isEmpty();
  }

  private static Future<Void> note(List<String> log, String what) {
    log.add(what);
    return Future.succeededFuture();
  }
}
