package dev.eventmall.loadtests;

import java.time.Duration;

/**
 * Everything a simulation takes from system properties: the services' base URLs (defaults: devstack's fixed ports)
 * and the load shape. Example: {@code -Dsearch.url=http://10.0.0.5:8084 -Drate=500 -Dduration=60}.
 */
public final class Settings {
  private Settings() {
  }

  public static String memberUrl() {
    return url("member.url", 8081);
  }

  public static String paymentUrl() {
    return url("payment.url", 8082);
  }

  public static String searchUrl() {
    return url("search.url", 8084);
  }

  public static String catalogUrl() {
    return url("catalog.url", 8085);
  }

  public static String orderUrl() {
    return url("order.url", 8086);
  }

  /** The Toss emulator ({@code -Dtoss.url}): its sandbox stands in for the browser's billing-auth window. */
  public static String tossUrl() {
    return url("toss.url", 8090);
  }

  private static String url(String property, int devstackPort) {
    String value = System.getProperty(property, "http://127.0.0.1:" + devstackPort);
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  /** Arrivals per second of the open workload model ({@code -Drate}). */
  public static double rate(double fallback) {
    return Double.parseDouble(System.getProperty("rate", Double.toString(fallback)));
  }

  /** Length of the steady phase ({@code -Dduration}, seconds). */
  public static Duration duration(int fallbackSeconds) {
    return Duration.ofSeconds(Long.getLong("duration", fallbackSeconds));
  }

  /** Length of the ramp from 1 arrival/s to {@link #rate} before the steady phase ({@code -Dramp}, seconds). */
  public static Duration ramp(int fallbackSeconds) {
    return Duration.ofSeconds(Long.getLong("ramp", fallbackSeconds));
  }

  public static int integer(String property, int fallback) {
    return Integer.getInteger(property, fallback);
  }

  /** Assertion thresholds in ms ({@code -Dp95=..., -Dp99=...}). */
  public static int millis(String property, int fallback) {
    return Integer.getInteger(property, fallback);
  }
}
