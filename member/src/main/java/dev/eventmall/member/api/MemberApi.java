package dev.eventmall.member.api;


import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.TokenIssuer;
import dev.eventmall.common.http.ClientRateLimit;
import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.member.MemberSettings;
import dev.eventmall.member.persistence.AddressRepository;
import dev.eventmall.member.persistence.MemberRepository;
import dev.eventmall.member.persistence.RefreshTokenRepository;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;

/**
 * The member HTTP API:
 * <pre>
 * POST   /members                         sign-up (public)
 * GET    /members/me, PATCH /members/me   own profile (bearer)
 * GET    /members/me/addresses            own addresses, paged (bearer)
 * POST   /members/me/addresses            add an address (bearer)
 * GET/PUT/DELETE /members/me/addresses/:id   one own address (bearer)
 * POST   /auth/login, /auth/refresh, /auth/logout   (public)
 * </pre>
 */
public final class MemberApi {

  /** What the handlers need. */
  public record Deps(Vertx vertx, Pool pool, JWTAuth jwt, TokenIssuer issuer, MemberSettings settings,
                     MemberRepository members, AddressRepository addresses, RefreshTokenRepository refreshTokens) {
    public Deps(Vertx vertx, Pool pool, JWTAuth jwt, TokenIssuer issuer, MemberSettings settings) {
      this(vertx, pool, jwt, issuer, settings, new MemberRepository(), new AddressRepository(),
        new RefreshTokenRepository());
    }
  }

  private MemberApi() {
  }

  /** Mounts the member routes on the service's root router. */
  public static void mount(Router root, Deps deps) {
    AccountHandlers accounts = new AccountHandlers(deps);
    AddressHandlers addresses = new AddressHandlers(deps);
    SessionHandlers sessions = new SessionHandlers(deps);

    // the two routes that spend Argon2: a per-client limit before any work (issue 16 rows 5 and 10)
    ClientRateLimit passwordWork = ClientRateLimit.of("member-password", deps.settings().passwordRatePerClient(),
      deps.settings().passwordBurstPerClient());
    Router members = Router.router(deps.vertx());
    members.post("/").handler(passwordWork).handler(accounts::signUp);
    members.route("/me*").handler(AuthHandlers.bearer(deps.jwt()));
    members.get("/me").respond(accounts::me);
    members.patch("/me").respond(accounts::updateMe);
    members.get("/me/addresses").respond(addresses::list);
    members.post("/me/addresses").handler(addresses::create);
    members.get("/me/addresses/:addressId").respond(addresses::one);
    members.put("/me/addresses/:addressId").respond(addresses::replace);
    members.delete("/me/addresses/:addressId").handler(addresses::delete);
    HttpBootstrap.mount(root, "/members", members);

    Router auth = Router.router(deps.vertx());
    auth.post("/login").handler(passwordWork).respond(sessions::login);
    auth.post("/refresh").respond(sessions::refresh);
    auth.post("/logout").handler(sessions::logout);
    HttpBootstrap.mount(root, "/auth", auth);
  }
}
