package dev.eventmall.catalog.api;

import dev.eventmall.catalog.domain.ProductDetails;
import dev.eventmall.catalog.domain.ProductOption;
import dev.eventmall.common.http.ProblemException;
import dev.eventmall.common.http.Validation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/** Edge validation of product requests: bodies, ids and paging parameters. */
final class ProductRequests {
  static final int MAX_NAME = 200;
  static final int MAX_DESCRIPTION = 5000;
  static final long MAX_PRICE = 100_000_000L;
  static final long MAX_STOCK = 1_000_000L;
  static final int MAX_ATTRIBUTES = 50;
  static final int MAX_ATTRIBUTE_KEY = 100;
  static final int MAX_ATTRIBUTE_VALUE = 500;
  static final int MAX_IMAGES = 20;
  static final int MAX_URL = 500;
  static final int MAX_OPTIONS = 20;
  static final int MAX_OPTION_VALUES = 50;
  static final int MAX_OPTION_TEXT = 100;
  static final int MAX_SIZE = 100;
  /** Deepest offset a listing serves (Cassandra pages by reading up to it). */
  static final int MAX_OFFSET = 10_000;

  static final Pattern CATEGORY = Pattern.compile("[a-z0-9-]{1,50}");

  private ProductRequests() {
  }

  /** A product body (create and full replace). */
  static ProductDetails details(RoutingContext ctx) {
    Validation v = Validation.of(ctx);
    JsonObject body = v.body();
    String name = v.requiredString("name", MAX_NAME);
    String description = "";
    Object rawDescription = body.getValue("description");
    if (rawDescription != null) {
      boolean ok = rawDescription instanceof String s && s.length() <= MAX_DESCRIPTION;
      v.check(ok, "description", "must be a string of at most " + MAX_DESCRIPTION + " characters");
      String raw = ok ? (String) rawDescription : "";
      // checked untrimmed (trim() drops leading and trailing controls silently); a blank description is no description
      description = raw.isBlank() || v.text("description", raw) ? raw.trim() : "";
    }
    String category = v.requiredString("category", 50);
    if (category != null && !CATEGORY.matcher(category).matches()) {
      v.check(false, "category", "must match [a-z0-9-]{1,50}");
    }
    Long price = v.longInRange("price", 1, MAX_PRICE); // nothing is sold for free: a zero price is a mistake
    Long stock = v.longInRange("stock", 0, MAX_STOCK);
    Map<String, String> attributes = attributes(v, body.getValue("attributes"));
    List<String> images = imageUrls(v, body.getValue("imageUrls"));
    List<ProductOption> options = options(v, body.getValue("options"));
    for (String field : body.fieldNames()) {
      v.check(List.of("name", "description", "category", "price", "stock", "attributes", "imageUrls", "options")
        .contains(field), field, "is not a product field");
    }
    v.done();
    return new ProductDetails(name, description, category, price, stock.intValue(), attributes, images, options);
  }

  private static Map<String, String> attributes(Validation v, Object value) {
    Map<String, String> result = new LinkedHashMap<>();
    if (value == null) {
      return result;
    }
    if (!(value instanceof JsonObject map)) {
      v.check(false, "attributes", "must be an object of strings");
      return result;
    }
    v.check(map.size() <= MAX_ATTRIBUTES, "attributes", "must have at most " + MAX_ATTRIBUTES + " entries");
    for (String key : map.fieldNames()) {
      Object val = map.getValue(key);
      boolean ok = !key.isBlank() && key.length() <= MAX_ATTRIBUTE_KEY && val instanceof String s
        && s.length() <= MAX_ATTRIBUTE_VALUE;
      v.check(ok, "attributes." + key, "keys must be 1-" + MAX_ATTRIBUTE_KEY + " characters and values strings of at most "
        + MAX_ATTRIBUTE_VALUE);
      if (ok && v.text("attributes." + key, key) && v.text("attributes." + key, (String) val)) {
        result.put(key, (String) val);
      }
    }
    return result;
  }

  private static List<String> imageUrls(Validation v, Object value) {
    List<String> result = new ArrayList<>();
    if (value == null) {
      return result;
    }
    if (!(value instanceof JsonArray array)) {
      v.check(false, "imageUrls", "must be an array of URLs");
      return result;
    }
    v.check(array.size() <= MAX_IMAGES, "imageUrls", "must have at most " + MAX_IMAGES + " entries");
    for (int i = 0; i < array.size(); i++) {
      Object url = array.getValue(i);
      boolean ok = url instanceof String s && s.length() <= MAX_URL && isHttpUrl(s);
      v.check(ok, "imageUrls[" + i + "]", "must be an http(s) URL of at most " + MAX_URL + " characters");
      if (ok && v.text("imageUrls[" + i + "]", (String) url)) {
        result.add((String) url);
      }
    }
    return result;
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

  private static List<ProductOption> options(Validation v, Object value) {
    List<ProductOption> result = new ArrayList<>();
    if (value == null) {
      return result;
    }
    if (!(value instanceof JsonArray array)) {
      v.check(false, "options", "must be an array of {name, values}");
      return result;
    }
    v.check(array.size() <= MAX_OPTIONS, "options", "must have at most " + MAX_OPTIONS + " entries");
    for (int i = 0; i < array.size(); i++) {
      String field = "options[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject option)) {
        v.check(false, field, "must be an object {name, values}");
        continue;
      }
      Object name = option.getValue("name");
      Object values = option.getValue("values");
      boolean ok = name instanceof String n && !n.isBlank() && n.length() <= MAX_OPTION_TEXT
        && values instanceof JsonArray vals && !vals.isEmpty() && vals.size() <= MAX_OPTION_VALUES
        && vals.stream().allMatch(x -> x instanceof String s && !s.isBlank() && s.length() <= MAX_OPTION_TEXT)
        && option.size() == 2;
      v.check(ok, field, "must be {name: string, values: 1-" + MAX_OPTION_VALUES + " strings} of at most "
        + MAX_OPTION_TEXT + " characters each");
      if (ok && v.text(field + ".name", (String) name)
        && ((JsonArray) values).stream().allMatch(x -> v.text(field + ".values", (String) x))) {
        result.add(new ProductOption((String) name, ((JsonArray) values).stream().map(String::valueOf).toList()));
      }
    }
    return result;
  }

  /** The {@code :id} path parameter; anything that is not a UUID is a product that does not exist (404). */
  static UUID productId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!Validation.isUuid(id)) {
      throw ProblemException.notFound("Product " + id + " does not exist");
    }
    return UUID.fromString(id);
  }

  /** A paging parameter: absent → default, otherwise an integer in range, else 400. */
  static int intParam(RoutingContext ctx, String name, int dflt, int min, int max) {
    String value = ctx.queryParams().get(name);
    if (value == null || value.isEmpty()) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // fall through
    }
    throw ProblemException.badRequest("Query parameter " + name + " must be an integer between " + min + " and " + max);
  }

  /** {@code page} (0-based) and {@code size} (1..100, default 20), bounded so that page * size stays within reach. */
  static int[] paging(RoutingContext ctx) {
    int size = intParam(ctx, "size", 20, 1, MAX_SIZE);
    int page = intParam(ctx, "page", 0, 0, MAX_OFFSET / size - 1);
    return new int[]{page, size};
  }
}
