package dev.eventmall.catalog.persistence;

import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.eventmall.catalog.domain.Product;
import dev.eventmall.catalog.domain.ProductDetails;
import dev.eventmall.catalog.domain.ProductOption;
import dev.eventmall.common.config.Config;
import io.vertx.cassandra.CassandraClient;
import io.vertx.cassandra.CassandraClientOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Product documents in Cassandra, one table per read: {@code products_by_id}, {@code products_by_category} and
 * {@code products_by_seller} (newest first within a category / seller). Every table holds the whole document (name,
 * description, category, attributes, image URLs, options, version, timestamps); price and stock live in MySQL.
 *
 * <p>Every write carries {@code USING TIMESTAMP <product version>}: Cassandra keeps, cell by cell, the write with the
 * highest timestamp (a delete wins a tie), so writing version n twice changes nothing and a late write of version
 * n-1 after version n is discarded. That is what makes the retried / repaired document writes of {@link ProductStore}
 * idempotent and order-independent. Statements are prepared once per instance ({@link #prepare}).
 */
public final class CassandraProducts {

  /** {@code CATALOG_KEYSPACE}: the keyspace, default {@code catalog}. */
  public static final String KEYSPACE = "CATALOG_KEYSPACE";
  /** {@code CATALOG_CASSANDRA_REPLICATION}: SimpleStrategy replication factor of a keyspace created here, default 1. */
  public static final String REPLICATION = "CATALOG_CASSANDRA_REPLICATION";
  /** {@code CASSANDRA_SCHEMA_WINDOW_MS}: the driver's schema-refresh debounce; tests set ~10 ms (INFRA.md). */
  public static final String SCHEMA_WINDOW_MS = "CASSANDRA_SCHEMA_WINDOW_MS";

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]{0,47}");

  private static final String DOC_COLUMNS =
    "product_id, seller_id, name, description, category, attributes, image_urls, options, version, created_at, updated_at";
  private static final String DOC_TYPES = "seller_id text, name text, description text, category text, "
    + "attributes frozen<map<text, text>>, image_urls frozen<list<text>>, options text, version bigint, created_at timestamp, "
    + "updated_at timestamp";

  private final CassandraClient client;
  private final PreparedStatement insertById;
  private final PreparedStatement insertByCategory;
  private final PreparedStatement insertBySeller;
  private final PreparedStatement deleteById;
  private final PreparedStatement deleteByCategory;
  private final PreparedStatement deleteBySeller;
  private final PreparedStatement selectById;
  private final PreparedStatement selectByCategory;
  private final PreparedStatement selectBySeller;

  private CassandraProducts(CassandraClient client, List<PreparedStatement> s) {
    this.client = client;
    this.insertById = s.get(0);
    this.insertByCategory = s.get(1);
    this.insertBySeller = s.get(2);
    this.deleteById = s.get(3);
    this.deleteByCategory = s.get(4);
    this.deleteBySeller = s.get(5);
    this.selectById = s.get(6);
    this.selectByCategory = s.get(7);
    this.selectBySeller = s.get(8);
  }

  /** The keyspace from configuration (validated: it is spliced into CQL). */
  public static String keyspace(Config config) {
    String ks = config.get(KEYSPACE, "catalog");
    if (!IDENTIFIER.matcher(ks).matches()) {
      throw new Config.ConfigException(KEYSPACE + " must match " + IDENTIFIER + ", got '" + ks + "'");
    }
    return ks;
  }

  /**
   * Client options: contact points, local data center, driver timeouts, and LOCAL_QUORUM for reads and writes — a read
   * after a write sees it even with replicas (what the catalog's caches rely on: see {@link ProductStore}).
   */
  public static CassandraClientOptions options(Config config) {
    CassandraClientOptions options = new CassandraClientOptions();
    for (String point : config.cassandraContactPoints()) {
      int colon = point.lastIndexOf(':');
      options.addContactPoint(point.substring(0, colon), Integer.parseInt(point.substring(colon + 1)));
    }
    options.dataStaxClusterBuilder()
      .withLocalDatacenter(config.cassandraLocalDc())
      .withConfigLoader(DriverConfigLoader.programmaticBuilder()
        .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW,
          Duration.ofMillis(config.getLong(SCHEMA_WINDOW_MS, 1000)))
        .withString(DefaultDriverOption.REQUEST_CONSISTENCY, "LOCAL_QUORUM")
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(5))
        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
        .build());
    return options;
  }

  /** The CQL that creates the keyspace (SimpleStrategy, {@code replication} replicas) and the tables, if missing. */
  public static List<String> schema(String ks, int replication) {
    return List.of(
      "CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': "
        + replication + "}",
      "CREATE TABLE IF NOT EXISTS " + ks + ".products_by_id (product_id uuid PRIMARY KEY, " + DOC_TYPES + ")",
      "CREATE TABLE IF NOT EXISTS " + ks + ".products_by_category (category text, created_at timestamp, product_id uuid, "
        + DOC_TYPES.replace("category text, ", "").replace(", created_at timestamp", "")
        + ", PRIMARY KEY ((category), created_at, product_id)) WITH CLUSTERING ORDER BY (created_at DESC, product_id ASC)",
      "CREATE TABLE IF NOT EXISTS " + ks + ".products_by_seller (seller_id text, created_at timestamp, product_id uuid, "
        + DOC_TYPES.replace("seller_id text, ", "").replace(", created_at timestamp", "")
        + ", PRIMARY KEY ((seller_id), created_at, product_id)) WITH CLUSTERING ORDER BY (created_at DESC, product_id ASC)");
  }

  /** Creates the keyspace and tables with a client of its own (closed afterwards); run once at startup. */
  public static Future<Void> createSchema(Vertx vertx, Config config) {
    String ks = keyspace(config);
    int replication = config.getInt(REPLICATION, 1);
    CassandraClient client = CassandraClient.create(vertx, options(config));
    Future<Void> chain = Future.succeededFuture();
    for (String cql : schema(ks, replication)) {
      chain = chain.compose(v -> client.execute(cql).mapEmpty());
    }
    return chain.eventually(client::close);
  }

  /** Prepares every statement once, on {@code client} (shared by the verticle that owns it). */
  public static Future<CassandraProducts> prepare(CassandraClient client, String ks) {
    String values = " (" + DOC_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?";
    List<String> cql = List.of(
      "INSERT INTO " + ks + ".products_by_id" + values,
      "INSERT INTO " + ks + ".products_by_category" + values,
      "INSERT INTO " + ks + ".products_by_seller" + values,
      "DELETE FROM " + ks + ".products_by_id USING TIMESTAMP ? WHERE product_id = ?",
      "DELETE FROM " + ks + ".products_by_category USING TIMESTAMP ? WHERE category = ? AND created_at = ? AND product_id = ?",
      "DELETE FROM " + ks + ".products_by_seller USING TIMESTAMP ? WHERE seller_id = ? AND created_at = ? AND product_id = ?",
      "SELECT " + DOC_COLUMNS + " FROM " + ks + ".products_by_id WHERE product_id = ?",
      "SELECT " + DOC_COLUMNS + " FROM " + ks + ".products_by_category WHERE category = ? LIMIT ?",
      "SELECT " + DOC_COLUMNS + " FROM " + ks + ".products_by_seller WHERE seller_id = ? LIMIT ?");
    List<Future<PreparedStatement>> prepared = cql.stream().map(client::prepare).toList();
    return Future.all(prepared).map(all -> new CassandraProducts(client,
      prepared.stream().map(Future::result).toList()));
  }

  public CassandraClient client() {
    return client;
  }

  /**
   * Writes the document of {@code product} at its version to the three tables: an upsert of a live product (plus deletes
   * of the by-category rows of {@code staleCategories} it left), or deletes of a deleted one. The statements run in
   * parallel, not as a batch (a full document three times can exceed Cassandra's batch size limit); each is idempotent
   * at its timestamp, so when any fails the caller simply writes the whole set again (retry, then the repair job).
   */
  public Future<Void> write(Product product, List<String> staleCategories) {
    long ts = product.version();
    UUID id = product.id();
    ProductDetails d = product.details();
    List<BatchableStatement<?>> statements = new ArrayList<>();
    for (String stale : staleCategories) {
      if (!stale.equals(d.category()) || product.deleted()) {
        statements.add(deleteByCategory.bind(ts, stale, product.createdAt(), id));
      }
    }
    if (product.deleted()) {
      statements.add(deleteById.bind(ts, id));
      statements.add(deleteByCategory.bind(ts, d.category(), product.createdAt(), id));
      statements.add(deleteBySeller.bind(ts, product.sellerId(), product.createdAt(), id));
    } else {
      String options = new JsonArray(d.options().stream().map(ProductOption::toJson).toList()).encode();
      Object[] values = {id, product.sellerId(), d.name(), d.description(), d.category(), d.attributes(), d.imageUrls(),
        options, product.version(), product.createdAt(), product.updatedAt(), ts};
      statements.add(insertById.bind(values));
      statements.add(insertByCategory.bind(values));
      statements.add(insertBySeller.bind(values));
    }
    return Future.all(statements.stream().map(client::execute).toList()).mapEmpty();
  }

  /** The document of a product (price and stock 0: they come from MySQL), or null. */
  public Future<Product> byId(UUID id) {
    return client.executeWithFullFetch(selectById.bind(id))
      .map(rows -> rows.isEmpty() ? null : toProduct(rows.get(0)));
  }

  /** The newest {@code limit} documents of a category. */
  public Future<List<Product>> byCategory(String category, int limit) {
    return client.executeWithFullFetch(selectByCategory.bind(category, limit))
      .map(rows -> rows.stream().map(CassandraProducts::toProduct).toList());
  }

  /** The newest {@code limit} documents of a seller. */
  public Future<List<Product>> bySeller(String sellerId, int limit) {
    return client.executeWithFullFetch(selectBySeller.bind(sellerId, limit))
      .map(rows -> rows.stream().map(CassandraProducts::toProduct).toList());
  }

  static Product toProduct(Row row) {
    JsonObject doc = new JsonObject()
      .put("name", row.getString("name"))
      .put("description", row.getString("description"))
      .put("category", row.getString("category"))
      .put("attributes", new JsonObject(new java.util.LinkedHashMap<>(row.getMap("attributes", String.class, String.class))))
      .put("imageUrls", new JsonArray(new ArrayList<>(row.getList("image_urls", String.class))))
      .put("options", new JsonArray(row.getString("options") == null ? "[]" : row.getString("options")));
    return new Product(row.getUuid("product_id"), row.getString("seller_id"), ProductDetails.fromDocument(doc, 0, 0),
      row.getLong("version"), false, row.getInstant("created_at"), row.getInstant("updated_at"));
  }
}
