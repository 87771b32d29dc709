package dev.eventmall.catalog;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventSchemas;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.TopicReader;
import dev.eventmall.common.testing.TestInfra;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seller product CRUD over REST, the Cassandra documents behind it and the events on catalog.products; with two HTTP
 * verticle instances, as in production (one per core), which share the read caches.
 */
class ProductApiTest extends CatalogTestSupport {

  @Override
  int httpInstances() {
    return 2;
  }

  @Test
  void sellerCreatesReadsUpdatesAndDeletesAProductEachChangeStoredAndPublished() throws Exception {
    String seller = "seller-" + UUID.randomUUID();
    String token = sellerToken(seller);
    String cat = "shirts-" + UUID.randomUUID().toString().substring(0, 8);
    String otherCat = "tees-" + UUID.randomUUID().toString().substring(0, 8);
    try (TopicReader products = new TopicReader(TestInfra.kafka(), Topics.CATALOG_PRODUCTS)) {
      // create
      HttpResponse<Buffer> created = create(token, product("Linen shirt", cat, 39_000, 7));
      assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
      JsonObject body = created.bodyAsJsonObject();
      String id = body.getString("productId");
      assertThat(created.getHeader("Location")).isEqualTo("/products/" + id);
      assertThat(body.getString("sellerId")).isEqualTo(seller);
      assertThat(body.getLong("price")).isEqualTo(39_000);
      assertThat(body.getInteger("stock")).isEqualTo(7);
      assertThat(body.getInteger("version")).isEqualTo(1);

      // public read: document from Cassandra, price/stock from MySQL
      JsonObject read = get("/products/" + id).bodyAsJsonObject();
      assertThat(read.getString("name")).isEqualTo("Linen shirt");
      assertThat(read.getJsonObject("attributes").getString("color")).isEqualTo("red");
      assertThat(read.getJsonArray("imageUrls")).containsExactly("https://img.eventmall.dev/Linen-shirt.jpg");
      assertThat(read.getJsonArray("options").getJsonObject(0).getJsonArray("values").getList()).containsExactly("S", "M");
      assertThat(read.getLong("price")).isEqualTo(39_000);
      assertThat(read.getInteger("stock")).isEqualTo(7);

      // stored in the three Cassandra tables, written at the version as timestamp
      UUID uuid = UUID.fromString(id);
      Row byId = cassandraRow("products_by_id", "product_id = ?", uuid);
      assertThat(byId.getString("name")).isEqualTo("Linen shirt");
      assertThat(byId.getLong("version")).isEqualTo(1);
      assertThat(cassandraRow("products_by_category", "category = ? AND product_id = ? ALLOW FILTERING", cat, uuid))
        .isNotNull();
      assertThat(cassandraRow("products_by_seller", "seller_id = ?", seller).getUuid("product_id")).isEqualTo(uuid);
      Row writetime = cassandraRow("products_by_id", "product_id = ?", uuid);
      assertThat(Await.result(cassandra.executeWithFullFetch(com.datastax.oss.driver.api.core.cql.SimpleStatement
        .newInstance("SELECT WRITETIME(name) FROM " + keyspace + ".products_by_id WHERE product_id = ?", uuid)))
        .get(0).getLong(0)).as("write timestamp = version").isEqualTo(1L);
      assertThat(writetime).isNotNull();

      // listings
      JsonObject byCategory = get("/products?category=" + cat).bodyAsJsonObject();
      assertThat(byCategory.getLong("total")).isEqualTo(1);
      assertThat(byCategory.getJsonArray("items").getJsonObject(0).getString("productId")).isEqualTo(id);
      JsonObject mine = Await.result(client.get("/sellers/me/products").bearerTokenAuthentication(token).send())
        .bodyAsJsonObject();
      assertThat(mine.getLong("total")).isEqualTo(1);
      assertThat(mine.getJsonArray("items").getJsonObject(0).getInteger("stock")).isEqualTo(7);

      // update: new name, price, stock and category
      HttpResponse<Buffer> updated = Await.result(client.put("/products/" + id).bearerTokenAuthentication(token)
        .sendJsonObject(product("Linen tee", otherCat, 29_000, 3)));
      assertThat(updated.statusCode()).as(updated.bodyAsString()).isEqualTo(200);
      assertThat(updated.bodyAsJsonObject().getInteger("version")).isEqualTo(2);
      JsonObject reread = get("/products/" + id).bodyAsJsonObject();
      assertThat(reread.getString("name")).isEqualTo("Linen tee");
      assertThat(reread.getString("category")).isEqualTo(otherCat);
      assertThat(reread.getLong("price")).isEqualTo(29_000);
      assertThat(reread.getInteger("stock")).isEqualTo(3);
      assertThat(reread.getInteger("version")).isEqualTo(2);
      assertThat(get("/products?category=" + cat).bodyAsJsonObject().getJsonArray("items")).isEmpty();
      assertThat(get("/products?category=" + otherCat).bodyAsJsonObject().getJsonArray("items")).hasSize(1);

      // delete
      HttpResponse<Buffer> deleted = Await.result(client.delete("/products/" + id).bearerTokenAuthentication(token).send());
      assertThat(deleted.statusCode()).isEqualTo(204);
      assertProblem(get("/products/" + id), 404);
      assertThat(cassandraRow("products_by_id", "product_id = ?", uuid)).isNull();
      assertThat(cassandraRow("products_by_seller", "seller_id = ?", seller)).isNull();
      assertThat(get("/products?category=" + otherCat).bodyAsJsonObject().getJsonArray("items")).isEmpty();
      JsonObject stored = row("SELECT version, deleted, document_pending FROM product WHERE product_id = ?", id);
      assertThat(stored.getLong("version")).isEqualTo(3);
      assertThat(stored.getInteger("deleted")).isEqualTo(1);
      assertThat(stored.getInteger("document_pending")).isZero();

      // the three events, in order, keyed by the product id, valid against their schemas
      Await.until("3 events of " + id, Duration.ofSeconds(30),
        () -> products.records().stream().filter(r -> id.equals(r.key())).count() == 3);
      List<EventEnvelope> events = products.records().stream().filter(r -> id.equals(r.key()))
        .map(r -> EventEnvelope.fromJson(new JsonObject(r.value()))).toList();
      events.forEach(EventSchemas::validate);
      assertThat(events).extracting(EventEnvelope::type)
        .containsExactly("ProductCreated", "ProductUpdated", "ProductDeleted");
      assertThat(events).extracting(e -> e.payload().getInteger("version")).containsExactly(1, 2, 3);
      assertThat(events.get(0).payload().getString("sellerId")).isEqualTo(seller);
      assertThat(events.get(0).payload().getInteger("stock")).isEqualTo(7);
      assertThat(events.get(1).payload().getString("category")).isEqualTo(otherCat);
      assertThat(events.get(1).payload().getLong("price")).isEqualTo(29_000);
      assertThat(events.get(2).payload().getString("deletedAt")).isNotBlank();
    }
  }

