package dev.eventmall.member.api;


import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.TokenIssuer;
import dev.eventmall.common.http.ClientRateLimit;
import dev.eventmall.common.http.ContractRoutes;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import dev.eventmall.member.MemberSettings;
import dev.eventmall.member.persistence.AddressRepository;
import dev.eventmall.member.persistence.MemberRepository;
import dev.eventmall.member.persistence.RefreshTokenRepository;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.jwt.JWTAuth;
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

  /** Binds the operations of {@code openapi/member.yaml}; the document validates every request first. */
  public static ContractRoutes routes(ContractRoutes routes, Deps deps) {
    AccountHandlers accounts = new AccountHandlers(deps);
    AddressHandlers addresses = new AddressHandlers(deps);
    SessionHandlers sessions = new SessionHandlers(deps);

    // the two routes that spend Argon2: a per-client limit before any work (issue 16 rows 5 and 10)
    ClientRateLimit passwordWork = ClientRateLimit.of("member-password", deps.settings().passwordRatePerClient(),
      deps.settings().passwordBurstPerClient());
    Handler<RoutingContext> bearer = AuthHandlers.bearer(deps.jwt());
    return routes
      .operation("signUp").before(passwordWork).handler(accounts::signUp)
      .operation("me").before(bearer).respond(accounts::me)
      .operation("updateMe").before(bearer).respond(accounts::updateMe)
      .operation("listAddresses").before(bearer).respond(addresses::list)
      .operation("addAddress").before(bearer).handler(addresses::create)
      .operation("getAddress").before(bearer).respond(addresses::one)
      .operation("replaceAddress").before(bearer).respond(addresses::replace)
      .operation("deleteAddress").before(bearer).handler(addresses::delete)
      .operation("login").before(passwordWork).respond(sessions::login)
      .operation("refresh").respond(sessions::refresh)
      .operation("logout").handler(sessions::logout);
  }
}
