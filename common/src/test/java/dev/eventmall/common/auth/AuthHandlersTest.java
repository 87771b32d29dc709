package dev.eventmall.common.auth;

import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.http.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Bearer authentication and role checks over real HTTP: every rejected token is a 401 problem with no details. */
@ExtendWith(VertxExtension.class)
class AuthHandlersTest {

  private static final String SECRET = "auth-test-secret-0123456789-0123456789-xyz";
  private static final String OTHER_SECRET = "another-secret-0123456789-0123456789-xyz!!";

  private WebClient client;
  private JWTAuth jwtAuth;
  /** How many times the handler asked the provider to verify a token. */
  private final AtomicInteger verifications = new AtomicInteger();
  private int port;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    jwtAuth = Jwt.hs256(vertx, SECRET);
    client = WebClient.create(vertx);
    Router root = HttpBootstrap.builder(vertx).build();
    Router api = Router.router(vertx);
    api.route().handler(AuthHandlers.bearer(counting(jwtAuth)));
    api.get("/me").respond(ctx2 -> {
      AuthPrincipal p = AuthHandlers.principal(ctx2);
      return Future.succeededFuture(new JsonObject().put("subject", p.subject())
        .put("roles", new JsonArray(p.roles().stream().sorted().toList())).put("jti", p.tokenId()));
    });
    api.get("/admin").handler(AuthHandlers.requireRole(AuthPrincipal.ADMIN, AuthPrincipal.SELLER))
      .respond(ctx2 -> Future.succeededFuture(new JsonObject().put("ok", true)));
    HttpBootstrap.mount(root, "/api", api);
    root.get("/open").respond(ctx2 -> Future.failedFuture(ProblemException.forbidden("nope")));
    HttpBootstrap.listen(vertx, root, 0)
      .onSuccess(server -> port = server.actualPort())
      .onComplete(ctx.succeedingThenComplete());
  }

  /** {@code auth}, counting its {@code authenticate} calls. */
  private JWTAuth counting(JWTAuth auth) {
    return (JWTAuth) Proxy.newProxyInstance(JWTAuth.class.getClassLoader(), new Class<?>[] {JWTAuth.class},
      (proxy, method, args) -> {
        if (method.getName().equals("authenticate")) {
          verifications.incrementAndGet();
        }
        try {
          return method.invoke(auth, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      });
  }

  @AfterEach
  void close() {
    client.close();
  }

  private Future<HttpResponse<Buffer>> me(String authorization) {
    var req = client.get(port, "127.0.0.1", "/api/me");
    if (authorization != null) {
      req.putHeader("Authorization", authorization);
    }
    return req.send();
  }

  private static void assertUnauthorized(HttpResponse<Buffer> res) {
    assertThat(res.statusCode()).isEqualTo(401);
    assertThat(res.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(res.getHeader("WWW-Authenticate")).startsWith("Bearer");
    JsonObject body = res.bodyAsJsonObject();
    assertThat(body.getString("type")).isEqualTo("https://eventmall.dev/problems/unauthorized");
    assertThat(body.getInteger("status")).isEqualTo(401);
    // one fixed detail per case: the reason a token was rejected is logged, never sent
    assertThat(body.getString("detail")).isIn("A bearer token is required", "The bearer token is invalid or expired");
    assertThat(body.encode()).doesNotContainIgnoringCase("audience").doesNotContainIgnoringCase("signature")
      .doesNotContainIgnoringCase("issuer").doesNotContainIgnoringCase("decode");
  }

  private String signed(JWTAuth signer, JsonObject claims, JWTOptions options) {
    return signer.generateToken(claims, options);
  }

  private static JsonObject claims(String sub) {
    return new JsonObject().put("sub", sub).put("roles", new JsonArray().add("CUSTOMER")).put("jti", "t-1");
  }

  @Test
  void missingTokenIs401(VertxTestContext ctx) {
    me(null).onComplete(ctx.succeeding(res -> ctx.verify(() -> {
      assertUnauthorized(res);
      ctx.completeNow();
    })));
  }

  @Test
  void malformedTokensAre401(VertxTestContext ctx) {
    var checkpoint = ctx.checkpoint(3);
    for (String header : List.of("Bearer not.a.jwt", "Basic dXNlcjpwdw==", "Bearer ")) {
      me(header).onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertUnauthorized(res);
        checkpoint.flag();
      })));
    }
  }

  @Test
  void forgedSignatureIs401(Vertx vertx, VertxTestContext ctx) {
    String forged = TokenIssuer.create(Jwt.hs256(vertx, OTHER_SECRET), Jwt.HS256, 600)
      .issue("member-1", List.of("ADMIN"));
    me("Bearer " + forged).onComplete(ctx.succeeding(res -> ctx.verify(() -> {
      assertUnauthorized(res);
      assertThat(res.getHeader("WWW-Authenticate")).contains("invalid_token");
      ctx.completeNow();
    })));
  }

  @Test
  void unsignedAlgNoneTokenIs401(VertxTestContext ctx) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes());
    long now = System.currentTimeMillis() / 1000;
    String payload = b64.encodeToString(claims("member-1").put("iss", Jwt.ISSUER).put("aud", Jwt.AUDIENCE)
      .put("exp", now + 600).encode().getBytes());
    me("Bearer " + header + "." + payload + ".").onComplete(ctx.succeeding(res -> ctx.verify(() -> {
      assertUnauthorized(res);
      ctx.completeNow();
    })));
  }

  @Test
  void expiredTokenIs401(VertxTestContext ctx) {
    long now = System.currentTimeMillis() / 1000;
    String expired = signed(jwtAuth, claims("member-1").put("iat", now - 3600).put("exp", now - 60),
      new JWTOptions().setAlgorithm(Jwt.HS256).setIssuer(Jwt.ISSUER).setAudience(List.of(Jwt.AUDIENCE)));
    me("Bearer " + expired).onComplete(ctx.succeeding(res -> ctx.verify(() -> {
      assertUnauthorized(res);
      ctx.completeNow();
    })));
  }

  @Test
  void wrongAudienceIs401(VertxTestContext ctx) {
    String token = signed(jwtAuth, claims("member-1"), new JWTOptions().setAlgorithm(Jwt.HS256)
      .setIssuer(Jwt.ISSUER).setAudience(List.of("some-other-api")).setExpiresInSeconds(600));
    me("Bearer " + token).onComplete(ctx.succeeding(res -> ctx.verify(() -> {
      assertUnauthorized(res);
      ctx.completeNow();
    })));
  }

  @Test
  void wrongIssuerIs401(VertxTestContext ctx) {
    String token = signed(jwtAuth, claims("member-1"), new JWTOptions().setAlgorithm(Jwt.HS256)
      .setIssuer("someone-else").setAudience(List.of(Jwt.AUDIENCE)).setExpiresInSeconds(600));
    me("Bearer " + token).onComplete(ctx.succeeding(res -> ctx.verify(() -> {
      assertUnauthorized(res);
      ctx.completeNow();
    })));
  }

  @Test
  void tokenWithoutExpiryIs401(VertxTestContext ctx) {
    String token = signed(jwtAuth, claims("member-1"), new JWTOptions().setAlgorithm(Jwt.HS256)
      .setIssuer(Jwt.ISSUER).setAudience(List.of(Jwt.AUDIENCE)));
    me("Bearer " + token).onComplete(ctx.succeeding(res -> ctx.verify(() -> {
      assertUnauthorized(res);
      ctx.completeNow();
    })));
  }

  @Test
  void validTokenGives200WithTheSubjectAndRoles(VertxTestContext ctx) {
    String token = TokenIssuer.create(jwtAuth, Jwt.HS256, 600).issue("member-42", List.of("CUSTOMER", "SELLER"));
    me("Bearer " + token).onComplete(ctx.succeeding(res -> ctx.verify(() -> {
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.getHeader("Content-Type")).startsWith("application/json");
      JsonObject body = res.bodyAsJsonObject();
      assertThat(body.getString("subject")).isEqualTo("member-42");
      assertThat(body.getJsonArray("roles")).isEqualTo(new JsonArray().add("CUSTOMER").add("SELLER"));
      assertThat(body.getString("jti")).matches("[0-9a-f-]{36}");
      ctx.completeNow();
    })));
  }

  @Test
  void aVerifiedTokenIsNotVerifiedAgainUntilItExpiresAndThenIs401() throws Exception {
    long issued = System.currentTimeMillis() / 1000;
    String token = TokenIssuer.create(jwtAuth, Jwt.HS256, 2).issue("member-7", List.of("CUSTOMER"));
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> res = me("Bearer " + token).await();
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.bodyAsJsonObject().getString("subject")).isEqualTo("member-7");
    }
    assertThat(verifications.get()).as("the signature is checked once, not per request").isEqualTo(1);

    // a different token of the same member is its own entry
    String other = TokenIssuer.create(jwtAuth, Jwt.HS256, 600).issue("member-7", List.of("CUSTOMER"));
    assertThat(me("Bearer " + other).await().statusCode()).isEqualTo(200);
    assertThat(verifications.get()).isEqualTo(2);

    // past its exp the token is verified again (the provider's leeway still admits it for a few seconds) ...
    sleepUntil(issued + 3);
    assertThat(me("Bearer " + token).await().statusCode()).isEqualTo(200);
    assertThat(verifications.get()).isEqualTo(3);
    // ... and past the leeway it is refused
    sleepUntil(issued + 2 + Jwt.LEEWAY_SECONDS + 2);
    assertUnauthorized(me("Bearer " + token).await());
  }

  private static void sleepUntil(long epochSecond) throws InterruptedException {
    long wait = epochSecond * 1000 - System.currentTimeMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
  }

  @Test
  void aRefusedTokenIsVerifiedAgainEveryTime(Vertx vertx) {
    String forged = TokenIssuer.create(Jwt.hs256(vertx, OTHER_SECRET), Jwt.HS256, 600)
      .issue("member-1", List.of("ADMIN"));
    assertUnauthorized(me("Bearer " + forged).await());
    assertUnauthorized(me("Bearer " + forged).await());
    assertThat(verifications.get()).isEqualTo(2);
  }

  @Test
  void wrongRoleIs403AndRightRoleIs200(VertxTestContext ctx) {
    TokenIssuer issuer = TokenIssuer.create(jwtAuth, Jwt.HS256, 600);
    String customer = issuer.issue("member-1", List.of("CUSTOMER"));
    String seller = issuer.issue("member-2", List.of("SELLER"));
    client.get(port, "127.0.0.1", "/api/admin").bearerTokenAuthentication(customer).send()
      .compose(res -> {
        ctx.verify(() -> {
          assertThat(res.statusCode()).isEqualTo(403);
          assertThat(res.getHeader("Content-Type")).isEqualTo("application/problem+json");
          assertThat(res.bodyAsJsonObject().getString("type")).isEqualTo("https://eventmall.dev/problems/forbidden");
          assertThat(res.getHeader("WWW-Authenticate")).isNull();
        });
        return client.get(port, "127.0.0.1", "/api/admin").bearerTokenAuthentication(seller).send();
      })
      .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.bodyAsJsonObject().getBoolean("ok")).isTrue();
        ctx.completeNow();
      })));
  }

  @Test
  void issuedTokenCarriesTheStandardClaims(VertxTestContext ctx) {
    String token = TokenIssuer.create(jwtAuth, Jwt.HS256, 900).issue("member-7", List.of("ADMIN"));
    JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1])));
    ctx.verify(() -> {
      assertThat(payload.getString("sub")).isEqualTo("member-7");
      assertThat(payload.getString("iss")).isEqualTo("eventmall");
      assertThat(payload.getValue("aud").toString()).contains("eventmall-api");
      assertThat(payload.getLong("exp") - payload.getLong("iat")).isEqualTo(900);
      assertThat(payload.getString("jti")).isNotBlank();
      assertThat(payload.getJsonArray("roles")).containsExactly("ADMIN");
    });
    ctx.completeNow();
  }
}
