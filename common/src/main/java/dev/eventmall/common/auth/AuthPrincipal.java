package dev.eventmall.common.auth;

import java.util.Set;

/**
 * The authenticated caller of a request: the token's subject (member id), its roles ({@code CUSTOMER}, {@code SELLER},
 * {@code ADMIN}) and its token id. Read it with {@link AuthHandlers#principal(io.vertx.ext.web.RoutingContext)}.
 */
public record AuthPrincipal(String subject, Set<String> roles, String tokenId) {

  public static final String CUSTOMER = "CUSTOMER";
  public static final String SELLER = "SELLER";
  public static final String ADMIN = "ADMIN";

  public AuthPrincipal {
    roles = Set.copyOf(roles);
  }

  /** Whether the principal has {@code role}. */
  public boolean hasRole(String role) {
    return roles.contains(role);
  }
}
