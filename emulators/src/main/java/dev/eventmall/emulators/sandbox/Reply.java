package dev.eventmall.emulators.sandbox;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A response an emulated operation produced: status and JSON body, kept encoded (the bytes sent; an idempotent replay
 * sends them again, and a stored reply holds a few hundred bytes, not a JSON tree).
 */
public record Reply(int status, byte[] body) {

  public Reply(int status, JsonObject body) {
    this(status, body.toBuffer().getBytes());
  }

  public static Reply ok(JsonObject body) {
    return new Reply(200, body);
  }

  public boolean success() {
    return status >= 200 && status < 300;
  }

  /** The body, decoded. */
  public JsonObject json() {
    return new JsonObject(Buffer.buffer(body));
  }

  /** Writes the reply unless the client has gone away. */
  public void send(RoutingContext ctx) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(Buffer.buffer(body));
  }
}
