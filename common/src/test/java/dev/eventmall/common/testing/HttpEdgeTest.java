package dev.eventmall.common.testing;

import dev.eventmall.common.domain.DomainException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HttpEdgeTest {

  @Test
  void theHttpNamesAreCommonHttpWebHandlersAndRoutingNotTheWebClient() {
    assertThat(HttpEdge.httpNamesIn("\u0001\u0000\u001fdev/eventmall/common/http/ProblemException\u0007"))
      .containsExactly("dev.eventmall.common.http.ProblemException");
    assertThat(HttpEdge.httpNamesIn("(Lio/vertx/ext/web/RoutingContext;)V"))
      .containsExactly("io.vertx.ext.web.RoutingContext");
    assertThat(HttpEdge.httpNamesIn("io/vertx/ext/web/handler/HttpException"))
      .containsExactly("io.vertx.ext.web.handler.HttpException");
    assertThat(HttpEdge.httpNamesIn("Lio/vertx/ext/web/Router;")).containsExactly("io.vertx.ext.web.Router");
    assertThat(HttpEdge.httpNamesIn("io/vertx/ext/web/client/WebClient io/vertx/ext/web/RouterX dev/eventmall/common/db/ReadPools"))
      .isEmpty();
  }

  @Test
  void theClassesOfAModuleAreRead() {
    // common's own edge uses HTTP, so the reader sees it
    assertThat(HttpEdge.httpUses(DomainException.class)).containsKey("dev.eventmall.common.http.FailureHandler");
  }

  @Test
  void domainRefusalsKnowNothingOfHttp() {
    HttpEdge.assertNoHttpOutside(DomainException.class, name -> !name.startsWith("dev.eventmall.common.domain."));
  }
}
