package dev.eventmall.payment;

import dev.eventmall.common.testing.HttpEdge;
import org.junit.jupiter.api.Test;

/** Only {@code api} and the verticle speak HTTP; payments, the saga, Toss's client and the rules do not. */
class HttpAtTheEdgeTest {

  @Test
  void onlyTheApiAndTheVerticleUseHttp() {
    HttpEdge.assertOnlyTheEdgeUsesHttp(PaymentVerticle.class);
  }
}
