package dev.eventmall.common;

import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.db.ReplicaLagVerticle;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.kafka.KafkaTopics;
import dev.eventmall.common.kafka.Subscription;
import dev.eventmall.common.outbox.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

/**
 * A started service: the HTTP port it listens on, how to stop it, and the few objects its tests need to reach
 * ({@link #part}). Every {@code <Service>App.deploy} builds one with {@link #steps}: the steps are declared in the order
 * they run (migrate, create topics, the outbox relay, the events verticle, the Kafka bridges, the HTTP instances...);
 * when one fails, what had started is undone in reverse and the start fails with that step's error;
 * {@link #undeploy} undoes everything in reverse. {@code ServiceMain}, devstack, the reliability module and the tests
 * all get this one type.
 */
public final class ServiceDeployment implements ServiceMain.Started {
  private final int httpPort;
  private final List<Supplier<Future<?>>> undo;
  private final Map<Class<?>, Object> parts;

  private ServiceDeployment(int httpPort, List<Supplier<Future<?>>> undo, Map<Class<?>, Object> parts) {
    this.httpPort = httpPort;
    this.undo = List.copyOf(undo);
    this.parts = Map.copyOf(parts);
  }

  /**
   * What {@code deploy} answers, or a failed future when it throws instead (a bad setting read while the steps are
   * declared): a {@code <Service>App.deploy} is {@code return ServiceDeployment.deploy(() -> steps(..)....start());}.
   */
  public static Future<ServiceDeployment> deploy(Supplier<Future<ServiceDeployment>> deploy) {
    return attempt(deploy);
  }

  /** The steps of a service on {@code vertx} configured by {@code config}, none declared yet. */
  public static Steps steps(Vertx vertx, Config config) {
    return new Steps(vertx, config);
  }

  @Override
  public int httpPort() {
    return httpPort;
  }

  /**
   * Undoes every step in reverse order of their start (verticles undeployed, resources closed). A step that fails to
   * stop does not keep the others from stopping; the answer is then the first such failure.
   */
  @Override
  public Future<Void> undeploy(Vertx vertx) {
    return undoInReverse(undo);
  }

  /** The object of {@code type} the deployment shares with its callers ({@link Steps#part}). */
  public <T> T part(Class<T> type) {
    Object part = parts.get(type);
    if (part == null) {
      throw new IllegalArgumentException("this deployment has no " + type.getSimpleName());
    }
    return type.cast(part);
  }

