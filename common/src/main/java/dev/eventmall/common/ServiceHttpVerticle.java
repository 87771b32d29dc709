package dev.eventmall.common;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.http.ContractRoutes;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.http.Readiness;
import dev.eventmall.common.kafka.DeadLetters;
import dev.eventmall.common.kafka.KafkaEventBridge;
import dev.eventmall.common.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;

/**
 * The skeleton of a service's HTTP verticle, deployed with one instance per event loop
 * ({@link ServiceDeployment.Steps#http}). {@code start()} loads the JWT keys, the routes of the service's OpenAPI document
 * ({@link ContractRoutes}) and whatever {@link #prepare()} starts, all together; builds the root router with the platform's conventions ({@link HttpBootstrap}: request id, access log, body
 * limit {@code HTTP_BODY_LIMIT_BYTES}, {@code /health/live}, {@code /health/ready} from the {@link Readiness} checks the
 * service adds, {@code /metrics}, the OpenAPI document); lets the service mount its routes ({@link #routes}); listens
 * ({@link HttpBootstrap#listen}: host, client limits, draining) and fails the deployment when the port is taken.
 * {@code stop()} closes the readiness probes' Kafka admin client; a service with more to stop overrides it and calls
 * {@code super.stop()}.
 * <pre>{@code
 * public final class DeliveryVerticle extends ServiceHttpVerticle {
 *   protected void routes(Http http) {
 *     http.readiness().mysql(pool).kafka(config.kafkaBootstrapServers());
 *     new DeliveryApi(..).routes(http.contract(), http.jwt(), ..).mount(http.root());
 *     deadLetters(http, "/admin/dlq", bridge);
 *   }
 * }
 * }</pre>
 */
public abstract class ServiceHttpVerticle extends VerticleBase {
  protected final Config config;
  protected final Metrics metrics;
  private final String openApi;
  private final int httpPort;
  private Readiness readiness;
  private volatile int port;

  /** What a service's routes are mounted with. */
  protected record Http(Router root, JWTAuth jwt, ContractRoutes contract, Readiness readiness) {
  }

  /**
   * @param metrics  exposed on {@code /metrics}; may be null (no {@code /metrics} route)
   * @param openApi  the service's OpenAPI document, a classpath resource: its routes ({@link Http#contract()}), served
   *                 as {@code /openapi.yaml}
   * @param httpPort the port to listen on (0: any free one)
   */
  protected ServiceHttpVerticle(Config config, Metrics metrics, String openApi, int httpPort) {
    this.config = config;
    this.metrics = metrics;
    this.openApi = openApi;
    this.httpPort = httpPort;
  }

  /** The port this instance listens on. */
  public int port() {
    return port;
  }

  /** Work the routes need, started together with the JWT keys and the contract (prepared statements...); none here. */
  protected Future<?> prepare() {
    return Future.succeededFuture();
  }

  /** Adds the service's readiness checks and mounts its routes on {@code http.root()}. */
  protected abstract void routes(Http http);

  /** The dead-letter admin of {@code bridge}'s consumer group at {@code path}, ADMIN only ({@link DeadLetters}). */
  protected void deadLetters(Http http, String path, KafkaEventBridge.Options bridge) {
    new DeadLetters(vertx, bridge).mount(http.root(), path, AuthHandlers.bearer(http.jwt()),
      AuthHandlers.requireRole(AuthPrincipal.ADMIN));
  }

  @Override
  public Future<?> start() {
    readiness = Readiness.create(vertx);
    return Future.all(Jwt.create(vertx, config), ContractRoutes.load(vertx, openApi), prepare()).compose(all -> {
      Router root = HttpBootstrap.builder(vertx)
        .bodyLimit(config.httpBodyLimitBytes())
        .healthChecks(readiness.checks())
        .metrics(metrics)
        .openApi(openApi)
        .build();
      routes(new Http(root, all.resultAt(0), all.resultAt(1), readiness));
      return HttpBootstrap.listen(vertx, root, httpPort);
    }).onSuccess(server -> port = server.actualPort());
  }

  @Override
  public Future<?> stop() {
    return readiness == null ? Future.succeededFuture() : readiness.close();
  }
}
