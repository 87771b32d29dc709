package dev.eventmall.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Loopback ports. */
public final class Ports {

  private Ports() {
  }

  /** A port that was free on 127.0.0.1 a moment ago. */
  public static int free() {
    return free(1)[0];
  }

  /**
   * {@code n} different ports that were free on 127.0.0.1 a moment ago. Calling {@link #free()} {@code n} times is not the
   * same: each socket is closed before the next pick, so the kernel can answer the same port twice (seen in CI: a Kafka
   * node's PLAINTEXT and CONTROLLER listeners on one port, and its storage format refused the configuration). Here every
   * socket stays bound until all {@code n} are picked.
   */
  public static int[] free(int n) {
    ServerSocket[] sockets = new ServerSocket[n];
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets[i].setReuseAddress(true);
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("no " + n + " free ports on 127.0.0.1", e);
    } finally {
      for (ServerSocket socket : sockets) {
        if (socket != null) {
          try {
            socket.close();
          } catch (IOException ignored) {
            // the port is released either way
          }
        }
      }
    }
  }

  /** {@code wanted} if it is not 0, else a free port. */
  static int orFree(int wanted) {
    return wanted != 0 ? wanted : free();
  }

  /**
   * Starts a server on ports picked by {@link #free()}, again (at most 3 times) when it lost the race for one of them
   * to another process between the pick and its bind ("Address already in use" in the failure's log tail).
   */
  static <T> T retryingBindRace(boolean freePorts, java.util.function.Supplier<T> start) {
    for (int attempt = 1; ; attempt++) {
      try {
        return start.get();
      } catch (IllegalStateException e) {
        if (!freePorts || attempt == 3 || e.getMessage() == null
            || !e.getMessage().contains("Address already in use")) {
          throw e;
        }
        System.out.println("[infra] a picked port was taken meanwhile, retrying with new ports: "
            + e.getMessage().lines().findFirst().orElse(""));
      }
    }
  }

  /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
  public static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
