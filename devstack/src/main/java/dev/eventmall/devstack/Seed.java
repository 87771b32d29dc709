package dev.eventmall.devstack;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Demo data through the services' REST APIs, as a user would create it: a seller with five products (Korean names) and
 * a customer with a default address and a billing key on the Toss emulator's test card. What exists already is kept
 * (sign-up answering 409 → log in; products matched by name; an address or billing key present → none added), so a
 * restart over the same {@code .devstack/} data seeds nothing twice.
 */
public final class Seed {
  public static final String SELLER_EMAIL = "seller@eventmall.dev";
  public static final String SELLER_PASSWORD = "seller-pass-1234";
  public static final String CUSTOMER_EMAIL = "customer@eventmall.dev";
  public static final String CUSTOMER_PASSWORD = "customer-pass-1234";
  /** A card the Toss emulator approves. */
  public static final String CARD = "4330123412341234";

  /** The products the seller offers: name, category, price (KRW), stock. */
  static final List<Object[]> PRODUCTS = List.of(
    new Object[] {"무선 이어폰 프로", "audio", 129_000L, 50},
    new Object[] {"기계식 키보드 87키", "computer", 89_000L, 30},
    new Object[] {"제주 감귤 5kg", "food", 25_000L, 100},
    new Object[] {"스테인리스 텀블러 500ml", "kitchen", 18_000L, 200},
    new Object[] {"Everyday Cotton T-shirt", "fashion", 15_000L, 150});

  /** What was seeded (or found): tokens are fresh access tokens. */
  public record Result(String sellerToken, String customerId, String customerToken, String addressId,
                       List<String> productIds, List<String> created) {
  }

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, Integer> ports;
  private final boolean tossEmulated;
  private final List<String> created = new ArrayList<>();

  /**
   * {@code tossEmulated}: the payment service talks to the Toss emulator, whose sandbox stands in for the billing-auth
   * window; against real Toss the card is registered in a browser (the storefront), so no billing key is seeded.
   */
  public Seed(Map<String, Integer> ports, boolean tossEmulated) {
    this.ports = ports;
    this.tossEmulated = tossEmulated;
  }

  /** Seeds what is missing; fails with an {@link IllegalStateException} saying which call answered what. */
  public Result run() {
    String sellerToken = account(SELLER_EMAIL, SELLER_PASSWORD, "데모 판매자", "SELLER").getString("accessToken");
    Set<String> existing = new HashSet<>();
    List<String> productIds = new ArrayList<>();
    for (Object item : call("catalog", "GET", "/sellers/me/products?size=100", sellerToken, null, 200)
      .getJsonArray("items")) {
      JsonObject product = (JsonObject) item;
      existing.add(product.getString("name"));
      productIds.add(product.getString("productId"));
    }
    for (Object[] p : PRODUCTS) {
      if (existing.contains((String) p[0])) {
        continue;
      }
      JsonObject product = call("catalog", "POST", "/products", sellerToken, new JsonObject()
        .put("name", p[0]).put("description", "devstack demo product").put("category", p[1]).put("price", p[2])
        .put("stock", p[3]).put("attributes", new JsonObject().put("origin", "devstack"))
        .put("imageUrls", new JsonArray()).put("options", new JsonArray()), 201);
      productIds.add(product.getString("productId"));
      created.add("product " + p[0]);
    }

    JsonObject customer = account(CUSTOMER_EMAIL, CUSTOMER_PASSWORD, "데모 고객", "CUSTOMER");
    String customerToken = customer.getString("accessToken");
    JsonArray addresses = call("member", "GET", "/members/me/addresses", customerToken, null, 200).getJsonArray("items");
    String addressId;
    if (addresses.isEmpty()) {
      addressId = call("member", "POST", "/members/me/addresses", customerToken, new JsonObject()
        .put("recipient", "김고객").put("phone", "010-1234-5678").put("zipCode", "04524")
        .put("line1", "서울특별시 중구 세종대로 110").put("line2", "101호"), 201).getString("id");
      created.add("address " + addressId);
    } else {
      addressId = addresses.getJsonObject(0).getString("id");
    }
    if (tossEmulated && status("payment", "GET", "/payments/billing-keys/me", customerToken, null) == 404) {
      // as the browser does: the billing-auth window (the emulator's sandbox) takes the card and redirects with an
      // authKey; only that goes to the payment service, never the card number (issue 13)
      JsonObject params = call("payment", "GET", "/payments/toss-client", customerToken, null, 200);
      String authKey = call("toss-emulator", "POST", "/sandbox/billing-auth", null, new JsonObject()
        .put("customerKey", params.getString("customerKey")).put("clientKey", params.getString("billingClientKey"))
        .put("cardNumber", CARD), 201).getString("authKey");
      call("payment", "POST", "/payments/billing-keys", customerToken, new JsonObject().put("authKey", authKey)
        .put("customerKey", params.getString("customerKey")), 201);
      created.add("billing key");
    }
    return new Result(sellerToken, customer.getString("memberId"), customerToken, addressId, productIds,
      List.copyOf(created));
  }

