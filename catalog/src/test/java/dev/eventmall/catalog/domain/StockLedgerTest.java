package dev.eventmall.catalog.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The stock rules as a table: starting stock, reservations and orders rejected before, a batch of events applied in
 * order, and what must come out — each event's outcome, the stock rows written, the reservation rows inserted, the
 * orders whose rows are released, the orders recorded as rejected.
 *
 * <p>Notation: stock {@code a=5/1} (available 5, reserved 1; {@code !} = deleted product); reservations
 * {@code o1:a=2+} (order o1 holds 2 of a; {@code -} = released); rejected orders {@code o1}; events
 * {@code +o2(a=1 b=2)} (OrderPlaced with lines) and {@code -o1} (a releasing event: PaymentFailed, OrderCancelled,
 * DeliveryFailed).
 */
class StockLedgerTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
    # case                                | stock             | reservations      | rejected | events              | outcomes                     | stock written   | rows inserted    | released | rejections
    all lines available                   | a=5/0 b=2/0       |                   |          | +o1(a=2 b=2)        | RESERVED                     | a=3/2 b=0/2     | o1:a=2+ o1:b=2+  |          |
    one line short: nothing taken         | a=5/0 b=1/0       |                   |          | +o1(a=2 b=2)        | REJECTED[a:2/5 b:2/1]        |                 |                  |          | o1
    deleted product counts as none        | a=5/0 d=9/0!      |                   |          | +o1(d=1)            | REJECTED[d:1/0]              |                 |                  |          | o1
    unknown product counts as none        | a=5/0             |                   |          | +o1(z=1)            | REJECTED[z:1/0]              |                 |                  |          | o1
    exact stock then nothing left         | a=2/0             |                   |          | +o1(a=2) +o2(a=1)   | RESERVED REJECTED[a:1/0]     | a=0/2           | o1:a=2+          |          | o2
    placed twice in one batch             | a=5/0             |                   |          | +o1(a=1) +o1(a=1)   | RESERVED NOTHING             | a=4/1           | o1:a=1+          |          |
    placed before (held)                  | a=5/1             | o1:a=1+           |          | +o1(a=1)            | NOTHING                      |                 |                  |          |
    placed before (released)              | a=5/0             | o1:a=1-           |          | +o1(a=1)            | NOTHING                      |                 |                  |          |
    rejected before, placed after restock | a=5/0             |                   | o1       | +o1(a=1)            | NOTHING                      |                 |                  |          |
    rejected twice in one batch           | a=0/0             |                   |          | +o1(a=1) +o1(a=1)   | REJECTED[a:1/0] NOTHING      |                 |                  |          | o1
    rejected, then stock freed in batch   | a=0/1             | o2:a=1+           |          | +o1(a=1) -o2 +o1(a=1) | REJECTED[a:1/0] RELEASED[a=1] NOTHING | a=1/0 |               | o2       | o1
    release what is held                  | a=3/2 b=0/2       | o1:a=2+ o1:b=2+   |          | -o1                 | RELEASED[a=2 b=2]            | a=5/0 b=2/0     |                  | o1       |
    release twice                         | a=3/2             | o1:a=2+           |          | -o1 -o1             | RELEASED[a=2] NOTHING        | a=5/0           |                  | o1       |
    release never reserved                | a=3/0             |                   |          | -o1                 | NOTHING                      |                 |                  |          |
    release after rejection               | a=0/0             |                   |          | +o1(a=1) -o1        | REJECTED[a:1/0] NOTHING      |                 |                  |          | o1
    release of an order rejected before   | a=3/0             |                   | o1       | -o1                 | NOTHING                      |                 |                  |          |
    released before                       | a=3/0             | o1:a=2-           |          | -o1                 | NOTHING                      |                 |                  |          |
    reserve then release in one batch     | a=3/0             |                   |          | +o1(a=2) -o1        | RESERVED RELEASED[a=2]       |                 | o1:a=2-          |          |
    release frees stock for a later order | a=0/2             | o1:a=2+           |          | -o1 +o2(a=2)        | RELEASED[a=2] RESERVED       |                 | o2:a=2+          | o1       |
    release of a deleted product's units  | d=0/1!            | o1:d=1+           |          | -o1                 | RELEASED[d=1]                | d=1/0!          |                  | o1       |
    orders interleaved keep their order   | a=1/0             |                   |          | +o1(a=1) +o2(a=1) -o1 +o3(a=1) | RESERVED REJECTED[a:1/0] RELEASED[a=1] RESERVED | a=0/1 | o1:a=1- o3:a=1+ | | o2
    """)
  void table(String name, String stock, String reservations, String rejected, String events, String outcomes,
             String written, String inserted, String released, String rejections) {
    StockLedger ledger = new StockLedger(stock(stock), reservations(reservations), Set.copyOf(words(rejected)));
    StringJoiner actual = new StringJoiner(" ");
    for (String event : words(events)) {
      StockLedger.Decision d = event.startsWith("+")
        ? ledger.place(event.substring(1, event.indexOf('(')), lines(event))
        : ledger.release(event.substring(1));
      actual.add(show(d));
    }
    assertThat(actual.toString()).as("outcomes").isEqualTo(outcomes);
    assertThat(ledger.changedStock()).as("stock written").isEqualTo(stock(written));
    assertThat(ledger.newReservations()).as("rows inserted").isEqualTo(reservations(inserted));
    assertThat(ledger.releasedOrders()).as("released").isEqualTo(words(released));
    assertThat(ledger.newRejections()).as("rejections inserted").isEqualTo(words(rejections));
  }

  @Test
  void releasingMoreThanIsReservedIsAnInconsistencyNotANegativeStock() {
    StockLedger ledger = new StockLedger(stock("a=5/1"), reservations("o1:a=2+"), Set.of());
    assertThatThrownBy(() -> ledger.release("o1")).isInstanceOf(IllegalStateException.class)
      .hasMessageContaining("holds 2 of a but only 1");
  }

  @Test
  void unitsAreConservedWhateverTheBatch() {
    StockLedger ledger = new StockLedger(stock("a=4/0 b=3/0"), reservations(null), Set.of());
    for (int i = 0; i < 20; i++) {
      String order = "o" + (i % 7);
      if (i % 3 == 2) {
        ledger.release(order);
      } else {
        ledger.place(order, List.of(new StockLine("a", 1 + i % 2), new StockLine("b", 1)));
      }
    }
    Map<String, StockLedger.Stock> after = new LinkedHashMap<>(stock("a=4/0 b=3/0"));
    after.putAll(ledger.changedStock());
    assertThat(after.get("a").available() + after.get("a").reserved()).isEqualTo(4);
    assertThat(after.get("b").available() + after.get("b").reserved()).isEqualTo(3);
    assertThat(after.values()).allMatch(s -> s.available() >= 0 && s.reserved() >= 0);
  }

  private static String show(StockLedger.Decision d) {
    StringJoiner detail = new StringJoiner(" ", "[", "]");
    d.shortages().forEach(s -> detail.add(s.productId() + ":" + s.requested() + "/" + s.available()));
    if (d.outcome() == StockLedger.Outcome.RELEASED) {
      d.lines().forEach(l -> detail.add(l.productId() + "=" + l.quantity()));
    }
    return d.outcome() + (detail.length() > 2 ? detail.toString() : "");
  }

  private static List<String> words(String s) {
    if (s == null || s.isBlank()) {
      return List.of();
    }
    // split on spaces outside parentheses
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    int depth = 0;
    for (char c : s.trim().toCharArray()) {
      if (c == '(' || c == '[') {
        depth++;
      } else if (c == ')' || c == ']') {
        depth--;
      }
      if (c == ' ' && depth == 0) {
        if (w.length() > 0) {
          out.add(w.toString());
        }
        w.setLength(0);
      } else {
        w.append(c);
      }
    }
    if (w.length() > 0) {
      out.add(w.toString());
    }
    return out;
  }

  private static Map<String, StockLedger.Stock> stock(String s) {
    Map<String, StockLedger.Stock> m = new LinkedHashMap<>();
    for (String w : words(s)) {
      String[] kv = w.split("=");
      boolean deleted = kv[1].endsWith("!");
      String[] ar = kv[1].replace("!", "").split("/");
      m.put(kv[0], new StockLedger.Stock(Integer.parseInt(ar[0]), Integer.parseInt(ar[1]), deleted));
    }
    return m;
  }

  private static List<StockLedger.Reservation> reservations(String s) {
    return words(s).stream().map(w -> {
      String[] ol = w.split(":");
      String[] pq = ol[1].split("=");
      boolean held = pq[1].endsWith("+");
      return new StockLedger.Reservation(ol[0], pq[0], Integer.parseInt(pq[1].substring(0, pq[1].length() - 1)), held);
    }).toList();
  }

  private static List<StockLine> lines(String event) {
    String inner = event.substring(event.indexOf('(') + 1, event.length() - 1);
    return words(inner).stream().map(w -> new StockLine(w.split("=")[0], Integer.parseInt(w.split("=")[1]))).toList();
  }
}
