package dev.eventmall.storefront;

import dev.eventmall.common.config.Config;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the storefront serves: its pages, the settings script, assets, the content security policy. */
@ExtendWith(VertxExtension.class)
class StorefrontTest {
  Storefront storefront;
  WebClient client;

  @BeforeEach
  void start(Vertx vertx) {
    storefront = Storefront.start(vertx, Config.of(Map.of("ORDER_URL", "http://127.0.0.1:9086/",
      "TOSS_SDK_URL", "https://js.tosspayments.com/v2/standard")), 0).await();
    client = WebClient.create(vertx);
  }

  @AfterEach
  void stop() {
    client.close();
  }

  HttpResponse<Buffer> get(String path) {
    return client.get(storefront.port(), "127.0.0.1", path).send().await();
  }

  @Test
  void everyPageIsTheAppPageAndUnknownPathsAre404() {
    for (String path : new String[] {"/", "/login", "/search?q=%EB%AC%B4%EC%84%A0", "/product/p-1", "/order/o-1",
      "/card/success?customerKey=c&authKey=a", "/pay/fail?code=PAY_PROCESS_CANCELED", "/seller/product/p-1"}) {
      HttpResponse<Buffer> page = get(path);
      assertThat(page.statusCode()).as(path).isEqualTo(200);
      assertThat(page.getHeader("Content-Type")).startsWith("text/html");
      assertThat(page.bodyAsString()).contains("<script src=\"/assets/app.js\" defer></script>");
    }
    assertThat(get("/nope").statusCode()).isEqualTo(404);
    assertThat(get("/assets/app.js").bodyAsString()).contains("requestBillingAuth");
    assertThat(get("/assets/style.css").statusCode()).isEqualTo(200);
  }

  @Test
  void theSettingsScriptNamesTheServicesAndTheSdkAndTheCspAllowsOnlyThem() {
    HttpResponse<Buffer> config = get("/config.js");
    String body = config.bodyAsString();
    assertThat(body).startsWith("window.EVENTMALL = ");
    JsonObject settings = new JsonObject(body.substring("window.EVENTMALL = ".length(), body.lastIndexOf(';')));
    assertThat(settings.getJsonObject("services").getString("order")).isEqualTo("http://127.0.0.1:9086");
    assertThat(settings.getJsonObject("services").getString("member")).isEqualTo("http://127.0.0.1:8081");
    assertThat(settings.getString("tossSdkUrl")).isEqualTo("https://js.tosspayments.com/v2/standard");
    String csp = get("/").getHeader("Content-Security-Policy");
    assertThat(csp).contains("connect-src 'self' http://127.0.0.1:8081").contains("http://127.0.0.1:9086")
      .contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
  }

  /** The directive {@code name} of a Content-Security-Policy header: its sources, in order. */
  static java.util.List<String> directive(String csp, String name) {
    for (String d : csp.split(";")) {
      java.util.List<String> words = java.util.List.of(d.trim().split("\\s+"));
      if (words.get(0).equals(name)) {
        return words.subList(1, words.size());
      }
    }
    return java.util.List.of();
  }

  /**
   * Issue 13: Toss's SDK v2 loads from js.tosspayments.com and opens its payment and billing-auth windows in an iframe
   * over the merchant's page, which talks to Toss's hosts. The page is served with a policy that lets the configured SDK's
   * origin and Toss's hosts ({@code https://*.tosspayments.com}) script, frame and connect — and nothing else more than
   * before. Before: no frame-src (default-src 'self' framed nothing) and Toss's hosts only as the SDK's origin.
   */
  @Test
  void thePolicyLetsTossSdkScriptFrameAndConnect() {
    String csp = get("/").getHeader("Content-Security-Policy");
    assertThat(directive(csp, "script-src")).containsExactly("'self'", "https://js.tosspayments.com",
      "https://*.tosspayments.com");
    assertThat(directive(csp, "frame-src")).containsExactly("https://js.tosspayments.com",
      "https://*.tosspayments.com");
    assertThat(directive(csp, "connect-src")).startsWith("'self'")
      .contains("http://127.0.0.1:8081", "http://127.0.0.1:9086")
      .endsWith("https://js.tosspayments.com", "https://*.tosspayments.com");
    // the rest as it was
    assertThat(directive(csp, "default-src")).containsExactly("'self'");
    assertThat(directive(csp, "img-src")).containsExactly("'self'", "data:", "https:");
    assertThat(directive(csp, "style-src")).containsExactly("'self'");
    assertThat(directive(csp, "frame-ancestors")).containsExactly("'none'");
    assertThat(directive(csp, "base-uri")).containsExactly("'none'");
    assertThat(directive(csp, "form-action")).containsExactly("'self'");
  }

  /** With the emulator's SDK stand-in (devstack, compose's sandbox) its origin is named, and Toss's hosts are not. */
  @Test
  void withTheEmulatorsSdkThePolicyNamesItsOriginOnly(Vertx vertx) {
    Storefront sandbox = Storefront.start(vertx, Config.of(Map.of("TOSS_SDK_URL",
      "http://127.0.0.1:8090/v2/standard")), 0).await();
    String csp = client.get(sandbox.port(), "127.0.0.1", "/").send().await().getHeader("Content-Security-Policy");
    assertThat(directive(csp, "script-src")).containsExactly("'self'", "http://127.0.0.1:8090");
    assertThat(directive(csp, "frame-src")).containsExactly("http://127.0.0.1:8090");
    assertThat(directive(csp, "connect-src")).endsWith("http://127.0.0.1:8090");
    assertThat(csp).doesNotContain("tosspayments.com");
  }
}
