package dev.eventmall.member;

import dev.eventmall.common.config.Config;
import dev.eventmall.member.domain.LoginThrottle;

import java.time.Duration;
import java.util.Optional;

/**
 * Member-specific settings, from the environment:
 * {@code JWT_ACCESS_TTL_SECONDS} (default 900 here), {@code REFRESH_TTL_SECONDS} (default 14 days), {@code LOGIN_MAX_FAILURES} (5 per
 * client), {@code LOGIN_FAILURE_WINDOW_SECONDS} (900), {@code LOGIN_FIRST_DELAY_SECONDS} (30, doubled per further failure),
 * {@code LOGIN_ACCOUNT_MAX_FAILURES} (100 over all clients), {@code HTTP_INSTANCES} (CPU count), {@code MYSQL_POOL_SIZE} (8), and the optional admin seed
 * {@code ADMIN_EMAIL} / {@code ADMIN_PASSWORD} / {@code ADMIN_NAME}; {@code PASSWORD_HASH_THREADS} (half the CPUs, at
 * least 1) and {@code PASSWORD_HASH_QUEUE} (8 per thread) size {@link PasswordWork};
 * {@code PASSWORD_RATE_PER_CLIENT} (5 a second; 0 = off) and {@code PASSWORD_BURST_PER_CLIENT} (20) limit sign-ups and
 * logins per client address.
 */
public record MemberSettings(Duration refreshTtl, Duration accessTtl, LoginThrottle throttle, int httpInstances,
                             int poolSize, Optional<AdminSeed> adminSeed, int hashThreads, int hashQueue,
                             double passwordRatePerClient, int passwordBurstPerClient) {

  public static final int DEFAULT_PORT = 8081;
  /** Access tokens are short-lived: 15 minutes unless {@code JWT_ACCESS_TTL_SECONDS} says otherwise. */
  public static final long DEFAULT_ACCESS_TTL_SECONDS = 900;

  /** The configured administrator, created at start when absent. */
  public record AdminSeed(String email, String password, String name) {
    @Override
    public String toString() {
      return "AdminSeed[" + email + "]";
    }
  }

  public static MemberSettings from(Config config) {
    long refreshSeconds = config.getLong("REFRESH_TTL_SECONDS", Duration.ofDays(14).toSeconds());
    int maxFailures = config.getInt("LOGIN_MAX_FAILURES", 5);
    long windowSeconds = config.getLong("LOGIN_FAILURE_WINDOW_SECONDS", 900);
    long firstDelaySeconds = config.getLong("LOGIN_FIRST_DELAY_SECONDS", 30);
    int accountMaxFailures = config.getInt("LOGIN_ACCOUNT_MAX_FAILURES", 100);
    if (firstDelaySeconds <= 0 || accountMaxFailures <= 0) {
      throw new Config.ConfigException("LOGIN_FIRST_DELAY_SECONDS and LOGIN_ACCOUNT_MAX_FAILURES must be positive");
    }
    int instances = config.getInt("HTTP_INSTANCES", Math.max(1, Runtime.getRuntime().availableProcessors()));
    int poolSize = config.getInt("MYSQL_POOL_SIZE", 8);
    int hashThreads = config.getInt("PASSWORD_HASH_THREADS", Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    int hashQueue = config.getInt("PASSWORD_HASH_QUEUE", 8 * hashThreads);
    double ratePerClient = Double.parseDouble(config.get("PASSWORD_RATE_PER_CLIENT", "5"));
    int burstPerClient = config.getInt("PASSWORD_BURST_PER_CLIENT", 20);
    if (ratePerClient < 0 || burstPerClient <= 0) {
      throw new Config.ConfigException("PASSWORD_RATE_PER_CLIENT must not be negative, PASSWORD_BURST_PER_CLIENT positive");
    }
    if (hashThreads <= 0 || hashQueue < 0) {
      throw new Config.ConfigException("PASSWORD_HASH_THREADS must be positive and PASSWORD_HASH_QUEUE not negative");
    }
    if (refreshSeconds <= 0 || maxFailures <= 0 || windowSeconds <= 0 || instances <= 0 || poolSize <= 0) {
      throw new Config.ConfigException("REFRESH_TTL_SECONDS, LOGIN_MAX_FAILURES, LOGIN_FAILURE_WINDOW_SECONDS, "
        + "HTTP_INSTANCES and MYSQL_POOL_SIZE must be positive");
    }
    long accessSeconds = config.optional(Config.JWT_ACCESS_TTL_SECONDS).isPresent() ? config.jwtAccessTtlSeconds()
      : DEFAULT_ACCESS_TTL_SECONDS;
    Optional<AdminSeed> admin = config.optional("ADMIN_EMAIL").map(email -> {
      if (!email.matches("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$") || email.length() > 254) {
        throw new Config.ConfigException("ADMIN_EMAIL must be an e-mail address");
      }
      String password = config.required("ADMIN_PASSWORD");
      if (password.length() < 8 || password.length() > 128) {
        throw new Config.ConfigException("ADMIN_PASSWORD must be 8 to 128 characters");
      }
      return new AdminSeed(email.toLowerCase(java.util.Locale.ROOT), password, config.get("ADMIN_NAME", "Administrator"));
    });
    return new MemberSettings(Duration.ofSeconds(refreshSeconds), Duration.ofSeconds(accessSeconds),
      new LoginThrottle(maxFailures, Duration.ofSeconds(windowSeconds), Duration.ofSeconds(firstDelaySeconds),
        accountMaxFailures), instances, poolSize, admin, hashThreads,
      hashQueue, ratePerClient, burstPerClient);
  }
}
