package dev.eventmall.order.persistence;

import dev.eventmall.common.async.BatchLoader;
import dev.eventmall.common.db.Sql;
import dev.eventmall.order.domain.Product;
import dev.eventmall.order.domain.ShippingAddress;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;

import static dev.eventmall.order.persistence.OrderSql.*;

/** The product and address projections (consumer group {@code order-projections}). */
public final class ProjectionRepository {

  static final Function<Row, Product> PRODUCT = row -> new Product(row.getString("product_id"),
    row.getString("seller_id"), row.getString("name"), row.getLong("price"), row.getLong("version"),
    row.getBoolean("deleted"));
  static final Function<Row, ShippingAddress> ADDRESS = row -> new ShippingAddress(row.getString("address_id"),
    row.getString("member_id"), row.getString("recipient"), row.getString("phone"), row.getString("zip_code"),
    row.getString("line1"), row.getString("line2"));

  /** The products with these ids (one statement per {@link Sql#MAX_ROWS} ids), by id; unknown ids are absent. */
  public Future<Map<String, Product>> products(SqlClient client, Collection<String> productIds) {
    return Sql.selectIn(client, SELECT_PRODUCTS_IN, ")", Tuple.tuple(), productIds, PRODUCT)
      .map(rows -> BatchLoader.byKey(rows, Product::productId));
  }

  /**
   * The addresses with these ids, whoever they belong to (the caller checks the owner), by id; unknown ids are absent.
   */
  public Future<Map<String, ShippingAddress>> addresses(SqlClient client, Collection<String> addressIds) {
    return Sql.selectIn(client, SELECT_ADDRESSES_IN, ")", Tuple.tuple(), addressIds, ADDRESS)
      .map(rows -> BatchLoader.byKey(rows, ShippingAddress::addressId));
  }

  /** Created or updated: kept only when {@code version} is newer than what is stored. */
  public Future<Boolean> upsertProduct(SqlConnection conn, Product p, Instant at) {
    return conn.preparedQuery(INSERT_PRODUCT_IGNORE).execute(Tuple.of(p.productId(), p.sellerId(), p.name(), p.price(),
        p.version(), p.deleted(), Rows.utc(at)))
      .compose(inserted -> inserted.rowCount() == 1 ? Future.succeededFuture(true)
        : conn.preparedQuery(UPDATE_PRODUCT_IF_NEWER).execute(Tuple.of(p.sellerId(), p.name(), p.price(), p.deleted(),
          Rows.utc(at), p.version()).addValue(p.productId()).addValue(p.version())).map(r -> r.rowCount() == 1));
  }

  /** Deleted: a tombstone when unknown, else marked deleted when {@code version} is newer. */
  public Future<Boolean> deleteProduct(SqlConnection conn, String productId, String sellerId, long version, Instant at) {
    return conn.preparedQuery(INSERT_PRODUCT_IGNORE).execute(Tuple.of(productId, sellerId, "(deleted)", 0L, version,
        true, Rows.utc(at)))
      .compose(inserted -> inserted.rowCount() == 1 ? Future.succeededFuture(true)
        : conn.preparedQuery(DELETE_PRODUCT_IF_NEWER).execute(Tuple.of(Rows.utc(at), version, productId, version))
          .map(r -> r.rowCount() == 1));
  }

  public Future<Boolean> addAddress(SqlConnection conn, ShippingAddress a, boolean isDefault, Instant addedAt) {
    return conn.preparedQuery(INSERT_ADDRESS_IGNORE).execute(Tuple.of(a.addressId(), a.memberId(), a.recipient(),
        a.phone(), a.zipCode(), a.line1(), a.line2(), isDefault).addValue(Rows.utc(addedAt)))
      .map(r -> r.rowCount() == 1);
  }
}
