package dev.eventmall.common.event;

import dev.eventmall.common.event.payload.AddressAdded;
import dev.eventmall.common.event.payload.DeliveryCompleted;
import dev.eventmall.common.event.payload.DeliveryFailed;
import dev.eventmall.common.event.payload.DeliveryStarted;
import dev.eventmall.common.event.payload.DeliveryStatusChanged;
import dev.eventmall.common.event.payload.EventPayload;
import dev.eventmall.common.event.payload.MemberRegistered;
import dev.eventmall.common.event.payload.OrderCancelRequested;
import dev.eventmall.common.event.payload.OrderCancelled;
import dev.eventmall.common.event.payload.OrderCompleted;
import dev.eventmall.common.event.payload.OrderPlaced;
import dev.eventmall.common.event.payload.PaymentCompleted;
import dev.eventmall.common.event.payload.PaymentFailed;
import dev.eventmall.common.event.payload.PaymentRefunded;
import dev.eventmall.common.event.payload.ProductChanged;
import dev.eventmall.common.event.payload.ProductDeleted;
import dev.eventmall.common.event.payload.ProductQuantity;
import dev.eventmall.common.event.payload.StockRejected;
import dev.eventmall.common.event.payload.StockReleased;
import dev.eventmall.common.event.payload.StockReserved;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every event record against its JSON Schema ({@code events/<type>.v1.schema.json}), one row per event type: a sample
 * with every field serializes to a payload the schema accepts and that has exactly the schema's properties; the fields
 * the schema requires are the ones the record refuses to be without (or, listed in the row, reads as a non-null
 * default), every other field reads as null when absent; a field of the wrong type is refused.
 */
class EventPayloadSchemaTest {
  static final String UUID_1 = "0b7a3c1e-4f2d-4c5b-9a8e-1d2c3b4a5f60";
  static final String UUID_2 = "7e6d5c4b-3a29-4180-b7c6-d5e4f3a2b1c0";
  static final Instant T = Instant.parse("2026-12-07T01:02:03.456Z");

  /** One row: the type, a sample with every field set, the required fields that read as a default when absent. */
  record Row(String type, EventPayload sample, Set<String> defaulted) {
    @Override
    public String toString() {
      return type;
    }
  }

