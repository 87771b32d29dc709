package dev.eventmall.common.logging;

import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;

/**
 * The Vert.x context locals of this code base ({@link io.vertx.core.Context#getLocal}), registered the way
 * {@link ContextLocal}'s documentation asks: a local exists only in the Vert.x instances made after its registration,
 * and Vert.x loads its service providers (this class, listed in
 * {@code META-INF/services/io.vertx.core.spi.VertxServiceProvider}) before it makes an instance, whoever makes it
 * (a service's {@code Metrics.newVertx}, a test's {@code Vertx.vertx()}, the emulators).
 */
public final class ContextLocals implements VertxServiceProvider {
  /** The {@link LogContext} fields of the request or event handling a context is for. */
  static final ContextLocal<LogContext.Fields> LOG_FIELDS = ContextLocal.registerLocal(LogContext.Fields.class);

  /**
   * Nothing to set up: loading this class registered the locals. The parameter's type is the one
   * {@link VertxServiceProvider} declares; it is not used.
   */
  @Override
  public void init(io.vertx.core.internal.VertxBootstrap bootstrap) {
  }
}
