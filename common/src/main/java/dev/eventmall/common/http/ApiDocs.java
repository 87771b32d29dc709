package dev.eventmall.common.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Swagger UI for a service's OpenAPI document, served from the {@code org.webjars:swagger-ui} jar on the classpath
 * (no CDN): {@code /docs} redirects to {@code /docs/}, the webjar's page, whose initializer points at the service's
 * own document.
 */
final class ApiDocs {

  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
  /** The webjar's version, read from its own Maven descriptor (one pinned version, in the parent pom). */
  static final String VERSION = version();

  private ApiDocs() {
  }

  /** Adds {@code /docs} and {@code /docs/*} to {@code router}, showing the document served at {@code documentPath}. */
  static void mount(Router router, String documentPath) {
    String initializer = """
      window.onload = function () {
        window.ui = SwaggerUIBundle({
          url: "%s",
          dom_id: "#swagger-ui",
          deepLinking: true,
          presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
          plugins: [SwaggerUIBundle.plugins.DownloadUrl],
          layout: "StandaloneLayout"
        });
      };
      """.formatted(documentPath);
    // a route path matches with and without its trailing slash: only /docs itself is sent on to /docs/
    router.get("/docs").handler(ctx -> {
      if (ctx.request().path().endsWith("/")) {
        ctx.next();
      } else {
        ctx.redirect("/docs/");
      }
    });
    router.get("/docs/swagger-initializer.js").handler(ctx -> ctx.response()
      .putHeader("Content-Type", "text/javascript; charset=utf-8").end(initializer));
    router.get("/docs/*").handler(StaticHandler.create(WEBJAR + VERSION).setCachingEnabled(true));
  }

  private static String version() {
    try (InputStream in = ApiDocs.class.getClassLoader()
      .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("org.webjars:swagger-ui is not on the classpath");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
