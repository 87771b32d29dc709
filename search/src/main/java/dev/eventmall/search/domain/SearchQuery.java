package dev.eventmall.search.domain;

import dev.eventmall.common.domain.DomainException.FieldError;
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
 * A search request. Its parameters arrive validated by {@code openapi/search.yaml} (types, {@code q} and
 * {@code category} at most 100 characters, no control characters in a category, prices non-negative, {@code sort} one
 * of {@link Sort}, {@code page} 0..{@value #MAX_OFFSET}, {@code size} 1..{@value #MAX_SIZE}); {@link #of} adds what
 * the document cannot say: the defaults, trimming (a blank parameter is no filter), the keywords' tokens, and the
 * rules between parameters ({@code minPrice} ≤ {@code maxPrice}, {@code page * size} ≤ {@value #MAX_OFFSET}), whose
 * violations are one {@link InvalidSearchQuery} listing each.
 */
public record SearchQuery(String q, List<String> tokens, String category, Long minPrice, Long maxPrice, Sort sort,
                          int page, int size) {

  public static final int MAX_SIZE = 100;
  public static final int DEFAULT_SIZE = 20;
  /** Deepest page offset served (keeps ZRANGE cheap and bounded). */
  public static final int MAX_OFFSET = 10_000;

  public enum Sort {
    RELEVANCE, PRICE_ASC, PRICE_DESC, NEWEST;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The sort named {@code wire} ({@code price_asc}); the document admits no other names. */
    public static Sort fromWire(String wire) {
      for (Sort candidate : values()) {
        if (candidate.wire().equals(wire)) {
          return candidate;
        }
      }
      throw new IllegalArgumentException("no sort " + wire);
    }
  }

  public SearchQuery {
    tokens = List.copyOf(tokens);
  }

  /**
   * The request of the validated parameters, each null when absent: defaults (relevance, page 0, size
   * {@value #DEFAULT_SIZE}) and the rules between parameters.
   */
  public static SearchQuery of(String q, String category, Long minPrice, Long maxPrice, String sort, Integer page,
                               Integer size) {
    List<FieldError> errors = new ArrayList<>();
    if (minPrice != null && maxPrice != null && minPrice > maxPrice) {
      errors.add(new FieldError("maxPrice", "must not be below minPrice"));
    }
    int p = page == null ? 0 : page;
    int n = size == null ? DEFAULT_SIZE : size;
    if ((long) p * n > MAX_OFFSET) {
      errors.add(new FieldError("page", "page * size must be at most " + MAX_OFFSET));
    }
    if (!errors.isEmpty()) {
      throw new InvalidSearchQuery(errors);
    }
    String text = q == null ? "" : q.trim();
    String cat = category == null || category.isBlank() ? null : category.trim();
    return new SearchQuery(text, new ArrayList<>(Tokenizer.queryTokens(text)), cat, minPrice, maxPrice,
      sort == null ? Sort.RELEVANCE : Sort.fromWire(sort), p, n);
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
}
