package dev.eventmall.reliability;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An event the services' own committed rows say was appended (in the transaction that wrote them) and so must be on its
 * topic: {@code type} records on {@code topic} keyed by each of {@code keys}. {@link Stores#owedEvents()} reads them
 * from the domain tables (not from the outbox, whose published rows may be deleted); {@link #missing} compares them
 * with what the topics hold. Pure: no I/O.
 *
 * @param what  where the keys come from, for the message ("orders.orders")
 * @param topic the topic the event is published to
 * @param type  the event type (the record's {@code type} header)
 * @param keys  the record keys (aggregate ids) that must have one
 */
record Owed(String what, String topic, String type, Collection<String> keys) {

  /** How many missing keys a message names. */
  static final int NAMED = 10;

  /**
   * What is owed but not published, one line per (topic, type) that lacks any: "order.events OrderPlaced for
   * orders.orders: 2 of 40 missing, e.g. [a, b]"; empty when everything is there.
   *
   * @param published topic → event type → the keys of the records of that type on it
   */
  static List<String> missing(Map<String, Map<String, Set<String>>> published, List<Owed> owed) {
    List<String> missing = new ArrayList<>();
    for (Owed o : owed) {
      Set<String> there = published.getOrDefault(o.topic(), Map.of()).getOrDefault(o.type(), Set.of());
      Set<String> lacking = new TreeSet<>(o.keys());
      lacking.removeAll(there);
      if (!lacking.isEmpty()) {
        missing.add(o.topic() + " " + o.type() + " for " + o.what() + ": " + lacking.size() + " of "
          + new TreeSet<>(o.keys()).size() + " missing, e.g. " + lacking.stream().limit(NAMED).toList());
      }
    }
    return missing;
  }
}
