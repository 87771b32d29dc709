package dev.eventmall.order;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.infra.Ports;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /orders, reads and their refusals, over real MariaDB and Kafka. */
class OrderPlacementTest extends OrderTestSupport {

  String earbuds;
  String cable;
  String charger;

  /**
   * A port of its own for the class: with {@code HTTP_PORT=0} each of the two HTTP instances listens on a random port
   * of its own and only the first is ever called, so nothing here would reach the second.
   */
  @Override
  Map<String, String> extraEnv() {
    return Map.of(dev.eventmall.common.config.Config.HTTP_PORT, Integer.toString(Ports.free()));
  }

  @BeforeAll
  void catalog() {
    earbuds = product("무선 이어폰", 129_000);
    cable = product("USB-C 케이블", 9_900);
    charger = product("고속 충전기", 35_000);
  }

  @Test
  void anOrderIsPricedFromTheProjectionStoredAndPublished() {
    String member = UUID.randomUUID().toString();
    String addressId = address(member);
    double placedBefore = counter("orders.placed");

    HttpResponse<Buffer> res = place(customer(member), orderBody(addressId, "BILLING", earbuds, 1, cable, 3, charger, 2));

    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    JsonObject order = res.bodyAsJsonObject();
    String orderId = order.getString("orderId");
    assertThat(res.getHeader("Location")).isEqualTo("/orders/" + orderId);
    assertThat(order.getString("status")).isEqualTo("PENDING");
    assertThat(order.getString("orderName")).isEqualTo("무선 이어폰 외 2건");
    assertThat(order.getLong("totalAmount")).isEqualTo(129_000 + 3 * 9_900 + 2 * 35_000);
    assertThat(order.getJsonArray("lines").getJsonObject(1).getLong("unitPrice")).isEqualTo(9_900);
    assertThat(order.getJsonObject("shippingAddress").getString("recipient")).isEqualTo("홍길동");

    JsonObject stored = row("SELECT member_id, status, total_amount, payment_method FROM orders WHERE order_id = ?",
      orderId);
    assertThat(stored.getString("member_id")).isEqualTo(member);
    assertThat(stored.getString("status")).isEqualTo("PENDING");
    assertThat(stored.getLong("total_amount")).isEqualTo(228_700);
    assertThat(count("SELECT COUNT(*) AS n FROM order_line WHERE order_id = ?", orderId)).isEqualTo(3);
    assertThat(count("SELECT COUNT(*) AS n FROM order_timeline WHERE order_id = ? AND event_type = 'OrderPlaced'",
      orderId)).isEqualTo(1);

    EventEnvelope placed = awaitOrderEvents(orderId, 1).get(0); // validated against OrderPlaced.v1.schema.json
    assertThat(placed.type()).isEqualTo("OrderPlaced");
    assertThat(placed.key()).isEqualTo(orderId);
    assertThat(placed.correlationId()).isEqualTo(orderId);
    JsonObject p = placed.payload();
    assertThat(p.getString("memberId")).isEqualTo(member);
    assertThat(p.getLong("totalAmount")).isEqualTo(228_700);
    assertThat(p.getString("paymentMethod")).isEqualTo("BILLING");
    assertThat(p.getString("orderName")).isEqualTo("무선 이어폰 외 2건");
    assertThat(p.getJsonArray("lines").getJsonObject(0)).isEqualTo(new JsonObject().put("productId", earbuds)
      .put("quantity", 1).put("unitPrice", 129_000));
    assertThat(p.getJsonObject("shippingAddress").getString("addressId")).isEqualTo(addressId);
    assertThat(p.getJsonObject("shippingAddress").getString("line2")).isEqualTo("12층");
    assertThat(counter("orders.placed")).isEqualTo(placedBefore + 1);

    JsonObject read = get("/orders/" + orderId, customer(member)).bodyAsJsonObject();
    assertThat(read).isEqualTo(order);
    assertThat(get("/orders/" + orderId, admin()).statusCode()).isEqualTo(200);
    JsonObject list = get("/orders?status=PENDING", customer(member)).bodyAsJsonObject();
    assertThat(list.getLong("total")).isEqualTo(1);
    assertThat(list.getJsonArray("items").getJsonObject(0).getString("orderId")).isEqualTo(orderId);
    assertThat(get("/orders?status=PAID", customer(member)).bodyAsJsonObject().getLong("total")).isZero();
    assertThat(get("/metrics", customer(member)).bodyAsString()).contains("orders_placed_total");

    JsonObject all = get("/admin/orders?status=PENDING&size=100", admin()).bodyAsJsonObject();
    assertThat(all.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("orderId"))).contains(orderId);
    assertProblem(get("/admin/orders", customer(member)), 403);
  }

  @Test
  void healthOpenApiAndTheDeadLettersOfTheProjections() {
    HttpResponse<Buffer> ready = Await.result(client.get("/health/ready").send());
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks"))
      .isEqualTo(new JsonObject().put("mysql", "UP").put("kafka", "UP"));
    HttpResponse<Buffer> doc = Await.result(client.get("/openapi.yaml").send());
    assertThat(doc.statusCode()).isEqualTo(200);
    assertThat(doc.bodyAsString()).contains("/orders/{orderId}/timeline");

    // a product event the projection cannot use (no price) is retried, then parked, and listed for the admin
    String productId = UUID.randomUUID().toString();
    JsonObject payload = productPayload(productId, "가격 없는 상품", 1, 1);
    payload.remove("price");
    EventEnvelope poison = EventEnvelope.of("ProductCreated", productId, payload.put("createdAt", Instant.now()
      .toString()).put("updatedAt", Instant.now().toString()));
    try {
      producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.CATALOG_PRODUCTS, productId,
        poison.toJson().encode())).get();
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
    Await.until("parked", Duration.ofSeconds(60), () -> get("/admin/dlq/projections", admin()).bodyAsJsonObject()
      .getJsonArray("items").stream().anyMatch(o -> productId.equals(((JsonObject) o).getString("key"))));
    assertThat(row("SELECT 1 FROM product WHERE product_id = ?", productId)).isNull();
    assertProblem(get("/admin/dlq/projections", customer(UUID.randomUUID().toString())), 403);
    // the projection goes on after it
    assertThat(product("다음 상품", 1_000)).isNotBlank();
  }

  @Test
  void clientPricesAreRefusedAndNothingIsStored() {
    String member = UUID.randomUUID().toString();
    String addressId = address(member);
    JsonObject body = orderBody(addressId, "BILLING", earbuds, 1);
    body.getJsonArray("lines").getJsonObject(0).put("unitPrice", 1);
    HttpResponse<Buffer> res = place(customer(member), body);
    assertProblem(res, 422);
    assertThat(res.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field"))
      .isEqualTo("lines[0].unitPrice");
    assertNothingStoredFor(member);
  }

  @Test
  void theSameIdempotencyKeyReturnsTheSameOrderAndADifferentBodyIs422() {
    String member = UUID.randomUUID().toString();
    String addressId = address(member);
    String token = customer(member);
    JsonObject body = orderBody(addressId, "CHECKOUT", cable, 2);
    String key = "checkout-" + UUID.randomUUID();

    HttpResponse<Buffer> first = post("/orders", token, key, body.toBuffer());
    HttpResponse<Buffer> again = post("/orders", token, key, body.toBuffer());
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(201);
    assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(201);
    assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");
    String orderId = first.bodyAsJsonObject().getString("orderId");
    assertThat(again.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());

    HttpResponse<Buffer> different = post("/orders", token, key, orderBody(addressId, "CHECKOUT", cable, 3).toBuffer());
    assertProblem(different, 422);
    assertThat(different.bodyAsJsonObject().getString("type")).endsWith("/idempotency-key-reused");

    // the same key of another member is another request
    String other = UUID.randomUUID().toString();
    HttpResponse<Buffer> others = post("/orders", customer(other), key,
      orderBody(address(other), "CHECKOUT", cable, 2).toBuffer());
    assertThat(others.statusCode()).isEqualTo(201);
    assertThat(others.bodyAsJsonObject().getString("orderId")).isNotEqualTo(orderId);

    assertThat(count("SELECT COUNT(*) AS n FROM orders WHERE member_id = ?", member)).isEqualTo(1);
    awaitOrderEvents(orderId, 1);
    Await.until("the relay is idle", Duration.ofSeconds(30),
      () -> count("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL") == 0);
    assertThat(orderEventsOf(orderId)).hasSize(1);
  }

  @Test
  void concurrentDuplicatesWithOneKeyMakeOneOrder() {
    String member = UUID.randomUUID().toString();
    String addressId = address(member);
    String token = customer(member);
    Buffer body = orderBody(addressId, "BILLING", charger, 1).toBuffer();
    String key = "double-click-" + UUID.randomUUID();
    List<Future<HttpResponse<Buffer>>> sends = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      sends.add(client.post("/orders").bearerTokenAuthentication(token).putHeader("Idempotency-Key", key)
        .putHeader("Content-Type", "application/json").sendBuffer(body));
    }
    Await.result(Future.all(sends));
    assertThat(sends).allSatisfy(f -> assertThat(f.result().statusCode()).as(f.result().bodyAsString()).isEqualTo(201));
    assertThat(sends.stream().map(f -> f.result().bodyAsJsonObject().getString("orderId")).distinct()).hasSize(1);
    assertThat(count("SELECT COUNT(*) AS n FROM orders WHERE member_id = ?", member)).isEqualTo(1);
  }

  /**
   * Orders placed at the same moment are committed together (OrderWriter: one transaction and one multi-row INSERT per
   * table for the orders that arrive while an earlier commit runs), each still whole: its lines, first timeline row,
   * Idempotency-Key and one OrderPlaced. A key sent twice at once (to one instance, or to two, where the second commit
   * breaks its batch and the batch is split down to that order) answers with the same order, and no other order is
   * lost or doubled.
   */
  @Test
  void ordersPlacedAtOnceCommitTogetherAndATwinKeyBreaksNoOtherOrder() {
    io.vertx.ext.web.client.WebClient wide = wide(64);
    try {
      int customers = 48;
      List<String> members = new ArrayList<>();
      List<Buffer> bodies = new ArrayList<>();
      for (int i = 0; i < customers; i++) {
        String member = UUID.randomUUID().toString();
        members.add(member);
        bodies.add(orderBody(address(member), "BILLING", earbuds, 1, cable, 2).toBuffer());
      }
      long commitsBefore = comCommit(); // the addresses' projection commits are behind us
      long selectsBefore = status("Com_select");
      List<Future<HttpResponse<Buffer>>> sends = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < customers; i++) {
        String member = members.get(i);
        Buffer body = bodies.get(i);
        String key = "at-once-" + UUID.randomUUID();
        keys.add(key);
        // every eighth customer double-clicks: the same key twice at once
        for (int twice = 0; twice < (i % 8 == 0 ? 2 : 1); twice++) {
          sends.add(wide.post("/orders").bearerTokenAuthentication(customer(member)).putHeader("Idempotency-Key", key)
            .putHeader("Content-Type", "application/json").sendBuffer(body));
        }
      }
      Await.result(Future.join(sends), Duration.ofSeconds(60));
      assertThat(sends).allSatisfy(f -> assertThat(f.result().statusCode()).as(f.result().bodyAsString())
        .isEqualTo(201));
      long commits = comCommit() - commitsBefore;
      long selects = status("Com_select") - selectsBefore;
      for (int i = 0; i < customers; i++) {
        String member = members.get(i);
        assertThat(count("SELECT COUNT(*) AS n FROM orders WHERE member_id = ?", member)).as(member).isEqualTo(1);
        String orderId = row("SELECT order_id FROM orders WHERE member_id = ?", member).getString("order_id");
        assertThat(row("SELECT order_id FROM idempotency_key WHERE member_id = ? AND idem_key = ?", member,
          keys.get(i)).getString("order_id")).isEqualTo(orderId);
        assertThat(count("SELECT COUNT(*) AS n FROM order_line WHERE order_id = ?", orderId)).isEqualTo(2);
        assertThat(count("SELECT COUNT(*) AS n FROM order_timeline WHERE order_id = ? AND event_type = 'OrderPlaced'",
          orderId)).isEqualTo(1);
        assertThat(awaitOrderEvents(orderId, 1)).extracting(EventEnvelope::type).containsExactly("OrderPlaced");
      }
      List<String> answered = sends.stream().map(f -> f.result().bodyAsJsonObject().getString("orderId")).toList();
      assertThat(answered.stream().distinct()).hasSize(customers);
      // 48 orders (and 6 twins) in fewer transactions than orders: they were committed together
      assertThat(commits).as("COMMITs for %d orders", customers).isLessThan(customers);
      // each request reads its Idempotency-Key, two products and an address: one SELECT per request for the key, and the
      // products and addresses of the requests arriving together in one SELECT each (one per request each before: 243
      // SELECTs, 4.5 a request). The count is the server's: the outbox relay's rounds (one per commit) and periodic
      // queries fall in the window too, more of them the slower a loaded machine runs it (91-118 seen), so the bound
      // is 3 a request
      assertThat(selects).as("SELECTs for %d requests", sends.size()).isLessThan(3L * sends.size());
    } finally {
      wide.close();
    }
  }

  /**
   * The two HTTP instances share one group commit ({@link OrderService.FrontDoor}): the orders that arrive on both
   * while a commit is under way go in one transaction, not one per instance (with one each, the second instance's
   * first order starts a transaction of its own at once, and its later ones another). The first order's transaction
   * is held by a table lock; eight more orders, over as many connections (Vert.x deals connections to the instances in
   * turn), queue meanwhile.
   */
  @Test
  void ordersArrivingOnBothInstancesDuringACommitShareTheNextTransaction() throws InterruptedException {
    io.vertx.ext.web.client.WebClient wide = wide(16);
    io.vertx.sqlclient.SqlConnection locker = Await.result(db.getConnection());
    try {
      List<String> members = new ArrayList<>();
      List<Buffer> bodies = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        String member = UUID.randomUUID().toString();
        members.add(member);
        bodies.add(orderBody(address(member), "BILLING", earbuds, 1).toBuffer());
      }
      long commitsBefore = comCommit();
      Await.result(locker.query("LOCK TABLES orders WRITE").execute());
      List<Future<HttpResponse<Buffer>>> sends = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        sends.add(wide.post("/orders").bearerTokenAuthentication(customer(members.get(i)))
          .putHeader("Content-Type", "application/json").sendBuffer(bodies.get(i)));
        if (i == 0) {
          Await.until("the first order's INSERT waiting for the lock", Duration.ofSeconds(30),
            () -> ordersInsertsWaiting() == 1);
        }
      }
      // the eight are read, priced and queued behind the held commit within milliseconds; a second instance's own
      // transaction would show as a second INSERT waiting for the lock
      Thread.sleep(1_000);
      long waiting = ordersInsertsWaiting();
      Await.result(locker.query("UNLOCK TABLES").execute());
      Await.result(Future.join(sends), Duration.ofSeconds(60));
      assertThat(sends).allSatisfy(f -> assertThat(f.result().statusCode()).as(f.result().bodyAsString())
        .isEqualTo(201));
      for (String member : members) {
        assertThat(count("SELECT COUNT(*) AS n FROM orders WHERE member_id = ?", member)).as(member).isEqualTo(1);
      }
      assertThat(waiting).as("INSERTs waiting for the lock while the eight queued").isEqualTo(1);
      assertThat(comCommit() - commitsBefore).as("COMMITs for the nine orders").isEqualTo(2);
    } finally {
      locker.query("UNLOCK TABLES").execute().eventually(locker::close);
      wide.close();
    }
  }

  /** A client of its own with up to {@code connections} connections (the shared one is checked against the contract). */
  private io.vertx.ext.web.client.WebClient wide(int connections) {
    return io.vertx.ext.web.client.WebClient.create(vertx,
      new io.vertx.ext.web.client.WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(deployment.httpPort()),
      new io.vertx.core.http.PoolOptions().setHttp1MaxSize(connections));
  }

  /** The order service's {@code INSERT INTO orders} statements under way (waiting for a lock, here). */
  private long ordersInsertsWaiting() {
    return count("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSERT INTO orders %'");
  }

  long comCommit() {
    return status("Com_commit");
  }

  long status(String counter) {
    return Long.parseLong(row("SHOW GLOBAL STATUS LIKE '" + counter + "'").getString("Value"));
  }

  @Test
  void anotherMembersAddressIsRefusedAndNothingIsStored() {
    String member = UUID.randomUUID().toString();
    String victim = UUID.randomUUID().toString();
    address(member);
    String victimsAddress = address(victim);
    HttpResponse<Buffer> res = place(customer(member), orderBody(victimsAddress, "BILLING", earbuds, 1));
    assertProblem(res, 422);
    assertThat(res.bodyAsJsonObject().getString("type")).isEqualTo("https://eventmall.dev/problems/validation-failed");
    assertThat(res.bodyAsJsonObject().getString("title")).isEqualTo("Unprocessable Entity");
    assertThat(res.bodyAsJsonObject().getString("detail")).isEqualTo("The request body has invalid fields");
    assertThat(res.bodyAsJsonObject().getJsonArray("errors")).isEqualTo(new JsonArray().add(new JsonObject()
      .put("field", "addressId").put("message", "no such address among your shipping addresses")));
    assertNothingStoredFor(member);
    assertProblem(place(customer(member), orderBody(UUID.randomUUID().toString(), "BILLING", earbuds, 1)), 422);
  }

  @Test
  void anotherMembersOrderCannotBeReadCancelledOrTraced() {
    String owner = UUID.randomUUID().toString();
    String orderId = placed(customer(owner), orderBody(address(owner), "BILLING", earbuds, 1)).getString("orderId");
    String stranger = customer(UUID.randomUUID().toString());

    assertProblem(get("/orders/" + orderId, stranger), 404);
    assertProblem(get("/orders/" + orderId + "/timeline", stranger), 404);
    HttpResponse<Buffer> cancel = post("/orders/" + orderId + "/cancel", stranger, null, null);
    assertProblem(cancel, 404);
    assertThat(cancel.bodyAsJsonObject().getString("type")).isEqualTo("https://eventmall.dev/problems/not-found");
    assertThat(cancel.bodyAsJsonObject().getString("title")).isEqualTo("Not Found");
    assertThat(cancel.bodyAsJsonObject().getString("detail")).isEqualTo("No such order");
    assertThat(get("/orders", stranger).bodyAsJsonObject().getLong("total")).isZero();
    assertThat(row("SELECT status FROM orders WHERE order_id = ?", orderId).getString("status")).isEqualTo("PENDING");
    assertProblem(get("/orders/" + UUID.randomUUID(), stranger), 404);
    assertProblem(get("/orders/not-an-id", stranger), 404);
    // no token, or not a customer
    assertProblem(Await.result(client.get("/orders/" + orderId).send()), 401);
    assertProblem(place(tokens.issue(owner, List.of("SELLER")), orderBody(UUID.randomUUID().toString(), "BILLING",
      earbuds, 1)), 403);
  }

  /** Issue 16 row 4: ids are kept in one case; before the fix the line was stored as the client spelled it. */
  @Test
  void idsInUpperCaseAreAcceptedAndStoredInCanonicalLowerCase() {
    String member = UUID.randomUUID().toString();
    String addressId = address(member);
    HttpResponse<Buffer> res = place(customer(member), orderBody(addressId.toUpperCase(java.util.Locale.ROOT), "BILLING",
      earbuds.toUpperCase(java.util.Locale.ROOT), 1));
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    String orderId = res.bodyAsJsonObject().getString("orderId");
    assertThat(row("SELECT product_id FROM order_line WHERE order_id = ?", orderId).getString("product_id"))
      .isEqualTo(earbuds);
    assertThat(row("SELECT address_id FROM orders WHERE order_id = ?", orderId).getString("address_id"))
      .isEqualTo(addressId);
  }

  @Test
  void badInputsAreProblemsAndStoreNothing() {
    String member = UUID.randomUUID().toString();
    String addressId = address(member);
    String token = customer(member);
    List<JsonObject> bad = List.of(
      orderBody(addressId, "BILLING", earbuds, 0),
      orderBody(addressId, "BILLING", earbuds, -1),
      orderBody(addressId, "BILLING", earbuds, 101),
      orderBody(addressId, "BILLING", earbuds, Long.MAX_VALUE),
      orderBody(addressId, "BILLING", earbuds, 1.5),
      orderBody(addressId, "BILLING", earbuds, "2"),
      orderBody(addressId, "BILLING", UUID.randomUUID().toString(), 1),
      orderBody(addressId, "BILLING", earbuds, 1, earbuds, 2),
      orderBody(addressId, "CASH", earbuds, 1),
      orderBody(addressId, "BILLING"),
      orderBody(addressId, null, earbuds, 1),
      new JsonObject().put("lines", "earbuds").put("addressId", addressId).put("paymentMethod", "BILLING"),
      new JsonObject().put("lines", new JsonArray().add(42)).put("addressId", addressId).put("paymentMethod", "BILLING"),
      orderBody(addressId, "BILLING", earbuds, 1).put("totalAmount", 1),
      orderBody(42, "BILLING", earbuds, 1),
      // issue 16 row 4: one product in two cases was two lines here, one product to MySQL → 201, then catalog parked
      // OrderPlaced and the order stayed PENDING (failed before the fix: 201)
      orderBody(addressId, "BILLING", earbuds, 1, earbuds.toUpperCase(java.util.Locale.ROOT), 1),
      orderBody(addressId, "BILLING", "not-a-uuid", 1),
      orderBody(addressId, "BILLING", earbuds + "\u202E", 1),
      orderBody("../" + addressId, "BILLING", earbuds, 1));
    for (JsonObject body : bad) {
      HttpResponse<Buffer> res = place(token, body);
      assertProblem(res, 422);
      assertThat(res.bodyAsJsonObject().getJsonArray("errors")).as(body.encode()).isNotEmpty();
    }
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 51; i++) {
      tooMany.add(new JsonObject().put("productId", UUID.randomUUID().toString()).put("quantity", 1));
    }
    assertProblem(place(token, new JsonObject().put("lines", tooMany).put("addressId", addressId)
      .put("paymentMethod", "BILLING")), 422);
    assertProblem(post("/orders", token, null, Buffer.buffer("{\"lines\": [")), 400);
    assertProblem(post("/orders", token, null, Buffer.buffer("[1,2]")), 400);
    assertProblem(post("/orders", token, null, null), 400);
    assertProblem(post("/orders", token, "x".repeat(101), orderBody(addressId, "BILLING", earbuds, 1).toBuffer()), 400);
    // issue 16 row 14: two Idempotency-Key headers (before: the first was used, 201)
    assertProblem(Await.result(client.post("/orders").bearerTokenAuthentication(token)
      .putHeader("Idempotency-Key", List.of("key-one", "key-two"))
      .sendJsonObject(orderBody(addressId, "BILLING", earbuds, 1))), 400);
    Buffer huge = Buffer.buffer("{\"lines\":[],\"pad\":\"" + "a".repeat(10 * 1024 * 1024) + "\"}");
    assertProblem(post("/orders", token, null, huge), 413);
    assertProblem(get("/orders?status=NOPE", token), 400);
    assertProblem(get("/orders?page=-1", token), 400);
    assertProblem(get("/orders?size=1000", token), 400);
    assertNothingStoredFor(member);
  }

  @Test
  void theProjectionKeepsTheNewestVersionAndADeletedProductCannotBeOrdered() {
    String member = UUID.randomUUID().toString();
    String addressId = address(member);
    String productId = product("블루투스 스피커", 50_000);
    String now = Instant.now().toString();
    EventEnvelope v3 = EventEnvelope.of("ProductUpdated", productId, productPayload(productId, "블루투스 스피커 2",
      70_000, 3).put("createdAt", now).put("updatedAt", now));
    EventEnvelope v2 = EventEnvelope.of("ProductUpdated", productId, productPayload(productId, "블루투스 스피커 (old)",
      60_000, 2).put("createdAt", now).put("updatedAt", now));
    publish(Topics.CATALOG_PRODUCTS, v3);
    publish(Topics.CATALOG_PRODUCTS, v2); // late and older: ignored
    publish(Topics.CATALOG_PRODUCTS, v3); // the same event again: a no-op
    Await.until("v2 handled", Duration.ofSeconds(60), () -> count(
      "SELECT COUNT(*) AS n FROM inbox WHERE consumer = 'order-projections' AND event_id = ?", v2.id().toString()) == 1);
    JsonObject product = row("SELECT name, price, version FROM product WHERE product_id = ?", productId);
    assertThat(product.getLong("price")).isEqualTo(70_000);
    assertThat(product.getLong("version")).isEqualTo(3);
    assertThat(placed(customer(member), orderBody(addressId, "BILLING", productId, 2)).getLong("totalAmount"))
      .isEqualTo(140_000);

    publish(Topics.CATALOG_PRODUCTS, EventEnvelope.of("ProductDeleted", productId, new JsonObject()
      .put("productId", productId).put("sellerId", "seller-1").put("version", 4).put("deletedAt", now)));
    Await.until("deleted", Duration.ofSeconds(60),
      () -> row("SELECT deleted FROM product WHERE product_id = ?", productId).getInteger("deleted") == 1);
    HttpResponse<Buffer> res = place(customer(member), orderBody(addressId, "BILLING", productId, 1));
    assertProblem(res, 422);
    assertThat(res.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field"))
      .isEqualTo("lines[0].productId");
  }

  void assertNothingStoredFor(String member) {
    assertThat(count("SELECT COUNT(*) AS n FROM orders WHERE member_id = ?", member)).isZero();
    assertThat(count("SELECT COUNT(*) AS n FROM idempotency_key WHERE member_id = ?", member)).isZero();
    assertThat(count("SELECT COUNT(*) AS n FROM outbox WHERE envelope LIKE ?", "%" + member + "%")).isZero();
    assertThat(published(Topics.ORDER_EVENTS)).as("events published for %s", member)
      .noneMatch(r -> r.value().contains(member));
  }
}
