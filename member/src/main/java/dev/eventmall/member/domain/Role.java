package dev.eventmall.member.domain;

/** Member roles. ADMIN is never chosen at sign-up: it comes only from configuration (seed). */
public enum Role {
  CUSTOMER, SELLER, ADMIN;

  /** Whether a member may pick this role when signing up. */
  public boolean selfService() {
    return this != ADMIN;
  }
}
