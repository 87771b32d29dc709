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
    assertThat(csp).contains("script-src 'self' https://js.tosspayments.com;")
      .contains("connect-src 'self' http://127.0.0.1:8081").contains("http://127.0.0.1:9086")
      .contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
  }
}
