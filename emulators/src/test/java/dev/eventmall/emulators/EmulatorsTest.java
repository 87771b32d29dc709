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
}
