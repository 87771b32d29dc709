package dev.eventmall.common.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Who a request comes from behind a trusted balancer, and that nobody else can claim an address. */
class ClientAddressTest {

  static final ClientAddress.Trusted TRUSTED = ClientAddress.Trusted.parse("172.28.0.10, 10.1.0.0/16, ::1");

  /** {@code forwardedFor}: header lines separated by {@code ;} (empty: no header). */
  @ParameterizedTest(name = "peer {0}, X-Forwarded-For [{1}] -> {2}")
  @CsvSource(delimiter = '|', value = {
    // not behind a trusted proxy: the peer, whatever the header says
    "203.0.113.7 |                                 | 203.0.113.7",
    "203.0.113.7 | 198.51.100.1                    | 203.0.113.7",
    // the balancer: the client it saw
    "172.28.0.10 | 198.51.100.1                    | 198.51.100.1",
    "172.28.0.10 |                                 | 172.28.0.10",
    // a client's own header is not believed: the rightmost untrusted hop is the one the balancer saw
    "172.28.0.10 | 6.6.6.6, 198.51.100.1           | 198.51.100.1",
    // chained trusted proxies are skipped
    "172.28.0.10 | 198.51.100.1, 10.1.4.4          | 198.51.100.1",
    "172.28.0.10 | 198.51.100.1; 10.1.4.4          | 198.51.100.1",
    // only trusted hops: the leftmost of them
    "172.28.0.10 | 10.1.9.9, 10.1.4.4              | 10.1.9.9",
    // a hop that is no address stops the walk at the last address believed
    "172.28.0.10 | 198.51.100.1, garbage           | 172.28.0.10",
    "172.28.0.10 | evil.example.com, 10.1.4.4      | 10.1.4.4",
    // IPv6
    "::1         | 2001:db8::5                     | 2001:db8::5",
    "0:0:0:0:0:0:0:1 | 2001:db8::5                 | 2001:db8::5",
    // outside the /16
    "10.2.0.1    | 198.51.100.1                    | 10.2.0.1"})
  void resolvesTheClient(String peer, String forwardedFor, String expected) {
    List<String> lines = forwardedFor == null ? List.of() : Arrays.asList(forwardedFor.split(";"));
    assertThat(ClientAddress.resolve(peer, lines, TRUSTED)).isEqualTo(expected);
  }

  @Test
  void withNoTrustedProxyTheHeaderIsNeverBelieved() {
    assertThat(ClientAddress.resolve("127.0.0.1", List.of("198.51.100.1"), ClientAddress.Trusted.parse("")))
      .isEqualTo("127.0.0.1");
  }

  @ParameterizedTest(name = "[{0}] is refused")
  @CsvSource({"balancer", "10.0.0.0/33", "10.0.0.0/x", "1.2.3", "300.1.1.1", "::1/129"})
  void aMalformedSettingIsRefusedRatherThanTrustingAnything(String setting) {
    assertThatThrownBy(() -> ClientAddress.Trusted.parse(setting)).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining(ClientAddress.TRUSTED_PROXIES);
  }
}