  @Test
  void sellerBCannotChangeSellerAsProductAndNothingChanges() {
    String sellerA = "seller-a-" + UUID.randomUUID();
    String tokenB = sellerToken("seller-b-" + UUID.randomUUID());
    String cat = "bags-" + UUID.randomUUID().toString().substring(0, 8);
    String id = createProduct(sellerA, product("Tote", cat, 10_000, 5));

    HttpResponse<Buffer> put = Await.result(client.put("/products/" + id).bearerTokenAuthentication(tokenB)
      .sendJsonObject(product("Stolen", cat, 1, 0)));
    assertProblem(put, 404);
    HttpResponse<Buffer> delete = Await.result(client.delete("/products/" + id).bearerTokenAuthentication(tokenB).send());
    assertProblem(delete, 404);

    JsonObject read = get("/products/" + id).bodyAsJsonObject();
    assertThat(read.getString("name")).isEqualTo("Tote");
    assertThat(read.getLong("price")).isEqualTo(10_000);
    assertThat(read.getInteger("version")).isEqualTo(1);
    JsonObject stored = row("SELECT version, deleted, price FROM product WHERE product_id = ?", id);
    assertThat(stored.getLong("version")).isEqualTo(1);
    assertThat(stored.getInteger("deleted")).isZero();
    assertThat(stored.getLong("price")).isEqualTo(10_000);
    assertThat(cassandraRow("products_by_id", "product_id = ?", UUID.fromString(id)).getString("name")).isEqualTo("Tote");
    assertThat(published(Topics.CATALOG_PRODUCTS).stream().filter(r -> id.equals(r.key())).map(TopicReader::type))
      .as("the events of %s: its creation only", id).containsExactly("ProductCreated");

    // a customer cannot write, nobody without a token can
    HttpResponse<Buffer> asCustomer = Await.result(client.put("/products/" + id)
      .bearerTokenAuthentication(tokens.issue(sellerA, List.of("CUSTOMER"))).sendJsonObject(product("X", cat, 1, 1)));
    assertProblem(asCustomer, 403);
    assertProblem(Await.result(client.post("/products").sendJsonObject(product("X", cat, 1, 1))), 401);
  }

