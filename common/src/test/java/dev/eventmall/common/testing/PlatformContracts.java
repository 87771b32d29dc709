package dev.eventmall.common.testing;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The contract checks of the platform's six services by name, for suites that talk to the whole platform with a client
 * of their own (devstack's and reliability's end-to-end suites): each service's answers are checked against its
 * document {@code openapi/<service>.yaml} (on the classpath with the service's module), read once, by
 * {@link ContractCheck#verify}. Other names (the Toss and carrier emulators, the storefront) have no document and are
 * not checked.
 */
public final class PlatformContracts {
  /** The services that build their routes from (or serve) an OpenAPI document. */
  public static final Set<String> SERVICES = Set.of("member", "payment", "delivery", "search", "catalog", "order");

  private static final Map<String, ContractCheck> CHECKS = new ConcurrentHashMap<>();
  private static Vertx vertx;

  private PlatformContracts() {
  }

  /**
   * Checks the answer {@code (status, headers, body)} of {@code service} to {@code method uri} ({@code uri}: path and
   * query) against the service's document; throws a {@link ContractCheck.Violation} when it breaks it.
   */
  public static void verify(String service, String method, String uri, int status, Map<String, List<String>> headers,
                            String body) {
    if (!SERVICES.contains(service)) {
      return;
    }
    CHECKS.computeIfAbsent(service, s -> ContractCheck.of(vertx(), "openapi/" + s + ".yaml"))
      .verify(method, uri, status, headers, body);
  }

  /** A small Vert.x of the checks' own (validation runs on its workers), apart from the services'. */
  private static synchronized Vertx vertx() {
    if (vertx == null) {
      vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    }
    return vertx;
  }
}
