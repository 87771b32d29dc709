package dev.eventmall.common.async;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class HomeContextTest {
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Runs {@code body} on {@code context} and waits for the future it answers. */
  private static <T> T on(Context context, java.util.function.Supplier<Future<T>> body) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(v -> body.get().onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete(ar.result());
      } else {
        done.completeExceptionally(ar.cause());
      }
    }));
    return done.get(10, TimeUnit.SECONDS);
  }

  /** The contexts of two verticle instances, which Vert.x puts on two event loops (round-robin). */
  private List<Context> twoEventLoops() throws Exception {
    List<Context> contexts = Collections.synchronizedList(new ArrayList<>());
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        contexts.add(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(2)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return contexts;
  }

  /** A {@link HomeContext} bound to {@code home}, as the first instance to start binds it. */
  private static HomeContext boundTo(Context home) throws Exception {
    HomeContext shared = new HomeContext();
    assertThat(on(home, () -> Future.succeededFuture(shared.bind()))).isSameAs(home);
    return shared;
  }

  @Test
  void workCalledFromAnotherEventLoopRunsOnTheHomeAndAnswersOnTheCaller() throws Exception {
    List<Context> contexts = twoEventLoops();
    Context home = contexts.get(0);
    Context other = contexts.get(1);
    HomeContext shared = boundTo(home);

    List<String> threads = Collections.synchronizedList(new ArrayList<>());
    String answeredOn = on(other, () -> shared.call(() -> {
      threads.add(Thread.currentThread().getName());
      assertThat(Vertx.currentContext()).isSameAs(home);
      return Future.succeededFuture("done");
    }).map(r -> {
      assertThat(Vertx.currentContext()).isSameAs(other);
      return r + " on " + Thread.currentThread().getName();
    }));

    String homeThread = on(home, () -> Future.succeededFuture(Thread.currentThread().getName()));
    String otherThread = on(other, () -> Future.succeededFuture(Thread.currentThread().getName()));
    assertThat(homeThread).isNotEqualTo(otherThread);
    assertThat(threads).containsExactly(homeThread);
    assertThat(answeredOn).isEqualTo("done on " + otherThread);
  }

  @Test
  void anotherContextOnTheHomesEventLoopRunsTheWorkInPlace() throws Exception {
    List<Context> contexts = twoEventLoops();
    Context home = contexts.get(0);
    HomeContext shared = boundTo(home);
    // a message's handler runs on a context of its own on the consumer's event loop, as a request's does beside its
    // verticle's: the work keeps that context (and its locals), nothing is handed over
    CompletableFuture<Boolean> inPlace = new CompletableFuture<>();
    home.runOnContext(v -> {
      vertx.eventBus().<String>localConsumer("home-context-test", msg -> {
        Context here = Vertx.currentContext();
        assertThat(here).isNotSameAs(home);
        shared.call(() -> Future.succeededFuture(Vertx.currentContext() == here))
          .onComplete(ar -> inPlace.complete(ar.succeeded() && ar.result()));
      }).completion().onSuccess(x -> vertx.eventBus().send("home-context-test", "go"));
    });
    assertThat(inPlace.get(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aFailureAndAThrownExceptionReachTheCaller() throws Exception {
    List<Context> contexts = twoEventLoops();
    Context home = contexts.get(0);
    Context other = contexts.get(1);
    HomeContext shared = boundTo(home);
    String failed = on(other, () -> shared.<String>call(() -> Future.failedFuture(new IllegalStateException("no")))
      .recover(e -> Future.succeededFuture(e.getMessage())));
    String thrown = on(other, () -> shared.<String>call(() -> {
      throw new IllegalArgumentException("thrown");
    }).recover(e -> Future.succeededFuture(e.getMessage())));
    assertThat(failed).isEqualTo("no");
    assertThat(thrown).isEqualTo("thrown");
  }

  @Test
  void aSecondBindKeepsTheFirstHomeAndCallsOnTheHomeRunInPlace() throws Exception {
    List<Context> contexts = twoEventLoops();
    Context home = contexts.get(0);
    Context other = contexts.get(1);
    HomeContext shared = boundTo(home);
    assertThat(on(other, () -> Future.succeededFuture(shared.bind()))).isSameAs(home);
    // on the home the work runs inline: a promise completed later is the very future the work answered
    Boolean same = on(home, () -> {
      Promise<String> later = Promise.promise();
      Future<String> answer = shared.call(later::future);
      boolean identical = answer == later.future();
      later.complete("x");
      return Future.succeededFuture(identical);
    });
    assertThat(same).isTrue();
  }

  @Test
  void unboundItRunsWhereCalledAndFromAThreadWithoutAContextItRunsOnTheHome() throws Exception {
    HomeContext unbound = new HomeContext();
    assertThat(unbound.call(() -> Future.succeededFuture(Thread.currentThread().getName())).result())
      .isEqualTo(Thread.currentThread().getName());

    Context home = vertx.getOrCreateContext();
    HomeContext shared = boundTo(home);
    String homeThread = on(home, () -> Future.succeededFuture(Thread.currentThread().getName()));
    String ranOn = shared.call(() -> Future.succeededFuture(Thread.currentThread().getName()))
      .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(ranOn).isEqualTo(homeThread);
  }
}
