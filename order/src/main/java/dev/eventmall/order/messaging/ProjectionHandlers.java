package dev.eventmall.order.messaging;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.inbox.Inbox;
import dev.eventmall.order.domain.Product;
import dev.eventmall.order.domain.ShippingAddress;
import dev.eventmall.order.persistence.ProjectionRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.time.Instant;
import java.util.Objects;

/**
 * The projections POST /orders trusts (consumer group {@value #CONSUMER}): products from {@code catalog.products}
 * (name, price, seller, deleted; only a newer version replaces an older one) and shipping addresses from
 * {@code member.events} (AddressAdded). Idempotent twice over: the inbox and the version check.
 */
public final class ProjectionHandlers {
  public static final String CONSUMER = "order-projections";

  private final Pool pool;
  private final ProjectionRepository projections = new ProjectionRepository();

  public ProjectionHandlers(Pool pool) {
    this.pool = pool;
  }

  /** {@code catalog.products}. */
  public Future<?> onProductEvent(EventEnvelope event) {
    JsonObject p = event.payload();
    return switch (event.type()) {
      case "ProductCreated", "ProductUpdated" -> {
        Product product = new Product(required(p, "productId"), required(p, "sellerId"), required(p, "name"),
          Objects.requireNonNull(p.getLong("price"), "price"), Objects.requireNonNull(p.getLong("version"), "version"),
          false);
        yield Inbox.once(pool, CONSUMER, event, conn -> projections.upsertProduct(conn, product, event.occurredAt()));
      }
      case "ProductDeleted" -> Inbox.once(pool, CONSUMER, event, conn -> projections.deleteProduct(conn,
        required(p, "productId"), required(p, "sellerId"), Objects.requireNonNull(p.getLong("version"), "version"),
        event.occurredAt()));
      default -> Future.succeededFuture();
    };
  }

  /** {@code member.events}. */
  public Future<?> onMemberEvent(EventEnvelope event) {
    if (!"AddressAdded".equals(event.type())) {
      return Future.succeededFuture();
    }
    JsonObject p = event.payload();
    ShippingAddress address = new ShippingAddress(required(p, "addressId"), required(p, "memberId"),
      required(p, "recipient"), required(p, "phone"), required(p, "zipCode"), required(p, "line1"),
      p.getString("line2"));
    Instant addedAt = p.getString("addedAt") == null ? event.occurredAt() : Instant.parse(p.getString("addedAt"));
    return Inbox.once(pool, CONSUMER, event,
      conn -> projections.addAddress(conn, address, p.getBoolean("isDefault", false), addedAt));
  }

  private static String required(JsonObject payload, String field) {
    String v = payload.getString(field);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("payload has no " + field);
    }
    return v;
  }
}
