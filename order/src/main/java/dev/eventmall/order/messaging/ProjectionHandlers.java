package dev.eventmall.order.messaging;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventPayloads;
import dev.eventmall.common.event.payload.AddressAdded;
import dev.eventmall.common.event.payload.ProductChanged;
import dev.eventmall.common.event.payload.ProductDeleted;
import dev.eventmall.common.inbox.Inbox;
import dev.eventmall.order.domain.Product;
import dev.eventmall.order.domain.ShippingAddress;
import dev.eventmall.order.persistence.ProjectionRepository;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import static dev.eventmall.common.event.EventTypes.ADDRESS_ADDED;
import static dev.eventmall.common.event.EventTypes.PRODUCT_CREATED;
import static dev.eventmall.common.event.EventTypes.PRODUCT_DELETED;
import static dev.eventmall.common.event.EventTypes.PRODUCT_UPDATED;

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
    return switch (event.type()) {
      case PRODUCT_CREATED, PRODUCT_UPDATED -> {
        ProductChanged p = EventPayloads.read(event, ProductChanged.class);
        Product product = new Product(p.productId(), p.sellerId(), p.name(), p.price(), p.version(), false);
        yield Inbox.once(pool, CONSUMER, event, conn -> projections.upsertProduct(conn, product, event.occurredAt()));
      }
      case PRODUCT_DELETED -> {
        ProductDeleted p = EventPayloads.read(event, ProductDeleted.class);
        yield Inbox.once(pool, CONSUMER, event, conn -> projections.deleteProduct(conn, p.productId(), p.sellerId(),
          p.version(), event.occurredAt()));
      }
      default -> Future.succeededFuture();
    };
  }

  /** {@code member.events}. */
  public Future<?> onMemberEvent(EventEnvelope event) {
    if (!ADDRESS_ADDED.equals(event.type())) {
      return Future.succeededFuture();
    }
    AddressAdded p = EventPayloads.read(event, AddressAdded.class);
    ShippingAddress address = new ShippingAddress(p.addressId(), p.memberId(), p.recipient(), p.phone(), p.zipCode(),
      p.line1(), p.line2());
    return Inbox.once(pool, CONSUMER, event, conn -> projections.addAddress(conn, address, p.isDefault(), p.addedAt()));
  }
}
