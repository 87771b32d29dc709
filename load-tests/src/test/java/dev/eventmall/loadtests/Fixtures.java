package dev.eventmall.loadtests;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Set-up done before the load starts (a seller, products, a probe order), over plain HTTP so it never counts in the
 * Gatling statistics. Only what the simulations need; bodies are built as strings to keep the module free of the
 * services' code.
 */
public final class Fixtures {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();
  public static final String GOOD_CARD = "4330123412341234";

  private Fixtures() {
  }

  public record Response(int status, String body) {
    String field(String name) {
      Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(body);
      if (!m.find()) {
        throw new IllegalStateException("no " + name + " in " + body);
      }
      return m.group(1);
    }
  }

  public static Response call(String method, String url, String token, String json) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
      .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + url + " failed", e);
    }
  }

  static Response expect(int status, Response r, String what) {
    if (r.status() != status) {
      throw new IllegalStateException(what + ": expected " + status + ", got " + r.status() + " " + r.body());
    }
    return r;
  }

  /** Signs up and logs in a member; returns the access token. */
  public static String member(String role) {
    String email = role.toLowerCase() + "-" + UUID.randomUUID() + "@load.example.com";
    String password = "pass-" + UUID.randomUUID();
    expect(201, call("POST", Settings.memberUrl() + "/members", null, "{\"email\":\"" + email + "\",\"password\":\""
      + password + "\",\"name\":\"Load " + role + "\",\"role\":\"" + role + "\"}"), "sign-up");
    return expect(200, call("POST", Settings.memberUrl() + "/auth/login", null,
      "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}"), "login").field("accessToken");
  }

  /** Creates {@code count} products of the seller; returns their ids. */
  public static List<String> products(String sellerToken, String tag, int count, long stock) {
    String[] categories = {"audio", "camera", "kitchen", "outdoor"};
    String[] names = {"무선 이어폰", "블루투스 스피커", "미러리스 카메라", "캠핑 의자", "전기 주전자", "노이즈 캔슬링 헤드폰"};
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String body = "{\"name\":\"" + names[i % names.length] + " " + tag + " " + i + "\",\"description\":\"load test "
        + tag + "\",\"category\":\"" + categories[i % categories.length] + "\",\"price\":" + (10_000 + 1_000L * i)
        + ",\"stock\":" + stock + ",\"attributes\":{\"color\":\"black\"},\"imageUrls\":[],\"options\":[]}";
      ids.add(expect(201, call("POST", Settings.catalogUrl() + "/products", sellerToken, body), "product")
        .field("productId"));
    }
    return ids;
  }

  /** Waits until search finds the run's products (the index is fed asynchronously from catalog.products). */
  public static void awaitSearchable(String tag, int count) {
    String url = Settings.searchUrl() + "/search?size=50&q=" + URLEncoder.encode(tag, StandardCharsets.UTF_8);
    await("search indexes the " + count + " products tagged " + tag, Duration.ofSeconds(60), () -> {
      Response r = call("GET", url, null, null);
      Matcher m = Pattern.compile("\"total\"\\s*:\\s*(\\d+)").matcher(r.body());
      return r.status() == 200 && m.find() && Integer.parseInt(m.group(1)) >= count;
    });
  }

  /** A customer with an address and a billing key; returns {token, addressId}. */
  public static String[] customer() {
    String token = member("CUSTOMER");
    String addressId = expect(201, call("POST", Settings.memberUrl() + "/members/me/addresses", token,
      "{\"recipient\":\"홍길동\",\"phone\":\"010-1234-5678\",\"zipCode\":\"04524\",\"line1\":\"서울시 중구 세종대로 110\","
        + "\"line2\":\"101호\"}"), "address").field("id");
    // the browser's way (issue 13): the card goes to the billing-auth window (the emulator's sandbox), the payment
    // service gets the authKey of its redirect
    Response params = expect(200, call("GET", Settings.paymentUrl() + "/payments/toss-client", token, null), "keys");
    String authKey = expect(201, call("POST", Settings.tossUrl() + "/sandbox/billing-auth", null, "{\"customerKey\":\""
      + params.field("customerKey") + "\",\"clientKey\":\"" + params.field("billingClientKey") + "\",\"cardNumber\":\""
      + GOOD_CARD + "\"}"), "billing auth").field("authKey");
    expect(201, call("POST", Settings.paymentUrl() + "/payments/billing-keys", token, "{\"authKey\":\"" + authKey
      + "\"}"), "billing key");
    return new String[] {token, addressId};
  }

  /** Waits until the order service's projections know every product (a probe order with one unit of each is accepted). */
  public static void awaitOrderable(List<String> productIds) {
    String[] customer = customer();
    StringBuilder lines = new StringBuilder();
    for (String id : productIds) {
      lines.append(lines.length() == 0 ? "" : ",").append("{\"productId\":\"").append(id).append("\",\"quantity\":1}");
    }
    String body = "{\"lines\":[" + lines + "],\"addressId\":\"" + customer[1] + "\",\"paymentMethod\":\"BILLING\"}";
    await("the order service knows the products", Duration.ofSeconds(60),
      () -> call("POST", Settings.orderUrl() + "/orders", customer[0], body).status() == 201);
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting until " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
