package dev.eventmall.common.http;

/**
 * The token-bucket rule, pure: a bucket holds at most {@code burst} tokens, refills at {@code perSecond}, and a request
 * takes one. {@link #take} answers the bucket after the attempt and, when refused, how long until a token is there.
 */
public record TokenBucket(double tokens, long atNanos) {

  /** What an attempt gave: the bucket to keep, and 0 when admitted or the milliseconds to wait when refused. */
  public record Taken(TokenBucket bucket, long retryAfterMs) {
    public boolean admitted() {
      return retryAfterMs == 0;
    }
  }

  /** A full bucket at {@code nowNanos}. */
  public static TokenBucket full(int burst, long nowNanos) {
    return new TokenBucket(burst, nowNanos);
  }

  /** One attempt at {@code nowNanos}. */
  public Taken take(double perSecond, int burst, long nowNanos) {
    double refilled = Math.min(burst, tokens + Math.max(0, nowNanos - atNanos) / 1e9 * perSecond);
    if (refilled >= 1) {
      return new Taken(new TokenBucket(refilled - 1, nowNanos), 0);
    }
    long waitMs = (long) Math.ceil((1 - refilled) / perSecond * 1000);
    return new Taken(new TokenBucket(refilled, nowNanos), Math.max(1, waitMs));
  }
}
