package dev.eventmall.common.http;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which address a request comes from, for the per-client limits (sign-up and login rates, failed-login counts, webhook
 * rates): the connection's peer, unless that peer is a proxy the operator trusts ({@code HTTP_TRUSTED_PROXIES}: IPs or
 * CIDR blocks, e.g. the load balancer's address), in which case the client is the rightmost address in
 * {@code X-Forwarded-For} that is not itself a trusted proxy. Behind a balancer every connection comes from the
 * balancer; without this, every client would share one rate-limit bucket. Only trusted peers are believed: anyone else
 * could write any {@code X-Forwarded-For}. Pure: no I/O, no DNS (only IP literals are accepted).
 */
public final class ClientAddress {
  /** Setting: comma-separated IPs or CIDR blocks whose {@code X-Forwarded-For} is believed; empty = none. */
  public static final String TRUSTED_PROXIES = "HTTP_TRUSTED_PROXIES";

  private ClientAddress() {
  }

  /** A set of address blocks. */
  public record Trusted(List<Block> blocks) {
    public static final Trusted NONE = new Trusted(List.of());

    /** Parses {@code "10.0.0.5, 172.28.0.0/16, ::1"}; a malformed entry throws (a typo must not trust everyone). */
    public static Trusted parse(String setting) {
      if (setting == null || setting.isBlank()) {
        return NONE;
      }
      List<Block> blocks = new ArrayList<>();
      for (String entry : setting.split(",")) {
        String e = entry.trim();
        if (!e.isEmpty()) {
          blocks.add(Block.parse(e));
        }
      }
      return new Trusted(List.copyOf(blocks));
    }

    public boolean contains(String address) {
      byte[] ip = literal(address);
      return ip != null && blocks.stream().anyMatch(b -> b.contains(ip));
    }
  }

  /** One address block: {@code prefix} leading bits of {@code network}. */
  public record Block(byte[] network, int prefix) {
    static Block parse(String text) {
      int slash = text.indexOf('/');
      byte[] ip = literal(slash < 0 ? text : text.substring(0, slash));
      if (ip == null) {
        throw new IllegalArgumentException(TRUSTED_PROXIES + ": not an IP address or CIDR block: '" + text + "'");
      }
      int prefix = ip.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > ip.length * 8) {
          throw new IllegalArgumentException(TRUSTED_PROXIES + ": bad prefix length in '" + text + "'");
        }
      }
      return new Block(ip, prefix);
    }

    boolean contains(byte[] ip) {
      if (ip.length != network.length) {
        return false;
      }
      int bits = ip.length * 8;
      BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
        .xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
      return new BigInteger(1, ip).and(mask).equals(new BigInteger(1, network).and(mask));
    }
  }

  /**
   * The client of a request whose connection's peer is {@code peer} and whose {@code X-Forwarded-For} header lines are
   * {@code forwardedFor} (in order; each may hold several comma-separated hops).
   */
  public static String resolve(String peer, List<String> forwardedFor, Trusted trusted) {
    if (trusted.blocks().isEmpty() || !trusted.contains(peer) || forwardedFor == null || forwardedFor.isEmpty()) {
      return peer;
    }
    List<String> hops = new ArrayList<>();
    for (String line : forwardedFor) {
      for (String hop : line.split(",")) {
        hops.add(hop.trim());
      }
    }
    String client = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = hops.get(i);
      if (literal(hop) == null) {
        return client; // a hop that is no address: believe nothing left of it
      }
      client = hop;
      if (!trusted.contains(hop)) {
        return hop;
      }
    }
    return client;
  }

  /** The bytes of an IPv4 or IPv6 literal, null for anything else (never a DNS lookup). */
  static byte[] literal(String text) {
    if (text == null || text.isEmpty() || text.length() > 45) {
      return null;
    }
    boolean colon = text.indexOf(':') >= 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok = c >= '0' && c <= '9' || c == '.' || colon && (c == ':' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F');
      if (!ok) {
        return null;
      }
    }
    if (!colon) {
      String[] parts = text.split("\\.", -1);
      if (parts.length != 4) {
        return null;
      }
      for (String p : parts) {
        if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
          return null;
        }
      }
    }
    try {
      return InetAddress.getByName(text).getAddress(); // a literal: parsed, not resolved
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
