package dev.eventmall.common.http;

import dev.eventmall.common.trace.TraceContext;
import dev.eventmall.common.trace.Tracing;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.internal.http.HttpServerRequestWrapper;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/**
 * A SERVER span per HTTP request when {@link Tracing} is enabled: its ids are the request's traceparent
 * ({@link TraceContext#handle}), its parent the incoming {@code traceparent}'s span, its name {@code METHOD route}
 * with the route template ({@code POST /orders}, {@code GET /orders/:id}); status ERROR for 5xx and for a response that
 * never completed.
 *
 * <p>The route template is what the router reports to the request as it matches routes
 * ({@link HttpServerRequest#routed(String)}, the call Vert.x HTTP metrics label their route with): the server of
 * {@link HttpBootstrap#listen} hands the router a request that records those names on the request's context.
 */
final class ServerSpans {
  private static final Object ROUTES = new Object();

  private ServerSpans() {
  }

  /** The server's request handler: the router, fed requests that record the routes they match. */
  static Handler<HttpServerRequest> recordingRoutes(Handler<HttpServerRequest> router) {
    return request -> {
      RoutedRequest routed = new RoutedRequest((HttpServerRequestInternal) request);
      Context context = Vertx.currentContext();
      if (context instanceof ContextInternal internal && internal.isDuplicate()) {
        internal.putLocal(ROUTES, routed.routes);
      }
      router.handle(routed);
    };
  }

  /** Route handler (on the root router, right after {@link TraceContext#handle}). */
  static Handler<RoutingContext> handler(Tracing tracing) {
    return ctx -> {
      String method = ctx.request().method().name();
      String incoming = ctx.request().getHeader(TraceContext.HEADER);
      String parent = TraceContext.valid(incoming) ? TraceContext.spanId(incoming) : null;
      Tracing.Span span = tracing.start(Tracing.Kind.SERVER, method, ctx.get(TraceContext.HEADER), parent)
        .set("http.request.method", method)
        .set("url.path", ctx.request().path());
      List<String> routes = routesOfCurrentRequest();
      ctx.addEndHandler(ended -> {
        String route = template(routes);
        if (route != null) {
          span.rename(method + " " + route).set("http.route", route);
        }
        int status = ctx.response().getStatusCode();
        span.set("http.response.status_code", status);
        if (ended.failed()) {
          span.fail("response not completed: " + ended.cause());
        } else if (status >= 500) {
          span.fail("HTTP " + status);
        } else {
          span.end();
        }
      });
      ctx.next();
    };
  }

  @SuppressWarnings("unchecked")
  private static List<String> routesOfCurrentRequest() {
    Context context = Vertx.currentContext();
    return context instanceof ContextInternal internal && internal.isDuplicate()
      ? (List<String>) internal.getLocal(ROUTES) : null;
  }

  /**
   * The template from the names of the routes matched, in order: path-less routes (the root's own handlers, failure
   * handlers) have none; a sub-router's mount route ({@code /orders*}) gives its prefix; {@code /orders} + {@code /:id}
   * is {@code /orders/:id}, {@code /orders} + {@code /} is {@code /orders}. Null when no route with a path matched.
   */
  static String template(List<String> routes) {
    if (routes == null) {
      return null;
    }
    StringBuilder template = new StringBuilder();
    String last = null;
    for (String name : routes) {
      if (name == null || name.isEmpty() || name.equals(last)) {
        continue;
      }
      last = name;
      String part = name.endsWith("*") ? name.substring(0, name.length() - 1) : name;
      if (template.length() > 0 && template.charAt(template.length() - 1) == '/' && part.startsWith("/")) {
        template.setLength(template.length() - 1);
      }
      template.append(part);
    }
    if (template.length() == 0) {
      return null;
    }
    if (template.length() > 1 && template.charAt(template.length() - 1) == '/') {
      template.setLength(template.length() - 1);
    }
    return template.toString();
  }

  /** The request as the router sees it, recording the routes it matches (and still reporting them to metrics). */
  private static final class RoutedRequest extends HttpServerRequestWrapper {
    private final List<String> routes = new ArrayList<>(4);

    RoutedRequest(HttpServerRequestInternal delegate) {
      super(delegate);
    }

    @Override
    public HttpServerRequest routed(String route) {
      routes.add(route);
      return super.routed(route);
    }
  }
}
