package dev.eventmall.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds a {@code java} binary and builds child JVM command lines. */
final class Jvm {

  private static final Pattern RELEASE_VERSION = Pattern.compile("JAVA_VERSION=\"(?:1\\.)?(\\d+)");

  private Jvm() {
  }

  /**
   * The running JVM's java if its major version is accepted, else JAVA_HOME's, else the first accepted JDK under
   * /usr/lib/jvm.
   */
  static String java(IntPredicate acceptedMajor, String why) {
    Path running = Paths.get(System.getProperty("java.home"));
    if (acceptedMajor.test(Runtime.version().feature())) {
      return running.resolve("bin/java").toString();
    }
    List<Path> candidates = new ArrayList<>();
    Optional.ofNullable(System.getenv("JAVA_HOME")).map(Paths::get).ifPresent(candidates::add);
    Path jvms = Paths.get("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(jvms)) {
        dirs.forEach(candidates::add);
      } catch (IOException ignored) {
        // no candidates there
      }
    }
    for (Path home : candidates) {
      Path java = home.resolve("bin/java");
      if (Files.isExecutable(java) && major(home).filter(acceptedMajor::test).isPresent()) {
        return java.toString();
      }
    }
    throw new IllegalStateException("no suitable java found for " + why + " (running " + running
        + ", JAVA_HOME, /usr/lib/jvm/*)");
  }

  private static Optional<Integer> major(Path home) {
    try {
      Matcher m = RELEASE_VERSION.matcher(Files.readString(home.resolve("release")));
      return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The server classpath written by an infra/*-runtime module (resource {@code dev/eventmall/infra/<name>.classpath}),
   * plus the location of {@link ParentWatch}.
   */
  static String classpath(String name) {
    String resource = "dev/eventmall/infra/" + name + ".classpath";
    String classpath;
    try (InputStream in = Jvm.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("resource " + resource + " not found: is dev.eventmall:" + name
            + "-runtime on the classpath (mvn install in infra/" + name + "-runtime)?");
      }
      classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String entry : classpath.split(java.io.File.pathSeparator)) {
      if (!Files.exists(Paths.get(entry))) {
        throw new IllegalStateException(entry + " from " + resource + " is missing: rebuild infra/" + name
            + "-runtime (mvn install) on this machine");
      }
    }
    return classpath + java.io.File.pathSeparator + ownLocation();
  }

  private static String ownLocation() {
    try {
      return Paths.get(ParentWatch.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code java <flags> -cp <cp> ParentWatch <main> <args>}. */
  static List<String> command(String java, List<String> flags, String classpath, String main, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(flags);
    command.add("-cp");
    command.add(classpath);
    command.add(ParentWatch.class.getName());
    command.add(main);
    command.addAll(args);
    return command;
  }
}
