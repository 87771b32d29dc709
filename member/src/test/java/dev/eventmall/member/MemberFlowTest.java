package dev.eventmall.member;

import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventSchemas;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.testing.Await;
import dev.eventmall.common.testing.TopicReader;
import dev.eventmall.member.domain.RefreshTokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The happy paths over real MariaDB and Kafka: sign-up → login → me → addresses, tokens, events, docs, health. */
class MemberFlowTest extends MemberServiceTestBase {

  @Test
  void signUpLoginMeAddressRoundTrip() {
    String email = uniqueEmail();
    HttpResponse<Buffer> created = post("/members", null, signUpBody(email.toUpperCase(), "SELLER"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    assertThat(created.getHeader("Location")).isEqualTo("/members/me");
    JsonObject member = created.bodyAsJsonObject();
    assertThat(member.getString("email")).isEqualTo(email);
    assertThat(member.getString("role")).isEqualTo("SELLER");
    assertThat(member.fieldNames()).doesNotContain("password", "passwordHash");
    String memberId = member.getString("id");

    Row stored = rows("SELECT email, password_hash, role FROM members WHERE id = ?", memberId).get(0);
    assertThat(stored.getString("email")).isEqualTo(email);
    assertThat(stored.getString("password_hash")).startsWith("$argon2id$").doesNotContain(PASSWORD);

    JsonObject tokens = login(email, PASSWORD);
    assertThat(tokens.getString("tokenType")).isEqualTo("Bearer");
    assertThat(tokens.getString("memberId")).isEqualTo(memberId);
    assertThat(tokens.getLong("expiresIn")).as("short-lived access token by default").isEqualTo(900);
    assertThat(tokens.getLong("refreshExpiresIn")).isEqualTo(14 * 24 * 3600);
    String access = tokens.getString("accessToken");

    HttpResponse<Buffer> me = get("/members/me", access);
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.bodyAsJsonObject().getString("id")).isEqualTo(memberId);
    assertThat(me.bodyAsJsonObject().getString("name")).isEqualTo("Kim Tester");

    HttpResponse<Buffer> renamed = send("PATCH", "/members/me", access, new JsonObject().put("name", "Lee Renamed"));
    assertThat(renamed.statusCode()).as(renamed.bodyAsString()).isEqualTo(200);
    assertThat(get("/members/me", access).bodyAsJsonObject().getString("name")).isEqualTo("Lee Renamed");

    HttpResponse<Buffer> first = post("/members/me/addresses", access, address("Home"));
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(201);
    JsonObject home = first.bodyAsJsonObject();
    assertThat(home.getBoolean("isDefault")).as("the first address becomes the default").isTrue();
    assertThat(first.getHeader("Location")).isEqualTo("/members/me/addresses/" + home.getString("id"));

    HttpResponse<Buffer> second = post("/members/me/addresses", access, address("Office").put("isDefault", true)
      .putNull("line2"));
    assertThat(second.statusCode()).as(second.bodyAsString()).isEqualTo(201);
    String officeId = second.bodyAsJsonObject().getString("id");

    JsonObject list = get("/members/me/addresses?page=0&size=10", access).bodyAsJsonObject();
    assertThat(list.getLong("total")).isEqualTo(2);
    assertThat(list.getInteger("page")).isZero();
    assertThat(list.getInteger("size")).isEqualTo(10);
    assertThat(list.getJsonArray("items")).hasSize(2);
    JsonObject homeNow = list.getJsonArray("items").getJsonObject(0);
    assertThat(homeNow.getString("recipient")).isEqualTo("Home");
    assertThat(homeNow.getBoolean("isDefault")).as("a new default clears the old one").isFalse();
    assertThat(get("/members/me/addresses?page=1&size=1", access).bodyAsJsonObject().getJsonArray("items")
      .getJsonObject(0).getString("id")).isEqualTo(officeId);

    HttpResponse<Buffer> replaced = send("PUT", "/members/me/addresses/" + home.getString("id"), access,
      address("Home 2").put("zipCode", "12345"));
    assertThat(replaced.statusCode()).as(replaced.bodyAsString()).isEqualTo(200);
    JsonObject reread = get("/members/me/addresses/" + home.getString("id"), access).bodyAsJsonObject();
    assertThat(reread.getString("recipient")).isEqualTo("Home 2");
    assertThat(reread.getString("zipCode")).isEqualTo("12345");

    assertThat(send("DELETE", "/members/me/addresses/" + officeId, access, null).statusCode()).isEqualTo(204);
    assertProblem(get("/members/me/addresses/" + officeId, access), 404);
    assertThat(count("SELECT COUNT(*) FROM addresses WHERE member_id = ?", memberId)).isEqualTo(1);
  }

  @Test
  void duplicateEmailIs409AndStoresOneAccount() {
    String email = uniqueEmail();
    signUp(email);
    HttpResponse<Buffer> again = post("/members", null, signUpBody(email.toUpperCase(), null));
    assertProblem(again, 409);
    assertThat(again.bodyAsJsonObject().getString("type")).isEqualTo("https://eventmall.dev/problems/email-taken");
    assertThat(count("SELECT COUNT(*) FROM members WHERE email = ?", email)).isEqualTo(1);
    assertThat(published(Topics.MEMBER_EVENTS).stream().map(r -> new JsonObject(r.value()))
      .filter(e -> email.equalsIgnoreCase(e.getJsonObject("payload").getString("email")))
      .map(e -> e.getString("type"))).as("events published for %s: the first sign-up's only", email)
      .containsExactly("MemberRegistered");
  }

  @Test
  void concurrentSignUpsWithOneEmailLeaveExactlyOneAccount() {
    String email = uniqueEmail();
    List<io.vertx.core.Future<HttpResponse<Buffer>>> attempts = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      attempts.add(client.post(deployment.httpPort(), "127.0.0.1", "/members")
        .sendJsonObject(signUpBody(email, null)));
    }
    Await.result(io.vertx.core.Future.join(attempts));
    List<Integer> statuses = attempts.stream().map(f -> f.result().statusCode()).sorted().toList();
    assertThat(statuses).containsExactly(201, 409, 409, 409, 409, 409);
    assertThat(count("SELECT COUNT(*) FROM members WHERE email = ?", email)).isEqualTo(1);
  }