  static List<Row> rows() {
    List<ProductQuantity> lines = List.of(new ProductQuantity("p-1", 2), new ProductQuantity("p-2", 1));
    ProductChanged product = new ProductChanged(UUID_1, "seller-1", "무선 이어폰", "블루투스", "audio", 39_000L, 7L,
      Map.of("color", "black"), List.of("https://img/1.jpg"), List.of(new ProductChanged.Option("size", List.of("S"))),
      3L, T, T.plusSeconds(60));
    Set<String> productDefaults = Set.of("description", "attributes", "imageUrls", "options");
    return List.of(
      new Row(EventTypes.MEMBER_REGISTERED, new MemberRegistered(UUID_1, "kim@example.com", "Kim", "CUSTOMER", T),
        Set.of()),
      new Row(EventTypes.ADDRESS_ADDED, new AddressAdded(UUID_1, UUID_2, "홍길동", "010-1234-5678", "06236",
        "테헤란로 152", "12층", true, T), Set.of()),
      new Row(EventTypes.PRODUCT_CREATED, product, productDefaults),
      new Row(EventTypes.PRODUCT_UPDATED, product, productDefaults),
      new Row(EventTypes.PRODUCT_DELETED, new ProductDeleted(UUID_1, "seller-1", 4L, T), Set.of()),
      new Row(EventTypes.STOCK_RESERVED, new StockReserved("o-1", lines, T, "m-1", 39_000L, "BILLING", "이어폰 외 1건"),
        Set.of()),
      new Row(EventTypes.STOCK_REJECTED, new StockRejected("o-1", "insufficient stock",
        List.of(new StockRejected.Shortage("p-1", 2, 0)), T), Set.of()),
      new Row(EventTypes.STOCK_RELEASED, new StockReleased("o-1", lines, "PaymentFailed", T), Set.of()),
      new Row(EventTypes.ORDER_PLACED, new OrderPlaced("o-1", "m-1", List.of(new OrderPlaced.Line("p-1", 2, 19_500L)),
        39_000L, "CHECKOUT", T, "이어폰", new OrderPlaced.ShippingAddress(UUID_2, "홍길동", "010-1234-5678", "06236",
        "테헤란로 152", "12층")), Set.of()),
      new Row(EventTypes.ORDER_CANCEL_REQUESTED, new OrderCancelRequested("o-1", "changed my mind", T), Set.of()),
      new Row(EventTypes.ORDER_CANCELLED, new OrderCancelled("o-1", "payment refunded", T), Set.of()),
      new Row(EventTypes.ORDER_COMPLETED, new OrderCompleted("o-1", T), Set.of()),
      new Row(EventTypes.PAYMENT_COMPLETED, new PaymentCompleted("o-1", "pay-1", "pk-1", 39_000L, "BILLING", T),
        Set.of()),
      new Row(EventTypes.PAYMENT_FAILED, new PaymentFailed("o-1", "pay-1", "card declined", T, "REJECT_CARD_COMPANY"),
        Set.of()),
      new Row(EventTypes.PAYMENT_REFUNDED, new PaymentRefunded("o-1", "pay-1", "pk-1", 39_000L, T, "order cancelled"),
        Set.of()),
      new Row(EventTypes.DELIVERY_STARTED, new DeliveryStarted("o-1", "sh-1", "TRK-1", "CJ", T), Set.of()),
      new Row(EventTypes.DELIVERY_STATUS_CHANGED, new DeliveryStatusChanged("o-1", "TRK-1", "IN_TRANSIT", "ACCEPTED",
        T, "left the hub"), Set.of()),
      new Row(EventTypes.DELIVERY_COMPLETED, new DeliveryCompleted("o-1", "TRK-1", T), Set.of()),
      new Row(EventTypes.DELIVERY_FAILED, new DeliveryFailed("o-1", "address not found", T, "TRK-1"), Set.of()));
  }

  static Stream<Arguments> table() {
    return rows().stream().map(Arguments::of);
  }

