package dev.eventmall.member;

import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.auth.TokenIssuer;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.http.ContractRoutes;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.http.Readiness;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.member.api.MemberApi;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;

/** The member HTTP server; deployed with one instance per event loop, all sharing the {@code member} pool. */
public final class MemberVerticle extends VerticleBase {

  private final Config config;
  private final MemberSettings settings;
  private final Metrics metrics;
  private Readiness readiness;
  private volatile int port;

  /** @param metrics exposed on {@code /metrics}; may be null (no /metrics route) */
  public MemberVerticle(Config config, MemberSettings settings, Metrics metrics) {
    this.config = config;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** The port this instance listens on. */
  public int port() {
    return port;
  }

  @Override
  public Future<?> start() {
    Pool pool = Database.pool(vertx, config.mysqlUri("member"), "member", settings.poolSize());
    readiness = Readiness.create(vertx).mysql(pool).kafka(config.kafkaBootstrapServers());
    HealthChecks checks = readiness.checks();
    return Future.all(Jwt.create(vertx, config), ContractRoutes.load(vertx, "openapi/member.yaml")).compose(both -> {
      JWTAuth jwt = both.resultAt(0);
      Router root = HttpBootstrap.builder(vertx)
        .bodyLimit(config.httpBodyLimitBytes())
        .healthChecks(checks)
        .metrics(metrics)
        .openApi("openapi/member.yaml")
        .build();
      MemberApi.routes(both.resultAt(1), new MemberApi.Deps(vertx, pool, jwt, TokenIssuer.create(jwt,
        Jwt.algorithm(config), settings.accessTtl().toSeconds()), settings)).mount(root);
      return HttpBootstrap.listen(vertx, root, config.httpPort(MemberSettings.DEFAULT_PORT));
    }).onSuccess(server -> port = server.actualPort());
  }

  @Override
  public Future<?> stop() {
    return readiness == null ? Future.succeededFuture() : readiness.close();
  }
}
