package dev.eventmall.catalog.domain;

import dev.eventmall.common.domain.DomainException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A change to a product is committed and announced, but its document could not be written to the read store yet:
 * it is not readable until the repair job applies it (shortly).
 */
public final class DocumentPending extends DomainException {
  private final UUID productId;
  private final long version;

  public DocumentPending(UUID productId, long version) {
    super(Kind.UNAVAILABLE, "document-pending", "Document pending",
      "The change is saved but the product document is not yet readable; it will be applied shortly");
    this.productId = productId;
    this.version = version;
  }

  public UUID productId() {
    return productId;
  }

  public long version() {
    return version;
  }

  @Override
  public Map<String, Object> facts() {
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("productId", productId.toString());
    facts.put("version", version);
    return facts;
  }
}
