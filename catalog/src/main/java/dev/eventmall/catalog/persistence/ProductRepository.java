package dev.eventmall.catalog.persistence;

import dev.eventmall.catalog.domain.Product;
import dev.eventmall.catalog.domain.ProductDetails;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.eventmall.catalog.persistence.ProductSql.*;

/** MySQL side of products: the source of truth (price, stock, version, the full document as JSON). */
public final class ProductRepository {

  /** A product as MySQL holds it, with the categories its Cassandra document must still leave. */
  public record Stored(Product product, List<String> staleCategories) {
  }

  /** Price, available stock and version of a product. */
  public record PriceStock(long price, int stock, long version, boolean deleted) {
  }

  static final Function<Row, Stored> STORED = row -> {
    long price = row.getLong("price");
    int stock = row.getInteger("available");
    JsonObject doc = new JsonObject(row.getString("document"));
    Product product = new Product(UUID.fromString(row.getString("product_id")), row.getString("seller_id"),
      ProductDetails.fromDocument(doc, price, stock), row.getLong("version"), row.getInteger("deleted") != 0,
      instant(row.getLocalDateTime("created_at")), instant(row.getLocalDateTime("updated_at")));
    List<String> stale = new JsonArray(row.getString("stale_categories")).stream().map(String::valueOf).toList();
    return new Stored(product, stale);
  };

  private final Pool pool;

  public ProductRepository(Pool pool) {
    this.pool = pool;
  }

  public Pool pool() {
    return pool;
  }

  public Future<Void> insert(SqlConnection conn, Product p) {
    ProductDetails d = p.details();
    return conn.preparedQuery(INSERT_PRODUCT)
      .execute(Tuple.from(List.of(p.id().toString(), p.sellerId(), d.category(), d.price(), p.version(),
        d.document().encode(), local(p.createdAt()), local(p.updatedAt()))))
      .compose(r -> conn.preparedQuery(INSERT_STOCK).execute(Tuple.of(p.id().toString(), d.stock())))
      .mapEmpty();
  }

  /** The product with its row locked until the transaction ends, or null. */
  public Future<Stored> lock(SqlConnection conn, UUID id) {
    return conn.preparedQuery(SELECT_FOR_UPDATE).mapping(STORED).execute(Tuple.of(id.toString()))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  /** The product (deleted or not), or null. */
  public Future<Stored> find(UUID id) {
    return pool.preparedQuery(SELECT_ONE).mapping(STORED).execute(Tuple.of(id.toString()))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  public Future<Void> update(SqlConnection conn, Product p, List<String> staleCategories) {
    ProductDetails d = p.details();
    return conn.preparedQuery(UPDATE_PRODUCT)
      .execute(Tuple.from(List.of(d.category(), d.price(), p.version(), d.document().encode(),
        new JsonArray(staleCategories).encode(), local(p.updatedAt()), p.id().toString())))
      .compose(r -> conn.preparedQuery(UPDATE_STOCK).execute(Tuple.of(d.stock(), p.id().toString())))
      .mapEmpty();
  }

  public Future<Void> markDeleted(SqlConnection conn, Product p) {
    return conn.preparedQuery(MARK_DELETED).execute(Tuple.of(p.version(), local(p.updatedAt()), p.id().toString()))
      .mapEmpty();
  }

  /**
   * Clears the pending flag of {@code version} (only) and bumps the listing version of {@code categories} (always: an
   * extra bump costs a cache miss, a missing one would serve a stale listing).
   */
  public Future<Void> markDocumentApplied(UUID id, long version, List<String> categories) {
    Future<?> done = pool.preparedQuery(MARK_DOCUMENT_APPLIED).execute(Tuple.of(id.toString(), version));
    if (categories.isEmpty()) {
      return done.mapEmpty();
    }
    return done.compose(v -> pool.preparedQuery(BUMP_CATEGORY_LISTING)
      .executeBatch(categories.stream().map(c -> Tuple.of(c)).toList())).mapEmpty();
  }

  /** What a category listing takes from MySQL: how many live products it has and its listing version (0: none yet). */
  public record CategoryListing(long total, long version) {
  }

  /** Read on {@code client}: the primary's pool or a read replica's. */
  public Future<CategoryListing> categoryListing(SqlClient client, String category) {
    return client.preparedQuery(SELECT_CATEGORY_LISTING).execute(Tuple.of(category, category)).map(rows -> {
      Row row = rows.iterator().next();
      Long version = row.getLong("listing_version");
      return new CategoryListing(row.getLong("total"), version == null ? 0 : version);
    });
  }

  /** Products whose Cassandra document is not known to be written and that changed before {@code olderThan}. */
  public Future<List<Stored>> pendingDocuments(Instant olderThan, int limit) {
    return pool.preparedQuery(SELECT_PENDING).mapping(STORED).execute(Tuple.of(local(olderThan), limit))
      .map(rows -> {
        List<Stored> list = new java.util.ArrayList<>();
        rows.forEach(list::add);
        return list;
      });
  }

  /** Read on {@code client}: the primary's pool or a read replica's. */
  public Future<Long> countBySeller(SqlClient client, String sellerId) {
    return count(client, COUNT_BY_SELLER, sellerId);
  }

  /** Price, stock and version of each of {@code ids} that exists, read on {@code client} (primary or replica). */
  public Future<Map<UUID, PriceStock>> priceAndStock(SqlClient client, List<UUID> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    String sql = SELECT_PRICE_STOCK_IN + ids.stream().map(i -> "?").collect(Collectors.joining(",", "(", ")"));
    return client.preparedQuery(sql).execute(Tuple.from(ids.stream().map(UUID::toString).toList())).map(rows -> {
      Map<UUID, PriceStock> result = new HashMap<>();
      rows.forEach(r -> result.put(UUID.fromString(r.getString("product_id")),
        new PriceStock(r.getLong("price"), r.getInteger("available"), r.getLong("version"), r.getInteger("deleted") != 0)));
      return result;
    });
  }

  private static Future<Long> count(SqlClient client, String sql, String param) {
    return client.preparedQuery(sql).execute(Tuple.of(param)).map(rows -> rows.iterator().next().getLong(0));
  }

  static LocalDateTime local(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  static Instant instant(LocalDateTime local) {
    return local.toInstant(ZoneOffset.UTC);
  }
}
