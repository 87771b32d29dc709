package dev.eventmall.member;

import dev.eventmall.common.ServiceDeployment;
import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.auth.Jwt;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Credentials, throttling, token acceptance elsewhere, and ownership of addresses. */
class MemberSecurityTest extends MemberServiceTestBase {

  static final String OTHER_SECRET = "some-other-service-secret-0123456789-xyz!";

  private static JsonObject withoutRequestId(HttpResponse<Buffer> res) {
    JsonObject body = res.bodyAsJsonObject().copy();
    body.remove("requestId");
    return body;
  }

  @Test
  void wrongPasswordAndUnknownEmailGiveIdentical401s() {
    String email = uniqueEmail();
    signUp(email);
    HttpResponse<Buffer> wrongPassword = post("/auth/login", null,
      new JsonObject().put("email", email).put("password", "not the password"));
    HttpResponse<Buffer> unknownEmail = post("/auth/login", null,
      new JsonObject().put("email", uniqueEmail()).put("password", "not the password"));

    assertProblem(wrongPassword, 401);
    assertProblem(unknownEmail, 401);
    assertThat(unknownEmail.getHeader("Content-Type")).isEqualTo(wrongPassword.getHeader("Content-Type"));
    assertThat(unknownEmail.getHeader("WWW-Authenticate")).isEqualTo(wrongPassword.getHeader("WWW-Authenticate"));
    assertThat(withoutRequestId(unknownEmail)).isEqualTo(withoutRequestId(wrongPassword));
    assertThat(wrongPassword.bodyAsJsonObject().getString("type"))
      .isEqualTo("https://eventmall.dev/problems/invalid-credentials");
    assertThat(wrongPassword.bodyAsString()).doesNotContain(email);
  }

  @Test
  void repeatedFailuresForOneEmailAreThrottledEvenWithTheRightPassword() {
    String email = uniqueEmail();
    signUp(email);
    String unknown = uniqueEmail();
    for (int i = 0; i < 5; i++) {
      assertProblem(post("/auth/login", null, new JsonObject().put("email", email).put("password", "wrong-" + i)), 401);
      assertProblem(post("/auth/login", null, new JsonObject().put("email", unknown).put("password", "wrong-" + i)), 401);
    }
    HttpResponse<Buffer> throttled = post("/auth/login", null,
      new JsonObject().put("email", email).put("password", PASSWORD));
    assertProblem(throttled, 429);
    long retryAfter = Long.parseLong(throttled.getHeader("Retry-After"));
    assertThat(retryAfter).isBetween(1L, 901L);
    assertThat(throttled.bodyAsJsonObject().containsKey("accessToken")).isFalse();

    // an unknown e-mail is throttled the same way: throttling reveals nothing either
    HttpResponse<Buffer> unknownThrottled = post("/auth/login", null,
      new JsonObject().put("email", unknown).put("password", "wrong"));
    assertProblem(unknownThrottled, 429);
    assertThat(withoutRequestId(unknownThrottled)).isEqualTo(withoutRequestId(throttled));

    // the counter lives in MySQL (shared by every instance), and other accounts are not affected
    assertThat(count("SELECT failures FROM login_failures WHERE email = ?", email)).isEqualTo(5);
    String other = uniqueEmail();
    signUp(other);
    login(other, PASSWORD);

    // issue 16 row 8: the failures were this client's (127.0.0.1); the owner logging in from another address is not
    // slowed by them (before: 429 for everyone for 15 minutes, the right password included)
    io.vertx.ext.web.client.WebClient elsewhere = io.vertx.ext.web.client.WebClient.create(vertx,
      new io.vertx.ext.web.client.WebClientOptions().setLocalAddress("127.0.0.2"));
    try {
      HttpResponse<Buffer> owner = Await.result(elsewhere.post(deployment.httpPort(), "127.0.0.1", "/auth/login")
        .sendJsonObject(new JsonObject().put("email", email).put("password", PASSWORD)));
      assertThat(owner.statusCode()).as(owner.bodyAsString()).isEqualTo(200);
      assertThat(owner.bodyAsJsonObject().getString("accessToken")).isNotBlank();
      // and the failing client is still waiting
      assertProblem(post("/auth/login", null, new JsonObject().put("email", email).put("password", PASSWORD)), 429);
    } finally {
      elsewhere.close();
    }
  }

