package dev.eventmall.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RedisServerTest {

  @Test
  void answersPingSetAndGet() throws IOException {
    try (RedisServer redis = RedisServer.start();
         Socket socket = new Socket("127.0.0.1", redis.port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));

      out.write("PING\r\n".getBytes(StandardCharsets.UTF_8));
      assertEquals("+PONG", in.readLine());

      out.write("*3\r\n$3\r\nSET\r\n$4\r\ncart\r\n$5\r\nthree\r\n".getBytes(StandardCharsets.UTF_8));
      assertEquals("+OK", in.readLine());

      out.write("*2\r\n$3\r\nGET\r\n$4\r\ncart\r\n".getBytes(StandardCharsets.UTF_8));
      assertEquals("$5", in.readLine());
      assertEquals("three", in.readLine());
    }
  }

  @Test
  void aTakenFixedPortFailsWithTheServersOwnWords() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      IllegalStateException failure = assertThrows(IllegalStateException.class,
          () -> RedisServer.start(taken.getLocalPort()));
      assertTrue(failure.getMessage().contains("exited with code"), failure.getMessage());
      assertTrue(failure.getMessage().contains("Address already in use"), "log tail in the message");
    }
  }
}
