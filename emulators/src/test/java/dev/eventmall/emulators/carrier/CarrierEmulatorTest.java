package dev.eventmall.emulators.carrier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventmall.emulators.sandbox.Faults;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class CarrierEmulatorTest {

  CarrierEmulator carrier;
  WebClient client;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext tc, TestInfo info) {
    client = WebClient.create(vertx);
    // the progression test runs on a fast clock; the others advance by hand
    Duration step = info.getTestMethod().orElseThrow().getName().startsWith("progresses") ? Duration.ofMillis(150) : Duration.ZERO;
    CarrierEmulator.start(vertx, CarrierConfig.defaults().stepInterval(step).webhookRetryDelays(List.of(Duration.ofMillis(50))))
        .onComplete(tc.succeeding(c -> {
          carrier = c;
          tc.completeNow();
        }));
  }

  @AfterEach
  void stop() {
    client.close();
  }

  static JsonObject shipment(String orderId, String zip) {
    return new JsonObject()
        .put("orderId", orderId)
        .put("recipient", new JsonObject().put("name", "김민수").put("phone", "010-1234-5678"))
        .put("address", new JsonObject().put("zipCode", zip).put("line1", "서울특별시 강남구 테헤란로 1").put("line2", "101호"))
        .put("items", new JsonArray().add(new JsonObject().put("sku", "SKU-1").put("name", "Tumbler").put("quantity", 2)));
  }

  Future<HttpResponse<Buffer>> create(JsonObject body, String idempotencyKey) {
    HttpRequest<Buffer> req = client.post(carrier.actualPort(), "127.0.0.1", "/v1/shipments")
        .putHeader("Authorization", "Bearer test_carrier_devstack");
    if (idempotencyKey != null) {
      req.putHeader("Idempotency-Key", idempotencyKey);
    }
    return req.sendJsonObject(body);
  }

  Future<HttpResponse<Buffer>> track(String trackingNumber) {
    return client.get(carrier.actualPort(), "127.0.0.1", "/v1/shipments/" + trackingNumber)
        .putHeader("Authorization", "Bearer test_carrier_devstack").send();
  }

  Future<HttpResponse<Buffer>> sandbox(String path, JsonObject body) {
    return client.post(carrier.actualPort(), "127.0.0.1", "/sandbox" + path).sendJsonObject(body);
  }

  static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.bodyAsJsonObject().getString("code")).isEqualTo(code);
    assertThat(r.bodyAsJsonObject().getString("message")).isNotBlank();
  }

  @Test
  void progressesFromAcceptedToDeliveredAndNotifiesEachChange(Vertx vertx, VertxTestContext tc) {
    List<JsonObject> hooks = new CopyOnWriteArrayList<>();
    HttpServer hook = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      hooks.add(b.toJsonObject());
      req.response().end();
    }));
    hook.listen(0, "127.0.0.1")
        .compose(s -> {
          carrier.webhookUrl("http://127.0.0.1:" + s.actualPort() + "/carrier/webhook");
          return create(shipment("order-ship-1", "06236"), "ship:order-ship-1");
        })
        .onComplete(tc.succeeding(created -> {
          JsonObject s = created.bodyAsJsonObject();
          tc.verify(() -> {
            assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
            assertThat(s.getString("status")).isEqualTo("ACCEPTED");
            assertThat(s.getString("shipmentId")).startsWith("shp_");
            assertThat(s.getString("trackingNumber")).matches("\\d{12}");
            assertThat(s.getString("orderId")).isEqualTo("order-ship-1");
            assertThat(created.getHeader("Location")).isEqualTo("/v1/shipments/" + s.getString("trackingNumber"));
          });
          vertx.setPeriodic(50, id -> track(s.getString("trackingNumber")).onSuccess(r -> {
            JsonObject t = r.bodyAsJsonObject();
            if (!"DELIVERED".equals(t.getString("status")) || hooks.size() < 3) {
              return;
            }
            vertx.cancelTimer(id);
            tc.verify(() -> {
              assertThat(t.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("status")))
                  .containsExactly("ACCEPTED", "IN_TRANSIT", "DELIVERED");
              assertThat(t.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("location")))
                  .containsExactly("Origin hub", "Sorting center", "서울특별시 강남구 테헤란로 1");
              assertThat(t.getJsonArray("events").getJsonObject(0).fieldNames())
                  .containsExactly("status", "at", "description", "location");
              assertThat(hooks).extracting(h -> h.getJsonObject("data").getString("status"))
                  .containsExactly("ACCEPTED", "IN_TRANSIT", "DELIVERED");
              assertThat(hooks).extracting(h -> h.getString("eventType")).containsOnly("SHIPMENT_STATUS_CHANGED");
              hook.close();
              tc.completeNow();
            });
          }));
        }));
  }

  @Test
  void sameIdempotencyKeyGivesTheSameShipment(VertxTestContext tc) {
    create(shipment("order-ship-2", "06236"), "ship:order-ship-2")
        .compose(first -> create(shipment("order-ship-2", "06236"), "ship:order-ship-2").map(second -> List.of(first, second)))
        .compose(rs -> {
          tc.verify(() -> {
            assertThat(rs.get(0).statusCode()).isEqualTo(201);
            assertThat(rs.get(1).statusCode()).isEqualTo(201);
            assertThat(rs.get(1).getHeader("Idempotent-Replayed")).isEqualTo("true");
            assertThat(rs.get(1).bodyAsString()).isEqualTo(rs.get(0).bodyAsString());
            JsonObject sent = shipment("order-ship-2", "06236");
            JsonObject kept = rs.get(0).bodyAsJsonObject();
            assertThat(kept.fieldNames()).containsExactly("shipmentId", "trackingNumber", "orderId", "status", "recipient",
                "address", "items", "failureReason", "createdAt", "updatedAt", "events");
            assertThat(List.of(kept.getJsonObject("recipient"), kept.getJsonObject("address"), kept.getJsonArray("items")))
                .containsExactly(sent.getJsonObject("recipient"), sent.getJsonObject("address"), sent.getJsonArray("items"));
            assertThat(carrier.shipmentsFor("order-ship-2")).hasSize(1);
          });
          // read back as it was created, to the byte
          return track(rs.get(0).bodyAsJsonObject().getString("trackingNumber")).compose(tracked -> {
            tc.verify(() -> assertThat(tracked.bodyAsString()).isEqualTo(rs.get(0).bodyAsString()));
            return create(shipment("order-ship-2", "06236"), "another-key");
          });
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(201);
          assertThat(carrier.shipmentsFor("order-ship-2")).hasSize(2);
          tc.completeNow();
        })));
  }

  /**
   * A tracking number names one parcel: a drawn number that is already taken is drawn again (before, the second
   * shipment silently replaced the first in the emulator's map and both orders got the same number).
   */
  @Test
  void aTrackingNumberAlreadyGivenIsDrawnAgain(Vertx vertx, VertxTestContext tc) {
    Iterator<String> draws = List.of("600000000001", "600000000001", "600000000002").iterator();
    CarrierEmulator.start(vertx, new CarrierEmulator(CarrierConfig.defaults().stepInterval(Duration.ZERO), draws::next))
        .compose(c -> {
          carrier = c;
          return create(shipment("order-ship-11", "06236"), "ship:order-ship-11");
        })
        .compose(first -> create(shipment("order-ship-12", "06236"), "ship:order-ship-12")
            .map(second -> List.of(first, second)))
        .compose(rs -> {
          tc.verify(() -> {
            assertThat(rs.get(0).statusCode()).as(rs.get(0).bodyAsString()).isEqualTo(201);
            assertThat(rs.get(1).statusCode()).as(rs.get(1).bodyAsString()).isEqualTo(201);
            assertThat(rs.get(0).bodyAsJsonObject().getString("trackingNumber")).isEqualTo("600000000001");
            assertThat(rs.get(1).bodyAsJsonObject().getString("trackingNumber")).isEqualTo("600000000002");
          });
          return track("600000000001").compose(a -> track("600000000002").map(b -> List.of(a, b)));
        })
        .onComplete(tc.succeeding(ts -> tc.verify(() -> {
          assertThat(ts.get(0).bodyAsJsonObject().getString("orderId")).isEqualTo("order-ship-11");
          assertThat(ts.get(1).bodyAsJsonObject().getString("orderId")).isEqualTo("order-ship-12");
          assertThat(carrier.shipments()).extracting(s -> s.getString("trackingNumber"))
              .containsExactlyInAnyOrder("600000000001", "600000000002");
          tc.completeNow();
        })));
  }

  /**
   * Beyond {@code maxShipments} the oldest shipment is dropped and answers as a tracking number never issued, while the
   * newest is served as created, to the byte; beyond {@code maxIdempotencyKeys} the oldest key runs as new.
   */
  @Test
  void beyondTheLimitsTheOldestShipmentsAndIdempotencyKeysAreDropped(Vertx vertx) {
    carrier.close().await();
    carrier = CarrierEmulator.start(vertx, CarrierConfig.defaults().stepInterval(Duration.ZERO).maxShipments(2)
        .maxIdempotencyKeys(2)).await();
    HttpResponse<Buffer> first = create(shipment("order-limit-1", "06236"), "ship:order-limit-1").await();
    HttpResponse<Buffer> second = create(shipment("order-limit-2", "06236"), "ship:order-limit-2").await();
    HttpResponse<Buffer> third = create(shipment("order-limit-3", "06236"), "ship:order-limit-3").await();
    assertThat(List.of(first, second, third)).extracting(HttpResponse::statusCode).containsOnly(201);

    String dropped = first.bodyAsJsonObject().getString("trackingNumber");
    HttpResponse<Buffer> gone = track(dropped).await();
    assertError(gone, 404, "NOT_FOUND");
    assertThat(gone.bodyAsJsonObject().getString("message"))
        .isEqualTo(track("600000000000").await().bodyAsJsonObject().getString("message")
            .replace("600000000000", dropped));
    assertError(sandbox("/shipments/" + dropped + "/advance", new JsonObject()).await(), 404, "NOT_FOUND");
    assertThat(carrier.shipmentsFor("order-limit-1")).isEmpty();
    assertThat(carrier.shipments()).extracting(j -> j.getString("orderId"))
        .containsExactly("order-limit-2", "order-limit-3");
    assertThat(track(third.bodyAsJsonObject().getString("trackingNumber")).await().bodyAsString())
        .isEqualTo(third.bodyAsString());

    HttpResponse<Buffer> replayed = create(shipment("order-limit-3", "06236"), "ship:order-limit-3").await();
    assertThat(replayed.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replayed.bodyAsString()).isEqualTo(third.bodyAsString());
    HttpResponse<Buffer> again = create(shipment("order-limit-1", "06236"), "ship:order-limit-1").await();
    assertThat(again.statusCode()).isEqualTo(201);
    assertThat(again.getHeader("Idempotent-Replayed")).as("its key was dropped: a new shipment").isNull();
    assertThat(again.bodyAsJsonObject().getString("trackingNumber")).isNotEqualTo(dropped);
    // the lookup by order follows the drops: order-limit-2's shipment went with this create, order-limit-1 has its new one
    assertThat(carrier.shipmentsFor("order-limit-2")).isEmpty();
    assertThat(carrier.shipmentsFor("order-limit-1")).extracting(j -> j.getString("trackingNumber"))
        .containsExactly(again.bodyAsJsonObject().getString("trackingNumber"));
  }

  /** The webhook log keeps the newest {@code maxWebhookDeliveries}; a delivery whose record was dropped is still sent. */
  @Test
  void theWebhookLogKeepsTheNewestDeliveries(Vertx vertx) {
    List<JsonObject> hooks = new CopyOnWriteArrayList<>();
    HttpServer hook = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      hooks.add(b.toJsonObject());
      req.response().end();
    })).listen(0, "127.0.0.1").await();
    carrier.close().await();
    carrier = CarrierEmulator.start(vertx, CarrierConfig.defaults().stepInterval(Duration.ZERO).maxWebhookDeliveries(2)
        .webhookUrl("http://127.0.0.1:" + hook.actualPort() + "/carrier/webhook")).await();
    for (String orderId : List.of("order-hook-1", "order-hook-2", "order-hook-3")) {
      assertThat(create(shipment(orderId, "06236"), null).await().statusCode()).isEqualTo(201);
    }
    await(() -> hooks.size() == 3 && carrier.webhookDeliveries().stream().allMatch(d -> d.delivered()));

    assertThat(hooks).extracting(h -> h.getJsonObject("data").getString("orderId"))
        .containsExactlyInAnyOrder("order-hook-1", "order-hook-2", "order-hook-3");
    assertThat(carrier.webhookDeliveries()).extracting(d -> d.event().getJsonObject("data").getString("orderId"))
        .containsExactly("order-hook-2", "order-hook-3");
    JsonObject logged = client.get(carrier.actualPort(), "127.0.0.1", "/sandbox/webhooks").send().await()
        .bodyAsJsonObject();
    assertThat(logged.getJsonArray("deliveries")).hasSize(2);
    JsonObject last = logged.getJsonArray("deliveries").getJsonObject(1);
    assertThat(last.fieldNames()).containsExactly("url", "delivered", "event", "attempts");
    assertThat(last.getJsonArray("attempts").getJsonObject(0).fieldNames()).containsExactly("at", "status");
    assertThat(last.getJsonArray("attempts").getJsonObject(0).getInteger("status")).isEqualTo(200);
    assertThat(hooks).contains(last.getJsonObject("event"));
    hook.close().await();
  }

  /** Waits (polling, at most 10 s) until {@code done} holds. */
  static void await(java.util.function.BooleanSupplier done) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 10 s").isLessThan(until);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void bearerKeyIsRequired(VertxTestContext tc) {
    client.post(carrier.actualPort(), "127.0.0.1", "/v1/shipments").sendJsonObject(shipment("order-ship-3", "06236"))
        .compose(r -> {
          tc.verify(() -> assertError(r, 401, "UNAUTHORIZED"));
          return client.get(carrier.actualPort(), "127.0.0.1", "/v1/shipments/600000000000")
              .putHeader("Authorization", "Bearer live_unknown").send();
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 401, "UNAUTHORIZED");
          assertThat(carrier.shipments()).isEmpty();
          tc.completeNow();
        })));
  }

  @Test
  void invalidBodiesAndUnknownTrackingNumbers(VertxTestContext tc) {
    create(shipment("order-ship-4", "062"), null)
        .compose(r -> {
          tc.verify(() -> assertError(r, 400, "INVALID_REQUEST"));
          return create(shipment("order-ship-4", "06236").put("items", new JsonArray()), null);
        })
        .compose(r -> {
          tc.verify(() -> assertError(r, 400, "INVALID_REQUEST"));
          return track("600000000000");
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 404, "NOT_FOUND");
          tc.completeNow();
        })));
  }

  @Test
  void refusesUndeliverableAddresses(VertxTestContext tc) {
    create(shipment("order-ship-5", "00000"), null)
        .compose(r -> {
          tc.verify(() -> assertError(r, 422, "ADDRESS_UNDELIVERABLE"));
          return client.put(carrier.actualPort(), "127.0.0.1", "/sandbox/faults")
              .sendJsonObject(new JsonObject().put("refuseNew", true));
        })
        .compose(r -> create(shipment("order-ship-5", "06236"), "k-5"))
        .compose(r -> {
          tc.verify(() -> assertError(r, 422, "ADDRESS_UNDELIVERABLE"));
          carrier.clearFaults();
          return create(shipment("order-ship-5", "06236"), "k-5");
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertThat(r.statusCode()).as("a refusal is not replayed").isEqualTo(201);
          assertThat(carrier.shipmentsFor("order-ship-5")).hasSize(1);
          tc.completeNow();
        })));
  }

  @Test
  void manualAdvanceAndFailureOnDemand(VertxTestContext tc) {
    create(shipment("order-ship-6", "06236"), null)
        .compose(created -> {
          String tn = created.bodyAsJsonObject().getString("trackingNumber");
          return sandbox("/shipments/" + tn + "/advance", null)
              .compose(adv -> {
                tc.verify(() -> assertThat(adv.bodyAsJsonObject().getString("status")).isEqualTo("IN_TRANSIT"));
                return sandbox("/shipments/" + tn + "/fail", new JsonObject().put("status", "RETURNED").put("reason", "Refused by recipient"));
              })
              .compose(failed -> {
                tc.verify(() -> assertThat(failed.bodyAsJsonObject().getString("status")).isEqualTo("RETURNED"));
                return track(tn);
              })
              .compose(t -> {
                tc.verify(() -> {
                  assertThat(t.bodyAsJsonObject().getString("status")).isEqualTo("RETURNED");
                  assertThat(t.bodyAsJsonObject().getString("failureReason")).isEqualTo("Refused by recipient");
                  assertThat(t.bodyAsJsonObject().getJsonArray("events")).hasSize(3);
                });
                return sandbox("/shipments/" + tn + "/advance", null);
              });
        })
        .compose(r -> {
          tc.verify(() -> assertError(r, 409, "INVALID_TRANSITION"));
          return create(shipment("order-ship-7", "06236"), null);
        })
        .compose(r -> carrier.fail(r.bodyAsJsonObject().getString("trackingNumber"), "FAILED", "Address not found"))
        .onComplete(tc.succeeding(s -> tc.verify(() -> {
          assertThat(s.getString("status")).isEqualTo("FAILED");
          assertThat(carrier.shipmentsFor("order-ship-7").get(0).getString("status")).isEqualTo("FAILED");
          tc.completeNow();
        })));
  }

  @Test
  void injectedServerErrorsCreateNothing(VertxTestContext tc) {
    carrier.faults(Faults.none().withErrors(1.0, null, 503));
    create(shipment("order-ship-8", "06236"), "k-8")
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertError(r, 503, "INTERNAL_ERROR");
          assertThat(carrier.shipmentsFor("order-ship-8")).isEmpty();
          tc.completeNow();
        })));
  }

  @Test
  void timeoutThenEffectIsFoundByOrderIdAndByRetry(VertxTestContext tc) {
    carrier.faults(Faults.none().withTimeout(-1, true).withCount(1));
    create(shipment("order-ship-9", "06236"), "ship:order-ship-9")
        .timeout(300, TimeUnit.MILLISECONDS)
        .transform(ar -> {
          tc.verify(() -> assertThat(ar.failed()).as("the client saw a timeout").isTrue());
          return client.get(carrier.actualPort(), "127.0.0.1", "/v1/shipments?orderId=order-ship-9")
              .putHeader("Authorization", "Bearer test_carrier_devstack").send();
        })
        .compose(found -> create(shipment("order-ship-9", "06236"), "ship:order-ship-9").map(retry -> List.of(found, retry)))
        .onComplete(tc.succeeding(rs -> tc.verify(() -> {
          JsonArray found = rs.get(0).bodyAsJsonObject().getJsonArray("shipments");
          assertThat(found).hasSize(1);
          assertThat(rs.get(1).statusCode()).isEqualTo(201);
          assertThat(rs.get(1).bodyAsJsonObject().getString("trackingNumber"))
              .isEqualTo(found.getJsonObject(0).getString("trackingNumber"));
          assertThat(carrier.shipmentsFor("order-ship-9")).hasSize(1);
          tc.completeNow();
        })));
  }

  @Test
  void cancelOnlyWhileAccepted(VertxTestContext tc) {
    create(shipment("order-ship-10", "06236"), null)
        .compose(created -> {
          String tn = created.bodyAsJsonObject().getString("trackingNumber");
          return client.post(carrier.actualPort(), "127.0.0.1", "/v1/shipments/" + tn + "/cancel")
              .putHeader("Authorization", "Bearer test_carrier_devstack").send();
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("CANCELED");
          tc.completeNow();
        })));
  }
}
