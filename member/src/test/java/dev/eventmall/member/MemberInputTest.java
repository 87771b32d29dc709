package dev.eventmall.member;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import dev.eventmall.common.event.Topics;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad inputs are 4xx problem+json and store nothing: no member, no address, no outbox row. */
class MemberInputTest extends MemberServiceTestBase {

  long members;
  long addresses;
  long outbox;
  long events;

  @BeforeEach
  void snapshot() {
    members = count("SELECT COUNT(*) FROM members");
    addresses = count("SELECT COUNT(*) FROM addresses");
    // drained first: the outbox holds what is not yet published (and, with a retention, what was)
    events = published(Topics.MEMBER_EVENTS).size();
    outbox = count("SELECT COUNT(*) FROM outbox");
  }

  private void assertNothingStored() {
    assertThat(count("SELECT COUNT(*) FROM members")).as("members").isEqualTo(members);
    assertThat(count("SELECT COUNT(*) FROM addresses")).as("addresses").isEqualTo(addresses);
    assertThat(published(Topics.MEMBER_EVENTS)).as("events published").hasSize((int) events);
    assertThat(count("SELECT COUNT(*) FROM outbox")).as("outbox").isEqualTo(outbox);
  }

  @Test
  void missingFieldsAre422ListingEachField() {
    HttpResponse<Buffer> res = post("/members", null, new JsonObject());
    assertProblem(res, 422);
    assertThat(res.bodyAsJsonObject().getString("type")).isEqualTo("https://eventmall.dev/problems/validation-failed");
    assertThat(errorFields(res)).containsExactlyInAnyOrder("email", "name", "password");

    HttpResponse<Buffer> noPassword = post("/members", null, signUpBody(uniqueEmail(), null).copy().put("password", (String) null));
    assertProblem(noPassword, 422);
    assertThat(errorFields(noPassword)).containsExactly("password");
    assertNothingStored();
  }

  @Test
  void badEmailIs422() {
    for (String email : new String[]{"not-an-email", "a@b", "@example.com", "x".repeat(250) + "@example.com", " "}) {
      HttpResponse<Buffer> res = post("/members", null, signUpBody(email, null));
      assertProblem(res, 422);
      assertThat(errorFields(res)).as(email).containsExactly("email");
    }
    assertProblem(post("/auth/login", null, new JsonObject().put("email", "nope").put("password", "whatever1")), 422);
    assertNothingStored();
  }

  @Test
  void wrongTypesAre422() {
    JsonObject body = new JsonObject().put("email", 12345).put("password", true).put("name", new JsonObject())
      .put("role", new JsonArray().add("SELLER"));
    HttpResponse<Buffer> res = post("/members", null, body);
    assertProblem(res, 422);
    assertThat(errorFields(res)).containsExactlyInAnyOrder("email", "password", "name", "role");
    JsonObject messages = new JsonObject();
    res.bodyAsJsonObject().getJsonArray("errors").forEach(e -> messages.put(((JsonObject) e).getString("field"),
      ((JsonObject) e).getString("message")));
    assertThat(messages.getString("email")).isEqualTo("must be a string");
    assertThat(messages.getString("password")).isEqualTo("must be a string");
    assertNothingStored();
  }

  @Test
  void outOfRangeValuesAre422() {
    String email = uniqueEmail();
    assertThat(errorFields(post("/members", null, signUpBody(email, null).put("password", "short"))))
      .containsExactly("password");
    assertThat(errorFields(post("/members", null, signUpBody(email, null).put("password", "p".repeat(129)))))
      .containsExactly("password");
    assertThat(errorFields(post("/members", null, signUpBody(email, null).put("name", "n".repeat(101)))))
      .containsExactly("name");
    assertThat(errorFields(post("/members", null, signUpBody(email, "GUEST")))).containsExactly("role");
    // issue 16 row 14: unknown fields are refused here too, as everywhere else (before: 201, ignored)
    assertThat(errorFields(post("/members", null, signUpBody(email, null).put("isAdmin", true))))
      .containsExactly("isAdmin");
    // issue 16 rows 3, 9 and 12 (before: 201 for each)
    for (String password : List.of(" ".repeat(8), "\u0000".repeat(8), "\u200b".repeat(8), "password\u202e1",
      "pass\u0007word", "12345678", "password", "Password", email, email.toUpperCase(java.util.Locale.ROOT),
      "xxxxxxxxxx")) {
      assertThat(errorFields(post("/members", null, signUpBody(email, null).put("password", password))))
        .as(password).containsExactly("password");
    }
    assertThat(errorFields(post("/members", null, "{\"email\":\"" + email + "\",\"password\":\"abcdefg\\ud800\","
      + "\"name\":\"Kim\"}"))).containsExactly("password");
    assertNothingStored();
  }