  /** Signs up (409: exists already) and logs in; answers the login body. */
  private JsonObject account(String email, String password, String name, String role) {
    int signUp = status("member", "POST", "/members", null, new JsonObject()
      .put("email", email).put("password", password).put("name", name).put("role", role));
    if (signUp == 201) {
      created.add(role.toLowerCase() + " " + email);
    } else if (signUp != 409) {
      throw new IllegalStateException("sign-up of " + email + " answered " + signUp);
    }
    return call("member", "POST", "/auth/login", null,
      new JsonObject().put("email", email).put("password", password), 200);
  }

  /** The walkthrough printed after seeding: copy-pasteable, bash. */
  public static String walkthrough(Map<String, Integer> ports) {
    int member = ports.get("member");
    int search = ports.get("search");
    int order = ports.get("order");
    int delivery = ports.get("delivery");
    int payment = ports.get("payment");
    return String.join("\n",
      "# seller " + SELLER_EMAIL + " / " + SELLER_PASSWORD + ", customer " + CUSTOMER_EMAIL + " / " + CUSTOMER_PASSWORD,
      "# walkthrough (bash): log in, find a product, order it, follow it to DELIVERED",
      "TOKEN=$(curl -s -X POST localhost:" + member + "/auth/login -H 'content-type: application/json' \\",
      "  -d '{\"email\":\"" + CUSTOMER_EMAIL + "\",\"password\":\"" + CUSTOMER_PASSWORD + "\"}' \\",
      "  | sed 's/.*\"accessToken\":\"\\([^\"]*\\)\".*/\\1/')",
      "ADDRESS=$(curl -s localhost:" + member + "/members/me/addresses -H \"authorization: Bearer $TOKEN\" \\",
      "  | sed 's/.*\"items\":\\[{\"id\":\"\\([^\"]*\\)\".*/\\1/')",
      "PRODUCT=$(curl -s -G localhost:" + search + "/search --data-urlencode 'q=이어폰' \\",
      "  | sed 's/.*\"productId\":\"\\([^\"]*\\)\".*/\\1/')",
      "ORDER=$(curl -s -X POST localhost:" + order + "/orders -H \"authorization: Bearer $TOKEN\" \\",
      "  -H 'content-type: application/json' -H \"Idempotency-Key: $(date +%s%N)\" \\",
      "  -d '{\"lines\":[{\"productId\":\"'$PRODUCT'\",\"quantity\":1}],\"addressId\":\"'$ADDRESS'\",\"paymentMethod\":\"BILLING\"}' \\",
      "  | sed 's/.*\"orderId\":\"\\([^\"]*\\)\".*/\\1/'); echo \"order $ORDER\"",
      "curl -s localhost:" + order + "/orders/$ORDER -H \"authorization: Bearer $TOKEN\"; echo",
      "curl -s localhost:" + order + "/orders/$ORDER/timeline -H \"authorization: Bearer $TOKEN\"; echo",
      "curl -s localhost:" + payment + "/payments/orders/$ORDER -H \"authorization: Bearer $TOKEN\"; echo",
      "curl -s localhost:" + delivery + "/deliveries/$ORDER -H \"authorization: Bearer $TOKEN\"; echo",
      "curl -s localhost:" + order + "/metrics | grep -E '^orders_(placed|completed)_total'");
  }

  private int status(String service, String method, String path, String token, JsonObject body) {
    return send(service, method, path, token, body).statusCode();
  }

  private JsonObject call(String service, String method, String path, String token, JsonObject body, int expected) {
    HttpResponse<String> response = send(service, method, path, token, body);
    if (response.statusCode() != expected) {
      throw new IllegalStateException(method + " " + service + path + " answered " + response.statusCode() + ": "
        + response.body());
    }
    return new JsonObject(response.body());
  }

  private HttpResponse<String> send(String service, String method, String path, String token, JsonObject body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(service) + path))
      .timeout(Duration.ofSeconds(20))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + service + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
