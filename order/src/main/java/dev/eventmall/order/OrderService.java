package dev.eventmall.order;

import dev.eventmall.common.async.BatchLoader;
import dev.eventmall.common.async.HomeContext;
import dev.eventmall.common.db.Database;
import dev.eventmall.common.db.ReadPools;
import dev.eventmall.common.event.EventEnvelope;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.domain.DomainException.FieldError;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.common.trace.Tracing;
import dev.eventmall.order.domain.IdempotencyKeyReused;
import dev.eventmall.order.domain.InvalidOrder;
import dev.eventmall.order.domain.LineRequest;
import dev.eventmall.order.domain.Order;
import dev.eventmall.order.domain.OrderLine;
import dev.eventmall.order.domain.OrderNotCancellable;
import dev.eventmall.order.domain.OrderNotFound;
import dev.eventmall.order.domain.OrderStateMachine;
import dev.eventmall.order.domain.OrderStatus;
import dev.eventmall.order.domain.PlaceOrder;
import dev.eventmall.order.domain.Product;
import dev.eventmall.order.domain.SagaInput;
import dev.eventmall.order.domain.ShippingAddress;
import dev.eventmall.order.domain.TimelineEntry;
import dev.eventmall.order.domain.TooManyUnpaidOrders;
import dev.eventmall.order.domain.Transition;
import dev.eventmall.order.messaging.OrderEvents;
import dev.eventmall.order.persistence.OrderRepository;
import dev.eventmall.order.persistence.OrderWriter;
import dev.eventmall.order.persistence.ProjectionRepository;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Placing and cancelling orders: prices and addresses come from the projections, never from the client; the order,
 * its lines, its first timeline row, the Idempotency-Key record and the outbox event commit in one transaction (shared
 * with the orders placed at the same moment: {@link OrderWriter}).
 */
public final class OrderService {

  /** The outcome of {@code POST /orders}: the order and whether it was a replay of an earlier request. */
  public record Placed(Order order, boolean replayed) {
  }

  private final Pool pool;
  /** Order, list and timeline reads (a read replica if configured); everything else, writes included, on {@code pool}. */
  private final ReadPools reads;
  private final OrderRepository orders = new OrderRepository();
  private final FrontDoor frontDoor;
  private final OrderMetrics metrics;
  private final int maxUnpaidCheckouts;

  public OrderService(Pool pool, OrderMetrics metrics) {
    this(pool, metrics, 0);
  }

  /** @param maxUnpaidCheckouts unpaid CHECKOUT orders one customer may hold at once; 0 = no cap */
  public OrderService(Pool pool, OrderMetrics metrics, int maxUnpaidCheckouts) {
    this(pool, ReadPools.primaryOnly(pool), metrics, maxUnpaidCheckouts);
  }

  /** As {@link #OrderService(Pool, OrderMetrics, int)} with the API's reads on {@code reads}. */
  public OrderService(Pool pool, ReadPools reads, OrderMetrics metrics, int maxUnpaidCheckouts) {
    this(pool, reads, metrics, maxUnpaidCheckouts, new FrontDoor());
  }

  /**
   * As {@link #OrderService(Pool, ReadPools, OrderMetrics, int)}, placing orders through {@code frontDoor}, which the
   * HTTP instances of one deployment share (the first to get here binds it to its context and its pool).
   */
  public OrderService(Pool pool, ReadPools reads, OrderMetrics metrics, int maxUnpaidCheckouts, FrontDoor frontDoor) {
    this.pool = pool;
    this.reads = reads;
    this.frontDoor = frontDoor.bind(pool);
    this.metrics = metrics;
    this.maxUnpaidCheckouts = maxUnpaidCheckouts;
  }

  /**
   * The group commit of new orders ({@link OrderWriter}) and the product and address lookups
   * ({@link BatchLoader}) of one deployment, shared by its HTTP instances and confined to the context of the first
   * ({@link HomeContext}): the orders and lookups that arrive together on any instance share one transaction and
   * one statement per table. At 450 orders/s on two instances a transaction carried 1.74 orders with one writer per
   * instance and 2.52 with this one (RESULTS run 16); a lookup still reads about 1.1 ids, as it takes less time than
   * the gap between two orders.
   */
  public static final class FrontDoor {
    private final HomeContext home = new HomeContext();
    /** The pools of the instances bound and not yet stopped, first bound first; never emptied by the last release. */
    private final List<Pool> pools = new CopyOnWriteArrayList<>();
    private OrderWriter writer;
    private BatchLoader<String, Product> products;
    private BatchLoader<String, ShippingAddress> addresses;

    synchronized FrontDoor bind(Pool pool) {
      pools.add(pool);
      if (writer == null) {
        home.bind();
        ProjectionRepository projections = new ProjectionRepository();
        writer = new OrderWriter(this::pool, new OrderRepository());
        products = new BatchLoader<>(ids -> projections.products(pool(), ids), LOOKUP_BATCH);
        addresses = new BatchLoader<>(ids -> projections.addresses(pool(), ids), LOOKUP_BATCH);
      }
      return this;
    }

