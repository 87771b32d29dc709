package dev.eventmall.catalog;

import dev.eventmall.common.testing.HttpEdge;
import org.junit.jupiter.api.Test;

/** Only {@code api} and the verticle speak HTTP; the store, the stock ledger and the consumers do not. */
class HttpAtTheEdgeTest {

  @Test
  void onlyTheApiAndTheVerticleUseHttp() {
    HttpEdge.assertOnlyTheEdgeUsesHttp(CatalogVerticle.class);
  }
}
