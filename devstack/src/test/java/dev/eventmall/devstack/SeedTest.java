package dev.eventmall.devstack;

import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * devstack's demo data ({@link Seed}) against the platform: the first run creates the seller, five products, the
 * customer, an address and a billing key through the REST APIs; a second run (a restart over the same data) creates
 * nothing and still logs both in; the seeded customer can order a seeded product, and the walkthrough names real
 * ports and the printed passwords.
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
class SeedTest {

  @Test
  void seedingTwiceCreatesOnceAndTheSeededCustomerCanOrder() {
    Platform platform = E2E.platform();
    Seed.Result first = new Seed(platform.ports(), true).run();
    assertThat(first.productIds()).hasSize(Seed.PRODUCTS.size());
    assertThat(first.addressId()).isNotBlank();

    Seed.Result second = new Seed(platform.ports(), true).run();
    assertThat(second.created()).as("a restart seeds nothing twice").isEmpty();
    assertThat(second.productIds()).containsExactlyInAnyOrderElementsOf(first.productIds());
    assertThat(second.addressId()).isEqualTo(first.addressId());
    assertThat(second.customerId()).isEqualTo(first.customerId());

    E2E.Response key = E2E.call("payment", "GET", "/payments/billing-keys/me", second.customerToken(), null);
    assertThat(key.status()).as(key.body()).isEqualTo(200);
    Await.until("the Korean product names are searchable", Duration.ofSeconds(20), () -> {
      E2E.Response found = E2E.call("search", "GET",
        "/search?q=" + URLEncoder.encode("이어폰", StandardCharsets.UTF_8) + "&size=50", null, null);
      return found.status() == 200 && found.body().contains("무선 이어폰 프로");
    });

    SagaEndToEndTest.Customer customer = new SagaEndToEndTest.Customer(
      new E2E.Member(second.customerId(), second.customerToken()), second.addressId());
    String orderId = SagaEndToEndTest.place(customer, first.productIds().get(0), 1);
    SagaEndToEndTest.awaitStatus(customer, orderId, "DELIVERED");

    String walkthrough = Seed.walkthrough(platform.ports());
    assertThat(walkthrough).contains(Seed.CUSTOMER_EMAIL, Seed.CUSTOMER_PASSWORD, Seed.SELLER_PASSWORD)
      .contains("localhost:" + platform.ports().get("order") + "/orders")
      .contains("localhost:" + platform.ports().get("member") + "/auth/login");
    JsonObject login = E2E.call("member", "POST", "/auth/login", null, new JsonObject()
      .put("email", Seed.SELLER_EMAIL).put("password", Seed.SELLER_PASSWORD)).json();
    assertThat(login.getString("accessToken")).isNotBlank();
  }

  /**
   * Issue 13 point 6: devstack started again over the same data. Before, the Toss emulator forgot its billing keys while
   * the payment service kept its own: the second start seeded nothing (the key "existed") and the walkthrough's order
   * failed with PaymentFailed "unknown billingKey". The sandbox now keeps its state beside the services' data.
   */
  @Test
  void theWalkthroughOrderIsDeliveredBeforeAndAfterARestartOverTheSameData() {
    Seed.Result before = new Seed(E2E.platform().ports(), true).run();
    SagaEndToEndTest.Customer customer = new SagaEndToEndTest.Customer(
      new E2E.Member(before.customerId(), before.customerToken()), before.addressId());
    String first = SagaEndToEndTest.place(customer, before.productIds().get(0), 1);
    SagaEndToEndTest.awaitStatus(customer, first, "DELIVERED");

    Platform restarted = E2E.restart();
    Seed.Result after = new Seed(restarted.ports(), true).run();
    assertThat(after.created()).as("nothing seeded twice").isEmpty();
    SagaEndToEndTest.Customer again = new SagaEndToEndTest.Customer(
      new E2E.Member(after.customerId(), after.customerToken()), after.addressId());
    String second = SagaEndToEndTest.place(again, after.productIds().get(0), 1);
    SagaEndToEndTest.awaitStatus(again, second, "DELIVERED");
    assertThat(restarted.emulators().toss().charges(second)).hasSize(1);
    assertThat(restarted.emulators().toss().charges(first)).as("the sandbox's ledger survived").hasSize(1);
  }
}
