package dev.eventmall.order.api;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.http.ProblemException;
import dev.eventmall.common.http.ContractRoutes;
import dev.eventmall.common.logging.LogContext;
import dev.eventmall.order.OrderService;
import dev.eventmall.order.SagaAdmission;
import dev.eventmall.order.domain.Order;
import dev.eventmall.order.domain.OrderLine;
import dev.eventmall.order.domain.OrderStatus;
import dev.eventmall.order.domain.PlaceOrder;
import dev.eventmall.order.domain.TimelineEntry;
import dev.eventmall.order.persistence.OrderRepository;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import dev.eventmall.common.db.ReadPools;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Pattern;

/**
 * {@code /orders}: place (CUSTOMER, Idempotency-Key), read (owner or ADMIN), list own, cancel (owner), timeline
 * (owner or ADMIN). Another member's order is answered exactly like a missing one (404).
 */
public final class OrderApi {
  private static final Pattern ORDER_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final OrderService service;
  private final SagaAdmission admission;
  private final ReadPools reads;

  /**
   * Reads may come from a read replica; {@code POST /orders} and cancel answer with {@value ReadPools#TOKEN_HEADER}, and
   * a read that sends it back sees at least that write (read-your-writes, see {@link ReadPools}).
   */
  public OrderApi(OrderService service, SagaAdmission admission, ReadPools reads) {
    this.service = service;
    this.admission = admission;
    this.reads = reads;
  }

  /**
   * Binds the operations of {@code openapi/order.yaml} ({@code /orders}, {@code /admin/orders}); the document validates
   * every request before these handlers run.
   */
  public ContractRoutes routes(ContractRoutes routes, JWTAuth jwt) {
    Handler<RoutingContext> bearer = AuthHandlers.bearer(jwt);
    // overload is answered first, before any other work (token verification included): a refusal must stay cheap
    Handler<RoutingContext> admit = ctx -> {
      admission.admit();
      ctx.next();
    };
    return routes
      .operation("placeOrder").before(admit, bearer, AuthHandlers.requireRole(AuthPrincipal.CUSTOMER))
      .handler(this::place)
      .operation("listOrders").before(bearer).respond(this::list)
      .operation("getOrder").before(bearer).respond(this::one)
      .operation("cancelOrder").before(bearer).handler(this::cancel)
      .operation("orderTimeline").before(bearer).respond(this::timeline)
      .operation("listAllOrders").before(bearer, AuthHandlers.requireRole(AuthPrincipal.ADMIN)).respond(this::listAll);
  }

  private void place(RoutingContext ctx) {
    AuthPrincipal caller = AuthHandlers.principal(ctx);
    if (ctx.request().headers().getAll("Idempotency-Key").size() > 1) {
      // which one would a proxy have used? (issue 16 row 14)
      throw dev.eventmall.common.http.ProblemException.of(400, "invalid-idempotency-key", "Invalid Idempotency-Key",
        "Send one Idempotency-Key header, not several");
    }
    String key = ctx.request().getHeader("Idempotency-Key");
    PlaceOrder request = OrderRequests.placeOrder(ContractRoutes.body(ctx), caller.subject());
    service.place(request, key)
      .compose(placed -> reads.putToken(ctx).map(placed))
      .onSuccess(placed -> {
        LogContext.orderId(placed.order().orderId());
        ctx.response().setStatusCode(201)
          .putHeader("Location", "/orders/" + placed.order().orderId())
          .putHeader("Content-Type", "application/json");
        if (placed.replayed()) {
          ctx.response().putHeader("Idempotent-Replayed", "true");
        }
        ctx.response().end(toJson(placed.order()).encode());
      })
      .onFailure(ctx::fail);
  }