  @Test
  void throttlingHoldsAcrossInstancesOfTheService() {
    // a second replica of the service over the same database, listening on its own port
    ServiceDeployment replica = Await.result(MemberApp.deploy(vertx, config.with("HTTP_INSTANCES", "1"),
      dev.eventmall.common.metrics.Metrics.create("member-replica")));
    try {
      assertThat(replica.httpPort()).isNotEqualTo(deployment.httpPort());
      String email = uniqueEmail();
      signUp(email);
      for (int i = 0; i < 5; i++) {
        int port = i % 2 == 0 ? deployment.httpPort() : replica.httpPort();
        assertProblem(send(port, "POST", "/auth/login", null,
          new JsonObject().put("email", email).put("password", "wrong-" + i)), 401);
      }
      JsonObject right = new JsonObject().put("email", email).put("password", PASSWORD);
      assertProblem(send(replica.httpPort(), "POST", "/auth/login", null, right), 429);
      assertProblem(send(deployment.httpPort(), "POST", "/auth/login", null, right), 429);
      // the replica serves the same accounts and tokens
      JsonObject session = newSession();
      assertThat(send(replica.httpPort(), "GET", "/members/me", session.getString("accessToken"), null).statusCode())
        .isEqualTo(200);
    } finally {
      Await.shutDown(replica.undeploy(vertx));
    }
  }

  /**
   * Issue 16 rows 5 and 10: sign-ups and logins are limited per client address before any Argon2 work or lookup (the
   * suite's own deployment runs with the limit off: all its requests come from 127.0.0.1). Before: unlimited.
   */
  @Test
  void signUpsAndLoginsPastTheClientLimitAre429WithoutAnyWork() {
    ServiceDeployment limited = Await.result(MemberApp.deploy(vertx, config.with("HTTP_INSTANCES", "1")
        .with("PASSWORD_RATE_PER_CLIENT", "1").with("PASSWORD_BURST_PER_CLIENT", "3"),
      dev.eventmall.common.metrics.Metrics.create("member-limited")));
    try {
      int port = limited.httpPort();
      // four logins and a sign-up arrive together (a burst of 3 allowed, 1 more a second): sent one after the other,
      // three Argon2 checks could outlast the second in which a token comes back, and the fourth would pass
      List<String> emails = List.of(uniqueEmail(), uniqueEmail(), uniqueEmail(), uniqueEmail());
      String email = uniqueEmail();
      List<io.vertx.core.Future<HttpResponse<Buffer>>> burst = new java.util.ArrayList<>();
      for (int i = 0; i < emails.size(); i++) {
        burst.add(sending(port, "POST", "/auth/login", null,
          new JsonObject().put("email", emails.get(i)).put("password", "wrong-password-" + i)));
      }
      burst.add(sending(port, "POST", "/members", null, signUpBody(email, null)));
      Await.result(io.vertx.core.Future.join(burst));
      List<HttpResponse<Buffer>> answers = burst.stream().map(io.vertx.core.Future::result).toList();
      assertThat(answers.stream().filter(r -> r.statusCode() == 429).count()).as("past the burst of 3").isEqualTo(2);
      String fourth = null;
      for (int i = 0; i < answers.size(); i++) {
        HttpResponse<Buffer> answer = answers.get(i);
        boolean login = i < emails.size();
        if (answer.statusCode() != 429) {
          assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(login ? 401 : 201);
          continue;
        }
        assertProblem(answer, 429);
        assertThat(answer.getHeader("Retry-After")).isEqualTo("1");
        assertThat(Long.parseLong(answer.getHeader("Retry-After-Ms"))).isBetween(1L, 1_000L);
        // refused without any work: no failed login recorded, no member created
        if (login) {
          fourth = emails.get(i);
          assertThat(count("SELECT COUNT(*) FROM login_failures WHERE email = ?", fourth)).isZero();
        } else {
          assertThat(count("SELECT COUNT(*) FROM members WHERE email = ?", email)).isZero();
        }
      }
      assertThat(fourth).as("at least one login of the five requests was refused").isNotNull();
      String later = uniqueEmail();
      // the limit is the client's at this deployment only: the unlimited one still answers
      assertProblem(send(deployment.httpPort(), "POST", "/auth/login", null,
        new JsonObject().put("email", fourth).put("password", "wrong-password-5")), 401);
      try {
        Thread.sleep(1_100); // a token comes back after a second
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      assertThat(send(port, "POST", "/members", null, signUpBody(later, null)).statusCode()).isEqualTo(201);
    } finally {
      Await.shutDown(limited.undeploy(vertx));
    }
  }

  /** A stand-in for another service configured with the same JWT_SECRET, built only from common. */
  private static int otherServiceRouter(JWTAuth verifier) {
    Router root = HttpBootstrap.builder(vertx).build();
    Router orders = Router.router(vertx);
    orders.route().handler(AuthHandlers.bearer(verifier));
    orders.get("/whoami").respond(ctx -> {
      AuthPrincipal p = AuthHandlers.principal(ctx);
      return Future.succeededFuture(new JsonObject().put("subject", p.subject())
        .put("roles", new JsonArray(p.roles().stream().sorted().toList())));
    });
    HttpBootstrap.mount(root, "/orders", orders);
    HttpServer server = Await.result(HttpBootstrap.listen(vertx, root, 0));
    return server.actualPort();
  }

  private static HttpResponse<Buffer> whoami(int port, String token) {
    return Await.result(client.get(port, "127.0.0.1", "/orders/whoami")
      .putHeader("Authorization", "Bearer " + token).send());
  }

  @Test
  void memberTokensPassAnotherServicesRouterWhileForgedExpiredAndWrongAudienceTokensGet401() {
    int port = otherServiceRouter(Jwt.hs256(vertx, SECRET));
    JsonObject session = newSession();
    String memberId = session.getString("memberId");

    HttpResponse<Buffer> ok = whoami(port, session.getString("accessToken"));
    assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(200);
    assertThat(ok.bodyAsJsonObject().getString("subject")).isEqualTo(memberId);
    assertThat(ok.bodyAsJsonObject().getJsonArray("roles")).containsExactly("CUSTOMER");

    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = new JsonObject().put("sub", memberId).put("roles", new JsonArray().add("ADMIN"));
    JWTOptions valid = new JWTOptions().setAlgorithm(Jwt.HS256).setIssuer(Jwt.ISSUER)
      .setAudience(List.of(Jwt.AUDIENCE)).setExpiresInSeconds(600);
    String forged = Jwt.hs256(vertx, OTHER_SECRET).generateToken(claims.copy(), valid);
    String expired = Jwt.hs256(vertx, SECRET).generateToken(claims.copy().put("iat", now - 3600).put("exp", now - 60),
      new JWTOptions().setAlgorithm(Jwt.HS256).setIssuer(Jwt.ISSUER).setAudience(List.of(Jwt.AUDIENCE)));
    String wrongAudience = Jwt.hs256(vertx, SECRET).generateToken(claims.copy(), new JWTOptions()
      .setAlgorithm(Jwt.HS256).setIssuer(Jwt.ISSUER).setAudience(List.of("another-api")).setExpiresInSeconds(600));
    String real = session.getString("accessToken");
    String[] parts = real.split("\\.");
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String tampered = parts[0] + "." + b64.encodeToString(new JsonObject(new String(Base64.getUrlDecoder()
      .decode(parts[1]))).put("roles", new JsonArray().add("ADMIN")).encode().getBytes()) + "." + parts[2];
    String unsigned = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes()) + "." + parts[1] + ".";

    for (String bad : List.of(forged, expired, wrongAudience, tampered, unsigned)) {
      HttpResponse<Buffer> res = whoami(port, bad);
      assertProblem(res, 401);
      assertThat(res.getHeader("WWW-Authenticate")).startsWith("Bearer");
      // and the member service itself refuses them the same way
      assertProblem(get("/members/me", bad), 401);
    }
  }

