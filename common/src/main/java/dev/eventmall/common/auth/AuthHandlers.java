package dev.eventmall.common.auth;

import dev.eventmall.common.http.ProblemException;
import dev.eventmall.common.http.RequestId;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Route handlers for bearer-token authentication and role checks.
 * <ul>
 *   <li>{@link #bearer(JWTAuth)}: requires {@code Authorization: Bearer <JWT>}; a missing, malformed, forged, expired,
 *   wrong-issuer or wrong-audience token fails the request with 401 (problem+json, {@code WWW-Authenticate: Bearer});
 *   the reason is logged at debug level, never sent. On success the {@link AuthPrincipal} is stored in the context.</li>
 *   <li>{@link #requireRole(String...)}: 403 unless the principal has one of the roles (401 if unauthenticated).</li>
 * </ul>
 * <pre>{@code
 * api.route().handler(AuthHandlers.bearer(jwtAuth));
 * api.post("/products").handler(AuthHandlers.requireRole("SELLER")).respond(this::create);
 * }</pre>
 */
public final class AuthHandlers {

  private static final Logger LOG = LoggerFactory.getLogger(AuthHandlers.class);
  private static final String KEY = "eventmall.principal";

  private AuthHandlers() {
  }

  /** Authentication handler verifying the bearer token with {@code auth}. */
  public static Handler<RoutingContext> bearer(JWTAuth auth) {
    return ctx -> authenticate(auth, ctx);
  }

  /** Authorization handler: the principal must have at least one of {@code roles}. */
  public static Handler<RoutingContext> requireRole(String... roles) {
    List<String> required = List.of(roles);
    if (required.isEmpty()) {
      throw new IllegalArgumentException("at least one role is required");
    }
    return ctx -> {
      AuthPrincipal principal = ctx.get(KEY);
      if (principal == null) {
        ctx.fail(ProblemException.unauthorized("A valid bearer token is required", null));
      } else if (required.stream().noneMatch(principal::hasRole)) {
        ctx.fail(ProblemException.forbidden("This operation requires one of the roles " + required));
      } else {
        ctx.next();
      }
    };
  }

  /** The authenticated principal; throws a 401 problem when {@link #bearer} did not run or failed. */
  public static AuthPrincipal principal(RoutingContext ctx) {
    AuthPrincipal principal = ctx.get(KEY);
    if (principal == null) {
      throw ProblemException.unauthorized("A valid bearer token is required", null);
    }
    return principal;
  }

  private static void authenticate(JWTAuth auth, RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || header.isBlank()) {
      ctx.fail(ProblemException.unauthorized("A bearer token is required", null));
      return;
    }
    if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
      ctx.fail(invalidToken());
      return;
    }
    String token = header.substring(7).trim();
    auth.authenticate(new TokenCredentials(token))
      .map(AuthHandlers::toPrincipal)
      .onSuccess(principal -> {
        ctx.put(KEY, principal);
        ctx.next();
      })
      .onFailure(err -> {
        LOG.debug("[{}] bearer token rejected: {}", RequestId.of(ctx), err.getMessage());
        ctx.fail(invalidToken());
      });
  }

  private static AuthPrincipal toPrincipal(User user) {
    String subject = user.principal().getString("sub");
    if (subject == null || subject.isBlank()) {
      throw new IllegalArgumentException("token has no subject");
    }
    if (!user.attributes().containsKey("exp")) {
      throw new IllegalArgumentException("token has no expiry");
    }
    Object rolesClaim = user.principal().getValue("roles");
    Set<String> roles = new HashSet<>();
    if (rolesClaim instanceof JsonArray array) {
      array.forEach(r -> {
        if (r instanceof String s) {
          roles.add(s);
        }
      });
    } else if (rolesClaim instanceof String s) {
      roles.addAll(Arrays.asList(s.split("[ ,]+")));
    }
    return new AuthPrincipal(subject, roles, user.principal().getString("jti"));
  }

  private static ProblemException invalidToken() {
    return ProblemException.unauthorized("The bearer token is invalid or expired", "invalid_token");
  }
}
