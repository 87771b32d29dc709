package dev.eventmall.emulators.sandbox;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** A response an emulated operation produced: status and JSON body (stored as is for idempotent replay). */
public record Reply(int status, JsonObject body) {

  public static Reply ok(JsonObject body) {
    return new Reply(200, body);
  }

  public boolean success() {
    return status >= 200 && status < 300;
  }

  /** Writes the reply unless the client has gone away. */
  public void send(RoutingContext ctx) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(body.encode());
  }
}