  @Test
  void refreshRotatesAndReusingAUsedTokenRevokesTheWholeFamily() {
    JsonObject session = newSession();
    String r1 = session.getString("refreshToken");
    assertThat(count("SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = ?", RefreshTokens.hash(r1))).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = ?", r1)).as("stored hashed only").isZero();

    HttpResponse<Buffer> rotated = post("/auth/refresh", null, new JsonObject().put("refreshToken", r1));
    assertThat(rotated.statusCode()).as(rotated.bodyAsString()).isEqualTo(200);
    String r2 = rotated.bodyAsJsonObject().getString("refreshToken");
    assertThat(r2).isNotEqualTo(r1);
    assertThat(get("/members/me", rotated.bodyAsJsonObject().getString("accessToken")).statusCode()).isEqualTo(200);

    // r1 is used: presenting it again is theft → 401 and the family (r2 too) is revoked
    HttpResponse<Buffer> reused = post("/auth/refresh", null, new JsonObject().put("refreshToken", r1));
    assertProblem(reused, 401);
    assertThat(reused.bodyAsJsonObject().getString("type")).isEqualTo("https://eventmall.dev/problems/invalid-refresh-token");
    assertProblem(post("/auth/refresh", null, new JsonObject().put("refreshToken", r2)), 401);
    assertThat(count("SELECT COUNT(*) FROM refresh_tokens WHERE member_id = ? AND revoked_at IS NULL",
      session.getString("memberId"))).isZero();

    assertProblem(post("/auth/refresh", null, new JsonObject().put("refreshToken", RefreshTokens.generate())), 401);
    assertProblem(post("/auth/refresh", null, new JsonObject().put("refreshToken", "garbage")), 401);
  }

  @Test
  void logoutRevokesTheRefreshToken() {
    JsonObject session = newSession();
    String refresh = session.getString("refreshToken");
    assertThat(post("/auth/logout", null, new JsonObject().put("refreshToken", refresh)).statusCode()).isEqualTo(204);
    assertProblem(post("/auth/refresh", null, new JsonObject().put("refreshToken", refresh)), 401);
    // idempotent, and reveals nothing about unknown tokens
    assertThat(post("/auth/logout", null, new JsonObject().put("refreshToken", refresh)).statusCode()).isEqualTo(204);
    assertThat(post("/auth/logout", null, new JsonObject().put("refreshToken", "unknown")).statusCode()).isEqualTo(204);
  }