  @Test
  void memberCannotReadChangeOrDeleteAnotherMembersAddresses() {
    JsonObject a = newSession();
    JsonObject b = newSession();
    String tokenA = a.getString("accessToken");
    String tokenB = b.getString("accessToken");
    String bAddress = post("/members/me/addresses", tokenB, address("B's home")).bodyAsJsonObject().getString("id");

    assertProblem(get("/members/me/addresses/" + bAddress, tokenA), 404);
    assertProblem(send("PUT", "/members/me/addresses/" + bAddress, tokenA, address("stolen")), 404);
    assertProblem(send("DELETE", "/members/me/addresses/" + bAddress, tokenA, null), 404);
    JsonObject listA = get("/members/me/addresses", tokenA).bodyAsJsonObject();
    assertThat(listA.getLong("total")).isZero();
    assertThat(listA.getJsonArray("items")).isEmpty();

    // B's address is untouched, still B's
    var row = rows("SELECT member_id, recipient FROM addresses WHERE id = ?", bAddress).get(0);
    assertThat(row.getString("member_id")).isEqualTo(b.getString("memberId"));
    assertThat(row.getString("recipient")).isEqualTo("B's home");
    assertThat(get("/members/me/addresses/" + bAddress, tokenB).statusCode()).isEqualTo(200);
    // A's own profile is A's: there is no way to name another member
    assertThat(get("/members/me", tokenA).bodyAsJsonObject().getString("id")).isEqualTo(a.getString("memberId"));

    // malformed ids are 404 problems, not 500s; no token is 401
    assertProblem(get("/members/me/addresses/not-a-uuid", tokenA), 404);
    assertProblem(send("DELETE", "/members/me/addresses/'%20OR%201=1", tokenA, null), 404);
    assertProblem(get("/members/me/addresses/" + bAddress, null), 401);
    assertProblem(get("/members/me", null), 401);
  }
}
