package dev.eventmall.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

  /** A cluster's listeners are picked together: no two of them may be the same port, and each is free to bind. */
  @Test
  void severalPortsPickedTogetherAreDistinctAndFree() throws IOException {
    for (int round = 0; round < 20; round++) {
      int[] ports = Ports.free(12);
      Set<Integer> distinct = new HashSet<>();
      for (int port : ports) {
        distinct.add(port);
      }
      assertEquals(12, distinct.size(), "ports picked together: " + java.util.Arrays.toString(ports));
      List<ServerSocket> bound = new ArrayList<>();
      try {
        for (int port : ports) {
          bound.add(new ServerSocket(port, 1, InetAddress.getLoopbackAddress()));
        }
      } finally {
        for (ServerSocket socket : bound) {
          socket.close();
        }
      }
      assertEquals(12, bound.size());
    }
  }
}
