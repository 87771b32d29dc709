package dev.eventmall.common.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Service configuration read from environment variables, with defaults that match devstack.
 * <p>
 * Built from a plain map ({@link #fromEnv()} in production, {@link #of(Map)} in tests) so that tests override values
 * without touching the process environment. Bad values fail fast with a {@link ConfigException} naming the variable.
 */
public final class Config {

  private static final Logger LOG = LoggerFactory.getLogger(Config.class);

  public static final String KAFKA_BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";
  public static final String MYSQL_URI = "MYSQL_URI";
  /** A read replica of {@code MYSQL_URI}'s server for the service's read paths; unset: reads go to the primary. */
  public static final String MYSQL_READ_URI = "MYSQL_READ_URI";
  public static final String CASSANDRA_CONTACT_POINTS = "CASSANDRA_CONTACT_POINTS";
  public static final String CASSANDRA_LOCAL_DC = "CASSANDRA_LOCAL_DC";
  public static final String REDIS_URL = "REDIS_URL";
  public static final String TOSS_BASE_URL = "TOSS_BASE_URL";
  public static final String TOSS_SECRET_KEY = "TOSS_SECRET_KEY";
  public static final String CARRIER_BASE_URL = "CARRIER_BASE_URL";
  public static final String JWT_SECRET = "JWT_SECRET";
  public static final String JWT_PUBLIC_KEY_FILE = "JWT_PUBLIC_KEY_FILE";
  public static final String JWT_PRIVATE_KEY_FILE = "JWT_PRIVATE_KEY_FILE";
  public static final String JWT_ACCESS_TTL_SECONDS = "JWT_ACCESS_TTL_SECONDS";
  public static final String HTTP_PORT = "HTTP_PORT";
  public static final String HTTP_BODY_LIMIT_BYTES = "HTTP_BODY_LIMIT_BYTES";

  /** Development-only HS256 secret; a warning is logged whenever it is used. */
  public static final String DEV_JWT_SECRET = "eventmall-devstack-jwt-secret-do-not-use-in-production";

  private final Map<String, String> values;

  private Config(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  /** Configuration from the process environment. */
  public static Config fromEnv() {
    return new Config(System.getenv());
  }

  /** Configuration from an explicit map (tests, tools); missing keys fall back to the devstack defaults. */
  public static Config of(Map<String, String> values) {
    return new Config(Objects.requireNonNull(values, "values"));
  }

  /** A copy of this configuration with {@code key} set to {@code value}. */
  public Config with(String key, String value) {
    var copy = new java.util.HashMap<>(values);
    copy.put(key, value);
    return new Config(copy);
  }

  // ---------------------------------------------------------------- generic typed getters

  /** The value of {@code key}, if set and not blank. */
  public Optional<String> optional(String key) {
    String v = values.get(key);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  /** The set, non-blank values whose keys start with {@code prefix} ({@code OTEL_}: the OpenTelemetry settings). */
  public Map<String, String> startingWith(String prefix) {
    var found = new java.util.TreeMap<String, String>();
    values.forEach((key, value) -> {
      if (key.startsWith(prefix) && !value.isBlank()) {
        found.put(key, value.trim());
      }
    });
    return found;
  }

  /** The value of {@code key}, or {@code defaultValue}. */
  public String get(String key, String defaultValue) {
    return optional(key).orElse(defaultValue);
  }

  /** The value of {@code key}; fails when it is not set. */
  public String required(String key) {
    return optional(key).orElseThrow(() -> new ConfigException(key + " is required but not set"));
  }

  /** An int value, or {@code defaultValue}; fails on a non-numeric value. */
  public int getInt(String key, int defaultValue) {
    return optional(key).map(v -> parseLong(key, v, Integer.MIN_VALUE, Integer.MAX_VALUE)).map(Long::intValue)
      .orElse(defaultValue);
  }

  /** A long value, or {@code defaultValue}; fails on a non-numeric value. */
  public long getLong(String key, long defaultValue) {
    return optional(key).map(v -> parseLong(key, v, Long.MIN_VALUE, Long.MAX_VALUE)).orElse(defaultValue);
  }

  /** A TCP port (0..65535, 0 = any free port), or {@code defaultValue}. */
  public int getPort(String key, int defaultValue) {
    return optional(key).map(v -> parseLong(key, v, 0, 65535)).map(Long::intValue).orElse(defaultValue);
  }

  /** An absolute http(s) URL, or {@code defaultValue}; fails on anything else. */
  public String getHttpUrl(String key, String defaultValue) {
    String v = get(key, defaultValue);
    URI uri = parseUri(key, v);
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new ConfigException(key + " must be an absolute http(s) URL, got '" + v + "'");
    }
    return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
  }

  // ---------------------------------------------------------------- well-known settings

  /** {@code KAFKA_BOOTSTRAP_SERVERS}, default {@code 127.0.0.1:9092}. */
  public String kafkaBootstrapServers() {
    return get(KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9092");
  }

  /**
   * {@code MYSQL_URI} for the service's database. Default {@code mysql://root@127.0.0.1:3306/<database>}; a configured
   * URI without a database path gets {@code /<database>} appended, one with a path is used as is.
   */
  public String mysqlUri(String database) {
    Objects.requireNonNull(database, "database");
    Optional<String> configured = optional(MYSQL_URI);
    if (configured.isEmpty()) {
      return "mysql://root@127.0.0.1:3306/" + database;
    }
    return withDatabase(MYSQL_URI, configured.get(), database);
  }

  /**
   * {@code MYSQL_READ_URI}: a read replica of the service's database, completed with {@code /<database>} as
   * {@link #mysqlUri} is; empty when unset (reads go to the primary).
   */
  public Optional<String> mysqlReadUri(String database) {
    Objects.requireNonNull(database, "database");
    return optional(MYSQL_READ_URI).map(v -> withDatabase(MYSQL_READ_URI, v, database));
  }

  private static String withDatabase(String key, String v, String database) {
    URI uri = parseUri(key, v);
    if (!"mysql".equals(uri.getScheme()) && !"mariadb".equals(uri.getScheme())) {
      throw new ConfigException(key + " must start with mysql://, got scheme '" + uri.getScheme() + "'");
    }
    String path = uri.getPath();
    if (path == null || path.isEmpty() || "/".equals(path)) {
      int q = v.indexOf('?');
      String base = q < 0 ? v : v.substring(0, q);
      String query = q < 0 ? "" : v.substring(q);
      return (base.endsWith("/") ? base : base + "/") + database + query;
    }
    return v;
  }

  /** {@code CASSANDRA_CONTACT_POINTS} as {@code host:port} entries, default {@code 127.0.0.1:9042}. */
  public List<String> cassandraContactPoints() {
    List<String> points = Arrays.stream(get(CASSANDRA_CONTACT_POINTS, "127.0.0.1:9042").split(","))
      .map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String p : points) {
      int colon = p.lastIndexOf(':');
      if (colon <= 0) {
        throw new ConfigException(CASSANDRA_CONTACT_POINTS + " entries must be host:port, got '" + p + "'");
      }
      parseLong(CASSANDRA_CONTACT_POINTS, p.substring(colon + 1), 1, 65535);
    }
    return points;
  }

  /** {@code CASSANDRA_LOCAL_DC}, default {@code datacenter1}. */
  public String cassandraLocalDc() {
    return get(CASSANDRA_LOCAL_DC, "datacenter1");
  }

  /** {@code REDIS_URL}, default {@code redis://127.0.0.1:6379}. */
  public String redisUrl() {
    String v = get(REDIS_URL, "redis://127.0.0.1:6379");
    String scheme = parseUri(REDIS_URL, v).getScheme();
    if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
      throw new ConfigException(REDIS_URL + " must start with redis:// or rediss://, got '" + v + "'");
    }
    return v;
  }

  /** {@code TOSS_BASE_URL} without a trailing slash, default {@code http://127.0.0.1:8090}. */
  public String tossBaseUrl() {
    return getHttpUrl(TOSS_BASE_URL, "http://127.0.0.1:8090");
  }

  /** {@code TOSS_SECRET_KEY}, default {@code test_sk_devstack}. */
  public String tossSecretKey() {
    return get(TOSS_SECRET_KEY, "test_sk_devstack");
  }

  /** {@code CARRIER_BASE_URL} without a trailing slash, default {@code http://127.0.0.1:8091}. */
  public String carrierBaseUrl() {
    return getHttpUrl(CARRIER_BASE_URL, "http://127.0.0.1:8091");
  }

  /** {@code JWT_SECRET} for HS256; falls back to {@link #DEV_JWT_SECRET} with a warning. */
  public String jwtSecret() {
    return optional(JWT_SECRET).orElseGet(() -> {
      LOG.warn("{} is not set: using the development secret; never do this outside devstack", JWT_SECRET);
      return DEV_JWT_SECRET;
    });
  }

  /** Whether RS256 key files are configured (then they win over {@code JWT_SECRET}). */
  public boolean jwtUsesRsa() {
    return optional(JWT_PUBLIC_KEY_FILE).isPresent();
  }

  /** {@code JWT_PUBLIC_KEY_FILE}: PEM public key verifying RS256 tokens. */
  public Optional<String> jwtPublicKeyFile() {
    return optional(JWT_PUBLIC_KEY_FILE);
  }

  /** {@code JWT_PRIVATE_KEY_FILE}: PEM (PKCS#8) private key signing RS256 tokens; only the member service needs it. */
  public Optional<String> jwtPrivateKeyFile() {
    return optional(JWT_PRIVATE_KEY_FILE);
  }

  /** {@code JWT_ACCESS_TTL_SECONDS}, default 3600. */
  public long jwtAccessTtlSeconds() {
    long ttl = getLong(JWT_ACCESS_TTL_SECONDS, 3600);
    if (ttl <= 0) {
      throw new ConfigException(JWT_ACCESS_TTL_SECONDS + " must be positive, got " + ttl);
    }
    return ttl;
  }

  /** {@code HTTP_PORT}, or the service's own default. */
  public int httpPort(int serviceDefault) {
    return getPort(HTTP_PORT, serviceDefault);
  }

  /** {@code HTTP_BODY_LIMIT_BYTES}, default 1 MiB. */
  public long httpBodyLimitBytes() {
    long limit = getLong(HTTP_BODY_LIMIT_BYTES, 1024 * 1024);
    if (limit <= 0) {
      throw new ConfigException(HTTP_BODY_LIMIT_BYTES + " must be positive, got " + limit);
    }
    return limit;
  }

  // ---------------------------------------------------------------- parsing

  private static long parseLong(String key, String v, long min, long max) {
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key + " must be an integer, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new ConfigException(key + " must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  private static URI parseUri(String key, String v) {
    try {
      URI uri = new URI(v);
      if (uri.getScheme() == null) {
        throw new ConfigException(key + " must be an absolute URI, got '" + v + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException(key + " is not a valid URI: '" + v + "'");
    }
  }

  /** A missing or malformed configuration value; the message names the variable. */
  public static final class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
      super(message);
    }
  }
}
