package dev.eventmall.common.http;

import dev.eventmall.common.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Builds a service's root {@link Router} with the platform's HTTP conventions, in this order:
 * request id → access log ({@link AccessLog}) → security headers → CORS (when configured) → the path check →
 * {@link BodyHandler} (limit, no uploads) → {@code /health/live}, {@code /health/ready},
 * {@code /metrics}, {@code /openapi.yaml} and Swagger UI at {@code /docs/} ({@link ApiDocs}) → the service's routes; {@link FailureHandler} on every route and as the
 * 404/405/406/415/500 error handler. Mount resource routers with {@link #mount(Router, String, Router)}.
 *
 * <p>The path check ({@link #wellFormedPath}) refuses a path that is not percent-encoded UTF-8 before any route with a
 * path is matched (Vert.x Web decodes the path to match one and answered a broken escape with a plain-text 400):
 * <ul>
 *   <li>a broken escape, a {@code %} not followed by two hexadecimal digits ({@code /orders/%zz}, {@code /products/%},
 *   {@code /search%G1}), is a malformed request: 400 {@code invalid-path};</li>
 *   <li>well-formed escapes whose bytes are not UTF-8 ({@code /products/%C3%28}, {@code /orders/%FF}) are a
 *   well-formed request for something that cannot exist (every route and id is text): 404 {@code not-found}, what
 *   {@link ContractRoutes} answers for such a path parameter.</li>
 * </ul>
 * Both answers carry the request id, the security headers and an access log line like every other answer.
 * <pre>{@code
 * Router root = HttpBootstrap.builder(vertx).healthChecks(checks).metrics(metrics).openApi("openapi/order.yaml").build();
 * HttpBootstrap.mount(root, "/orders", ordersRouter);
 * return HttpBootstrap.listen(vertx, root, config.httpPort(8086)).mapEmpty();
 * }</pre>
 */
public final class HttpBootstrap {

  /**
   * Origins whose pages may call the API from a browser (CORS), comma-separated exact origins such as
   * {@code http://127.0.0.1:8080} (the storefront): system property {@code eventmall.http.cors-origins}, else env
   * {@code CORS_ALLOWED_ORIGINS}; unset (the default) answers no cross-origin request.
   */
  public static final String CORS_ORIGINS_PROPERTY = "eventmall.http.cors-origins";
  public static final String CORS_ORIGINS_ENV = "CORS_ALLOWED_ORIGINS";

  /** Default request body limit: 1 MiB. */
  public static final long DEFAULT_BODY_LIMIT = 1024 * 1024;

  private final Vertx vertx;
  private long bodyLimit = DEFAULT_BODY_LIMIT;
  private HealthChecks healthChecks;
  private Metrics metrics;
  private String openApiResource;

  private HttpBootstrap(Vertx vertx) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
  }

  /** A builder for a root router on {@code vertx}. */
  public static HttpBootstrap builder(Vertx vertx) {
    return new HttpBootstrap(vertx);
  }

  /** Maximum request body size in bytes (default 1 MiB); larger bodies get 413. */
  public HttpBootstrap bodyLimit(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("body limit must be positive");
    }
    this.bodyLimit = bytes;
    return this;
  }

  /** Readiness checks for {@code /health/ready} (stores, Kafka); without them readiness is always UP. */
  public HttpBootstrap healthChecks(HealthChecks healthChecks) {
    this.healthChecks = healthChecks;
    return this;
  }

  /** Metrics whose registry {@code /metrics} exposes; without them there is no {@code /metrics} route. */
  public HttpBootstrap metrics(Metrics metrics) {
    this.metrics = metrics;
    return this;
  }

  /** Classpath resource served as {@code /openapi.yaml} (e.g. {@code "openapi/order.yaml"}). */
  public HttpBootstrap openApi(String classpathResource) {
    this.openApiResource = classpathResource;
    return this;
  }

  /** Builds the root router; add or mount the service's routes on it afterwards. */
  public Router build() {
    Router router = Router.router(vertx);
    FailureHandler failureHandler = FailureHandler.create();
    router.route().handler(RequestId::handle).failureHandler(failureHandler);
    router.route().handler(AccessLog::handle);
    router.route().handler(HttpBootstrap::securityHeaders);
    String origins = setting(CORS_ORIGINS_PROPERTY, CORS_ORIGINS_ENV);
    if (origins != null && !origins.isBlank()) {
      router.route().handler(cors(origins));
    }
    // before the first route with a path: matching one decodes the path
    router.route().handler(HttpBootstrap::wellFormedPath);
    router.route().handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    // no-match outcomes (unknown path, wrong method, consumes/produces mismatch) and unhandled failures
    for (int status : new int[]{404, 405, 406, 415, 500}) {
      router.errorHandler(status, failureHandler);
    }

    router.get("/health/live").handler(HttpBootstrap::live);
    if (healthChecks == null) {
      healthChecks = HealthChecks.create(vertx);
    }
    router.get("/health/ready").handler(this::ready);
    if (metrics != null) {
      router.get("/metrics").handler(metrics.scrapeHandler());
    }
    if (openApiResource != null) {
      router.get("/openapi.yaml").handler(this::openApi);
      ApiDocs.mount(router, "/openapi.yaml");
    }
    return router;
  }

  /**
   * Mounts {@code sub} under {@code prefix} (e.g. {@code "/orders"}) and gives it the failure handler too. Routes of
   * {@code sub} are relative: {@code "/"} serves {@code /orders}, {@code "/:id"} serves {@code /orders/42}; metrics
   * label them {@code /orders>/:id}.
   */
  public static Router mount(Router root, String prefix, Router sub) {
    String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    sub.route().failureHandler(FailureHandler.create());
    root.route(p + "*").subRouter(sub);
    return root;
  }

  /**
   * Starts an HTTP server for {@code router}; port 0 picks a free port (read {@link HttpServer#actualPort()}). It binds
   * {@link #host()}. No service serves WebSockets, so the WebSocket compression extensions (a handler every request
   * passes through) are off.
   */
  public static Future<HttpServer> listen(Vertx vertx, Router router, int port) {
    return listen(vertx, router, new HttpServerOptions().setHost(host()).setPort(port)
      .setPerMessageWebSocketCompressionSupported(false)
      .setPerFrameWebSocketCompressionSupported(false));
  }

  /**
   * The interface services listen on: system property {@code eventmall.http.host}, else env {@code HTTP_HOST}, else
   * {@code 0.0.0.0} (what a container needs). devstack and the tests use {@code 127.0.0.1}.
   */
  public static String host() {
    String host = setting("eventmall.http.host", "HTTP_HOST");
    return host == null ? "0.0.0.0" : host;
  }

  /** System property {@code property}, else env {@code env}, trimmed; null when neither is set to something. */
  public static String setting(String property, String env) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      value = System.getenv(env);
    }
    return value == null || value.isBlank() ? null : value.trim();
  }

  /** {@link ClientAddress#TRUSTED_PROXIES}, read once (system property {@code eventmall.http.trusted-proxies} first). */
  private static final ClientAddress.Trusted TRUSTED_PROXIES =
    ClientAddress.Trusted.parse(setting("eventmall.http.trusted-proxies", ClientAddress.TRUSTED_PROXIES));

  /**
   * The address of the client of {@code request} ({@code "?"} when there is none): the connection's peer, or behind a
   * trusted balancer the client it forwarded for ({@link ClientAddress}).
   */
  public static String clientAddress(HttpServerRequest request) {
    String peer = request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress();
    return TRUSTED_PROXIES.blocks().isEmpty() ? peer
      : ClientAddress.resolve(peer, request.headers().getAll("X-Forwarded-For"), TRUSTED_PROXIES);
  }

  /** Whether {@code address} is one of the trusted proxies (a balancer limits its own clients' connections). */
  static boolean trustedProxy(String address) {
    return TRUSTED_PROXIES.contains(address);
  }

  /**
   * Starts an HTTP server with explicit options (compression, idle timeout, ...).
   */
  public static Future<HttpServer> listen(Vertx vertx, Router router, HttpServerOptions options) {
    return listen(vertx, router, options, ConnectionGuard.Limits.fromEnvironment());
  }

  /** {@link #listen(Vertx, Router, HttpServerOptions)} with explicit client limits (tests). */
  static Future<HttpServer> listen(Vertx vertx, Router router, HttpServerOptions options, ConnectionGuard.Limits limits) {
    ConnectionGuard guard = new ConnectionGuard(vertx, limits);
    // HTTP/1.x only (no service speaks h2c): with h2c on, Vert.x creates the connection (and calls the guard) only once
    // it has read enough bytes to tell the two apart, which a client dribbling its headers delays at will
    HttpServerOptions guarded = new HttpServerOptions(options).setHttp2ClearTextEnabled(false);
    if (guarded.getIdleTimeout() == 0) {
      // a backstop for whatever the guard's timers miss: the transport closes a socket silent for longer than the guard's
      // deadlines together (40 s by default, beyond any handler's own timeout here)
      guarded.setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setIdleTimeout((int) (limits.requestRead().toMillis() + limits.keepAlive().toMillis()));
    }
    return vertx.createHttpServer(guarded).invalidRequestHandler(HttpBootstrap::invalidRequest)
      .connectionHandler(guard::connected)
      .requestHandler(request -> {
        guard.request(request);
        router.handle(request);
      })
      .listen()
      .onSuccess(Draining.of(vertx)::register);
  }

  /**
   * A request the HTTP decoder refused before any route saw it — a request line over the server's limit (414), headers
   * over theirs (431), anything else undecodable (400) — answered as problem+json like every other refusal (Vert.x's
   * default answers an empty body), then the connection is closed (the rest of the bytes cannot be trusted).
   */
  static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ProblemException problem;
    if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
      problem = ProblemException.of(414, "uri-too-long", "URI Too Long",
        "The request line (method, path and query) is longer than the server accepts");
    } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
      problem = ProblemException.of(431, "headers-too-large", "Request Header Fields Too Large",
        "The request's headers are larger than the server accepts");
    } else {
      problem = ProblemException.badRequest("The request is not valid HTTP");
    }
    FailureHandler.send(request.response().putHeader("Connection", "close"), problem.problem())
      .onComplete(v -> request.connection().close());
  }

  /**
   * Refuses a path that is not percent-encoded UTF-8 (see the class comment): a broken escape with a 400
   * {@code invalid-path}, bytes that are not UTF-8 with a 404; other paths go on untouched.
   */
  static void wellFormedPath(RoutingContext ctx) {
    // the path as sent, never decoded
    String path = ctx.request().path();
    if (path != null && path.indexOf('%') >= 0) {
      if (!QueryString.escapesWellFormed(path)) {
        ctx.fail(ProblemException.of(400, "invalid-path", "Invalid path",
          "The path is not percent-encoded: every % must begin an escape of two hexadecimal digits (a % itself is %25)"));
        return;
      }
      if (QueryString.decodeSegment(path) == null) {
        ctx.fail(ProblemException.notFound("Nothing is at " + path));
        return;
      }
    }
    ctx.next();
  }

  /**
   * Headers every answer carries (issue 16 row 13): {@code X-Content-Type-Options: nosniff}, and {@code Cache-Control:
   * no-store} unless the route chose its own caching — answers carry tokens, orders and addresses, which no shared or
   * browser cache may keep.
   */
  /**
   * Vert.x's CORS handler for exactly {@code origins} (no wildcard, no credentials: the API takes bearer tokens, not
   * cookies), the methods and headers the services use, and the headers a page must read (ETag, Location, retries, the
   * read-your-writes token of a write that it echoes on its next reads).
   */
  static io.vertx.ext.web.handler.CorsHandler cors(String origins) {
    io.vertx.ext.web.handler.CorsHandler cors = io.vertx.ext.web.handler.CorsHandler.create()
      .allowedMethods(java.util.Set.of(io.vertx.core.http.HttpMethod.GET, io.vertx.core.http.HttpMethod.POST,
        io.vertx.core.http.HttpMethod.PUT, io.vertx.core.http.HttpMethod.PATCH, io.vertx.core.http.HttpMethod.DELETE))
      .allowedHeaders(java.util.Set.of("Authorization", "Content-Type", "Idempotency-Key", "If-Match", "If-None-Match",
        "X-Request-Id", dev.eventmall.common.db.ReadPools.TOKEN_HEADER))
      .exposedHeaders(java.util.Set.of("ETag", "Location", "Retry-After", "Retry-After-Ms", "X-Request-Id",
        dev.eventmall.common.db.ReadPools.TOKEN_HEADER))
      .maxAgeSeconds(600);
    for (String origin : origins.split(",")) {
      if (!origin.isBlank()) {
        cors.addOrigin(origin.trim());
      }
    }
    return cors;
  }

  static void securityHeaders(RoutingContext ctx) {
    ctx.response().putHeader("X-Content-Type-Options", "nosniff");
    ctx.addHeadersEndHandler(v -> {
      if (!ctx.response().headers().contains("Cache-Control")) {
        ctx.response().putHeader("Cache-Control", "no-store");
      }
    });
    ctx.next();
  }

  private static void live(RoutingContext ctx) {
    ctx.json(new JsonObject().put("status", "UP"));
  }

  private void ready(RoutingContext ctx) {
    if (Draining.of(vertx).draining()) {
      // shutting down (SIGTERM): a balancer stops sending new requests here while those in flight finish
      ctx.response().setStatusCode(503)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("status", "DOWN").put("reason", "shutting down").encode());
      return;
    }
    healthChecks.checkStatus()
      .onSuccess(result -> ctx.response()
        .setStatusCode(CheckResult.isUp(result) ? 200 : 503)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(readiness(result).encode()))
      .onFailure(ctx::fail);
  }

  /** Status per check, without failure messages (they may carry connection details). */
  private static JsonObject readiness(CheckResult result) {
    JsonObject json = new JsonObject().put("status", CheckResult.isUp(result) ? "UP" : "DOWN");
    if (result.getChecks() != null) {
      JsonObject checks = new JsonObject();
      for (CheckResult check : result.getChecks()) {
        checks.put(check.getId(), CheckResult.isUp(check) ? "UP" : "DOWN");
      }
      json.put("checks", checks);
    }
    return json;
  }

  private void openApi(RoutingContext ctx) {
    vertx.fileSystem().readFile(openApiResource)
      .recover(err -> Future.failedFuture(ProblemException.notFound("No OpenAPI document is available")))
      .onSuccess(doc -> ctx.response().putHeader("Content-Type", "application/yaml").end(doc))
      .onFailure(ctx::fail);
  }
}
