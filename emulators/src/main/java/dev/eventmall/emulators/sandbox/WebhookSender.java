package dev.eventmall.emulators.sandbox;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts webhook events to a target URL (settable at run time) and retries on anything but a 200 answered within the
 * timeout, after each delay of the retry schedule in turn. Every delivery attempt is recorded; the log keeps the newest
 * {@code maxDeliveries} events (the oldest dropped first), each event encoded and its attempts as small records.
 */
public final class WebhookSender {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);

  /** One event and how its delivery went. */
  public static final class Delivery {
    private final byte[] event;
    private final String url;
    /** One per event, the same on every retry; null without transmission headers. */
    private final String transmissionId;
    /** Appended to on the sender's event loop only (each time a new list). */
    private volatile List<Attempt> attempts = List.of();
    private volatile boolean delivered;

    Delivery(String url, JsonObject event, String transmissionId) {
      this.url = url;
      this.event = event.toBuffer().getBytes();
      this.transmissionId = transmissionId;
    }

    public JsonObject event() {
      return new JsonObject(Buffer.buffer(event));
    }

    public boolean delivered() {
      return delivered;
    }

    public int attempts() {
      return attempts.size();
    }

    public JsonObject toJson() {
      return new JsonObject().put("url", url).put("delivered", delivered).put("event", event())
          .put("attempts", new JsonArray(attempts.stream().map(Attempt::toJson).toList()));
    }

    private void attempted(Attempt a) {
      List<Attempt> next = new ArrayList<>(attempts);
      next.add(a);
      attempts = List.copyOf(next);
    }
  }

  /** One attempt: the status answered, or the error (no answer) when {@code error} is not null. */
  private record Attempt(Instant at, int status, String error) {
    JsonObject toJson() {
      JsonObject a = new JsonObject().put("at", at.toString());
      return error == null ? a.put("status", status) : a.put("error", error);
    }
  }

  private final Vertx vertx;
  private final WebClient client;
  private final List<Duration> retryDelays;
  private final Duration timeout;
  private final BoundedLog<Delivery> deliveries;
  private volatile String targetUrl;
  private volatile String headerPrefix;

  public WebhookSender(Vertx vertx, String targetUrl, List<Duration> retryDelays, Duration timeout, int maxDeliveries) {
    this.vertx = vertx;
    this.client = WebClient.create(vertx);
    this.targetUrl = targetUrl;
    this.retryDelays = List.copyOf(retryDelays);
    this.timeout = timeout;
    this.deliveries = new BoundedLog<>(maxDeliveries);
  }

  /**
   * Adds {@code <prefix>-transmission-id} (one per event, the same on every retry), {@code <prefix>-transmission-time}
   * (this attempt, KST with offset) and {@code <prefix>-retried-count} (0 on the first attempt) to every delivery, as
   * Toss does with {@code tosspayments-webhook}.
   */
  public WebhookSender transmissionHeaders(String prefix) {
    this.headerPrefix = prefix;
    return this;
  }

  public String targetUrl() {
    return targetUrl;
  }

  public void targetUrl(String url) {
    this.targetUrl = url == null || url.isBlank() ? null : url;
  }

  /** The deliveries still logged, oldest first. */
  public List<Delivery> deliveries() {
    return deliveries.snapshot();
  }

  /** Sends the event if a target is set; returns at once (delivery and retries run in the background). */
  public void send(JsonObject event) {
    String url = targetUrl;
    if (url == null) {
      return;
    }
    String prefix = headerPrefix;
    Delivery d = new Delivery(url, event, prefix == null ? null : UUID.randomUUID().toString().replace("-", ""));
    deliveries.add(d);
    attempt(d, 0);
  }

  private void attempt(Delivery d, int retry) {
    var request = client.postAbs(d.url)
        .timeout(timeout.toMillis())
        .putHeader("Content-Type", "application/json");
    String prefix = headerPrefix;
    if (prefix != null && d.transmissionId != null) {
      request.putHeader(prefix + "-transmission-id", d.transmissionId)
          .putHeader(prefix + "-transmission-time", java.time.OffsetDateTime.now(java.time.ZoneOffset.ofHours(9))
              .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())
          .putHeader(prefix + "-retried-count", Integer.toString(retry));
    }
    request.sendBuffer(Buffer.buffer(d.event))
        .onComplete(ar -> {
          d.attempted(ar.succeeded() ? new Attempt(Instant.now(), ar.result().statusCode(), null)
              : new Attempt(Instant.now(), 0, String.valueOf(ar.cause().getMessage())));
          if (ar.succeeded() && ar.result().statusCode() == 200) {
            d.delivered = true;
          } else if (retry < retryDelays.size()) {
            vertx.setTimer(Math.max(1, retryDelays.get(retry).toMillis()), t -> attempt(d, retry + 1));
          } else {
            LOG.warn("webhook to {} given up after {} attempts", d.url, d.attempts());
          }
        });
  }

  public void close() {
    client.close();
  }
}
