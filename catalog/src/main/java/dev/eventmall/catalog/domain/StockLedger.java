package dev.eventmall.catalog.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The stock rules of the order saga, pure (no I/O): what a batch of saga events does to the stock of the products and
 * the reservations of the orders it touches, applied in order, each event to the state the previous ones left.
 * <ul>
 *   <li>{@link #place}: every line is reserved or none, and an order is answered once: placing an order answered before
 *   (it has reservations, reserved or released, or it was rejected; from before or earlier in the batch) changes
 *   nothing ({@link Outcome#NOTHING}), whatever the stock is now. All lines available → they are taken from
 *   {@code available}, held in {@code reserved}, and the order's lines become RESERVED ({@link Outcome#RESERVED}).
 *   Any line short (a deleted or unknown product has 0) → no stock changes, the order is recorded as rejected
 *   ({@link #newRejections}) and each line's availability is reported ({@link Outcome#REJECTED}).</li>
 *   <li>{@link #release}: the order's RESERVED lines go back to {@code available} and become RELEASED
 *   ({@link Outcome#RELEASED}); with none (never reserved, rejected, released before) nothing happens
 *   ({@link Outcome#NOTHING}).</li>
 * </ul>
 * Stock never goes below zero and units are conserved: available + reserved of a product changes only by what the
 * seller sets, never here. The reservation rows and the rejected orders are the record of which OrderPlaced were
 * answered: the handler keeps no inbox, so a redelivered event is found by them (and a redelivered release by the
 * order having no RESERVED lines left).
 */
public final class StockLedger {

  /**
   * One product's stock as locked: what can still be reserved, what orders hold, and whether the product was deleted
   * (nothing of a deleted product can be reserved; what orders hold of it can still be released).
   */
  public record Stock(int available, int reserved, boolean deleted) {
    public Stock(int available, int reserved) {
      this(available, reserved, false);
    }
  }

  /** One reservation row: the line of an order and whether it is still held. */
  public record Reservation(String orderId, String productId, int quantity, boolean held) {
  }

  public enum Outcome { RESERVED, REJECTED, RELEASED, NOTHING }

  /** One line of a rejected order: what it asked and what was there. */
  public record Shortage(String productId, int requested, int available) {
  }

  /** What one event did: its outcome, the lines reserved or released, the shortages of a rejection. */
  public record Decision(Outcome outcome, List<StockLine> lines, List<Shortage> shortages) {
  }

  private final Map<String, Stock> stock;
  private final Map<String, Stock> before;
  private final Map<String, List<Reservation>> reservations;
  private final Set<String> rejected;
  private final Map<String, List<Reservation>> created = new LinkedHashMap<>();
  private final List<String> released = new ArrayList<>();
  private final List<String> newlyRejected = new ArrayList<>();

  /**
   * @param stock        the stock of every product the batch may touch (missing = unknown product, nothing available)
   * @param reservations every reservation row of the orders the batch touches, in product order per order
   * @param rejected     the orders among those the batch places that were rejected before
   */
  public StockLedger(Map<String, Stock> stock, List<Reservation> reservations, Set<String> rejected) {
    this.stock = new HashMap<>(stock);
    this.before = Map.copyOf(stock);
    this.reservations = new HashMap<>();
    for (Reservation r : reservations) {
      this.reservations.computeIfAbsent(r.orderId(), k -> new ArrayList<>()).add(r);
    }
    this.rejected = new HashSet<>(rejected);
  }

  /** OrderPlaced with its normalized lines ({@link StockLine#normalize}). */
  public Decision place(String orderId, List<StockLine> lines) {
    if (reservations.containsKey(orderId) || rejected.contains(orderId)) {
      return new Decision(Outcome.NOTHING, List.of(), List.of());
    }
    boolean enough = lines.stream().allMatch(l -> available(l.productId()) >= l.quantity());
    if (!enough) {
      rejected.add(orderId);
      newlyRejected.add(orderId);
      return new Decision(Outcome.REJECTED, List.of(),
        lines.stream().map(l -> new Shortage(l.productId(), l.quantity(), available(l.productId()))).toList());
    }
    List<Reservation> held = new ArrayList<>();
    for (StockLine l : lines) {
      Stock s = stock.get(l.productId());
      stock.put(l.productId(), new Stock(s.available() - l.quantity(), s.reserved() + l.quantity(), s.deleted()));
      held.add(new Reservation(orderId, l.productId(), l.quantity(), true));
    }
    reservations.put(orderId, held);
    created.put(orderId, held);
    return new Decision(Outcome.RESERVED, lines, List.of());
  }

  /** PaymentFailed, OrderCancelled, DeliveryFailed. */
  public Decision release(String orderId) {
    List<Reservation> rows = reservations.getOrDefault(orderId, List.of());
    List<StockLine> lines = rows.stream().filter(Reservation::held)
      .map(r -> new StockLine(r.productId(), r.quantity())).toList();
    if (lines.isEmpty()) {
      return new Decision(Outcome.NOTHING, List.of(), List.of());
    }
    for (StockLine l : lines) {
      Stock s = stock.get(l.productId());
      if (s == null || s.reserved() < l.quantity()) {
        throw new IllegalStateException("order " + orderId + " holds " + l.quantity() + " of " + l.productId()
          + " but only " + (s == null ? 0 : s.reserved()) + " are reserved");
      }
      stock.put(l.productId(), new Stock(s.available() + l.quantity(), s.reserved() - l.quantity(), s.deleted()));
    }
    List<Reservation> now = rows.stream().map(r -> new Reservation(r.orderId(), r.productId(), r.quantity(), false))
      .toList();
    reservations.put(orderId, now);
    if (created.containsKey(orderId)) {
      created.put(orderId, now);
    } else {
      released.add(orderId);
    }
    return new Decision(Outcome.RELEASED, lines, List.of());
  }

  private int available(String productId) {
    Stock s = stock.get(productId);
    return s == null || s.deleted() ? 0 : s.available();
  }

  /** Products whose stock changed, with their new stock. */
  public Map<String, Stock> changedStock() {
    Map<String, Stock> changed = new LinkedHashMap<>();
    stock.forEach((id, s) -> {
      if (!Objects.equals(before.get(id), s)) {
        changed.put(id, s);
      }
    });
    return changed;
  }

  /** Reservation rows to insert (orders reserved in this batch; released already when released in it too). */
  public List<Reservation> newReservations() {
    return created.values().stream().flatMap(List::stream).toList();
  }

  /** Orders whose existing RESERVED rows became RELEASED. */
  public List<String> releasedOrders() {
    return List.copyOf(released);
  }

  /** Orders rejected in this batch, each once: their rejection rows to insert. */
  public List<String> newRejections() {
    return List.copyOf(newlyRejected);
  }
}
