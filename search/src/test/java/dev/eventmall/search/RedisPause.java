package dev.eventmall.search;

import dev.eventmall.common.testing.Await;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Stops a verticle while Redis holds its periodic command, for the tests of a stop that waits for that command. */
final class RedisPause {
  private RedisPause() {
  }

  /**
   * Three times: deploys {@code verticle}, makes Redis hold every client's commands for 300 ms ({@code CLIENT PAUSE}) so
   * that the verticle's next periodic command (due within milliseconds) is under way, then undeploys it and asserts the
   * stop waited for that command (more than 150 ms) and did not hang (less than 1.5 s).
   */
  static void stopMidCommand(Vertx vertx, Redis admin, Supplier<? extends Deployable> verticle, String command)
    throws InterruptedException {
    for (int round = 0; round < 3; round++) {
      String id = Await.result(vertx.deployVerticle(verticle.get()));
      Await.result(RedisAPI.api(admin).client(List.of("PAUSE", "300", "ALL")));
      Thread.sleep(50);
      long stopping = System.nanoTime();
      Await.result(vertx.undeploy(id));
      Duration took = Duration.ofNanos(System.nanoTime() - stopping);
      assertThat(took).as("the stop waited for the paused " + command).isGreaterThan(Duration.ofMillis(150))
        .isLessThan(Duration.ofMillis(1_500));
      Thread.sleep(300); // the pause is over before the next round
    }
  }
}
