package dev.eventmall.search.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProductDocumentTest {
  static final String ID = UUID.randomUUID().toString();

  static JsonObject payload() {
    return new JsonObject()
      .put("productId", ID).put("sellerId", "s-1").put("name", "무선 이어폰").put("description", "블루투스 지원")
      .put("category", "Audio").put("price", 39000).put("stock", 3)
      .put("attributes", new JsonObject().put("color", "Black"))
      .put("imageUrls", new JsonArray().add("https://img/1.jpg").add("https://img/2.jpg"))
      .put("options", new JsonArray().add(new JsonObject().put("name", "size").put("values", new JsonArray().add("XL"))))
      .put("version", 4).put("createdAt", "2026-01-01T00:00:00Z").put("updatedAt", "2026-01-02T00:00:00Z");
  }

  @Test
  void readsTheContractFieldsAndWeighsTokensByField() {
    ProductDocument doc = ProductDocument.fromPayload(payload());
    assertThat(doc.productId()).isEqualTo(ID);
    assertThat(doc.version()).isEqualTo(4);
    assertThat(doc.price()).isEqualTo(39000);
    assertThat(doc.imageUrl()).isEqualTo("https://img/1.jpg");
    assertThat(doc.createdAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(doc.tokens()).containsEntry("무선", ProductDocument.NAME_WEIGHT)
      .containsEntry("이어", ProductDocument.NAME_WEIGHT)
      .containsEntry("audio", ProductDocument.CATEGORY_WEIGHT)
      .containsEntry("black", ProductDocument.ATTRIBUTE_WEIGHT)
      .containsEntry("xl", ProductDocument.ATTRIBUTE_WEIGHT)
      .containsEntry("블루", ProductDocument.DESCRIPTION_WEIGHT);
    assertThat(ProductDocument.categoryKey(" Audio ")).isEqualTo("audio");
  }

  @Test
  void aTokenTakesTheHighestWeightOfItsFields() {
    ProductDocument doc = ProductDocument.fromPayload(payload().put("description", "무선 제품"));
    assertThat(doc.tokens()).containsEntry("무선", ProductDocument.NAME_WEIGHT);
  }

  @Test
  void optionalFieldsMayBeMissing() {
    JsonObject p = payload();
    p.remove("imageUrls");
    p.remove("attributes");
    p.remove("options");
    p.remove("description");
    ProductDocument doc = ProductDocument.fromPayload(p);
    assertThat(doc.imageUrl()).isNull();
    assertThat(doc.tokens()).containsKeys("무선", "audio");
  }

  @Test
  void unusablePayloadsAreRefused() {
    assertThatThrownBy(() -> ProductDocument.fromPayload(payload().put("productId", "not-a-uuid")))
      .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProductDocument.fromPayload(payload().put("version", 0)))
      .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProductDocument.fromPayload(payload().put("version", "3")))
      .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProductDocument.fromPayload(payload().put("price", -1)))
      .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProductDocument.fromPayload(payload().put("name", " ")))
      .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProductDocument.fromPayload(payload().put("createdAt", "yesterday")))
      .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProductDocument.fromPayload(payload().put("attributes", "x")))
      .isInstanceOf(IllegalArgumentException.class);
  }
}