  @Test
  void adminComesOnlyFromConfiguration() {
    String email = uniqueEmail();
    HttpResponse<Buffer> res = post("/members", null, signUpBody(email, "ADMIN"));
    assertProblem(res, 422);
    assertThat(errorFields(res)).containsExactly("role");
    assertThat(count("SELECT COUNT(*) FROM members WHERE email = ?", email)).isZero();

    JsonObject admin = login(ADMIN_EMAIL, ADMIN_PASSWORD);
    assertThat(admin.getString("role")).isEqualTo("ADMIN");
    assertThat(count("SELECT COUNT(*) FROM members WHERE role = 'ADMIN'")).isEqualTo(1);
  }

  @Test
  void openApiHealthAndMetricsAreServed() {
    HttpResponse<Buffer> doc = get("/openapi.yaml", null);
    assertThat(doc.statusCode()).isEqualTo(200);
    assertThat(doc.getHeader("Content-Type")).isEqualTo("application/yaml");
    assertThat(doc.bodyAsString()).startsWith("openapi: 3.1.0").contains("/members/me/addresses/{addressId}",
      "/auth/refresh");

    HttpResponse<Buffer> ready = get("/health/ready", null);
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getMap())
      .containsEntry("mysql", "UP").containsEntry("kafka", "UP");
    assertThat(get("/metrics", null).statusCode()).isEqualTo(200);
  }

  @Test
  void memberRegisteredAndAddressAddedReachKafkaAndMatchTheirSchemas() throws Exception {
    try (TopicReader reader = new TopicReader(kafka, Topics.MEMBER_EVENTS)) {
      String email = uniqueEmail();
      String memberId = signUp(email).getString("id");
      String access = login(email, PASSWORD).getString("accessToken");
      String addressId = post("/members/me/addresses", access, address("Home")).bodyAsJsonObject().getString("id");

      Await.until("both events of " + memberId + " on " + Topics.MEMBER_EVENTS, Duration.ofSeconds(30),
        () -> reader.records().stream().filter(r -> memberId.equals(r.key())).count() >= 2);
      List<ConsumerRecord<String, String>> mine = reader.records().stream()
        .filter(r -> memberId.equals(r.key())).toList();
      assertThat(mine).hasSize(2);

      EventEnvelope registered = EventEnvelope.fromJson(new JsonObject(mine.get(0).value()));
      EventEnvelope added = EventEnvelope.fromJson(new JsonObject(mine.get(1).value()));
      EventSchemas.validate(registered);
      EventSchemas.validate(added);
      assertThat(registered.type()).isEqualTo("MemberRegistered");
      assertThat(new String(mine.get(0).headers().lastHeader("type").value())).isEqualTo("MemberRegistered");
      assertThat(registered.key()).isEqualTo(memberId);
      assertThat(registered.payload().getString("memberId")).isEqualTo(memberId);
      assertThat(registered.payload().getString("email")).isEqualTo(email);
      assertThat(registered.payload().getString("role")).isEqualTo("CUSTOMER");
      assertThat(added.type()).isEqualTo("AddressAdded");
      assertThat(added.payload().getString("addressId")).isEqualTo(addressId);
      assertThat(added.payload().getString("memberId")).isEqualTo(memberId);
      assertThat(added.payload().getBoolean("isDefault")).isTrue();
      for (ConsumerRecord<String, String> r : mine) {
        assertThat(r.value()).doesNotContainIgnoringCase("password").doesNotContain("argon2").doesNotContain(PASSWORD);
      }
      // published, each once: nothing left unsent, and exactly these two events on the topic
      assertThat(published(Topics.MEMBER_EVENTS).stream().filter(r -> memberId.equals(r.key()))
        .map(r -> EventEnvelope.fromJson(new JsonObject(r.value())).id()).distinct())
        .containsExactly(registered.id(), added.id());
    }
  }
}
