package dev.eventmall.member.api;

import dev.eventmall.common.http.HttpBootstrap;
import dev.eventmall.common.http.ProblemException;
import dev.eventmall.common.http.ContractRoutes;
import dev.eventmall.common.http.Validation;
import dev.eventmall.common.metrics.Metrics;
import dev.eventmall.member.domain.Ids;
import dev.eventmall.member.domain.LoginThrottle;
import dev.eventmall.member.domain.Member;
import dev.eventmall.member.domain.Passwords;
import dev.eventmall.member.domain.RefreshTokens;
import dev.eventmall.member.persistence.RefreshTokenRepository.StoredToken;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.SqlConnection;

import java.time.Instant;
import java.util.List;

/**
 * Login, refresh-token rotation and logout.
 * <ul>
 *   <li>Login answers one and the same 401 for an unknown e-mail and a wrong password, and spends the same Argon2 work
 *   on both (a dummy hash is checked when the e-mail is unknown).</li>
 *   <li>Failed logins are counted per e-mail and client address in MySQL (so across instances); past the limit that
 *   client's attempts, right or wrong, get 429 with {@code Retry-After} for a delay that doubles with each failure
 *   ({@link LoginThrottle}); other clients are not slowed unless the account's failures from all clients pass the
 *   account's limit.</li>
 *   <li>Refresh tokens rotate: a used token is dead; presenting it again revokes its whole family (theft detection).</li>
 * </ul>
 */
final class SessionHandlers {

  private final MemberApi.Deps deps;
  private final MeterRegistry registry;

  SessionHandlers(MemberApi.Deps deps) {
    this.deps = deps;
    this.registry = Metrics.registryOf(deps.vertx());
  }

  /** POST /auth/login {email, password} */
  Future<JsonObject> login(RoutingContext ctx) {
    JsonObject body = ContractRoutes.body(ctx);
    String email = Inputs.email(body);
    String password = body.getString("password");
    LoginThrottle throttle = deps.settings().throttle();
    Instant now = Instant.now();
    String from = HttpBootstrap.clientAddress(ctx.request());
    return deps.members().failures(deps.pool(), email)
      .compose(failures -> {
        long retryAfter = throttle.retryAfterSeconds(failures, from, now);
        if (retryAfter > 0) {
          count("throttled");
          return Future.failedFuture(ProblemException.of(429, "too-many-login-attempts", "Too Many Requests",
            "Too many failed logins for this account; try again later").withHeader("Retry-After", Long.toString(retryAfter)));
        }
        return deps.members().byEmail(deps.pool(), email);
      })
      .compose(member -> dev.eventmall.member.PasswordWork.of(deps.vertx(), deps.settings())
        .run(() -> Passwords.verify(password, member == null ? null : member.passwordHash()))
        .compose(ok -> {
          if (!ok) {
            count("failed");
            return deps.members().recordFailure(deps.pool(), email, from, now, throttle.window())
              .compose(x -> Future.failedFuture(invalidCredentials()));
          }
          count("succeeded");
          return deps.members().clearFailures(deps.pool(), email, from)
            .compose(x -> deps.pool().withTransaction(conn -> issue(conn, member, Ids.newId())));
        }));
  }

  /** POST /auth/refresh {refreshToken}: a new access + refresh pair; the presented token is used up. */
  Future<JsonObject> refresh(RoutingContext ctx) {
    String token = presentedRefreshToken(ctx);
    if (!RefreshTokens.wellFormed(token)) {
      return Future.failedFuture(invalidRefreshToken());
    }
    String hash = RefreshTokens.hash(token);
    Instant now = Instant.now();
    // the transaction commits what it decided (a rotation, or a family revoked after reuse); rejection comes after
    return deps.pool().<JsonObject>withTransaction(conn -> deps.refreshTokens().lock(conn, hash).compose(stored -> {
        if (stored == null || stored.revokedAt() != null || !stored.expiresAt().isAfter(now)) {
          return Future.succeededFuture(null);
        }
        if (stored.usedAt() != null) {
          count("refresh_reused");
          return deps.refreshTokens().revokeFamily(conn, stored.familyId(), now).map((JsonObject) null);
        }
        return rotate(conn, stored, now);
      }))
      .compose(answer -> answer == null ? Future.failedFuture(invalidRefreshToken()) : Future.succeededFuture(answer));
  }

  /** POST /auth/logout {refreshToken}: revokes the token's session (its family); always 204. */
  void logout(RoutingContext ctx) {
    String token = presentedRefreshToken(ctx);
    Future<Void> revoked = !RefreshTokens.wellFormed(token) ? Future.succeededFuture()
      : deps.pool().withTransaction(conn -> deps.refreshTokens().lock(conn, RefreshTokens.hash(token))
      .compose(stored -> stored == null ? Future.<Void>succeededFuture()
        : deps.refreshTokens().revokeFamily(conn, stored.familyId(), Instant.now())));
    revoked.onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
  }

  private Future<JsonObject> rotate(SqlConnection conn, StoredToken stored, Instant now) {
    return deps.refreshTokens().markUsed(conn, stored.tokenHash(), now)
      .compose(marked -> deps.members().byId(conn, stored.memberId()))
      .compose(member -> member == null ? Future.succeededFuture(null) : issue(conn, member, stored.familyId()));
  }

  /** Stores a new refresh token in {@code familyId} and answers with it and a fresh access token. */
  private Future<JsonObject> issue(SqlConnection conn, Member member, String familyId) {
    String refresh = RefreshTokens.generate();
    Instant now = Instant.now();
    Instant expires = now.plus(deps.settings().refreshTtl());
    return deps.refreshTokens().insert(conn, RefreshTokens.hash(refresh), familyId, member.id(), now, expires)
      .map(v -> new JsonObject()
        .put("accessToken", deps.issuer().issue(member.id(), List.of(member.role().name())))
        .put("tokenType", "Bearer")
        .put("expiresIn", deps.issuer().ttlSeconds())
        .put("refreshToken", refresh)
        .put("refreshExpiresIn", deps.settings().refreshTtl().toSeconds())
        .put("memberId", member.id())
        .put("role", member.role().name()));
  }

  private static String presentedRefreshToken(RoutingContext ctx) {
    Validation v = Validation.of(ContractRoutes.body(ctx));
    String token = v.requiredString("refreshToken", 200);
    v.done();
    return token;
  }

  private void count(String outcome) {
    registry.counter("member.auth", "outcome", outcome).increment();
  }

  static ProblemException invalidCredentials() {
    return ProblemException.of(401, "invalid-credentials", "Unauthorized", "The e-mail or password is incorrect");
  }

  static ProblemException invalidRefreshToken() {
    return ProblemException.of(401, "invalid-refresh-token", "Unauthorized", "The refresh token is invalid or expired");
  }
}
