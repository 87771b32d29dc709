package dev.eventmall.search.messaging;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.search.domain.ProductDocument;
import dev.eventmall.search.persistence.SearchIndexRepository;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * Applies {@code catalog.products} events to the index by version: an event is applied only when its
 * {@code payload.version} is greater than the stored version and than any tombstone, so duplicates and out-of-order
 * events never roll a product back nor resurrect a deleted one. Other event types are acknowledged and ignored.
 */
public final class ProductEventHandler implements Function<EventEnvelope, Future<?>> {
  public static final String PRODUCT_CREATED = "ProductCreated";
  public static final String PRODUCT_UPDATED = "ProductUpdated";
  public static final String PRODUCT_DELETED = "ProductDeleted";

  private static final Logger LOG = LoggerFactory.getLogger(ProductEventHandler.class);

  private final SearchIndexRepository index;

  public ProductEventHandler(SearchIndexRepository index) {
    this.index = index;
  }

  /** Applies one event; the future tells whether it changed the index. */
  public Future<Boolean> handle(EventEnvelope event) {
    return switch (event.type()) {
      case PRODUCT_CREATED, PRODUCT_UPDATED -> index.upsert(ProductDocument.fromPayload(event.payload()))
        .onSuccess(applied -> log(event, applied));
      case PRODUCT_DELETED -> index.delete(ProductDocument.productId(event.payload()),
          ProductDocument.version(event.payload()))
        .onSuccess(applied -> log(event, applied));
      default -> Future.succeededFuture(false);
    };
  }

  @Override
  public Future<?> apply(EventEnvelope event) {
    return handle(event);
  }

  private static void log(EventEnvelope event, boolean applied) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} v{}: {}", event.type(), event.key(), event.payload().getValue("version"),
        applied ? "applied" : "skipped (stored version is as new or newer)");
    }
  }
}
