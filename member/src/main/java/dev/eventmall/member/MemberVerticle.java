package dev.eventmall.member;

import dev.eventmall.common.ServiceHttpVerticle;
import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.auth.TokenIssuer;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.member.api.MemberApi;
import io.vertx.sqlclient.Pool;

/** The member HTTP server; deployed with one instance per event loop, all sharing the {@code member} pool. */
public final class MemberVerticle extends ServiceHttpVerticle {
  private final MemberSettings settings;

  /** @param metrics exposed on {@code /metrics}; may be null (no /metrics route) */
  public MemberVerticle(Config config, MemberSettings settings, Metrics metrics) {
    super(config, metrics, "openapi/member.yaml", config.httpPort(MemberSettings.DEFAULT_PORT));
    this.settings = settings;
  }

  @Override
  protected void routes(Http http) {
    Pool pool = Database.pool(vertx, config.mysqlUri("member"), "member", settings.poolSize());
    http.readiness().mysql(pool).kafka(config.kafkaBootstrapServers());
    MemberApi.routes(http.contract(), new MemberApi.Deps(vertx, pool, http.jwt(), TokenIssuer.create(http.jwt(),
      Jwt.algorithm(config), settings.accessTtl().toSeconds()), settings)).mount(http.root());
  }
}
