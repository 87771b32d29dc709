package dev.eventmall.emulators.sandbox;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Fault injection settings of an emulator, readable and writable as JSON ({@code GET/PUT /sandbox/faults}).
 *
 * <ul>
 *   <li>{@code latencyMs}: added before the request is executed (an idempotent repeat meanwhile gets 409).</li>
 *   <li>{@code errorRate} (0..1) with {@code errorCode}/{@code errorStatus} (0: the status the emulator gives that code):
 *       answer an error instead;
 *       {@code errorApplyEffect} executes the request first (the effect happens, the client sees the error).</li>
 *   <li>{@code timeoutMs} (&gt; 0 answer after that many ms, -1 never answer) with {@code timeoutApplyEffect}: the request is
 *       accepted, its effect applied (or not) at once, and the answer comes late or never. When the effect is not applied
 *       the late answer is the {@code errorCode} error.</li>
 *   <li>{@code outage}: {@code NONE}, {@code SERVICE_UNAVAILABLE} (503) or {@code CLOSE_CONNECTION}.</li>
 *   <li>{@code refuseNew} (carrier only): refuse new shipments with 422 {@code ADDRESS_UNDELIVERABLE}.</li>
 *   <li>{@code paths}: path prefixes the faults apply to (default {@code /v1}, i.e. every API call, never /sandbox).</li>
 *   <li>{@code count}: how many matching requests get the fault, -1 for all (the default).</li>
 * </ul>
 */
public record Faults(
    long latencyMs,
    double errorRate,
    String errorCode,
    int errorStatus,
    boolean errorApplyEffect,
    long timeoutMs,
    boolean timeoutApplyEffect,
    Outage outage,
    boolean refuseNew,
    List<String> paths,
    int count) {

  public enum Outage { NONE, SERVICE_UNAVAILABLE, CLOSE_CONNECTION }

  public static final String DEFAULT_ERROR_CODE = "FAILED_INTERNAL_SYSTEM_PROCESSING";

  public Faults {
    if (errorRate < 0 || errorRate > 1) {
      throw new IllegalArgumentException("errorRate must be within 0..1");
    }
    if (latencyMs < 0 || timeoutMs < -1) {
      throw new IllegalArgumentException("latencyMs must be >= 0 and timeoutMs >= -1");
    }
    errorCode = errorCode == null || errorCode.isBlank() ? DEFAULT_ERROR_CODE : errorCode;
    errorStatus = Math.max(0, errorStatus);
    outage = outage == null ? Outage.NONE : outage;
    paths = paths == null || paths.isEmpty() ? List.of("/v1") : List.copyOf(paths);
  }

  /** No fault at all. */
  public static Faults none() {
    return new Faults(0, 0, null, 0, false, 0, true, Outage.NONE, false, null, -1);
  }

  public Faults withLatencyMs(long ms) {
    return new Faults(ms, errorRate, errorCode, errorStatus, errorApplyEffect, timeoutMs, timeoutApplyEffect, outage, refuseNew, paths, count);
  }

  public Faults withErrors(double rate, String code, int status) {
    return new Faults(latencyMs, rate, code, status, errorApplyEffect, timeoutMs, timeoutApplyEffect, outage, refuseNew, paths, count);
  }

  public Faults withErrorApplyEffect(boolean apply) {
    return new Faults(latencyMs, errorRate, errorCode, errorStatus, apply, timeoutMs, timeoutApplyEffect, outage, refuseNew, paths, count);
  }

  public Faults withTimeout(long ms, boolean applyEffect) {
    return new Faults(latencyMs, errorRate, errorCode, errorStatus, errorApplyEffect, ms, applyEffect, outage, refuseNew, paths, count);
  }

  public Faults withOutage(Outage o) {
    return new Faults(latencyMs, errorRate, errorCode, errorStatus, errorApplyEffect, timeoutMs, timeoutApplyEffect, o, refuseNew, paths, count);
  }

  public Faults withRefuseNew(boolean refuse) {
    return new Faults(latencyMs, errorRate, errorCode, errorStatus, errorApplyEffect, timeoutMs, timeoutApplyEffect, outage, refuse, paths, count);
  }

  public Faults withPaths(List<String> p) {
    return new Faults(latencyMs, errorRate, errorCode, errorStatus, errorApplyEffect, timeoutMs, timeoutApplyEffect, outage, refuseNew, p, count);
  }

  public Faults withCount(int n) {
    return new Faults(latencyMs, errorRate, errorCode, errorStatus, errorApplyEffect, timeoutMs, timeoutApplyEffect, outage, refuseNew, paths, n);
  }

  /** Whether any fault is set (count aside). */
  public boolean active() {
    return latencyMs > 0 || errorRate > 0 || timeoutMs != 0 || outage != Outage.NONE || refuseNew;
  }

  public boolean applies(String path) {
    return paths.stream().anyMatch(path::startsWith);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("latencyMs", latencyMs)
        .put("errorRate", errorRate)
        .put("errorCode", errorCode)
        .put("errorStatus", errorStatus)
        .put("errorApplyEffect", errorApplyEffect)
        .put("timeoutMs", timeoutMs)
        .put("timeoutApplyEffect", timeoutApplyEffect)
        .put("outage", outage.name())
        .put("refuseNew", refuseNew)
        .put("paths", new JsonArray(paths))
        .put("count", count);
  }

  /** Reads faults from JSON; absent fields take the {@link #none()} defaults. */
  public static Faults fromJson(JsonObject json) {
    JsonArray paths = json.getJsonArray("paths");
    return new Faults(
        json.getLong("latencyMs", 0L),
        json.getDouble("errorRate", 0.0),
        json.getString("errorCode"),
        json.getInteger("errorStatus", 0),
        json.getBoolean("errorApplyEffect", false),
        json.getLong("timeoutMs", 0L),
        json.getBoolean("timeoutApplyEffect", true),
        Outage.valueOf(json.getString("outage", "NONE")),
        json.getBoolean("refuseNew", false),
        paths == null ? null : paths.stream().map(String::valueOf).toList(),
        json.getInteger("count", -1));
  }
}
