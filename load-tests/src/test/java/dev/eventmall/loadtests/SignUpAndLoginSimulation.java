package dev.eventmall.loadtests;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.util.UUID;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

/**
 * New customers: sign up, log in, read their profile with the issued token. Open model ({@code -Drate} new customers
 * per second, three requests each), connections shared.
 */
public class SignUpAndLoginSimulation extends Simulation {

  /** Sign-up + login; leaves the access token in the session as {@code token}. */
  static ChainBuilder signUpAndLogin(String role) {
    return exec(session -> session.set("email", role.toLowerCase() + "-" + UUID.randomUUID() + "@load.example.com")
        .set("password", "pass-" + UUID.randomUUID()).set("role", role))
      .exec(http("sign up").post(Settings.memberUrl() + "/members")
        .body(StringBody("{\"email\":\"#{email}\",\"password\":\"#{password}\",\"name\":\"Load User\","
          + "\"role\":\"#{role}\"}")).asJson()
        .check(status().is(201)))
      .exec(http("login").post(Settings.memberUrl() + "/auth/login")
        .body(StringBody("{\"email\":\"#{email}\",\"password\":\"#{password}\"}")).asJson()
        .check(status().is(200), jsonPath("$.accessToken").saveAs("token")));
  }

  {
    double rate = Settings.rate(50);
    ScenarioBuilder newCustomers = scenario("sign up and login")
      .exec(signUpAndLogin("CUSTOMER"))
      .exec(http("my profile").get(Settings.memberUrl() + "/members/me")
        .header("Authorization", "Bearer #{token}").check(status().is(200)));
    setUp(newCustomers.injectOpen(
        rampUsersPerSec(1).to(rate).during(Settings.ramp(10)),
        constantUsersPerSec(rate).during(Settings.duration(60))))
      .protocols(BrowseAndSearchSimulation.protocol())
      .assertions(
        global().responseTime().percentile(95.0).lte(Settings.millis("p95", 200)),
        global().responseTime().percentile(99.0).lte(Settings.millis("p99", 400)),
        global().failedRequests().percent().lte(Double.parseDouble(System.getProperty("maxFailedPercent", "0"))));
  }
}
