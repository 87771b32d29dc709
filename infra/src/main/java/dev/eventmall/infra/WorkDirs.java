package dev.eventmall.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Work directories {@code ${java.io.tmpdir}/eventmall-infra/<kind>-<pid>-<n>}. Creating one first removes the
 * directories of processes that are no longer alive.
 */
final class WorkDirs {

  static final Path ROOT = Paths.get(System.getProperty("java.io.tmpdir"), "eventmall-infra");
  private static final Pattern OWNED = Pattern.compile("[a-z]+-(\\d+)-\\d+");
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static volatile boolean swept;

  private WorkDirs() {
  }

  static Path create(String kind) {
    try {
      Files.createDirectories(ROOT);
      if (!swept) {
        swept = true;
        sweepStale();
      }
      Path dir = ROOT.resolve(kind + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
      deleteRecursively(dir);
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a work dir under " + ROOT, e);
    }
  }

  /** Deletes the work dirs whose owner process is dead. */
  static void sweepStale() {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(ROOT)) {
      for (Path dir : dirs) {
        Matcher owner = OWNED.matcher(dir.getFileName().toString());
        if (owner.matches() && ProcessHandle.of(Long.parseLong(owner.group(1))).map(p -> !p.isAlive()).orElse(true)) {
          deleteRecursively(dir);
        }
      }
    } catch (IOException e) {
      // best effort
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a dead process's sockets or files vanishing concurrently
    }
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
