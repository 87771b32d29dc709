package dev.eventmall.infra;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Main class wrapped around a server's main in every child JVM: {@code ParentWatch <main class> <args...>}.
 * The child's stdin is a pipe from the parent; when it reaches EOF (the parent closed it, or died - even by SIGKILL)
 * the child exits through its shutdown hooks, and halts if they take longer than 20 s.
 */
public final class ParentWatch {

  private ParentWatch() {
  }

  public static void main(String[] args) throws Throwable {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: ParentWatch <main class> [args...]");
    }
    Thread watch = new Thread(ParentWatch::exitOnEof, "eventmall-parent-watch");
    watch.setDaemon(true);
    watch.start();
    try {
      Class.forName(args[0])
          .getMethod("main", String[].class)
          .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void exitOnEof() {
    try {
      byte[] buffer = new byte[256];
      while (System.in.read(buffer) >= 0) {
        // the parent never writes; only EOF matters
      }
    } catch (IOException e) {
      // a broken pipe means the parent is gone as well
    }
    Thread halt = new Thread(() -> {
      try {
        Thread.sleep(20_000);
      } catch (InterruptedException ignored) {
        // halt now
      }
      Runtime.getRuntime().halt(1);
    }, "eventmall-parent-watch-halt");
    halt.setDaemon(true);
    halt.start();
    System.exit(0);
  }
}
