package dev.eventmall.member;

import dev.eventmall.common.http.DomainProblems;
import dev.eventmall.common.http.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16 row 5: password hashing runs on a gate of its own — at most threads + queue at once, the rest refused at once
 * with a 503 problem carrying Retry-After — on threads that are not Vert.x's shared worker pool.
 */
class PasswordWorkTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void pastThreadsPlusQueueHashesAreRefusedAtOnceAndTheGateReopens() {
    PasswordWork work = new PasswordWork(vertx, 1, 2);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    List<Future<String>> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      all.add(work.run(() -> {
        threads.add(Thread.currentThread().getName());
        Thread.sleep(300);
        return "hashed";
      }));
    }
    List<Future<String>> refused = all.subList(3, 6);
    for (Future<String> f : refused) {
      assertThat(f.failed()).as("refused without waiting").isTrue();
      assertThat(f.cause()).isInstanceOf(PasswordWork.Busy.class);
      ProblemException p = DomainProblems.of((PasswordWork.Busy) f.cause());
      assertThat(p.problem().toJson()).isEqualTo(new JsonObject().put("type", "https://eventmall.dev/problems/busy")
        .put("title", "Service Busy").put("status", 503)
        .put("detail", "Too many password checks are waiting; retry shortly"));
      assertThat(p.headers()).isEqualTo(java.util.Map.of("Retry-After", "1", "Retry-After-Ms", "500"));
    }
    for (Future<String> f : all.subList(0, 3)) {
      assertThat(f.await()).isEqualTo("hashed");
    }
    assertThat(threads).hasSize(1).allMatch(name -> name.startsWith(PasswordWork.EXECUTOR));
    assertThat(work.run(() -> "again").await()).isEqualTo("again");
  }
}
