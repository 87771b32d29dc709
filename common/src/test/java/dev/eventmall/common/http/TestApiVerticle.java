package dev.eventmall.common.http;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.domain.DomainException;
import dev.eventmall.common.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

import java.util.concurrent.atomic.AtomicBoolean;

/** A small service wired exactly as production services are, with routes that fail in every supported way. */
final class TestApiVerticle extends VerticleBase {

  enum Size { S, M, L }

  final AtomicBoolean dbUp = new AtomicBoolean(true);
  private final JWTAuth jwtAuth;
  private final Metrics metrics;
  volatile int port;

  TestApiVerticle(JWTAuth jwtAuth, Metrics metrics) {
    this.jwtAuth = jwtAuth;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    HealthChecks checks = HealthChecks.create(vertx)
      .register("db", promise -> promise.complete(dbUp.get() ? Status.OK() : Status.KO()));
    Router root = HttpBootstrap.builder(vertx)
      .bodyLimit(HttpBootstrap.DEFAULT_BODY_LIMIT)
      .healthChecks(checks)
      .metrics(metrics)
      .openApi("openapi/test-api.yaml")
      .build();
    root.post("/echo").handler(this::echo);
    root.post("/json-only").consumes("application/json").handler(this::echo);
    root.post("/validate").respond(this::validate);
    root.get("/problem").handler(this::problem);
    root.get("/respond-fail").respond(ctx -> Future.failedFuture(ProblemException.notFound("order 42 does not exist")));
    root.get("/domain-refusal").respond(ctx -> Future.failedFuture(new StillBusy()));
    root.get("/http-exception").handler(ctx -> ctx.fail(new HttpException(409, "already exists")));
    root.get("/boom").handler(this::boom);
    // what a SQL pool with a full wait queue fails a request with
    root.get("/overloaded").handler(ctx -> ctx.fail(new RuntimeException("query failed",
      new io.vertx.core.http.ConnectionPoolTooBusyException("Connection pool reached max wait queue size of 10000"))));
    // what the SQL client fails a query with when MariaDB goes away under it, and when it cannot connect at all
    root.get("/store-closed").respond(ctx -> Future.failedFuture(io.vertx.sqlclient.ClosedConnectionException.INSTANCE));
    root.get("/store-refused").handler(ctx -> ctx.fail(new java.net.ConnectException("Connection refused: /127.0.0.1:3306")));
    root.get("/items/:id").respond(ctx -> Future.succeededFuture(new JsonObject().put("id", ctx.pathParam("id"))));

    Router secured = Router.router(vertx);
    secured.route().handler(AuthHandlers.bearer(jwtAuth));
    secured.get("/me").respond(this::me);
    secured.get("/admin").handler(AuthHandlers.requireRole(AuthPrincipal.ADMIN)).respond(this::me);
    HttpBootstrap.mount(root, "/secured", secured);

    Router items = Router.router(vertx);
    items.get("/:id").respond(ctx -> Future.succeededFuture(new JsonObject().put("id", ctx.pathParam("id"))));
    items.get("/:id/fail").handler(ctx -> ctx.fail(ProblemException.notFound("item " + ctx.pathParam("id") + " has no failures")));
    HttpBootstrap.mount(root, "/catalog", items);

    return HttpBootstrap.listen(vertx, root, 0).onSuccess(this::started);
  }

  /** What service code raises when it is too busy: a domain refusal with a retry hint and a fact. */
  static final class StillBusy extends DomainException {
    StillBusy() {
      super(Kind.UNAVAILABLE, "busy", "Service Busy", "Too many checks are waiting; retry shortly");
    }

    @Override
    public java.util.Map<String, Object> facts() {
      return java.util.Map.of("queue", 64);
    }

    @Override
    public java.time.Duration retryAfter() {
      return java.time.Duration.ofMillis(1500);
    }
  }

  private void started(HttpServer server) {
    port = server.actualPort();
  }

  private void echo(RoutingContext ctx) {
    ctx.json(ctx.body().asJsonObject());
  }

  private Future<JsonObject> validate(RoutingContext ctx) {
    Validation v = Validation.of(ctx);
    String email = v.email("email");
    String name = v.requiredString("name", 10);
    int quantity = v.intInRange("quantity", 1, 100);
    Long price = v.positiveLong("price");
    Size size = v.enumValue("size", Size.class);
    v.done();
    return Future.succeededFuture(new JsonObject().put("email", email).put("name", name).put("quantity", quantity)
      .put("price", price).put("size", size.name()));
  }

  private void problem(RoutingContext ctx) {
    throw ProblemException.conflict("the cart was already checked out");
  }

  private void boom(RoutingContext ctx) {
    throw new IllegalStateException("secret internal detail: jdbc://admin:pw@db");
  }

  private Future<JsonObject> me(RoutingContext ctx) {
    AuthPrincipal p = AuthHandlers.principal(ctx);
    return Future.succeededFuture(new JsonObject().put("subject", p.subject()).put("roles", p.roles().stream().sorted().toList()));
  }
}