  private Future<JsonObject> one(RoutingContext ctx) {
    AuthPrincipal caller = AuthHandlers.principal(ctx);
    return service.find(orderId(ctx), caller.subject(), caller.hasRole(AuthPrincipal.ADMIN), ReadPools.token(ctx))
      .map(o -> toJson(o.orElseThrow(() -> ProblemException.notFound("No such order"))));
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    AuthPrincipal caller = AuthHandlers.principal(ctx);
    OrderStatus status = statusParam(ctx);
    int page = intParam(ctx, "page", 0);
    int size = intParam(ctx, "size", 20);
    return service.listOwn(caller.subject(), status, page, size, ReadPools.token(ctx)).map(p -> new JsonObject()
      .put("items", new JsonArray(p.items().stream().map(OrderApi::summary).toList()))
      .put("page", page).put("size", size).put("total", p.total()));
  }

  private Future<JsonObject> listAll(RoutingContext ctx) {
    OrderStatus status = statusParam(ctx);
    int page = intParam(ctx, "page", 0);
    int size = intParam(ctx, "size", 20);
    return service.listAll(status, page, size, ReadPools.token(ctx)).map(p -> new JsonObject()
      .put("items", new JsonArray(p.items().stream().map(o -> summary(o).put("memberId", o.memberId())).toList()))
      .put("page", page).put("size", size).put("total", p.total()));
  }

  private void cancel(RoutingContext ctx) {
    AuthPrincipal caller = AuthHandlers.principal(ctx);
    String id = orderId(ctx);
    String reason = OrderRequests.cancelReason(ContractRoutes.body(ctx));
    service.cancel(id, caller.subject(), reason)
      .compose(order -> reads.putToken(ctx).map(order))
      .onSuccess(order -> ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
        .end(toJson(order).encode()))
      .onFailure(ctx::fail);
  }

  private Future<JsonObject> timeline(RoutingContext ctx) {
    AuthPrincipal caller = AuthHandlers.principal(ctx);
    String id = orderId(ctx);
    return service.timeline(id, caller.subject(), caller.hasRole(AuthPrincipal.ADMIN), ReadPools.token(ctx))
      .map(t -> new JsonObject().put("orderId", id).put("items", new JsonArray(
        t.orElseThrow(() -> ProblemException.notFound("No such order")).stream().map(OrderApi::toJson).toList())));
  }

  private static String orderId(RoutingContext ctx) {
    String id = ctx.pathParam("orderId");
    if (id == null || !ORDER_ID.matcher(id).matches()) {
      throw ProblemException.notFound("No such order");
    }
    LogContext.orderId(id);
    return id;
  }

  /** Query parameters are validated by the document (enum, ranges) before the handler runs. */
  private static OrderStatus statusParam(RoutingContext ctx) {
    RequestParameter value = ContractRoutes.query(ctx, "status");
    return value == null ? null : OrderStatus.valueOf(value.getString());
  }

  private static int intParam(RoutingContext ctx, String name, int dflt) {
    RequestParameter value = ContractRoutes.query(ctx, name);
    return value == null ? dflt : value.getInteger();
  }

  static JsonObject summary(Order o) {
    return new JsonObject().put("orderId", o.orderId()).put("status", o.status().name())
      .put("orderName", o.orderName()).put("totalAmount", o.totalAmount())
      .put("paymentMethod", o.paymentMethod().name()).put("createdAt", o.createdAt().toString())
      .put("updatedAt", o.updatedAt().toString());
  }

  static JsonObject toJson(Order o) {
    JsonArray lines = new JsonArray();
    for (OrderLine l : o.lines()) {
      lines.add(new JsonObject().put("productId", l.productId()).put("productName", l.productName())
        .put("quantity", l.quantity()).put("unitPrice", l.unitPrice()).put("amount", l.amount()));
    }
    return summary(o).put("memberId", o.memberId()).put("lines", lines)
      .put("shippingAddress", OrderRepository.addressJson(o.shippingAddress()));
  }

  static JsonObject toJson(TimelineEntry e) {
    JsonObject json = new JsonObject().put("seq", e.seq()).put("eventId", e.eventId()).put("type", e.eventType())
      .put("source", e.source()).put("outcome", e.outcome())
      .put("fromStatus", e.from() == null ? null : e.from().name()).put("toStatus", e.to().name())
      .put("occurredAt", e.occurredAt().toString()).put("recordedAt", e.recordedAt().toString());
    if (e.detail() != null) {
      json.put("detail", e.detail());
    }
    return json;
  }
}
