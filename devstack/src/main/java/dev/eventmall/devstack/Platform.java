package dev.eventmall.devstack;

import dev.eventmall.catalog.CatalogApp;
import dev.eventmall.common.ServiceMain;
import dev.eventmall.common.Shutdown;
import dev.eventmall.common.config.Config;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.common.trace.Tracing;
import dev.eventmall.emulators.Emulators;
import dev.eventmall.emulators.carrier.CarrierConfig;
import dev.eventmall.emulators.toss.TossConfig;
import dev.eventmall.delivery.DeliveryApp;
import dev.eventmall.member.MemberApp;
import dev.eventmall.order.OrderApp;
import dev.eventmall.payment.PaymentApp;
import dev.eventmall.search.SearchApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The services and the two emulators on the seed's ports, each service in a Vert.x instance of its own (as if it were its
 * own process), configured by the same environment variables as in production, pointed at an {@link InfraStack}.
 */
public final class Platform implements AutoCloseable {
  public static final int TOSS_PORT = 8090;
  public static final int CARRIER_PORT = 8091;
  public static final int STOREFRONT_PORT = dev.eventmall.storefront.Storefront.DEFAULT_PORT;
  /** What the user set for the services' CORS origins before any platform started (the storefront's are added). */
  private static final String USER_CORS_ORIGINS = HttpBootstrap.setting(HttpBootstrap.CORS_ORIGINS_PROPERTY,
    HttpBootstrap.CORS_ORIGINS_ENV);
  /** The JWT secret every devstack service shares unless JWT_SECRET is set. */
  public static final String DEV_JWT_SECRET = "devstack-jwt-secret-not-for-production-0123456789";

  record Service(String name, int port, ServiceMain.Deployer deployer) {
  }

  static final List<Service> SERVICES = List.of(
    new Service("member", 8081, MemberApp::deploy),
    new Service("search", 8084, SearchApp::deploy),
    new Service("catalog", 8085, CatalogApp::deploy),
    new Service("order", 8086, OrderApp::deploy),
    new Service("payment", 8082, PaymentApp::deploy),
    new Service("delivery", 8083, DeliveryApp::deploy));

  private final List<Vertx> instances = new ArrayList<>();
  private final Map<String, Integer> ports = new LinkedHashMap<>();
  /** Per service: its Vert.x instance and environment, so {@link #restart(String)} can start it again. */
  private final Map<String, Vertx> serviceVertx = new LinkedHashMap<>();
  /** Per service: what its deploy started, for a graceful stop ({@link #close()}). */
  private final Map<String, ServiceMain.Started> serviceStarted = new HashMap<>();
  private final Map<String, Map<String, String>> serviceEnv = new HashMap<>();
  private Emulators emulators;
  /** Where the Toss emulator keeps its state (devstack: {@code .devstack/emulators/toss.json}); unset: in memory. */
  public static final String TOSS_STATE_FILE = "TOSS_STATE_FILE";
  private boolean tossEmulated;

  private Platform() {
  }

  /**
   * Starts the emulators, then every service; {@code infraEnv} (from {@link InfraStack#env()}) wins over the process
   * environment, which wins over the devstack defaults.
   */
  public static Platform start(Map<String, String> infraEnv) {
    return start(infraEnv, true);
  }

  /**
   * As {@link #start(Map)}; with {@code fixedPorts} false every server listens on a free port (tests), read them from
   * {@link #ports()}.
   */
  public static Platform start(Map<String, String> infraEnv, boolean fixedPorts) {
    return start(infraEnv, fixedPorts, 0);
  }

  /**
   * As {@link #start(Map)} with every fixed port moved by {@code portOffset} (devstack's {@code devstack.port-offset}, so
   * a second devstack, e.g. a test's, runs beside the one on the default ports).
   */
  public static Platform start(Map<String, String> infraEnv, int portOffset) {
    return start(infraEnv, true, portOffset);
  }

