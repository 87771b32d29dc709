package dev.eventmall.catalog.api;

import dev.eventmall.catalog.domain.ProductDetails;
import dev.eventmall.catalog.domain.ProductOption;
import dev.eventmall.common.http.ContractRoutes;
import dev.eventmall.common.http.ProblemException;
import dev.eventmall.common.http.Validation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Product requests read from bodies and parameters that {@code openapi/catalog.yaml} has already validated (types,
 * ranges, sizes, patterns, unknown fields); what stays here is what a schema cannot say: trimmed non-blank text that
 * passes the text policy, image URLs that point at a public host, and a page within reach of its size.
 */
final class ProductRequests {
  static final int MAX_NAME = 200;
  /** Deepest offset a listing serves (Cassandra pages by reading up to it). */
  static final int MAX_OFFSET = 10_000;

  private ProductRequests() {
  }

  /** A product body (create and full replace). */
  static ProductDetails details(JsonObject body) {
    Validation v = Validation.of(body);
    String name = v.requiredString("name", MAX_NAME);
    String raw = body.getString("description", "");
    // checked untrimmed (trim() drops leading and trailing controls silently); a blank description is no description
    String description = raw.isBlank() || v.text("description", raw) ? raw.trim() : "";
    String category = body.getString("category");
    long price = body.getLong("price");
    int stock = body.getInteger("stock");
    Map<String, String> attributes = new LinkedHashMap<>();
    JsonObject map = body.getJsonObject("attributes", new JsonObject());
    for (String key : map.fieldNames()) {
      String value = map.getString(key);
      v.check(!key.isBlank(), "attributes." + key, "keys must not be blank");
      if (v.text("attributes." + key, key) && v.text("attributes." + key, value)) {
        attributes.put(key, value);
      }
    }
    List<String> images = new ArrayList<>();
    JsonArray urls = body.getJsonArray("imageUrls", new JsonArray());
    for (int i = 0; i < urls.size(); i++) {
      String url = urls.getString(i);
      v.check(isHttpUrl(url), "imageUrls[" + i + "]", "must be an http(s) URL of a public host");
      if (v.text("imageUrls[" + i + "]", url)) {
        images.add(url);
      }
    }
    List<ProductOption> options = new ArrayList<>();
    JsonArray array = body.getJsonArray("options", new JsonArray());
    for (int i = 0; i < array.size(); i++) {
      String field = "options[" + i + "]";
      JsonObject option = array.getJsonObject(i);
      String optionName = option.getString("name");
      List<String> values = option.getJsonArray("values").stream().map(String::valueOf).toList();
      v.check(!optionName.isBlank() && values.stream().noneMatch(String::isBlank), field, "must not be blank");
      if (v.text(field + ".name", optionName) && values.stream().allMatch(x -> v.text(field + ".values", x))) {
        options.add(new ProductOption(optionName, values));
      }
    }
    v.done();
    return new ProductDetails(name, description, category, price, stock, attributes, images, options);
  }

  /**
   * An absolute http(s) URL whose host is a name or a public address: loopback, private, link-local (cloud metadata at
   * 169.254.169.254), unspecified and multicast literals are refused (issue 16 row 14) — a browser or a thumbnailer
   * fetching product images must not be pointed inside someone's network.
   */
  static boolean isHttpUrl(String s) {
    try {
      URI uri = new URI(s);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
        && publicHost(uri.getHost());
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean publicHost(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost") || h.toLowerCase(java.util.Locale.ROOT).endsWith(".localhost")) {
      return false;
    }
    boolean literal = h.contains(":") || h.matches("[0-9.]+");
    if (!literal) {
      return true; // a name: not resolved here (no DNS lookups while validating)
    }
    try {
      java.net.InetAddress a = java.net.InetAddress.getByName(h); // a literal: parsed, never looked up
      return !(a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
        || a.isMulticastAddress() || (a.getAddress().length == 16 && (a.getAddress()[0] & 0xfe) == 0xfc));
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** The {@code {id}} path parameter, a UUID (the document answers 404 for anything else). */
  static UUID productId(RoutingContext ctx) {
    return UUID.fromString(ctx.pathParam("id"));
  }

  /**
   * {@code page} (0-based) and {@code size} (1..100, default 20), each validated by the document; a page beyond
   * {@link #MAX_OFFSET} for its size is 400.
   */
  static int[] paging(RoutingContext ctx) {
    RequestParameter sizeParam = ContractRoutes.query(ctx, "size");
    RequestParameter pageParam = ContractRoutes.query(ctx, "page");
    int size = sizeParam == null ? 20 : sizeParam.getInteger();
    int page = pageParam == null ? 0 : pageParam.getInteger();
    if (page > MAX_OFFSET / size - 1) {
      throw ProblemException.badRequest("Query parameter page must be an integer between 0 and "
        + (MAX_OFFSET / size - 1) + " for size " + size);
    }
    return new int[]{page, size};
  }
}