  @Test
  void tenMegabyteBodyIs413() {
    String big = "{\"email\":\"" + uniqueEmail() + "\",\"password\":\"" + PASSWORD + "\",\"name\":\""
      + "x".repeat(10 * 1024 * 1024) + "\"}";
    HttpResponse<Buffer> res = post("/members", null, big);
    assertProblem(res, 413);
    assertThat(res.bodyAsJsonObject().getString("type")).isEqualTo("https://eventmall.dev/problems/payload-too-large");
    assertNothingStored();
  }

  @Test
  void malformedOrNonObjectBodiesAre400() {
    assertProblem(post("/members", null, "{\"email\": "), 400);
    assertProblem(post("/members", null, "[1, 2, 3]"), 400);
    assertProblem(post("/members", null, "\"just a string\""), 400);
    assertProblem(send("POST", "/members", null, null), 400);
    assertNothingStored();
  }

  @Test
  void badAddressesAndProfileChangesAre4xxAndStoreNothing() {
    JsonObject session = newSession();
    snapshot();
    String token = session.getString("accessToken");

    HttpResponse<Buffer> res = post("/members/me/addresses", token, new JsonObject()
      .put("recipient", "r".repeat(101)).put("phone", "call me maybe").put("zipCode", 6236)
      .put("isDefault", "yes"));
    assertProblem(res, 422);
    assertThat(errorFields(res)).containsExactlyInAnyOrder("recipient", "phone", "zipCode", "line1", "isDefault");
    // issue 16 rows 3 and 12: before the fix 201, stored as "?" or as sent
    // sent as JSON escapes, as curl would: a Java string with a lone surrogate cannot be encoded as UTF-8 at all
    HttpResponse<Buffer> hostile = post("/members/me/addresses", token, "{\"recipient\":\"Kim \\ud800\","
      + "\"phone\":\"010-1234-5678\",\"zipCode\":\"06236\",\"line1\":\"Teheran-ro \\u202e1\"}");
    assertProblem(hostile, 422);
    assertThat(errorFields(hostile)).containsExactlyInAnyOrder("recipient", "line1");
    HttpResponse<Buffer> extra = post("/members/me/addresses", token, new JsonObject().put("recipient", "Kim")
      .put("phone", "010-1234-5678").put("zipCode", "06236").put("line1", "Teheran-ro 1").put("memberId", "someone"));
    assertProblem(extra, 422);
    assertThat(errorFields(extra)).containsExactly("memberId");
    assertProblem(send("PATCH", "/members/me", token, new JsonObject().put("name", "\u200b")), 422);
    assertProblem(send("PATCH", "/members/me", token, new JsonObject().put("name", "Kim\u0000")), 422);
    assertProblem(post("/members/me/addresses", token, "not json"), 400);
    assertProblem(get("/members/me/addresses?size=1000", token), 400);
    assertProblem(get("/members/me/addresses?page=-1", token), 400);
    assertProblem(get("/members/me/addresses?page=abc", token), 400);

    HttpResponse<Buffer> patch = send("PATCH", "/members/me", token,
      new JsonObject().put("name", "ok").put("email", "other@example.com").put("role", "ADMIN"));
    assertProblem(patch, 422);
    assertThat(errorFields(patch)).containsExactlyInAnyOrder("email", "role");
    var me = get("/members/me", token).bodyAsJsonObject();
    assertThat(me.getString("role")).isEqualTo("CUSTOMER");
    assertThat(me.getString("name")).isEqualTo("Kim Tester");
    assertNothingStored();
  }
}
