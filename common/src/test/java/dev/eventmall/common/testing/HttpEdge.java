package dev.eventmall.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps HTTP at the edge of a service: only its {@code api} package and its verticles (which wire the router) may
 * refer to the HTTP error mechanics — anything in {@code dev.eventmall.common.http} ({@code ProblemException},
 * {@code Problem}, ...), Vert.x Web's handlers ({@code HttpException}) and the routing types. Domain, service,
 * persistence, messaging and client code raise {@code DomainException}s instead; the failure handler maps them.
 * <p>
 * Reads the compiled classes of the module (its {@code target/classes}), so a fully qualified name in the code is
 * caught as surely as an import, and a comment is not.
 */
public final class HttpEdge {

  /** The HTTP names service code must not use, as they appear in class files. */
  static final Pattern HTTP_NAMES = Pattern.compile(
    "dev/eventmall/common/http/[\\w$]+|io/vertx/ext/web/handler/[\\w$]+|io/vertx/ext/web/(?:Router|RoutingContext|Route)(?![\\w$/])");

  private HttpEdge() {
  }

  /**
   * Asserts that no class of the module holding {@code rootClass} (a class in the service's root package, e.g. its
   * verticle) uses an HTTP name, except the classes of {@code <root>.api} and the root package's {@code *Verticle}s.
   */
  public static void assertOnlyTheEdgeUsesHttp(Class<?> rootClass) {
    String root = rootClass.getPackageName();
    Predicate<String> edge = name -> name.startsWith(root + ".api.")
      || name.startsWith(root + ".") && name.indexOf('.', root.length() + 1) < 0
      && topLevel(name.substring(root.length() + 1)).endsWith("Verticle");
    assertNoHttpOutside(rootClass, edge);
  }

  /** Asserts that no class of the module holding {@code anyClass} uses an HTTP name unless {@code edge} accepts it. */
  public static void assertNoHttpOutside(Class<?> anyClass, Predicate<String> edge) {
    Map<String, Set<String>> found = httpUses(anyClass);
    found.keySet().removeIf(edge);
    assertThat(found)
      .as("service and domain code raises DomainExceptions and leaves HTTP to api/ (classes -> HTTP names they use)")
      .isEmpty();
  }

  /** Every class of the module holding {@code anyClass} that uses an HTTP name, with the names it uses. */
  public static Map<String, Set<String>> httpUses(Class<?> anyClass) {
    Path classes = classesOf(anyClass);
    Map<String, Set<String>> uses = new TreeMap<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        // class and descriptor names are plain ASCII in the constant pool
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        Matcher m = HTTP_NAMES.matcher(text);
        Set<String> names = new TreeSet<>();
        while (m.find()) {
          names.add(m.group().replace('/', '.'));
        }
        if (!names.isEmpty()) {
          String rel = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
          uses.put(rel.substring(0, rel.length() - ".class".length()), names);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return uses;
  }

  private static Path classesOf(Class<?> c) {
    try {
      Path location = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!Files.isDirectory(location)) {
        throw new IllegalStateException(c + " is not loaded from a class directory but from " + location);
      }
      return location;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code OrderVerticle$1} → {@code OrderVerticle}. */
  private static String topLevel(String simpleBinaryName) {
    int dollar = simpleBinaryName.indexOf('$');
    return dollar < 0 ? simpleBinaryName : simpleBinaryName.substring(0, dollar);
  }

  /** The names that count as HTTP (for a test of this rule itself). */
  static List<String> httpNamesIn(String classFileText) {
    return HTTP_NAMES.matcher(classFileText).results().map(r -> r.group().replace('/', '.')).toList();
  }
}
