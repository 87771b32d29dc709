package dev.eventmall.storefront;

import dev.eventmall.common.ServiceMain;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.http.HttpBootstrap;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The storefront (port 8080): one HTML page, a script and a style sheet (resources {@code storefront/}), served by
 * Vert.x with no front-end toolchain. The page talks only to the services' public REST APIs from the browser (their CORS
 * allows this origin: {@code CORS_ALLOWED_ORIGINS}) and to Toss's browser SDK ({@code TOSS_SDK_URL}: Toss's own
 * {@code https://js.tosspayments.com/v2/standard} live, the emulator's stand-in in devstack).
 * <p>
 * Settings: {@code HTTP_PORT} (8080), {@code MEMBER_URL}, {@code CATALOG_URL}, {@code SEARCH_URL}, {@code ORDER_URL},
 * {@code PAYMENT_URL}, {@code DELIVERY_URL} (the URLs a browser reaches the services at; devstack's ports by default),
 * {@code TOSS_SDK_URL} (http://127.0.0.1:8090/v2/standard). {@code GET /config.js} hands them to the page.
 */
public final class Storefront extends VerticleBase {
  public static final int DEFAULT_PORT = 8080;
  public static final String TOSS_SDK_URL = "TOSS_SDK_URL";
  /** Service → the setting of the URL a browser reaches it at. */
  public static final Map<String, String> SERVICE_URLS = new LinkedHashMap<>();
  /** Service → devstack's port (the default URL). */
  static final Map<String, Integer> DEVSTACK_PORTS = Map.of("member", 8081, "payment", 8082, "delivery", 8083,
    "search", 8084, "catalog", 8085, "order", 8086);

  static {
    for (String service : List.of("member", "payment", "delivery", "search", "catalog", "order")) {
      SERVICE_URLS.put(service, service.toUpperCase(java.util.Locale.ROOT) + "_URL");
    }
  }

  /** The paths the page renders (anything else under them is an asset or a 404). */
  static final List<String> PAGES = List.of("/", "/login", "/signup", "/search", "/product/:id", "/orders",
    "/order/:id", "/card", "/card/success", "/card/fail", "/pay/success", "/pay/fail", "/seller", "/seller/product/:id");

  private final Config config;
  private final int port;
  private HttpServer server;
  private String page;
  private String configScript;

  public Storefront(Config config) {
    this(config, config.httpPort(DEFAULT_PORT));
  }

  /** On {@code port} (0: any free one; read it with {@link #port()}). */
  public Storefront(Config config, int port) {
    this.config = config;
    this.port = port;
  }

  public static void main(String[] args) {
    ServiceMain.run("storefront", (vertx, config, metrics) -> vertx.deployVerticle(new Storefront(config))
      .map(id -> ServiceMain.Started.of(config.httpPort(DEFAULT_PORT), v -> v.undeploy(id))));
  }

  /** Deploys a storefront; answers it once it listens. */
  public static Future<Storefront> start(Vertx vertx, Config config, int port) {
    Storefront storefront = new Storefront(config, port);
    return vertx.deployVerticle(storefront).map(id -> storefront);
  }

  public int port() {
    return server.actualPort();
  }

  /** What the page is told: where each service and Toss's SDK are. */
  JsonObject settings() {
    JsonObject services = new JsonObject();
    SERVICE_URLS.forEach((name, setting) -> services.put(name, trimSlash(config.getHttpUrl(setting,
      "http://127.0.0.1:" + DEVSTACK_PORTS.get(name)))));
    return new JsonObject().put("services", services)
      .put("tossSdkUrl", config.getHttpUrl(TOSS_SDK_URL, "http://127.0.0.1:8090/v2/standard"));
  }

  @Override
  public Future<?> start() {
    try {
      page = resource("storefront/index.html");
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    JsonObject settings = settings();
    configScript = "window.EVENTMALL = " + settings.encode() + ";\n";
    Router router = HttpBootstrap.builder(vertx).build();
    router.route().handler(ctx -> {
      ctx.response().putHeader("Content-Security-Policy", contentSecurityPolicy(settings));
      ctx.next();
    });
    router.get("/config.js").handler(ctx -> ctx.response()
      .putHeader("Content-Type", "application/javascript; charset=utf-8").end(configScript));
    for (String path : PAGES) {
      router.get(path).handler(this::page);
    }
    router.get("/assets/*").handler(StaticHandler.create("storefront").setCachingEnabled(false)
      .setDirectoryListing(false));
    return HttpBootstrap.listen(vertx, router, port).onSuccess(s -> server = s);
  }

  private void page(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(page);
  }

  /** Toss's own hosts, allowed besides the SDK's origin when the configured SDK is Toss's (one of them). */
  static final String TOSS_HOSTS = "https://*.tosspayments.com";

  /**
   * Scripts from this origin and Toss's only; frames from Toss only (SDK v2 opens its payment and billing-auth windows
   * in an iframe over this page); requests to the services and Toss only; forms post to this origin. "Toss" is the
   * configured SDK's origin, plus {@link #TOSS_HOSTS} when that is one of Toss's hosts: the emulator's stand-in
   * (devstack, compose's sandbox) gets its own origin and nothing of Toss's.
   */
  static String contentSecurityPolicy(JsonObject settings) {
    StringBuilder connect = new StringBuilder("'self'");
    settings.getJsonObject("services").forEach(e -> connect.append(' ').append(origin((String) e.getValue())));
    String toss = tossSources(settings.getString("tossSdkUrl"));
    return "default-src 'self'; script-src 'self' " + toss + "; frame-src " + toss + "; connect-src " + connect + " "
      + toss + "; img-src 'self' data: https:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
      + "form-action 'self'";
  }

  /** The SDK's origin, and Toss's hosts when the SDK is served over https by one of them. */
  static String tossSources(String sdkUrl) {
    URI uri = URI.create(sdkUrl);
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(java.util.Locale.ROOT);
    boolean ofToss = "https".equals(uri.getScheme())
      && (host.equals("tosspayments.com") || host.endsWith(".tosspayments.com"));
    return origin(sdkUrl) + (ofToss ? " " + TOSS_HOSTS : "");
  }

  static String origin(String url) {
    URI uri = URI.create(url);
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = Storefront.class.getClassLoader().getResourceAsStream(name)) {
      return new String(Objects.requireNonNull(in, name).readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