    /**
     * The instance that gave {@code pool} is stopping: its pool closes after its stop, so the shared batches take
     * another instance's from now on (the last instance's stays, for its own requests still under way).
     */
    public synchronized void release(Pool pool) {
      if (pools.size() > 1) {
        pools.remove(pool);
      }
    }

    private Pool pool() {
      return pools.get(0);
    }
  }

  /** The most ids one product or address lookup reads (one {@code IN} list). */
  static final int LOOKUP_BATCH = 256;

  /** The timeline's reason when the checkout window closes on an unpaid order. */
  public static final String CHECKOUT_EXPIRED = "checkout window expired";

  /**
   * Issue 16 row 7: a customer holding {@code maxUnpaidCheckouts} unpaid CHECKOUT orders (each holds its stock until it
   * is paid or expires) cannot place another: {@link TooManyUnpaidOrders}.
   */
  private Future<Void> unpaidCap(PlaceOrder request) {
    if (maxUnpaidCheckouts <= 0 || request.paymentMethod() != dev.eventmall.order.domain.PaymentMethod.CHECKOUT) {
      return Future.succeededFuture();
    }
    return orders.countUnpaidCheckouts(pool, request.memberId())
      .compose(unpaid -> unpaid >= maxUnpaidCheckouts
        ? Future.failedFuture(new TooManyUnpaidOrders(maxUnpaidCheckouts))
        : Future.succeededFuture());
  }