  private static Future<Void> undoInReverse(List<Supplier<Future<?>>> undo) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = undo.size() - 1; i >= 0; i--) {
      Supplier<Future<?>> step = undo.get(i);
      chain = chain.transform(before -> run(step).transform(now -> {
        Throwable first = before.failed() ? before.cause() : now.cause();
        return first == null ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(first);
      }));
    }
    return chain;
  }

  /** {@code step}'s future, or a failed one when it throws instead. */
  private static <T> Future<T> attempt(Supplier<? extends Future<T>> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static Future<Void> run(Supplier<? extends Future<?>> step) {
    return attempt(() -> step.get().<Void>mapEmpty());
  }

  /**
   * The start of a service, declared step by step in the order the steps run. Consecutive preparations
   * ({@link #migrate}, {@link #topics}, {@link #prepare}) run together: they leave nothing to undo. Every other step
   * runs once the one before it has succeeded.
   */
  public static final class Steps {
    private final Vertx vertx;
    private final Config config;
    private final List<Step> steps = new ArrayList<>();
    private final Map<Class<?>, Object> parts = new HashMap<>();
    private Supplier<Integer> port;

    private Steps(Vertx vertx, Config config) {
      this.vertx = vertx;
      this.config = config;
    }

    /**
     * Preparation: the Flyway migrations of the database {@code mysqlUri}, the common ones
     * ({@link Database#COMMON_MIGRATIONS}) and the service's at {@code location}.
     */
    public Steps migrate(String mysqlUri, String location) {
      return prepare(() -> Database.migrate(vertx, mysqlUri, Database.COMMON_MIGRATIONS, location));
    }

    /**
     * Preparation: the topics the service produces to and those its subscriptions read exist, each with its
     * dead-letter topic ({@link KafkaTopics#ensure}: {@link KafkaTopics#PARTITIONS} partitions, replication factor 3
     * or the number of brokers if fewer).
     */
    public Steps topics(List<String> produced, Subscription... consumed) {
      List<String> topics = Stream.concat(produced.stream(), Stream.of(consumed).flatMap(s -> s.topics().stream()))
        .distinct().flatMap(t -> Stream.of(t, Topics.dlq(t))).toList();
      return prepare(() -> KafkaTopics.ensure(vertx, config.kafkaBootstrapServers(), topics,
        KafkaTopics.partitions(config), 3));
    }

    /** Preparation: any other work that must be done first and leaves nothing to undo (a Cassandra schema...). */
    public Steps prepare(Supplier<? extends Future<?>> preparation) {
      Step last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
      if (last instanceof Preparations together) {
        together.all.add(preparation);
      } else {
        Preparations together = new Preparations(new ArrayList<>());
        together.all.add(preparation);
        steps.add(together);
      }
      return this;
    }

    /** A step that leaves nothing to undo and runs after the steps before it (a seed that needs the migrations...). */
    public Steps then(Supplier<? extends Future<?>> step) {
      return add(() -> run(step).map(v -> (Supplier<Future<?>>) null));
    }

    /** A step whose result {@code stop} undoes (on {@link #undeploy}, or when a later step fails). */
    public <T> Steps step(Supplier<? extends Future<T>> start, Function<T, Future<?>> stop) {
      return add(() -> attempt(start).map(result -> () -> stop.apply(result)));
    }

    /** Undone only: {@code stop} runs when everything declared after it has been undone (resources made up front). */
    public Steps closing(Supplier<? extends Future<?>> stop) {
      return add(() -> Future.succeededFuture(stop::get));
    }

    /** A verticle (one instance), made when its turn comes and undeployed on stop. */
    public Steps verticle(Supplier<? extends Deployable> verticle) {
      return step(() -> vertx.deployVerticle(verticle.get()), vertx::undeploy);
    }

    /** The transactional outbox's relay of the database {@code mysqlUri} ({@link OutboxRelay}). */
    public Steps outboxRelay(String mysqlUri) {
      return verticle(() -> new OutboxRelay(OutboxRelay.Options.from(config, mysqlUri, config.kafkaBootstrapServers())));
    }

    /** The Kafka bridge of one consumer group ({@link KafkaEventBridge}). */
    public Steps bridge(KafkaEventBridge.Options options) {
      return verticle(() -> new KafkaEventBridge(options));
    }

    /** The replica lag sampler of {@code database}, when a read replica is configured ({@link ReplicaLagVerticle}). */
    public Steps replicaLag(String database, MeterRegistry registry) {
      return step(() -> ReplicaLagVerticle.deployIfConfigured(vertx, config, database, registry),
        id -> id == null ? Future.succeededFuture() : vertx.undeploy(id));
    }

    /**
     * The HTTP verticle, {@code instances} of it (at least one); the deployment's {@link #httpPort} is the one the first
     * instance made listens on ({@code port}, read once they all started).
     */
    public <V extends Deployable> Steps http(Supplier<V> verticle, ToIntFunction<V> port, int instances) {
      List<V> made = new CopyOnWriteArrayList<>();
      this.port = () -> port.applyAsInt(made.get(0));
      return step(() -> vertx.deployVerticle(() -> {
        V instance = verticle.get();
        made.add(instance);
        return instance;
      }, new DeploymentOptions().setInstances(Math.max(1, instances))), vertx::undeploy);
    }

    /** Shares {@code part} with the callers of the deployment ({@link ServiceDeployment#part}), e.g. for tests. */
    public <T> Steps part(Class<T> type, T part) {
      parts.put(type, part);
      return this;
    }

    /** Runs the steps in order; a failure undoes what started, in reverse, and fails with that step's error. */
    public Future<ServiceDeployment> start() {
      List<Supplier<Future<?>>> undo = Collections.synchronizedList(new ArrayList<>());
      Future<Void> chain = Future.succeededFuture();
      for (Step step : steps) {
        chain = chain.compose(v -> step.start().map(stop -> {
          if (stop != null) {
            undo.add(stop);
          }
          return null;
        }));
      }
      return chain
        .map(v -> new ServiceDeployment(port == null ? -1 : port.get(), undo, parts))
        .recover(err -> undoInReverse(undo).transform(x -> Future.failedFuture(err)));
    }

    private Steps add(Step step) {
      steps.add(step);
      return this;
    }
  }

  /** One step: started, it answers how to undo it (null: nothing to undo). */
  @FunctionalInterface
  private interface Step {
    Future<Supplier<Future<?>>> start();
  }

  private record Preparations(List<Supplier<? extends Future<?>>> all) implements Step {
    @Override
    public Future<Supplier<Future<?>>> start() {
      return Future.all(all.stream().map(ServiceDeployment::run).toList()).map(v -> (Supplier<Future<?>>) null);
    }
  }
}
