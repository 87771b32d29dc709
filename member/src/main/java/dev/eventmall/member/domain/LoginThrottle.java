package dev.eventmall.member.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Throttling rule for the logins of one e-mail address (known or not, so that it reveals nothing), counted per client
 * address so that an attacker's failures slow the attacker, not the account's owner (issue 16 row 8: five wrong
 * passwords from anywhere used to lock the account for everyone, the right password included, again and again):
 * <ul>
 *   <li>per client: the first {@link #maxFailures} failures within {@link #window} are free; after them each attempt waits
 *   {@link #firstDelay}, doubled with every further failure, at most {@link #window}, counted from the last failure;</li>
 *   <li>per account, over all clients: past {@link #accountMaxFailures} failures within the window every client waits
 *   for the window (a guess spread over many addresses).</li>
 * </ul>
 * A success clears the client's count only. Pure: the rows come from {@code login_failures}.
 */
public record LoginThrottle(int maxFailures, Duration window, Duration firstDelay, int accountMaxFailures) {

  public static final LoginThrottle DEFAULT = new LoginThrottle(5, Duration.ofMinutes(15), Duration.ofSeconds(30), 100);

  /** The failures recorded for one e-mail address from one client: how many, since when, the last one when. */
  public record Failures(String client, int count, Instant windowStartedAt, Instant lastFailureAt) {
  }

  /** Seconds until {@code client} may try again, or 0 when it may now; {@code rows} are the e-mail's, every client's. */
  public long retryAfterSeconds(List<Failures> rows, String client, Instant now) {
    Instant reopens = now;
    int total = 0;
    Instant oldestWindow = null;
    for (Failures f : rows) {
      if (!f.windowStartedAt().plus(window).isAfter(now)) {
        continue; // an expired window counts for nothing
      }
      total += f.count();
      oldestWindow = oldestWindow == null || f.windowStartedAt().isBefore(oldestWindow) ? f.windowStartedAt() : oldestWindow;
      if (f.client().equals(client) && f.count() >= maxFailures) {
        Instant after = f.lastFailureAt().plus(delayAfter(f.count()));
        reopens = after.isAfter(reopens) ? after : reopens;
      }
    }
    if (total >= accountMaxFailures && oldestWindow != null) {
      Instant after = oldestWindow.plus(window);
      reopens = after.isAfter(reopens) ? after : reopens;
    }
    if (!reopens.isAfter(now)) {
      return 0;
    }
    return Math.max(1, Duration.between(now, reopens).toSeconds() + 1);
  }

  /** The wait after {@code failures} failures of one client: firstDelay × 2^(failures − maxFailures), at most the window. */
  Duration delayAfter(int failures) {
    int doublings = Math.min(30, Math.max(0, failures - maxFailures));
    Duration delay = firstDelay.multipliedBy(1L << doublings);
    return delay.compareTo(window) > 0 ? window : delay;
  }
}