  static JsonObject schema(String type) {
    try (InputStream in = EventPayloadSchemaTest.class.getClassLoader()
      .getResourceAsStream("events/" + type + ".v1.schema.json")) {
      assertThat(in).as("schema of " + type).isNotNull();
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Set<String> required(JsonObject schema) {
    return schema.getJsonArray("required").stream().map(String.class::cast).collect(Collectors.toCollection(TreeSet::new));
  }

  static Object component(EventPayload payload, String field) {
    for (RecordComponent c : payload.getClass().getRecordComponents()) {
      if (c.getName().equals(field)) {
        try {
          return c.getAccessor().invoke(payload);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new AssertionError(payload.getClass().getSimpleName() + " has no component " + field);
  }

  @Test
  void everySchemaHasARowAndARecordAndNothingElseDoes() throws URISyntaxException, IOException {
    // the main schemas' folder (the test resources have an events/ folder of their own, for the bridge's tests)
    Path dir = Path.of(EventPayloadSchemaTest.class.getClassLoader().getResource("events/envelope.schema.json").toURI())
      .getParent();
    Set<String> schemaTypes;
    try (Stream<Path> files = Files.list(dir)) {
      schemaTypes = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".v1.schema.json"))
        .map(n -> n.substring(0, n.indexOf('.'))).collect(Collectors.toCollection(TreeSet::new));
    }
    assertThat(new TreeSet<>(EventTypes.all().keySet())).isEqualTo(schemaTypes);
    Set<String> rowTypes = rows().stream().map(Row::type).collect(Collectors.toCollection(TreeSet::new));
    assertThat(rowTypes).isEqualTo(schemaTypes);
    for (Row row : rows()) {
      assertThat(EventTypes.payloadOf(row.type())).contains(row.sample().getClass());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void aFullSampleValidatesHasTheSchemasPropertiesAndReadsBack(Row row) {
    JsonObject payload = EventPayloads.toJson(row.sample());
    EventSchemas.validate(EventEnvelope.of(row.type(), "k-1", payload));
    assertThat(new TreeSet<>(payload.fieldNames()))
      .isEqualTo(new TreeSet<>(schema(row.type()).getJsonObject("properties").fieldNames()));
    EventEnvelope received = EventEnvelope.fromBuffer(EventEnvelope.of(row.type(), "k-1", payload).toBuffer());
    assertThat(EventPayloads.read(received)).isEqualTo(row.sample());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void theSchemasRequiredFieldsAreTheRecordsNonNullOnes(Row row) {
    JsonObject schema = schema(row.type());
    JsonObject full = EventPayloads.toJson(row.sample());
    Set<String> refused = new TreeSet<>();
    Set<String> defaulted = new TreeSet<>();
    for (String field : schema.getJsonObject("properties").fieldNames()) {
      JsonObject without = full.copy();
      without.remove(field);
      EventPayload read;
      try {
        read = EventPayloads.read(EventEnvelope.of(row.type(), "k-1", without));
      } catch (EventPayloads.InvalidPayloadException e) {
        assertThat(e.getMessage()).as("names the field").contains(field);
        refused.add(field);
        continue;
      }
      if (component(read, field) != null) {
        defaulted.add(field);
      }
    }
    Set<String> nonNull = new TreeSet<>(refused);
    nonNull.addAll(defaulted);
    assertThat(nonNull).as("required by the schema = never null in the record").isEqualTo(required(schema));
    assertThat(defaulted).as("read as a default when absent").isEqualTo(new TreeSet<>(row.defaulted()));

    // only the required fields: still valid, and still read
    JsonObject minimal = new JsonObject();
    required(schema).forEach(f -> minimal.put(f, full.getValue(f)));
    EventEnvelope event = EventEnvelope.of(row.type(), "k-1", minimal);
    EventSchemas.validate(event);
    assertThat(EventPayloads.read(event)).isInstanceOf(row.sample().getClass());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void aFieldOfTheWrongTypeIsRefused(Row row) {
    JsonObject full = EventPayloads.toJson(row.sample());
    Set<String> accepted = new HashSet<>();
    for (String field : full.fieldNames()) {
      Object wrong = full.getValue(field) instanceof Boolean ? "yes" : (Object) Boolean.TRUE;
      Object other = full.getValue(field) instanceof String ? (Object) 42 : "42";
      for (Object bad : List.of(wrong, other)) {
        JsonObject payload = full.copy().put(field, bad);
        try {
          EventPayloads.read(EventEnvelope.of(row.type(), "k-1", payload));
          accepted.add(field + "=" + bad);
        } catch (EventPayloads.InvalidPayloadException expected) {
          // refused, as it should be
        }
      }
    }
    assertThat(accepted).as("wrong-typed fields read anyway").isEmpty();
  }

  @Test
  void anUnknownTypeOrAMalformedPayloadIsAnIllegalArgumentNamingTheEventAndTheField() {
    EventEnvelope unknown = EventEnvelope.of("SomethingElse", "k-1", new JsonObject());
    assertThatThrownBy(() -> EventPayloads.read(unknown)).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("SomethingElse").hasMessageContaining(unknown.id().toString());
    JsonObject placed = EventPayloads.toJson(rows().stream().filter(r -> r.type().equals(EventTypes.ORDER_PLACED))
      .findFirst().orElseThrow().sample());
    placed.getJsonArray("lines").getJsonObject(0).put("quantity", "two");
    assertThatThrownBy(() -> EventPayloads.read(EventEnvelope.of(EventTypes.ORDER_PLACED, "o-1", placed)))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lines[0].quantity");
  }
}
