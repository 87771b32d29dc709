package dev.eventmall.reliability;

import java.util.concurrent.atomic.AtomicInteger;

/** The figures RELIABILITY.md reports, summed over the test JVM and printed at its end. */
final class Figures {
  static final AtomicInteger ORDERS = new AtomicInteger();
  static final AtomicInteger FAULTS = new AtomicInteger();
  static final AtomicInteger BAD_INPUTS = new AtomicInteger();
  static final AtomicInteger INVARIANT_CHECKS = new AtomicInteger();
  static final AtomicInteger LOSSES = new AtomicInteger();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println(summary()), "reliability-figures"));
  }

  private Figures() {
  }

  static void ordersPlaced(int n) {
    ORDERS.addAndGet(n);
  }

  static void fault(String what) {
    FAULTS.incrementAndGet();
    System.out.println("# FAULT " + what);
  }

  static String summary() {
    return "# FIGURES orders under load=" + ORDERS.get() + " faults injected=" + FAULTS.get() + " bad inputs tried="
      + BAD_INPUTS.get() + " invariant checks=" + INVARIANT_CHECKS.get() + " losses=" + LOSSES.get();
  }
}