  @Test
  void badInputsAre4xxProblemsAndNothingIsStored() {
    String seller = "seller-bad-" + UUID.randomUUID();
    String token = sellerToken(seller);
    JsonObject good = product("Mug", "mugs", 5_000, 2);
    List<JsonObject> bad = List.of(
      good.copy().put("name", "x".repeat(201)),
      good.copy().put("name", "  "),
      good.copy().put("description", "d".repeat(5001)),
      good.copy().put("price", -1),
      good.copy().put("price", 0),
      good.copy().put("price", 100_000_001),
      good.copy().put("price", 12.5),
      good.copy().put("stock", 1_000_001),
      good.copy().put("stock", "10"),
      good.copy().put("category", "Mugs!"),
      good.copy().put("imageUrls", new JsonArray(IntStream.range(0, 21).mapToObj(i -> "https://x.dev/" + i).toList())),
      good.copy().put("imageUrls", new JsonArray().add("ftp://x.dev/a.png")),
      // issue 16 row 14: image URLs pointing inside a network (before: 201)
      good.copy().put("imageUrls", new JsonArray().add("http://169.254.169.254/latest/meta-data/")),
      good.copy().put("imageUrls", new JsonArray().add("http://127.0.0.1:8085/admin")),
      good.copy().put("imageUrls", new JsonArray().add("http://[::1]/a.png")),
      good.copy().put("imageUrls", new JsonArray().add("https://10.0.0.5/a.png")),
      good.copy().put("imageUrls", new JsonArray().add("https://192.168.1.1/a.png")),
      good.copy().put("imageUrls", new JsonArray().add("http://localhost/a.png")),
      good.copy().put("imageUrls", new JsonArray().add("http://2130706433/a.png")),
      good.copy().put("imageUrls", new JsonArray().add("https://x.dev/" + "a".repeat(500))),
      good.copy().put("attributes", new JsonObject(IntStream.range(0, 51).boxed()
        .collect(java.util.stream.Collectors.toMap(i -> "k" + i, i -> (Object) "v")))),
      good.copy().put("attributes", new JsonObject().put("weight", 3)),
      good.copy().put("options", new JsonArray().add(new JsonObject().put("name", "size"))),
      good.copy().put("sellerId", "someone-else"),
      // issue 16 rows 3 and 12 (before the fix: 500 with the product committed as "?", or 201 served as sent)
      good.copy().put("attributes", new JsonObject().put("k\u0000", "v")),
      good.copy().put("name", "abc\u202egnp.exe"),
      good.copy().put("name", "nul\u0000name"),
      good.copy().put("name", "\u200b\u200b\u200b"),
      good.copy().put("description", "\u0007\u0007"),
      good.copy().put("options", new JsonArray().add(new JsonObject().put("name", "size").put("values",
        new JsonArray().add("L").add("\u2066XL")))));
    for (JsonObject body : bad) {
      HttpResponse<Buffer> res = create(token, body);
      assertProblem(res, 422);
      assertThat(res.bodyAsJsonObject().getJsonArray("errors")).as(body.encode()).isNotEmpty();
    }
    // lone surrogates as JSON escapes, as curl sends them (a Java string holding one cannot be encoded as UTF-8)
    for (String raw : List.of(
      good.copy().put("name", "@@").encode().replace("@@", "mug \\ud800"),
      good.copy().put("description", "@@").encode().replace("@@", "a lone \\udc00 surrogate"),
      good.copy().put("attributes", new JsonObject().put("color", "@@")).encode().replace("@@", "red\\ud800"))) {
      HttpResponse<Buffer> res = Await.result(client.post("/products").bearerTokenAuthentication(token)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(raw)));
      assertProblem(res, 422);
      assertThat(res.bodyAsString()).as(raw).contains("unpaired UTF-16 surrogate");
    }
    HttpResponse<Buffer> malformed = Await.result(client.post("/products").bearerTokenAuthentication(token)
      .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"name\": ")));
    assertProblem(malformed, 400);
    assertProblem(Await.result(client.post("/products").bearerTokenAuthentication(token)
      .sendJson(new JsonArray().add(1))), 400);

    assertProblem(get("/products/not-a-uuid"), 404);
    assertProblem(get("/products/" + UUID.randomUUID()), 404);
    assertProblem(Await.result(client.put("/products/12345").bearerTokenAuthentication(token).sendJsonObject(good)), 404);
    assertProblem(Await.result(client.delete("/products/%27;drop").bearerTokenAuthentication(token).send()), 404);
    assertProblem(get("/products"), 400);
    assertProblem(get("/products?category=mugs&size=101"), 400);
    assertProblem(get("/products?category=mugs&page=-1"), 400);
    assertProblem(get("/products?category=mugs&page=abc"), 400);

    assertThat(row("SELECT COUNT(*) AS n FROM product WHERE seller_id = ?", seller).getInteger("n")).isZero();
    assertThat(cassandraRow("products_by_seller", "seller_id = ?", seller)).isNull();
  }

  @Test
  void aProductPageIsServedFromTheDocumentCacheOnlyWhileMySqlStillNamesItsVersion() {
    String seller = "seller-cache-" + UUID.randomUUID();
    String cat = "mugs-" + UUID.randomUUID().toString().substring(0, 8);
    String id = createProduct(seller, product("Mug", cat, 9_000, 4));
    UUID uuid = UUID.fromString(id);

    double hits = cacheCount("document", "hit");
    double misses = cacheCount("document", "miss");
    assertThat(get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo("Mug");
    assertThat(get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo("Mug");
    assertThat(cacheCount("document", "miss") - misses).as("the first read goes to Cassandra").isEqualTo(1);
    assertThat(cacheCount("document", "hit") - hits).as("the second is a hit").isEqualTo(1);

    // the document behind the cache's back (same version): a hit keeps answering the cached one ...
    Await.result(cassandra.execute("UPDATE " + keyspace + ".products_by_id USING TIMESTAMP 1 SET name = 'Mug (Cassandra)'"
      + " WHERE product_id = " + uuid));
    assertThat(get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo("Mug");
    // ... while price and stock always come from MySQL
    Await.result(db.preparedQuery("UPDATE stock SET available = 1 WHERE product_id = ?")
      .execute(io.vertx.sqlclient.Tuple.of(id)));
    JsonObject afterReservation = get("/products/" + id).bodyAsJsonObject();
    assertThat(afterReservation.getInteger("stock")).isEqualTo(1);
    assertThat(afterReservation.getLong("price")).isEqualTo(9_000);

    // an update bumps the version: the next read is a miss and shows the new document at once
    HttpResponse<Buffer> updated = Await.result(client.put("/products/" + id).bearerTokenAuthentication(sellerToken(seller))
      .sendJsonObject(product("Mug XL", cat, 11_000, 6)));
    assertThat(updated.statusCode()).as(updated.bodyAsString()).isEqualTo(200);
    double missesBefore = cacheCount("document", "miss");
    JsonObject reread = get("/products/" + id).bodyAsJsonObject();
    assertThat(reread.getString("name")).isEqualTo("Mug XL");
    assertThat(reread.getLong("price")).isEqualTo(11_000);
    assertThat(reread.getInteger("stock")).isEqualTo(6);
    assertThat(reread.getInteger("version")).isEqualTo(2);
    assertThat(cacheCount("document", "miss") - missesBefore).isEqualTo(1);

    // a delete answers 404 at once, cached document or not
    assertThat(Await.result(client.delete("/products/" + id).bearerTokenAuthentication(sellerToken(seller)).send())
      .statusCode()).isEqualTo(204);
    assertProblem(get("/products/" + id), 404);
  }

  /**
   * {@code eventmall_catalog_cache_total{cache=..., result=...}} as the service's /metrics shows it, after checking that
   * Caffeine's own {@code cache_gets_total{cache="catalog.<cache>", result=...}} says the same.
   */
  double cacheCount(String cache, String result) {
    String metrics = get("/metrics").bodyAsString();
    double count = sample(metrics, "eventmall_catalog_cache_total{", "cache=\"" + cache + "\"", result);
    assertThat(sample(metrics, "cache_gets_total{", "cache=\"catalog." + cache + "\"", result))
      .as("cache_gets_total of catalog.%s, %s", cache, result).isEqualTo(count);
    return count;
  }

  static double sample(String metrics, String family, String cacheLabel, String result) {
    return metrics.lines()
      .filter(l -> l.startsWith(family) && l.contains(cacheLabel) && l.contains("result=\"" + result + "\""))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void theHttpInstancesShareTheReadCachesSoOneAnswersFromWhatAnotherRead() {
    String seller = "seller-shared-" + UUID.randomUUID();
    String cat = "cups-" + UUID.randomUUID().toString().substring(0, 8);
    String id = createProduct(seller, product("Cup", cat, 3_000, 5));
    double docHits = cacheCount("document", "hit");
    double docMisses = cacheCount("document", "miss");
    double listHits = cacheCount("listing", "hit");
    double listMisses = cacheCount("listing", "miss");

    // a connection per request: the server hands accepted connections to its two instances in turn, so consecutive
    // reads of one kind alternate between them; with a cache per instance the first read on the second instance would
    // miss again
    WebClient fresh = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
      .setKeepAlive(false));
    try {
      for (int i = 0; i < 6; i++) {
        HttpResponse<Buffer> page = Await.result(fresh.get("/products/" + id).send());
        assertThat(page.statusCode()).as(page.bodyAsString()).isEqualTo(200);
        assertThat(page.bodyAsJsonObject().getString("name")).isEqualTo("Cup");
      }
      for (int i = 0; i < 6; i++) {
        HttpResponse<Buffer> listing = Await.result(fresh.get("/products?category=" + cat).send());
        assertThat(listing.statusCode()).as(listing.bodyAsString()).isEqualTo(200);
        assertThat(listing.bodyAsJsonObject().getLong("total")).isEqualTo(1);
      }
    } finally {
      fresh.close();
    }
    assertThat(cacheCount("document", "miss") - docMisses).as("one Cassandra read for six pages").isEqualTo(1);
    assertThat(cacheCount("document", "hit") - docHits).isEqualTo(5);
    assertThat(cacheCount("listing", "miss") - listMisses).as("one Cassandra read for six listings").isEqualTo(1);
    assertThat(cacheCount("listing", "hit") - listHits).isEqualTo(5);
  }

  @Test
  void aCategoryListingIsServedFromTheListingCacheOnlyUntilADocumentOfTheCategoryIsWritten() {
    String seller = "seller-listing-" + UUID.randomUUID();
    String token = sellerToken(seller);
    String cat = "bowls-" + UUID.randomUUID().toString().substring(0, 8);
    String other = "plates-" + UUID.randomUUID().toString().substring(0, 8);
    String first = createProduct(seller, product("Bowl", cat, 5_000, 2));
    String second = createProduct(seller, product("Deep bowl", cat, 6_000, 3));

    double hits = cacheCount("listing", "hit");
    double misses = cacheCount("listing", "miss");
    assertThat(names(cat)).containsExactly("Deep bowl", "Bowl");
    assertThat(names(cat)).containsExactly("Deep bowl", "Bowl");
    assertThat(cacheCount("listing", "miss") - misses).as("the first listing reads Cassandra").isEqualTo(1);
    assertThat(cacheCount("listing", "hit") - hits).as("the second is a hit").isEqualTo(1);

    // stock and price always come from MySQL, hit or not
    Await.result(db.preparedQuery("UPDATE stock SET available = 0 WHERE product_id = ?")
      .execute(io.vertx.sqlclient.Tuple.of(first)));
    JsonObject listed = get("/products?category=" + cat).bodyAsJsonObject();
    assertThat(listed.getJsonArray("items").getJsonObject(1).getInteger("stock")).isZero();
    assertThat(cacheCount("listing", "hit") - hits).isEqualTo(2);

    // every kind of change shows up in the very next listing
    HttpResponse<Buffer> renamed = Await.result(client.put("/products/" + second).bearerTokenAuthentication(token)
      .sendJsonObject(product("Soup bowl", cat, 6_000, 3)));
    assertThat(renamed.statusCode()).as(renamed.bodyAsString()).isEqualTo(200);
    assertThat(names(cat)).containsExactly("Soup bowl", "Bowl");
    String third = createProduct(seller, product("Rice bowl", cat, 4_000, 9));
    assertThat(names(cat)).containsExactly("Rice bowl", "Soup bowl", "Bowl");
    assertThat(names(other)).isEmpty();
    HttpResponse<Buffer> moved = Await.result(client.put("/products/" + third).bearerTokenAuthentication(token)
      .sendJsonObject(product("Rice plate", other, 4_000, 9)));
    assertThat(moved.statusCode()).as(moved.bodyAsString()).isEqualTo(200);
    assertThat(names(cat)).containsExactly("Soup bowl", "Bowl");
    assertThat(names(other)).containsExactly("Rice plate");
    assertThat(Await.result(client.delete("/products/" + first).bearerTokenAuthentication(token).send()).statusCode())
      .isEqualTo(204);
    JsonObject afterDelete = get("/products?category=" + cat).bodyAsJsonObject();
    assertThat(afterDelete.getLong("total")).isEqualTo(1);
    assertThat(afterDelete.getJsonArray("items").stream().map(i -> ((JsonObject) i).getString("productId")))
      .containsExactly(second);
  }

  List<String> names(String category) {
    HttpResponse<Buffer> res = get("/products?category=" + category);
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    return res.bodyAsJsonObject().getJsonArray("items").stream().map(i -> ((JsonObject) i).getString("name")).toList();
  }

  @Test
  void listingsArePagedNewestFirst() {
    String seller = "seller-pages-" + UUID.randomUUID();
    String cat = "pens-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> ids = IntStream.range(0, 5).mapToObj(i -> createProduct(seller, product("Pen " + i, cat, 1_000 + i, i)))
      .toList();
    JsonObject page0 = get("/products?category=" + cat + "&size=2").bodyAsJsonObject();
    JsonObject page2 = get("/products?category=" + cat + "&size=2&page=2").bodyAsJsonObject();
    assertThat(page0.getLong("total")).isEqualTo(5);
    assertThat(page0.getJsonArray("items")).hasSize(2);
    assertThat(page2.getJsonArray("items")).hasSize(1);
    assertThat(page2.getJsonArray("items").getJsonObject(0).getString("productId")).isEqualTo(ids.get(0));
    JsonObject mine = Await.result(client.get("/sellers/me/products?size=100").bearerTokenAuthentication(sellerToken(seller))
      .send()).bodyAsJsonObject();
    assertThat(mine.getJsonArray("items")).hasSize(5);
  }

  @Test
  void aDocumentMissingFromCassandraIsRepairedFromMySqlAndAStaleWriteCannotWin() {
    String seller = "seller-repair-" + UUID.randomUUID();
    String cat = "lamps-" + UUID.randomUUID().toString().substring(0, 8);
    String id = createProduct(seller, product("Lamp", cat, 50_000, 1));
    UUID uuid = UUID.fromString(id);
    Await.result(client.put("/products/" + id).bearerTokenAuthentication(sellerToken(seller))
      .sendJsonObject(product("Lamp v2", cat, 55_000, 1)));

    // simulate a Cassandra write that never happened: the document is gone, MySQL still says "pending"
    Await.result(cassandra.execute("DELETE FROM " + keyspace + ".products_by_id USING TIMESTAMP 2 WHERE product_id = "
      + uuid));
    Await.result(db.preparedQuery("UPDATE product SET document_pending = 1 WHERE product_id = ?")
      .execute(io.vertx.sqlclient.Tuple.of(id)));
    // (a delete at timestamp 2 shadows version 2; the repair job rewrites version 2 - with a tie a delete wins, so
    // bump MySQL to version 3 as a real follow-up change would)
    Await.result(db.preparedQuery("UPDATE product SET version = 3 WHERE product_id = ?")
      .execute(io.vertx.sqlclient.Tuple.of(id)));
    assertProblem(get("/products/" + id), 404);

    Await.until("document repaired", Duration.ofSeconds(20),
      () -> cassandraRow("products_by_id", "product_id = ?", uuid) != null);
    assertThat(cassandraRow("products_by_id", "product_id = ?", uuid).getString("name")).isEqualTo("Lamp v2");
    assertThat(cassandraRow("products_by_id", "product_id = ?", uuid).getLong("version")).isEqualTo(3);
    Await.until("pending flag cleared", Duration.ofSeconds(10),
      () -> row("SELECT document_pending FROM product WHERE product_id = ?", id).getInteger("document_pending") == 0);

    // a late write of an older version (timestamp 1) changes nothing
    Await.result(cassandra.execute("INSERT INTO " + keyspace + ".products_by_id (product_id, name, version) VALUES ("
      + uuid + ", 'Lamp v1 (stale)', 1) USING TIMESTAMP 1"));
    Row after = cassandraRow("products_by_id", "product_id = ?", uuid);
    assertThat(after.getString("name")).isEqualTo("Lamp v2");
    assertThat(after.getLong("version")).isEqualTo(3);
    assertThat(get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo("Lamp v2");

    // a retried write of the same version (same USING TIMESTAMP) is idempotent, collections included: with a
    // non-frozen list the cells of both writes survive and every image shows up twice
    String retried = "INSERT INTO " + keyspace + ".products_by_id (product_id, image_urls, attributes, version) VALUES ("
      + uuid + ", ['https://img.eventmall.dev/a.jpg', 'https://img.eventmall.dev/b.jpg'], {'color': 'red'}, 4)"
      + " USING TIMESTAMP 4";
    Await.result(cassandra.execute(retried));
    Await.result(cassandra.execute(retried));
    Row twice = cassandraRow("products_by_id", "product_id = ?", uuid);
    assertThat(twice.getList("image_urls", String.class))
      .containsExactly("https://img.eventmall.dev/a.jpg", "https://img.eventmall.dev/b.jpg");
    assertThat(twice.getMap("attributes", String.class, String.class)).containsExactly(Map.entry("color", "red"));
  }

  @Test
  void readinessChecksMySqlCassandraAndKafkaAndTheAdminAndOpenApiRoutesAreServed() {
    HttpResponse<Buffer> ready = get("/health/ready");
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks")).isEqualTo(new JsonObject()
      .put("mysql", "UP").put("cassandra", "UP").put("kafka", "UP"));
    HttpResponse<Buffer> openApi = get("/openapi.yaml");
    assertThat(openApi.statusCode()).isEqualTo(200);
    assertThat(openApi.bodyAsString()).contains("/sellers/me/products");
    assertProblem(Await.result(client.get("/admin/dlq").bearerTokenAuthentication(sellerToken("s-" + UUID.randomUUID()))
      .send()), 403);
    assertProblem(get("/admin/dlq"), 401);
  }

  @Test
  void aProductAtEveryLimitIsAcceptedStoredAndReadBack() {
    String seller = "seller-max-" + UUID.randomUUID();
    JsonObject attributes = new JsonObject();
    IntStream.range(0, 50).forEach(i -> attributes.put(String.format("%03d", i) + "k".repeat(97), "v".repeat(500)));
    JsonArray images = new JsonArray(IntStream.range(0, 20)
      .mapToObj(i -> "https://img.eventmall.dev/" + String.format("%02d", i) + "/" + "p".repeat(500 - 29)).toList());
    JsonArray options = new JsonArray(IntStream.range(0, 20).mapToObj(i -> (Object) new JsonObject()
      .put("name", "option-" + i)
      .put("values", new JsonArray(IntStream.range(0, 50).mapToObj(j -> String.format("%02d", j) + "o".repeat(98)).toList())))
      .toList());
    JsonObject body = new JsonObject().put("name", "n".repeat(200)).put("description", "d".repeat(5000))
      .put("category", "c".repeat(50)).put("price", 100_000_000).put("stock", 1_000_000)
      .put("attributes", attributes).put("imageUrls", images).put("options", options);
    String id = createProduct(seller, body);
    JsonObject read = get("/products/" + id).bodyAsJsonObject();
    assertThat(read.getString("description")).hasSize(5000);
    assertThat(read.getJsonObject("attributes").size()).isEqualTo(50);
    assertThat(read.getJsonArray("imageUrls")).isEqualTo(images);
    assertThat(read.getJsonArray("options")).isEqualTo(options);
    assertThat(read.getLong("price")).isEqualTo(100_000_000);
    assertThat(read.getInteger("stock")).isEqualTo(1_000_000);
  }
}
