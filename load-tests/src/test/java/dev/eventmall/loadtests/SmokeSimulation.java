package dev.eventmall.loadtests;

import java.util.List;
import java.util.UUID;

import static io.gatling.javaapi.core.CoreDsl.*;

/**
 * What CI runs ({@link SmokeTest}): every simulation's journey at a low rate for {@code -Dduration} s (default 15),
 * asserting that no request fails and that every order reached SHIPPING/DELIVERED. No latency assertion: CI machines
 * are shared, a timed assertion there would be noise.
 */
public class SmokeSimulation extends io.gatling.javaapi.core.Simulation {
  final String tag = "smoke" + Long.toHexString(UUID.randomUUID().getMostSignificantBits()).substring(0, 8);
  volatile List<String> browseProducts = List.of();
  volatile List<String> orderProducts = List.of();

  @Override
  public void before() {
    String seller = Fixtures.member("SELLER");
    browseProducts = Fixtures.products(seller, tag, 8, 1_000);
    orderProducts = Fixtures.products(seller, tag + "o", 2, 1_000_000);
    Fixtures.awaitSearchable(tag, 8);
    Fixtures.awaitOrderable(orderProducts);
  }

  {
    var duration = Settings.duration(15);
    setUp(
      scenario("smoke: browse and search").exec(BrowseAndSearchSimulation.visit(() -> browseProducts))
        .injectOpen(constantUsersPerSec(Settings.rate(10)).during(duration)),
      scenario("smoke: sign up and login").exec(SignUpAndLoginSimulation.signUpAndLogin("CUSTOMER"))
        .injectOpen(constantUsersPerSec(1).during(duration)),
      scenario("smoke: order saga").exec(OrderSagaSimulation.customer())
        .exec(OrderSagaSimulation.placeAndAwait(() -> orderProducts))
        .injectOpen(constantUsersPerSec(1).during(duration)))
      .protocols(BrowseAndSearchSimulation.protocol())
      .assertions(global().failedRequests().count().is(0L));
  }
}