  private static Platform start(Map<String, String> infraEnv, boolean fixedPorts, int portOffset) {
    Platform platform = new Platform();
    java.util.function.IntUnaryOperator fixed = port -> fixedPorts ? port + portOffset : 0;
    java.net.ServerSocket storefrontReserved = null;
    try {
      Map<String, String> env = new HashMap<>();
      env.put(Config.JWT_SECRET, DEV_JWT_SECRET);
      env.putAll(System.getenv());
      env.putAll(infraEnv);

      Vertx emulatorsVertx = Vertx.vertx(new io.vertx.core.VertxOptions().setPreferNativeTransport(true));
      platform.instances.add(emulatorsVertx);
      // TOSS_MAX_PAYMENTS, CARRIER_MAX_SHIPMENTS, ...: how much each emulator keeps in memory (see their configs)
      TossConfig toss = TossConfig.defaults().port(fixed.applyAsInt(TOSS_PORT)).limits(env);
      if (env.containsKey(TOSS_STATE_FILE)) {
        // the sandbox keeps its billing keys, payments and ledger beside the services' data (issue 13 point 6)
        toss.stateFile(java.nio.file.Path.of(env.get(TOSS_STATE_FILE)));
      }
      CarrierConfig carrier = CarrierConfig.defaults().port(fixed.applyAsInt(CARRIER_PORT)).limits(env);
      if (env.containsKey("CARRIER_STEP_MS")) {
        // how fast the emulated carrier moves a parcel ACCEPTED → IN_TRANSIT → DELIVERED
        carrier.stepInterval(Duration.ofMillis(Long.parseLong(env.get("CARRIER_STEP_MS"))));
      }
      if (fixedPorts) {
        toss.webhookUrl("http://127.0.0.1:" + (8082 + portOffset) + "/payments/webhooks/toss");
        carrier.webhookUrl("http://127.0.0.1:" + (8083 + portOffset) + "/deliveries/webhooks/carrier");
      }
      platform.emulators = await("emulators", Emulators.start(emulatorsVertx, toss, carrier));
      platform.ports.put("toss-emulator", platform.emulators.toss().actualPort());
      platform.ports.put("carrier-emulator", platform.emulators.carrier().actualPort());
      // the emulators unless the environment names a real Toss / carrier
      platform.tossEmulated = !env.containsKey(Config.TOSS_BASE_URL);
      if (platform.tossEmulated) {
        // the emulator's two merchants (MIDs): checkouts under the default keys, billing under its own (issue 13)
        env.putIfAbsent("TOSS_CLIENT_KEY", TossConfig.CLIENT_KEY);
        env.putIfAbsent("TOSS_BILLING_CLIENT_KEY", TossConfig.BILLING_CLIENT_KEY);
        env.putIfAbsent("TOSS_BILLING_SECRET_KEY", TossConfig.BILLING_SECRET_KEY);
      }
      env.putIfAbsent(Config.TOSS_BASE_URL, platform.emulators.toss().baseUrl());
      env.putIfAbsent(Config.CARRIER_BASE_URL, platform.emulators.carrier().baseUrl());

      // one machine, every client on 127.0.0.1 (bench, Gatling, tests): a per-client limit would throttle them all as
      // one; set PASSWORD_RATE_PER_CLIENT to try it (compose keeps the service's default). The emulators' webhooks come
      // from 127.0.0.1 too, several per order (a limit would turn load into 429s and rely on the poller)
      env.putIfAbsent("PASSWORD_RATE_PER_CLIENT", "0");
      env.putIfAbsent("WEBHOOK_RATE_PER_CLIENT", "0");
      // likewise the connection cap per client address: the bench's open workload at ~150 orders/s holds 500+
      // connections from 127.0.0.1 and was cut at the default 512. The HTTP servers read it from the JVM (property or
      // environment), not from this map: set the property for the services in this JVM; the map carries it to
      // services run as processes (--processes)
      if (HttpBootstrap.setting("eventmall.http.max-connections-per-client", "HTTP_MAX_CONNECTIONS_PER_CLIENT") == null) {
        System.setProperty("eventmall.http.max-connections-per-client", "0");
        env.put("HTTP_MAX_CONNECTIONS_PER_CLIENT", "0");
      }
      // the storefront's origin may call the services from a browser (CORS); its port is chosen first so the services
      // can be told before they start. The servers in this JVM read the property, processes (--processes) the env.
      // A port picked here stays bound until the storefront binds it: the services bind port 0 meanwhile, and the
      // kernel handed one of them this port once nothing held it (seen in CI: "starting storefront failed: Address
      // already in use")
      storefrontReserved = fixedPorts ? null : reservePort();
      int storefrontPort = fixedPorts ? STOREFRONT_PORT + portOffset : storefrontReserved.getLocalPort();
      String origins = "http://127.0.0.1:" + storefrontPort + ",http://localhost:" + storefrontPort
        + (USER_CORS_ORIGINS == null || USER_CORS_ORIGINS.isBlank() ? "" : "," + USER_CORS_ORIGINS);
      System.setProperty(HttpBootstrap.CORS_ORIGINS_PROPERTY, origins);
      env.put(HttpBootstrap.CORS_ORIGINS_ENV, origins);
      for (Service service : SERVICES) {
        Map<String, String> own = new HashMap<>(env);
        own.put(Config.HTTP_PORT, Integer.toString(fixed.applyAsInt(service.port())));
        platform.deploy(service, own);
      }
      release(storefrontReserved);
      platform.startStorefront(env, storefrontPort, emulatorsVertx);
      return platform;
    } catch (RuntimeException e) {
      platform.close();
      throw e;
    } finally {
      release(storefrontReserved);
    }
  }

