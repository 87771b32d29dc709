package dev.eventmall.common.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Container health check without curl in the image: {@code java -cp app.jar dev.eventmall.common.http.HealthProbe [url]}
 * exits 0 when {@code url} (default {@code http://127.0.0.1:$HTTP_PORT/health/ready}) answers 200 within 3 s, 1 otherwise.
 */
public final class HealthProbe {
  private HealthProbe() {
  }

  public static void main(String[] args) {
    String url = args.length > 0 ? args[0]
      : "http://127.0.0.1:" + System.getenv().getOrDefault("HTTP_PORT", "8080") + "/health/ready";
    try {
      HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
        .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      System.exit(response.statusCode() == 200 ? 0 : 1);
    } catch (Exception e) {
      System.err.println(url + ": " + e);
      System.exit(1);
    }
  }
}
