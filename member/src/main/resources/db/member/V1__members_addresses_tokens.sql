-- Member accounts: the e-mail (stored lower-cased) is unique by the database, so concurrent sign-ups cannot both win.
CREATE TABLE members (
  id            CHAR(36)     NOT NULL,
  email         VARCHAR(254) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  name          VARCHAR(100) NOT NULL,
  role          VARCHAR(16)  NOT NULL,
  created_at    DATETIME(6)  NOT NULL,
  updated_at    DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_members_email (email),
  CONSTRAINT ck_members_role CHECK (role IN ('CUSTOMER', 'SELLER', 'ADMIN'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Shipping addresses; every query filters by member_id (the token's subject).
CREATE TABLE addresses (
  id         CHAR(36)     NOT NULL,
  member_id  CHAR(36)     NOT NULL,
  recipient  VARCHAR(100) NOT NULL,
  phone      VARCHAR(20)  NOT NULL,
  zip_code   VARCHAR(10)  NOT NULL,
  line1      VARCHAR(200) NOT NULL,
  line2      VARCHAR(200) NULL,
  is_default BOOLEAN      NOT NULL DEFAULT FALSE,
  created_at DATETIME(6)  NOT NULL,
  updated_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  KEY ix_addresses_member (member_id, created_at),
  CONSTRAINT fk_addresses_member FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Refresh tokens, stored as SHA-256 hex only. One family per login; each refresh marks the presented token used and
-- adds its successor to the family. Presenting a used token revokes the whole family (theft detection).
CREATE TABLE refresh_tokens (
  token_hash CHAR(64)    NOT NULL,
  family_id  CHAR(36)    NOT NULL,
  member_id  CHAR(36)    NOT NULL,
  created_at DATETIME(6) NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  used_at    DATETIME(6) NULL,
  revoked_at DATETIME(6) NULL,
  PRIMARY KEY (token_hash),
  KEY ix_refresh_family (family_id),
  KEY ix_refresh_member (member_id),
  CONSTRAINT fk_refresh_member FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Failed logins per e-mail (known or not), shared by every instance of the service.
CREATE TABLE login_failures (
  email             VARCHAR(254) NOT NULL,
  failures          INT          NOT NULL,
  window_started_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (email)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
