package dev.eventmall.order.domain;

import java.time.Instant;

/**
 * One row of an order's timeline.
 *
 * @param outcome APPLIED (the state moved or the event was the order's own), IGNORED (did not apply to the state)
 */
public record TimelineEntry(long seq, String eventId, String eventType, String source, String outcome,
                            OrderStatus from, OrderStatus to, String detail, Instant occurredAt, Instant recordedAt) {
  public static final String APPLIED = "APPLIED";
  public static final String IGNORED = "IGNORED";
}
