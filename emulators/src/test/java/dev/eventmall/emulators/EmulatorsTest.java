package dev.eventmall.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventmall.emulators.carrier.CarrierConfig;
import dev.eventmall.emulators.toss.TossConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class EmulatorsTest {

  @Test
  void startsBothOnTheirPortsAndAPortTakenFailsTheStart(Vertx vertx, VertxTestContext tc) {
    WebClient client = WebClient.create(vertx);
    Emulators.start(vertx, TossConfig.defaults(), CarrierConfig.defaults())
        .compose(e -> Future.all(
                client.getAbs(e.toss().baseUrl() + "/sandbox/faults").send(),
                client.getAbs(e.carrier().baseUrl() + "/sandbox/faults").send())
            .compose(rs -> {
              tc.verify(() -> {
                assertThat(rs.<io.vertx.ext.web.client.HttpResponse<?>>resultAt(0).statusCode()).isEqualTo(200);
                assertThat(rs.<io.vertx.ext.web.client.HttpResponse<?>>resultAt(1).statusCode()).isEqualTo(200);
              });
              // a second Toss emulator on the same port cannot start
              return Emulators.start(vertx, TossConfig.defaults().port(e.toss().actualPort()), CarrierConfig.defaults());
            }))
        .onComplete(tc.failing(err -> tc.verify(() -> {
          assertThat(err).hasMessageContaining("in use");
          client.close();
          tc.completeNow();
        })));
  }

  /**
   * Issue 16 row 15: by default both emulators listen on 127.0.0.1 only, so their unauthenticated /sandbox endpoints
   * are not reachable from another address — 127.0.0.2 stands for one (this host, but not the bound address). This was
   * already true when the issue was filed; the test keeps it so.
   */
  @Test
  void byDefaultBothListenOnTheLoopbackAddressOnly(Vertx vertx) throws Exception {
    Emulators running = Emulators.start(vertx, TossConfig.defaults().port(0), CarrierConfig.defaults().port(0))
        .toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    for (int port : java.util.List.of(running.toss().actualPort(), running.carrier().actualPort())) {
      try (java.net.Socket local = new java.net.Socket("127.0.0.1", port)) {
        assertThat(local.isConnected()).isTrue();
      }
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> new java.net.Socket("127.0.0.2", port).close())
          .isInstanceOf(java.net.ConnectException.class);
    }
  }
}
