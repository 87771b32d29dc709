package dev.eventmall.common.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {

  @Test
  void defaultsMatchDevstack() {
    Config config = Config.of(Map.of());
    assertThat(config.kafkaBootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(config.mysqlUri("orders")).isEqualTo("mysql://root@127.0.0.1:3306/orders");
    assertThat(config.cassandraContactPoints()).containsExactly("127.0.0.1:9042");
    assertThat(config.cassandraLocalDc()).isEqualTo("datacenter1");
    assertThat(config.redisUrl()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(config.tossBaseUrl()).isEqualTo("http://127.0.0.1:8090");
    assertThat(config.tossSecretKey()).isEqualTo("test_sk_devstack");
    assertThat(config.carrierBaseUrl()).isEqualTo("http://127.0.0.1:8091");
    assertThat(config.jwtSecret()).isEqualTo(Config.DEV_JWT_SECRET);
    assertThat(config.jwtUsesRsa()).isFalse();
    assertThat(config.jwtAccessTtlSeconds()).isEqualTo(3600);
    assertThat(config.httpPort(8086)).isEqualTo(8086);
    assertThat(config.httpBodyLimitBytes()).isEqualTo(1024 * 1024);
  }

  @Test
  void valuesOverrideDefaults() {
    Config config = Config.of(Map.of(
      "KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092",
      "MYSQL_URI", "mysql://app:pw@db:3306",
      "CASSANDRA_CONTACT_POINTS", "c1:9042, c2:9042",
      "TOSS_BASE_URL", "https://api.tosspayments.com/",
      "HTTP_PORT", "0",
      "JWT_PUBLIC_KEY_FILE", "/keys/pub.pem"));
    assertThat(config.kafkaBootstrapServers()).isEqualTo("k1:9092,k2:9092");
    assertThat(config.mysqlUri("member")).isEqualTo("mysql://app:pw@db:3306/member");
    assertThat(config.with("MYSQL_URI", "mysql://app@db:3306/shared?useSSL=false").mysqlUri("member"))
      .isEqualTo("mysql://app@db:3306/shared?useSSL=false");
    assertThat(config.with("MYSQL_URI", "mysql://app@db:3306?ssl=true").mysqlUri("member"))
      .isEqualTo("mysql://app@db:3306/member?ssl=true");
    assertThat(config.cassandraContactPoints()).isEqualTo(List.of("c1:9042", "c2:9042"));
    assertThat(config.tossBaseUrl()).isEqualTo("https://api.tosspayments.com");
    assertThat(config.httpPort(8081)).isZero();
    assertThat(config.jwtUsesRsa()).isTrue();
    assertThat(config.jwtPublicKeyFile()).contains("/keys/pub.pem");
  }

  @Test
  void readReplicaUriIsUnsetByDefaultAndNamesTheServicesDatabase() {
    assertThat(Config.of(Map.of()).mysqlReadUri("orders")).isEmpty();
    Config config = Config.of(Map.of("MYSQL_URI", "mysql://root@db:3306", "MYSQL_READ_URI", "mysql://reader@replica:3306"));
    assertThat(config.mysqlReadUri("orders")).contains("mysql://reader@replica:3306/orders");
    assertThat(config.mysqlUri("orders")).isEqualTo("mysql://root@db:3306/orders");
    assertThatThrownBy(() -> Config.of(Map.of("MYSQL_READ_URI", "postgres://x@y/z")).mysqlReadUri("orders"))
      .isInstanceOf(Config.ConfigException.class).hasMessageContaining("MYSQL_READ_URI");
  }

  @Test
  void badValuesFailWithTheVariableName() {
    assertThatThrownBy(() -> Config.of(Map.of("HTTP_PORT", "eighty")).httpPort(8081))
      .isInstanceOf(Config.ConfigException.class).hasMessageContaining("HTTP_PORT").hasMessageContaining("eighty");
    assertThatThrownBy(() -> Config.of(Map.of("HTTP_PORT", "70000")).httpPort(8081))
      .isInstanceOf(Config.ConfigException.class).hasMessageContaining("HTTP_PORT");
    assertThatThrownBy(() -> Config.of(Map.of("TOSS_BASE_URL", "localhost:8090")).tossBaseUrl())
      .isInstanceOf(Config.ConfigException.class).hasMessageContaining("TOSS_BASE_URL");
    assertThatThrownBy(() -> Config.of(Map.of("REDIS_URL", "http://x")).redisUrl())
      .hasMessageContaining("REDIS_URL");
    assertThatThrownBy(() -> Config.of(Map.of("CASSANDRA_CONTACT_POINTS", "c1")).cassandraContactPoints())
      .hasMessageContaining("CASSANDRA_CONTACT_POINTS");
    assertThatThrownBy(() -> Config.of(Map.of("JWT_ACCESS_TTL_SECONDS", "-1")).jwtAccessTtlSeconds())
      .hasMessageContaining("JWT_ACCESS_TTL_SECONDS");
    assertThatThrownBy(() -> Config.of(Map.of()).required("TOSS_WEBHOOK_SECRET"))
      .hasMessageContaining("TOSS_WEBHOOK_SECRET");
  }
}
