package dev.eventmall.catalog.api;

import dev.eventmall.catalog.domain.Page;
import dev.eventmall.catalog.domain.Product;
import dev.eventmall.catalog.persistence.ProductStore;
import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.auth.AuthPrincipal;
import dev.eventmall.common.db.ReadPools;
import dev.eventmall.common.http.ContractRoutes;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /products} (public reads, SELLER writes of one's own products) and {@code /sellers/me/products}.
 * A seller touching another seller's product gets 404, exactly as for a product that does not exist.
 */
public final class ProductApi {
  private final ProductStore store;
  private final ReadPools reads;

  /**
   * Reads may come from a read replica; writes answer with {@value ReadPools#TOKEN_HEADER} and a read that sends it
   * back sees at least that write (read-your-writes, see {@link ReadPools}).
   */
  public ProductApi(ProductStore store, ReadPools reads) {
    this.store = store;
    this.reads = reads;
  }

  /** Binds the operations of {@code openapi/catalog.yaml}; the document validates every request first. */
  public ContractRoutes routes(ContractRoutes routes, JWTAuth jwt) {
    Handler<RoutingContext> bearer = AuthHandlers.bearer(jwt);
    Handler<RoutingContext> seller = AuthHandlers.requireRole(AuthPrincipal.SELLER);
    return routes
      .operation("listProducts").respond(this::list)
      .operation("getProduct").respond(this::one)
      .operation("createProduct").before(bearer, seller).handler(this::create)
      .operation("replaceProduct").before(bearer, seller).respond(this::update)
      .operation("deleteProduct").before(bearer, seller).handler(this::delete)
      .operation("sellerProducts").before(bearer, seller).respond(this::mine);
  }

  private Future<JsonObject> one(RoutingContext ctx) {
    return store.get(ProductRequests.productId(ctx), ReadPools.token(ctx)).map(Product::toJson);
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    String category = ContractRoutes.query(ctx, "category").getString();
    int[] paging = ProductRequests.paging(ctx);
    return store.byCategory(category, paging[0], paging[1], ReadPools.token(ctx)).map(Page::toJson);
  }

  private Future<JsonObject> mine(RoutingContext ctx) {
    int[] paging = ProductRequests.paging(ctx);
    return store.bySeller(AuthHandlers.principal(ctx).subject(), paging[0], paging[1], ReadPools.token(ctx))
      .map(Page::toJson);
  }

  private void create(RoutingContext ctx) {
    String seller = AuthHandlers.principal(ctx).subject();
    store.create(seller, ProductRequests.details(ContractRoutes.body(ctx)))
      .compose(p -> reads.putToken(ctx).map(p))
      .onSuccess(p -> ctx.response().setStatusCode(201)
        .putHeader("Location", "/products/" + p.id())
        .putHeader("Content-Type", "application/json")
        .end(p.toJson().encode()))
      .onFailure(ctx::fail);
  }

  private Future<JsonObject> update(RoutingContext ctx) {
    var id = ProductRequests.productId(ctx);
    return store.update(id, AuthHandlers.principal(ctx).subject(), ProductRequests.details(ContractRoutes.body(ctx)))
      .compose(p -> reads.putToken(ctx).map(p.toJson()));
  }

  private void delete(RoutingContext ctx) {
    var id = ProductRequests.productId(ctx);
    store.delete(id, AuthHandlers.principal(ctx).subject())
      .compose(v -> reads.putToken(ctx))
      .onSuccess(v -> ctx.response().setStatusCode(204).end())
      .onFailure(ctx::fail);
  }
}
