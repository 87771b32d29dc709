package dev.eventmall.delivery;

import dev.eventmall.common.testing.HttpEdge;
import org.junit.jupiter.api.Test;

/** Only {@code api} and the verticle speak HTTP; the dispatcher, the tracker and the carrier's client do not. */
class HttpAtTheEdgeTest {

  @Test
  void onlyTheApiAndTheVerticleUseHttp() {
    HttpEdge.assertOnlyTheEdgeUsesHttp(DeliveryVerticle.class);
  }
}
