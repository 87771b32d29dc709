package dev.eventmall.search.domain;

import dev.eventmall.common.domain.DomainException.FieldError;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A validated search request. {@link #parse} checks the query string at the edge: {@code q} at most
 * {@value #MAX_Q_LENGTH} characters, {@code minPrice}/{@code maxPrice} non-negative integers with min ≤ max,
 * {@code category} at most {@value #MAX_CATEGORY_LENGTH} characters and no control characters,
 * {@code sort} one of {@link Sort}, {@code page} ≥ 0, {@code size} 1..{@value #MAX_SIZE}; any violation is one
 * {@link InvalidSearchQuery} listing every bad parameter.
 */
public record SearchQuery(String q, List<String> tokens, String category, Long minPrice, Long maxPrice, Sort sort,
                          int page, int size) {

  public static final int MAX_Q_LENGTH = 100;
  public static final int MAX_CATEGORY_LENGTH = 100;
  public static final int MAX_SIZE = 100;
  public static final int DEFAULT_SIZE = 20;
  /** Deepest page offset served (keeps ZRANGE cheap and bounded). */
  public static final int MAX_OFFSET = 10_000;

  public enum Sort {
    RELEVANCE, PRICE_ASC, PRICE_DESC, NEWEST;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public SearchQuery {
    tokens = List.copyOf(tokens);
  }

  /** Parses and validates the query parameters. */
  public static SearchQuery parse(MultiMap params) {
    List<FieldError> errors = new ArrayList<>();
    String q = params.get("q") == null ? "" : params.get("q").trim();
    if (q.length() > MAX_Q_LENGTH) {
      error(errors, "q", "must be at most " + MAX_Q_LENGTH + " characters");
    }
    String category = params.get("category") == null || params.get("category").isBlank() ? null
      : params.get("category").trim();
    if (category != null && category.length() > MAX_CATEGORY_LENGTH) {
      error(errors, "category", "must be at most " + MAX_CATEGORY_LENGTH + " characters");
    } else if (params.get("category") != null && params.get("category").chars().anyMatch(Character::isISOControl)) {
      // String.trim() strips control characters too: "\0" would become no filter at all and list every product
      error(errors, "category", "must not contain control characters");
    }
    Long minPrice = number(params, "minPrice", 0, Long.MAX_VALUE, errors);
    Long maxPrice = number(params, "maxPrice", 0, Long.MAX_VALUE, errors);
    if (minPrice != null && maxPrice != null && minPrice > maxPrice) {
      error(errors, "maxPrice", "must not be below minPrice");
    }
    Sort sort = Sort.RELEVANCE;
    String s = params.get("sort");
    if (s != null && !s.isBlank()) {
      sort = null;
      for (Sort candidate : Sort.values()) {
        if (candidate.wire().equals(s.trim())) {
          sort = candidate;
        }
      }
      if (sort == null) {
        error(errors, "sort", "must be one of relevance, price_asc, price_desc, newest");
      }
    }
    Long page = number(params, "page", 0, MAX_OFFSET, errors);
    Long size = number(params, "size", 1, MAX_SIZE, errors);
    int p = page == null ? 0 : page.intValue();
    int n = size == null ? DEFAULT_SIZE : size.intValue();
    if (errors.isEmpty() && (long) p * n > MAX_OFFSET) {
      error(errors, "page", "page * size must be at most " + MAX_OFFSET);
    }
    if (!errors.isEmpty()) {
      throw new InvalidSearchQuery(errors);
    }
    List<String> tokens = new ArrayList<>(Tokenizer.queryTokens(q));
    return new SearchQuery(q, tokens, category, minPrice, maxPrice, sort, p, n);
  }

  /** Whether the query has neither keywords, a category nor a price filter (then it lists every product). */
  public boolean unrestricted() {
    return tokens.isEmpty() && category == null && minPrice == null && maxPrice == null;
  }

  public int offset() {
    return page * size;
  }

  /** Category index key, or null. */
  public String categoryKey() {
    return category == null ? null : ProductDocument.categoryKey(category);
  }

  /**
   * Hash of the normalized query (tokens, category key, price range, sort, page, size): two requests with the same
   * hash get the same answer from the same index version.
   */
  public String cacheHash() {
    JsonObject normalized = new JsonObject()
      .put("t", new JsonArray(tokens))
      .put("c", categoryKey())
      .put("min", minPrice)
      .put("max", maxPrice)
      .put("s", sort.wire())
      .put("p", page)
      .put("n", size);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(normalized.encode().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Long number(MultiMap params, String name, long min, long max, List<FieldError> errors) {
    String v = params.get(name);
    if (v == null || v.isBlank()) {
      return null;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      error(errors, name, "must be an integer");
      return null;
    }
    if (n < min || n > max) {
      error(errors, name, "must be between " + min + " and " + max);
      return null;
    }
    return n;
  }

  private static void error(List<FieldError> errors, String field, String message) {
    errors.add(new FieldError(field, message));
  }
}
