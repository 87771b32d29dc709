package dev.eventmall.common.db;

import io.vertx.core.VertxException;

import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;

/**
 * Whether a handler failed because one of the service's own stores (MySQL, Redis, Cassandra) could not be reached:
 * connection refused, reset or closed under a running query, no node available. Such a failure says nothing about the
 * event or the request, only about the moment: the Kafka bridge ({@code EventHandlers}) waits it out instead of spending
 * the event's attempts and parking it (a database restart of a few seconds would otherwise park every event that
 * arrives meanwhile), and the HTTP failure handler ({@code FailureHandler}) answers 503 {@code store-unavailable} with
 * {@code Retry-After} instead of a 500 the client cannot tell from a bug.
 */
public final class StoreUnavailable {
  /** Client exceptions, by simple name, that mean "the server is not there" (Vert.x SQL, DataStax driver). */
  private static final Set<String> NAMES = Set.of("ClosedConnectionException", "ConnectTimeoutException",
    "NoNodeAvailableException", "AllNodesFailedException", "ConnectionInitException");

  private StoreUnavailable() {
  }

  /**
   * True when {@code failure} itself (or the cause of a bare {@link VertxException}) says a store could not be reached.
   * Causes are not searched further on purpose: a client of an outside system (the carrier, Toss) wraps its connection
   * errors in its own "outcome unknown" failure, and those must keep their bounded retries and their dead letter.
   */
  public static boolean is(Throwable failure) {
    Throwable t = failure != null && failure.getClass() == VertxException.class && failure.getCause() != null
      ? failure.getCause() : failure;
    return t instanceof ConnectException || t instanceof SocketException || t instanceof ClosedChannelException
      || t != null && NAMES.contains(t.getClass().getSimpleName());
  }
}
