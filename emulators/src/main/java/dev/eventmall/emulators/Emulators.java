package dev.eventmall.emulators;

import dev.eventmall.emulators.carrier.CarrierConfig;
import dev.eventmall.emulators.carrier.CarrierEmulator;
import dev.eventmall.emulators.toss.TossConfig;
import dev.eventmall.emulators.toss.TossEmulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Starts the Toss Payments emulator and the carrier emulator together.
 *
 * <p>{@code java -jar emulators/target/emulators.jar [--host=127.0.0.1] [--toss-port=8090] [--carrier-port=8091]}; the
 * same settings from the environment: {@code EMULATORS_HOST}, {@code TOSS_PORT}, {@code CARRIER_PORT}, plus
 * {@code TOSS_SECRET_KEY} (accepted besides {@code test_sk_devstack}), {@code TOSS_BILLING_SECRET_KEY} /
 * {@code TOSS_BILLING_CLIENT_KEY} (the billing MID's keys, default {@code test_sk_devstack_billing} /
 * {@code test_ck_devstack_billing}), {@code TOSS_WEBHOOK_URL}, {@code TOSS_STATE_FILE} (where the sandbox's state is
 * kept across restarts; unset: in memory),
 * {@code CARRIER_API_KEY} (accepted besides {@code test_carrier_devstack}), {@code CARRIER_WEBHOOK_URL},
 * {@code CARRIER_STEP_MS} (status step interval, 0 = manual only), and the limits of what each keeps in memory
 * ({@code TOSS_MAX_PAYMENTS}, {@code CARRIER_MAX_SHIPMENTS}, ...: see {@link TossConfig} and {@link CarrierConfig}).
 * Arguments win over the environment.
 */
public final class Emulators {

  private final TossEmulator toss;
  private final CarrierEmulator carrier;

  private Emulators(TossEmulator toss, CarrierEmulator carrier) {
    this.toss = toss;
    this.carrier = carrier;
  }

  /** Deploys both emulators; fails if either cannot listen. */
  public static Future<Emulators> start(Vertx vertx, TossConfig tossConfig, CarrierConfig carrierConfig) {
    Future<TossEmulator> toss = TossEmulator.start(vertx, tossConfig);
    Future<CarrierEmulator> carrier = CarrierEmulator.start(vertx, carrierConfig);
    return Future.all(toss, carrier).map(all -> new Emulators(toss.result(), carrier.result()));
  }

  public TossEmulator toss() {
    return toss;
  }

  public CarrierEmulator carrier() {
    return carrier;
  }

  public Future<Void> close() {
    return Future.all(toss.close(), carrier.close()).mapEmpty();
  }

  public static void main(String[] args) {
    Map<String, String> settings = new HashMap<>(System.getenv());
    for (String arg : args) {
      if (arg.startsWith("--") && arg.contains("=")) {
        String name = arg.substring(2, arg.indexOf('=')).toUpperCase().replace('-', '_');
        settings.put(name.equals("HOST") ? "EMULATORS_HOST" : name, arg.substring(arg.indexOf('=') + 1));
      } else {
        System.err.println("usage: Emulators [--host=127.0.0.1] [--toss-port=8090] [--carrier-port=8091]");
        System.exit(2);
      }
    }
    String host = settings.getOrDefault("EMULATORS_HOST", "127.0.0.1");
    Set<String> tossKeys = new HashSet<>(Set.of("test_sk_devstack"));
    if (settings.get("TOSS_SECRET_KEY") != null) {
      tossKeys.add(settings.get("TOSS_SECRET_KEY"));
    }
    Set<String> carrierKeys = new HashSet<>(Set.of("test_carrier_devstack"));
    if (settings.get("CARRIER_API_KEY") != null) {
      carrierKeys.add(settings.get("CARRIER_API_KEY"));
    }
    TossConfig toss = TossConfig.defaults().host(host)
        .port(Integer.parseInt(settings.getOrDefault("TOSS_PORT", "8090")))
        .secretKeys(tossKeys)
        .webhookUrl(settings.get("TOSS_WEBHOOK_URL"))
        .limits(settings);
    if (settings.get("TOSS_STATE_FILE") != null) {
      toss.stateFile(java.nio.file.Path.of(settings.get("TOSS_STATE_FILE")));
    }
    if (settings.get("TOSS_BILLING_SECRET_KEY") != null || settings.get("TOSS_BILLING_CLIENT_KEY") != null) {
      // the payment service's billing MID, when it is given keys of its own (default: test_sk_devstack_billing)
      toss.merchant(TossConfig.BILLING_MID, settings.get("TOSS_BILLING_CLIENT_KEY"),
          settings.get("TOSS_BILLING_SECRET_KEY"));
    }
    CarrierConfig carrier = CarrierConfig.defaults().host(host)
        .port(Integer.parseInt(settings.getOrDefault("CARRIER_PORT", "8091")))
        .apiKeys(carrierKeys)
        .webhookUrl(settings.get("CARRIER_WEBHOOK_URL"))
        .stepInterval(Duration.ofMillis(Long.parseLong(settings.getOrDefault("CARRIER_STEP_MS", "30000"))))
        .limits(settings);
    Vertx vertx = Vertx.vertx();
    start(vertx, toss, carrier).onComplete(ar -> {
      if (ar.failed()) {
        System.err.println("emulators failed to start: " + ar.cause());
        vertx.close();
        System.exit(1);
      }
      System.out.println("Toss Payments emulator on " + ar.result().toss().baseUrl()
          + ", carrier emulator on " + ar.result().carrier().baseUrl());
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().toCompletionStage().toCompletableFuture().join()));
  }
}
