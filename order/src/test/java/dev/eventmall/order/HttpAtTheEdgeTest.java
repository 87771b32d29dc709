package dev.eventmall.order;

import dev.eventmall.common.testing.HttpEdge;
import org.junit.jupiter.api.Test;

/** Only {@code api} and the verticle speak HTTP; the service, domain and persistence raise domain refusals. */
class HttpAtTheEdgeTest {

  @Test
  void onlyTheApiAndTheVerticleUseHttp() {
    HttpEdge.assertOnlyTheEdgeUsesHttp(OrderVerticle.class);
  }
}
