package dev.eventmall.member;

import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.auth.TokenIssuer;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.member.api.MemberApi;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;

import java.util.List;
import java.util.function.IntConsumer;

/** The member HTTP server; deployed with one instance per event loop, all sharing the {@code member} pool. */
public final class MemberVerticle extends VerticleBase {

  private final Config config;
  private final MemberSettings settings;
  private final Metrics metrics;
  private final IntConsumer listening;

  /**
   * @param metrics   exposed on {@code /metrics}; may be null (no /metrics route)
   * @param listening told the actual port once the server listens
   */
  public MemberVerticle(Config config, MemberSettings settings, Metrics metrics, IntConsumer listening) {
    this.config = config;
    this.settings = settings;
    this.metrics = metrics;
    this.listening = listening;
  }

  @Override
  public Future<?> start() {
    Pool pool = Database.pool(vertx, config.mysqlUri("member"), "member", settings.poolSize());
    NetClient net = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2_000));
    HealthChecks checks = HealthChecks.create(vertx)
      .register("mysql", 3_000, p -> pool.query("SELECT 1").execute()
        .onComplete(ar -> p.complete(ar.succeeded() ? Status.OK() : Status.KO())))
      .register("kafka", 3_000, p -> kafkaReachable(net, p));
    return Jwt.create(vertx, config).compose(jwt -> {
      Router root = HttpBootstrap.builder(vertx)
        .bodyLimit(config.httpBodyLimitBytes())
        .healthChecks(checks)
        .metrics(metrics)
        .openApi("openapi/member.yaml")
        .build();
      MemberApi.mount(root, new MemberApi.Deps(vertx, pool, jwt, TokenIssuer.create(jwt, Jwt.algorithm(config),
        settings.accessTtl().toSeconds()), settings));
      return HttpBootstrap.listen(vertx, root, config.httpPort(MemberSettings.DEFAULT_PORT));
    }).onSuccess(server -> listening.accept(server.actualPort()));
  }

  /** Cheap Kafka check: a TCP connection to any bootstrap server opens. */
  private void kafkaReachable(NetClient net, Promise<Status> result) {
    List<String> servers = List.of(config.kafkaBootstrapServers().split(","));
    tryConnect(net, servers, 0, result);
  }

  private void tryConnect(NetClient net, List<String> servers, int i, Promise<Status> result) {
    if (i >= servers.size()) {
      result.complete(Status.KO());
      return;
    }
    String server = servers.get(i).trim();
    int colon = server.lastIndexOf(':');
    int port;
    try {
      port = colon < 0 ? 9092 : Integer.parseInt(server.substring(colon + 1));
    } catch (NumberFormatException e) {
      tryConnect(net, servers, i + 1, result);
      return;
    }
    String host = colon < 0 ? server : server.substring(0, colon);
    net.connect(port, host)
      .onSuccess(socket -> {
        socket.close();
        result.complete(Status.OK());
      })
      .onFailure(err -> tryConnect(net, servers, i + 1, result));
  }
}