  /**
   * Cancels, as the customer's cancel would (OrderCancelRequested: catalog releases the stock, payment closes the
   * checkout), the CHECKOUT orders still unpaid {@code window} after they were placed — at most 100 per call, oldest
   * first. Safe from several instances at once: each cancel locks its row and the state machine refuses a second one.
   * Answers how many it cancelled.
   */
  public Future<Integer> expireUnpaidCheckouts(java.time.Duration window) {
    return orders.expiredCheckouts(pool, now().minus(window), 100).compose(due -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (Map.Entry<String, String> order : due) {
        chain = chain.compose(n -> cancel(order.getKey(), order.getValue(), CHECKOUT_EXPIRED).map(o -> n + 1)
          .otherwise(n)); // moved on meanwhile (paid, cancelled): nothing to do
      }
      return chain;
    });
  }

  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  /** Places an order; {@code idempotencyKey} may be null. */
  public Future<Placed> place(PlaceOrder request, String idempotencyKey) {
    String hash = request.requestHash();
    Future<Optional<Placed>> earlier = idempotencyKey == null ? Future.succeededFuture(Optional.empty())
      : replay(request.memberId(), idempotencyKey, hash);
    // the request's trace, read here: pricing and the write may run on the front door's event loop, whose context
    // holds no current span, and OrderPlaced must carry this request's
    String traceparent = Tracing.current();
    return earlier.compose(found -> found.isPresent() ? Future.succeededFuture(found.get())
      : unpaidCap(request).compose(v -> frontDoor.home.call(() -> price(request)
          .compose(order -> insert(order, idempotencyKey, hash, traceparent).map(order))))
        .map(order -> {
          metrics.placed();
          return new Placed(order, false);
        })
        .recover(err -> idempotencyKey != null
          && (Database.isDuplicateKey(err) || err instanceof OrderWriter.KeyTaken)
          // a concurrent request with the same key won the race: answer with its order
          ? replay(request.memberId(), idempotencyKey, hash).map(p -> p.orElseThrow(() -> new IllegalStateException(
            "Idempotency-Key row vanished")))
          : Future.failedFuture(err)));
  }

  private Future<Optional<Placed>> replay(String memberId, String key, String hash) {
    return orders.findIdempotencyKey(pool, memberId, key).compose(rec -> {
      if (rec.isEmpty()) {
        return Future.succeededFuture(Optional.empty());
      }
      if (!rec.get().requestHash().equals(hash)) {
        return Future.failedFuture(new IdempotencyKeyReused());
      }
      return orders.find(pool, rec.get().orderId())
        .map(o -> Optional.of(new Placed(o.orElseThrow(), true)));
    });
  }

  /** Resolves prices, names and the address from the projections; {@link InvalidOrder} naming anything unknown. */
  private Future<Order> price(PlaceOrder request) {
    List<Future<Optional<Product>>> lookups = new ArrayList<>();
    for (LineRequest line : request.lines()) {
      lookups.add(frontDoor.products.get(line.productId()));
    }
    // another member's address is as unknown as one that does not exist
    Future<Optional<ShippingAddress>> address = frontDoor.addresses.get(request.addressId())
      .map(found -> found.filter(a -> a.memberId().equals(request.memberId())));
    List<Future<?>> all = new ArrayList<>(lookups);
    all.add(address);
    return Future.all(all).map(v -> {
      List<FieldError> errors = new ArrayList<>();
      List<OrderLine> lines = new ArrayList<>();
      for (int i = 0; i < request.lines().size(); i++) {
        LineRequest line = request.lines().get(i);
        Optional<Product> product = lookups.get(i).result();
        if (product.isEmpty() || product.get().deleted()) {
          errors.add(new FieldError("lines[" + i + "].productId", "no such product"));
        } else {
          lines.add(new OrderLine(line.productId(), product.get().name(), line.quantity(), product.get().price()));
        }
      }
      if (address.result().isEmpty()) {
        errors.add(new FieldError("addressId", "no such address among your shipping addresses"));
      }
      if (!errors.isEmpty()) {
        throw new InvalidOrder(errors);
      }
      long total;
      try {
        total = lines.stream().mapToLong(l -> Math.multiplyExact(l.unitPrice(), (long) l.quantity()))
          .reduce(0L, Math::addExact);
      } catch (ArithmeticException overflow) {
        throw new InvalidOrder(List.of(new FieldError("lines", "the total amount is too large")));
      }
      Instant now = now();
      return new Order(UUID.randomUUID().toString(), request.memberId(), OrderStatus.PENDING,
        request.paymentMethod(), total, Order.nameOf(lines), address.result().get(), lines, now, now);
    });
  }

  /**
   * The order, its lines, its first timeline row, the Idempotency-Key and OrderPlaced (in the trace
   * {@code traceparent} names), committed together.
   */
  private Future<Void> insert(Order order, String idempotencyKey, String hash, String traceparent) {
    EventEnvelope placed = OrderEvents.placed(order).withTraceparent(traceparent);
    return frontDoor.writer.write(new OrderWriter.NewOrder(order,
      idempotencyKey == null ? null : new OrderRepository.NewIdempotencyKey(order.memberId(), idempotencyKey, hash,
        order.orderId(), order.createdAt()),
      new TimelineEntry(0, placed.id().toString(), placed.type(), "api", TimelineEntry.APPLIED, null,
        OrderStatus.PENDING, null, placed.occurredAt(), order.createdAt()),
      Outbox.outgoing(Topics.ORDER_EVENTS, placed)));
  }

  /**
   * The order if {@code memberId} owns it (or {@code admin}); someone else's is as absent as an unknown one. Read on
   * the replica (if any) once it has reached {@code readToken} (null: any state), else on the primary
   * ({@link ReadPools}): a client that echoes its POST's token never gets a 404 for the order it just placed.
   */
  public Future<Optional<Order>> find(String orderId, String memberId, boolean admin, String readToken) {
    return reads.read(readToken, client -> find(client, orderId, memberId, admin));
  }

  private Future<Optional<Order>> find(SqlClient client, String orderId, String memberId, boolean admin) {
    return orders.find(client, orderId).map(o -> o.filter(order -> admin || order.memberId().equals(memberId)));
  }

  public Future<OrderRepository.Page> listOwn(String memberId, OrderStatus status, int page, int size, String readToken) {
    return reads.read(readToken, client -> orders.listOwn(client, memberId, status, page, size));
  }

  public Future<OrderRepository.Page> listAll(OrderStatus status, int page, int size, String readToken) {
    return reads.read(readToken, client -> orders.listAll(client, status, page, size));
  }

  /** The timeline of a visible order; empty when the order is not visible. Order and timeline from the same server. */
  public Future<Optional<List<TimelineEntry>>> timeline(String orderId, String memberId, boolean admin,
                                                        String readToken) {
    return reads.read(readToken, client -> find(client, orderId, memberId, admin)
      .compose(o -> o.isEmpty() ? Future.succeededFuture(Optional.<List<TimelineEntry>>empty())
        : orders.timeline(client, orderId).map(Optional::of)));
  }

  /**
   * The owner's cancel: CANCEL_REQUESTED + OrderCancelRequested under the order's row lock; {@link OrderNotFound} when
   * not the owner's, {@link OrderNotCancellable} when the state no longer allows it.
   */
  public Future<Order> cancel(String orderId, String memberId, String reason) {
    return pool.withTransaction(conn -> orders.lock(conn, orderId).compose(found -> {
      Optional<Order> own = found.filter(o -> o.memberId().equals(memberId));
      if (own.isEmpty()) {
        return Future.failedFuture(new OrderNotFound());
      }
      Order order = own.get();
      Transition t = OrderStateMachine.apply(order.status(), order.paymentMethod(), SagaInput.CANCEL_REQUESTED);
      if (!t.applied()) {
        return Future.failedFuture(new OrderNotCancellable(order.status()));
      }
      Instant now = now();
      EventEnvelope requested = OrderEvents.cancelRequested(orderId, reason, now);
      return orders.updateStatus(conn, orderId, t.to(), now)
        .compose(v -> orders.appendTimeline(conn, orderId, new TimelineEntry(0, requested.id().toString(),
          requested.type(), "api", TimelineEntry.APPLIED, t.from(), t.to(), reason, now, now)))
        .compose(v -> Outbox.append(conn, Topics.ORDER_EVENTS, requested))
        .compose(v -> orders.find(conn, orderId))
        .map(Optional::orElseThrow);
    }));
  }

}
