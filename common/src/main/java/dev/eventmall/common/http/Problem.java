package dev.eventmall.common.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.json.JsonObject;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An RFC 9457 problem detail: {@code type}, {@code title}, {@code status}, {@code detail}, {@code instance} and
 * extension members (e.g. {@code errors} for field validation, {@code requestId}). Immutable.
 * <p>
 * {@code type} is a stable URI {@code https://eventmall.dev/problems/<slug>}: clients switch on it, never on
 * {@code detail}, which is for humans.
 */
public record Problem(String type, String title, int status, String detail, String instance,
                      Map<String, Object> extensions) {

  public static final String CONTENT_TYPE = "application/problem+json";
  public static final String TYPE_BASE = "https://eventmall.dev/problems/";

  private static final Set<String> RESERVED = Set.of("type", "title", "status", "detail", "instance");

  public Problem {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(title, "title");
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("problem status must be 4xx or 5xx, got " + status);
    }
    extensions = extensions == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
  }

  /** A problem whose type is {@code TYPE_BASE + slug}. */
  public static Problem of(int status, String slug, String title, String detail) {
    return new Problem(typeUri(slug), title, status, detail, null, Map.of());
  }

  /** A problem for a bare HTTP status with its standard slug and reason phrase as title. */
  public static Problem ofStatus(int status, String detail) {
    return of(status, slugFor(status), HttpResponseStatus.valueOf(status).reasonPhrase(), detail);
  }

  /** {@code https://eventmall.dev/problems/<slug>}. */
  public static String typeUri(String slug) {
    return TYPE_BASE + slug;
  }

  /** The stable slug used for a bare status code. */
  public static String slugFor(int status) {
    return switch (status) {
      case 400 -> "bad-request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not-found";
      case 405 -> "method-not-allowed";
      case 406 -> "not-acceptable";
      case 409 -> "conflict";
      case 412 -> "precondition-failed";
      case 413 -> "payload-too-large";
      case 415 -> "unsupported-media-type";
      case 422 -> "validation-failed";
      case 428 -> "precondition-required";
      case 429 -> "too-many-requests";
      case 500 -> "internal-error";
      case 502 -> "bad-gateway";
      case 503 -> "service-unavailable";
      case 504 -> "gateway-timeout";
      default -> "http-" + status;
    };
  }

  /** This problem with {@code instance} set (usually the request path). */
  public Problem withInstance(String instance) {
    return new Problem(type, title, status, detail, instance, extensions);
  }

  /** This problem with {@code detail} replaced. */
  public Problem withDetail(String detail) {
    return new Problem(type, title, status, detail, instance, extensions);
  }

  /** This problem with one more extension member; standard member names are refused. */
  public Problem with(String name, Object value) {
    if (RESERVED.contains(name)) {
      throw new IllegalArgumentException("'" + name + "' is a standard problem member, not an extension");
    }
    Map<String, Object> ext = new LinkedHashMap<>(extensions);
    ext.put(name, value);
    return new Problem(type, title, status, detail, instance, ext);
  }

  /** The JSON body: standard members first, then extensions; absent members are omitted. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("type", type).put("title", title).put("status", status);
    if (detail != null) {
      json.put("detail", detail);
    }
    if (instance != null) {
      json.put("instance", instance);
    }
    extensions.forEach(json::put);
    return json;
  }
}
