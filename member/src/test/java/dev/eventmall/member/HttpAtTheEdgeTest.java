package dev.eventmall.member;

import dev.eventmall.common.testing.HttpEdge;
import org.junit.jupiter.api.Test;

/** Only {@code api} and the verticle speak HTTP; registration, the password gate and the rules do not. */
class HttpAtTheEdgeTest {

  @Test
  void onlyTheApiAndTheVerticleUseHttp() {
    HttpEdge.assertOnlyTheEdgeUsesHttp(MemberVerticle.class);
  }
}
