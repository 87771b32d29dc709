package dev.eventmall.search.messaging;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventPayloads;
import dev.eventmall.common.event.payload.ProductChanged;
import dev.eventmall.common.event.payload.ProductDeleted;
import dev.eventmall.search.domain.ProductDocument;
import dev.eventmall.search.persistence.SearchIndexRepository;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

import static dev.eventmall.common.event.EventTypes.PRODUCT_CREATED;
import static dev.eventmall.common.event.EventTypes.PRODUCT_DELETED;
import static dev.eventmall.common.event.EventTypes.PRODUCT_UPDATED;

/**
 * Applies {@code catalog.products} events to the index by version: an event is applied only when its
 * {@code payload.version} is greater than the stored version and than any tombstone, so duplicates and out-of-order
 * events never roll a product back nor resurrect a deleted one. Other event types are acknowledged and ignored.
 */
public final class ProductEventHandler implements Function<EventEnvelope, Future<?>> {
  private static final Logger LOG = LoggerFactory.getLogger(ProductEventHandler.class);

  private final SearchIndexRepository index;

  public ProductEventHandler(SearchIndexRepository index) {
    this.index = index;
  }

  /** Applies one event; the future tells whether it changed the index. */
  public Future<Boolean> handle(EventEnvelope event) {
    return switch (event.type()) {
      case PRODUCT_CREATED, PRODUCT_UPDATED -> {
        ProductDocument doc = ProductDocument.of(EventPayloads.read(event, ProductChanged.class));
        yield index.upsert(doc).onSuccess(applied -> log(event, doc.version(), applied));
      }
      case PRODUCT_DELETED -> {
        ProductDeleted deleted = EventPayloads.read(event, ProductDeleted.class);
        long version = ProductDocument.version(deleted.version());
        yield index.delete(ProductDocument.productId(deleted.productId()), version)
          .onSuccess(applied -> log(event, version, applied));
      }
      default -> Future.succeededFuture(false);
    };
  }

  @Override
  public Future<?> apply(EventEnvelope event) {
    return handle(event);
  }

  private static void log(EventEnvelope event, long version, boolean applied) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} v{}: {}", event.type(), event.key(), version,
        applied ? "applied" : "skipped (stored version is as new or newer)");
    }
  }
}
