package dev.eventmall.catalog.persistence;

import dev.eventmall.catalog.domain.DocumentPending;
import dev.eventmall.catalog.domain.Page;
import dev.eventmall.catalog.domain.Product;
import dev.eventmall.catalog.domain.ProductDetails;
import dev.eventmall.catalog.domain.ProductNotFound;
import dev.eventmall.common.db.ReadPools;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.EventTypes;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Products across the two stores. <b>Write order</b> (create, update, delete):
 * <ol>
 *   <li><b>MySQL first, one transaction</b>: the product row (owner check under {@code SELECT ... FOR UPDATE}, version
 *   + 1, price, the full document as JSON, {@code document_pending = 1}), its stock row, and the
 *   {@code ProductCreated/Updated/Deleted} event in the outbox. MySQL is the source of truth and the event is published
 *   only if this commits.</li>
 *   <li><b>Then Cassandra</b>: the document written at {@code USING TIMESTAMP version} to the three read tables,
 *   retried {@value #ATTEMPTS} times with backoff (all of them again on any failure). The timestamp makes the write idempotent and
 *   order-independent: a retry, a repair or a concurrent older write can never replace a newer version.</li>
 *   <li>On success the row's {@code document_pending} is cleared (only for that version). If Cassandra still fails, the
 *   request fails with {@link DocumentPending} (the change itself is committed and announced), and the
 *   <b>repair path</b> {@link #repairPending} — run periodically by the service — re-applies every pending row's
 *   latest state from MySQL until Cassandra accepts it. So the stores cannot drift: the document converges to the
 *   latest committed version, and nothing older can overwrite it.</li>
 * </ol>
 */
public final class ProductStore {
  static final int ATTEMPTS = 3;
  /**
   * {@code CATALOG_DOCUMENT_CACHE}: product documents the process keeps for product pages (shared by its HTTP
   * instances), and as many again in cached category listings; default {@value #DEFAULT_CACHED_DOCUMENTS} (a document
   * is at most ~20 KB in memory, about 2 KB typically); 0 turns both caches off.
   */
  public static final String DOCUMENT_CACHE = "CATALOG_DOCUMENT_CACHE";
  public static final int DEFAULT_CACHED_DOCUMENTS = 2_000;
  /** A listing of more products than this (deep pages) is not cached. */
  static final int LISTING_MAX = 200;
  private static final Logger LOG = LoggerFactory.getLogger(ProductStore.class);

  private final Vertx vertx;
  private final ProductRepository mysql;
  /** Where price/stock and listing reads go (a read replica if configured); writes use {@code mysql.pool()}. */
  private final ReadPools reads;
  private final CassandraProducts cassandra;
  /** Documents by id, at the product's MySQL version. */
  private final VersionedCache<UUID, Product> documents;
  /** The newest documents of a category (key: category and how many), at the category's listing version. */
  private final VersionedCache<Listing, List<Product>> listings;

  private record Listing(String category, int limit) {
  }

  /**
   * The read caches of one process: create them once per deployment ({@code CatalogApp}) and give them to every HTTP
   * verticle instance's store, so an instance answers from what another one read.
   */
  public static final class Caches {
    private final VersionedCache<UUID, Product> documents;
    private final VersionedCache<Listing, List<Product>> listings;

    private Caches(VersionedCache<UUID, Product> documents, VersionedCache<Listing, List<Product>> listings) {
      this.documents = documents;
      this.listings = listings;
    }

    /**
     * Up to {@code cachedDocuments} product documents for pages and as many in listings (0: both off), counted in
     * {@code registry} (see {@link VersionedCache} for the meters).
     */
    public static Caches create(int cachedDocuments, MeterRegistry registry) {
      return new Caches(new VersionedCache<>("document", cachedDocuments, doc -> 1, registry),
        new VersionedCache<>("listing", cachedDocuments, List::size, registry));
    }
  }

  /** A store reading through {@code caches} (shared by the process's stores). */
  public ProductStore(Vertx vertx, ProductRepository mysql, ReadPools reads, CassandraProducts cassandra,
                      Caches caches) {
    this.vertx = vertx;
    this.mysql = mysql;
    this.reads = reads;
    this.cassandra = cassandra;
    this.documents = caches.documents;
    this.listings = caches.listings;
  }

  public Future<Product> create(String sellerId, ProductDetails details) {
    Product product = Product.create(sellerId, details, now());
    return mysql.pool().withTransaction(conn -> mysql.insert(conn, product)
        .compose(v -> Outbox.append(conn, Topics.CATALOG_PRODUCTS,
          EventEnvelope.of(EventTypes.PRODUCT_CREATED, product.id().toString(), product.toJson()))))
      .compose(v -> applyDocument(product, List.of()))
      .map(product);
  }

  /**
   * Replaces the details of a product of {@code sellerId}; {@link ProductNotFound} when it does not exist, is deleted or
   * is not theirs.
   */
  public Future<Product> update(UUID id, String sellerId, ProductDetails details) {
    return mysql.pool().withTransaction(conn -> mysql.lock(conn, id).compose(stored -> {
        Product current = owned(stored, id, sellerId);
        Product updated = current.update(details, now());
        List<String> stale = new ArrayList<>(stored.staleCategories());
        if (!current.details().category().equals(details.category()) && !stale.contains(current.details().category())) {
          stale.add(current.details().category());
        }
        return mysql.update(conn, updated, stale)
          .compose(v -> Outbox.append(conn, Topics.CATALOG_PRODUCTS,
            EventEnvelope.of(EventTypes.PRODUCT_UPDATED, id.toString(), updated.toJson())))
          .map(new ProductRepository.Stored(updated, stale));
      }))
      .compose(stored -> applyDocument(stored.product(), stored.staleCategories()).map(stored.product()));
  }

  /** Deletes a product of {@code sellerId}; {@link ProductNotFound} when it does not exist, is deleted or is not theirs. */
  public Future<Void> delete(UUID id, String sellerId) {
    return mysql.pool().withTransaction(conn -> mysql.lock(conn, id).compose(stored -> {
        Product deleted = owned(stored, id, sellerId).delete(now());
        return mysql.markDeleted(conn, deleted)
          .compose(v -> Outbox.append(conn, Topics.CATALOG_PRODUCTS,
            EventEnvelope.of(EventTypes.PRODUCT_DELETED, id.toString(), deleted.deletedPayload())))
          .map(new ProductRepository.Stored(deleted, stored.staleCategories()));
      }))
      .compose(stored -> applyDocument(stored.product(), stored.staleCategories()));
  }

  /**
   * The product: price, stock and version from MySQL ({@link ProductNotFound} when absent or deleted), its document from Cassandra — or
   * from {@link #documents} when MySQL still names the version cached, so a product page never shows an older
   * document than MySQL's and costs one primary-key read once its document is cached. MySQL is read on the replica
   * (if any) once it has reached {@code readToken} (null: any state), else on the primary ({@link ReadPools}).
   */
  public Future<Product> get(UUID id, String readToken) {
    return reads.read(readToken, pool -> mysql.priceAndStock(pool, List.of(id))).compose(prices -> {
      ProductRepository.PriceStock ps = prices.get(id);
      if (ps == null || ps.deleted()) {
        return Future.failedFuture(new ProductNotFound(id));
      }
      Product cached = documents.get(id, ps.version());
      if (cached != null) {
        return Future.succeededFuture(withPriceAndStock(cached, ps));
      }
      return cassandra.byId(id).compose(doc -> {
        if (doc == null) {
          return Future.failedFuture(new ProductNotFound(id));
        }
        // a document behind MySQL (its write still pending) is shown, as before, but not kept
        if (doc.version() == ps.version()) {
          documents.put(id, ps.version(), doc);
        } else {
          documents.remove(id);
        }
        return Future.succeededFuture(withPriceAndStock(doc, ps));
      });
    });
  }

  /**
   * A page of a category, newest first: the documents from Cassandra — or from {@link #listings} while the category's
   * listing version in MySQL is still the one they were read at (every document write of a product bumps the version
   * of its categories once Cassandra has it, see {@link #writeDocument}) — joined with MySQL's price and stock.
   */
  public Future<Page> byCategory(String category, int page, int size, String readToken) {
    int limit = (page + 1) * size;
    Listing key = limit <= LISTING_MAX ? new Listing(category, limit) : null;
    return reads.read(readToken, pool -> mysql.categoryListing(pool, category).compose(state -> {
      List<Product> cached = key != null ? listings.get(key, state.version()) : null;
      Future<List<Product>> docs = cached != null ? Future.succeededFuture(cached)
        : cassandra.byCategory(category, limit).onSuccess(read -> {
          if (key != null) {
            listings.put(key, state.version(), read);
          }
        });
      return docs.compose(read -> page(pool, read, page, size, Future.succeededFuture(state.total())));
    }));
  }

  public Future<Page> bySeller(String sellerId, int page, int size, String readToken) {
    return reads.read(readToken, pool -> cassandra.bySeller(sellerId, (page + 1) * size)
      .compose(docs -> page(pool, docs, page, size, mysql.countBySeller(pool, sellerId))));
  }

  /**
   * Re-applies the Cassandra document of every product still marked pending that changed more than
   * {@code grace} ago (younger ones are normally still being written by their request). Returns how many were repaired.
   */
  public Future<Integer> repairPending(Duration grace, int limit) {
    return mysql.pendingDocuments(Instant.now().minus(grace), limit).compose(pending -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (ProductRepository.Stored stored : pending) {
        chain = chain.compose(n -> writeDocument(stored.product(), stored.staleCategories())
          .map(v -> n + 1)
          .recover(e -> {
            LOG.warn("repair of product {} v{} failed, will retry: {}", stored.product().id(),
              stored.product().version(), e.toString());
            return Future.succeededFuture(n);
          }));
      }
      return chain;
    });
  }

  private Future<Page> page(SqlClient pool, List<Product> docs, int page, int size, Future<Long> total) {
    List<Product> slice = docs.stream().skip((long) page * size).limit(size).toList();
    return Future.all(withPriceAndStock(pool, slice), total).map(all -> new Page(all.resultAt(0), page, size, all.resultAt(1)));
  }

  /** Documents joined with MySQL's price, stock and version; products MySQL says are gone are dropped. */
  private Future<List<Product>> withPriceAndStock(SqlClient pool, List<Product> docs) {
    return mysql.priceAndStock(pool, docs.stream().map(Product::id).toList()).map(prices -> {
      List<Product> result = new ArrayList<>();
      for (Product doc : docs) {
        ProductRepository.PriceStock ps = prices.get(doc.id());
        if (ps != null && !ps.deleted()) {
          result.add(withPriceAndStock(doc, ps));
        }
      }
      return result;
    });
  }

  private static Product withPriceAndStock(Product doc, ProductRepository.PriceStock ps) {
    return new Product(doc.id(), doc.sellerId(), doc.details().withPriceAndStock(ps.price(), ps.stock()), ps.version(),
      false, doc.createdAt(), doc.updatedAt());
  }

  /** The Cassandra write with retries; {@link DocumentPending} when it keeps failing (the repair job finishes it later). */
  private Future<Void> applyDocument(Product product, List<String> staleCategories) {
    return attempt(product, staleCategories, 1).recover(e -> {
      LOG.warn("document of product {} v{} not written to Cassandra, left to repair: {}", product.id(),
        product.version(), e.toString());
      return Future.failedFuture(new DocumentPending(product.id(), product.version()));
    });
  }

  private Future<Void> attempt(Product product, List<String> staleCategories, int attempt) {
    return writeDocument(product, staleCategories).recover(e -> attempt >= ATTEMPTS
      ? Future.failedFuture(e)
      : vertx.timer(100L << attempt).compose(v -> attempt(product, staleCategories, attempt + 1)));
  }

  /**
   * The Cassandra write, then in MySQL: the pending flag cleared and the listing version of every category the write
   * touched bumped, so no listing cached before it is answered again (a listing cached between the write and the bump
   * misses nothing a caller was already told: the change's request has not returned yet).
   */
  private Future<Void> writeDocument(Product product, List<String> staleCategories) {
    List<String> categories = new ArrayList<>(staleCategories);
    if (!categories.contains(product.details().category())) {
      categories.add(product.details().category());
    }
    return cassandra.write(product, staleCategories)
      .compose(v -> mysql.markDocumentApplied(product.id(), product.version(), categories));
  }

  private static Product owned(ProductRepository.Stored stored, UUID id, String sellerId) {
    if (stored == null || stored.product().deleted() || !stored.product().ownedBy(sellerId)) {
      // another seller's product is indistinguishable from a missing one: nothing about it leaks
      throw new ProductNotFound(id);
    }
    return stored.product();
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }
}