  /** The storefront on {@code port}, told where the services and Toss's SDK (the emulator's unless real Toss) are. */
  private void startStorefront(Map<String, String> env, int port, Vertx vertx) {
    Map<String, String> own = new HashMap<>(env);
    dev.eventmall.storefront.Storefront.SERVICE_URLS.forEach((service, setting) ->
      own.putIfAbsent(setting, "http://127.0.0.1:" + ports.get(service)));
    own.putIfAbsent(dev.eventmall.storefront.Storefront.TOSS_SDK_URL, tossEmulated
      ? emulators.toss().baseUrl() + "/v2/standard" : "https://js.tosspayments.com/v2/standard");
    var storefront = await("storefront", dev.eventmall.storefront.Storefront.start(vertx, Config.of(own), port));
    ports.put("storefront", storefront.port());
    System.out.printf("# storefront up on %d%n", storefront.port());
  }

  /** A free loopback port, held bound (listening, never accepting) until {@link #release}. */
  private static java.net.ServerSocket reservePort() {
    try {
      return new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void release(java.net.ServerSocket reserved) {
    if (reserved != null && !reserved.isClosed()) {
      try {
        reserved.close();
      } catch (java.io.IOException ignored) {
        // the port is free either way
      }
    }
  }

  private void deploy(Service service, Map<String, String> own) {
    Metrics metrics = Metrics.create(service.name());
    Config config = Config.of(own);
    // as ServiceMain: traced per the OTEL_* settings (OTEL_EXPORTER_OTLP_ENDPOINT set: spans go over OTLP)
    Vertx vertx = metrics.newVertx(new VertxOptions(), Tracing.from(config, service.name()));
    instances.add(vertx);
    long began = System.nanoTime();
    ServiceMain.Started started = await(service.name(), service.deployer().deploy(vertx, config, metrics));
    int port = started.httpPort();
    ports.put(service.name(), port);
    serviceVertx.put(service.name(), vertx);
    serviceStarted.put(service.name(), started);
    // a restart listens on the same port, so clients keep their URLs
    own.put(Config.HTTP_PORT, Integer.toString(port));
    serviceEnv.put(service.name(), own);
    System.out.printf("# %s up on %d in %d ms%n", service.name(), port, (System.nanoTime() - began) / 1_000_000);
  }

  /**
   * Closes one service's Vert.x instance (as a crashed process: its in-flight work is lost, what it committed stays) and
   * deploys the service again on the same port with the same environment (reliability tests).
   */
  public void restart(String name) {
    stop(name);
    start(name);
  }

  /**
   * As {@link #restart(String)}, with {@code changes} applied to the service's environment first (kept for later
   * restarts; a blank value unsets a variable, as {@link Config} reads it).
   */
  public void restart(String name, Map<String, String> changes) {
    Map<String, String> env = serviceEnv.get(name);
    if (env == null) {
      throw new IllegalArgumentException("no running service " + name);
    }
    env.putAll(changes);
    restart(name);
  }

  /** Closes one service's Vert.x instance; {@link #start(String)} brings it back. */
  public void stop(String name) {
    Vertx vertx = serviceVertx.remove(name);
    if (vertx == null) {
      throw new IllegalArgumentException("no running service " + name);
    }
    serviceStarted.remove(name);
    instances.remove(vertx);
    await("stopping " + name, vertx.close());
  }

  /** Deploys a service stopped by {@link #stop(String)} again on its former port. */
  public void start(String name) {
    Service service = SERVICES.stream().filter(s -> s.name().equals(name)).findFirst()
      .orElseThrow(() -> new IllegalArgumentException("unknown service " + name));
    deploy(service, new HashMap<>(serviceEnv.get(name)));
  }

  /**
   * The environment {@code name} runs with ({@code HTTP_PORT} fixed to its port): to run the same service elsewhere, e.g.
   * as a process of its own after {@link #stop(String)} (reliability tests).
   */
  public Map<String, String> env(String name) {
    Map<String, String> env = serviceEnv.get(name);
    if (env == null) {
      throw new IllegalArgumentException("unknown service " + name);
    }
    Map<String, String> copy = new java.util.HashMap<>(env);
    copy.putIfAbsent("HTTP_HOST", dev.eventmall.common.http.HttpBootstrap.host());
    return Map.copyOf(copy);
  }

  /** The emulators, for tests that read the Toss ledger or inject faults. */
  /** Whether the payment service talks to the Toss emulator (no {@code TOSS_BASE_URL} given). */
  public boolean tossEmulated() {
    return tossEmulated;
  }

  public Emulators emulators() {
    return emulators;
  }

  /** Name → HTTP port of everything started. */
  public Map<String, Integer> ports() {
    return ports;
  }

  private static <T> T await(String what, Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(Duration.ofMinutes(3).toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("starting " + what + " failed: " + cause, cause);
    }
  }

  /**
   * Stops everything, in reverse start order: each service gracefully ({@link Shutdown}: HTTP drained, consumers leave
   * their groups, relays release their locks, pools close; no readiness delay, no balancer watches devstack), then the
   * emulators and the storefront. The servers they use must still be up.
   */
  @Override
  public void close() {
    List<String> names = new ArrayList<>(serviceVertx.keySet());
    java.util.Collections.reverse(names);
    Shutdown.Options options = Shutdown.Options.defaults().readinessDelay(Duration.ZERO);
    for (String name : names) {
      Vertx vertx = serviceVertx.remove(name);
      instances.remove(vertx);
      long began = System.nanoTime();
      try {
        Shutdown.run(name, vertx, serviceStarted.remove(name), options)
          .get(options.total().toMillis() + 1000, TimeUnit.MILLISECONDS);
        System.out.printf("# %s stopped in %d ms%n", name, (System.nanoTime() - began) / 1_000_000);
      } catch (Exception e) {
        System.err.println("# stopping " + name + " failed: " + e);
      }
    }
    List<Vertx> rest = new ArrayList<>(instances);
    java.util.Collections.reverse(rest);
    for (Vertx vertx : rest) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("# closing a Vert.x instance failed: " + e);
      }
    }
    instances.clear();
  }
}
