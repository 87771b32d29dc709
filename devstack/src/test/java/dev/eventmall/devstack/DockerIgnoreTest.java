package dev.eventmall.devstack;

import org.junit.jupiter.api.Test;
import org.testcontainers.shaded.com.github.dockerjava.core.GoLangFileMatch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.eventmall.devstack.ComposeConsistencyTest.ROOT;
import static dev.eventmall.devstack.ComposeConsistencyTest.compose;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The top-level .dockerignore keeps the build context of ops/Dockerfile small without losing what it copies: every
 * {@code <service>/target/<service>.jar} that a docker-compose.yml build names stays in, version control, devstack's
 * data, other build output, node_modules, IDE files and logs stay out.
 *
 * <p>Patterns are matched with docker-java's .dockerignore matcher ({@code GoLangFileMatch}, Go's filepath.Match with
 * {@code **} and parent-directory matching: the matcher docker-java uses to build an image's context), as relocated
 * inside Testcontainers, which infra already depends on: no new dependency and no hand-written glob code. Docker's
 * rule that the last matching line decides and {@code !} puts a path back is applied here as docker-java applies it.
 * One known difference from Docker: docker-java's leading {@code **}/ needs at least one directory, so the file names
 * the top-level {@code target} on its own line (and this test checks it is excluded).
 */
class DockerIgnoreTest {

  static List<String> patterns() throws IOException {
    List<String> patterns = new ArrayList<>();
    for (String line : Files.readAllLines(ROOT.resolve(".dockerignore"))) {
      String pattern = line.trim();
      if (!pattern.isEmpty() && !pattern.startsWith("#")) {
        patterns.add(pattern);
      }
    }
    return patterns;
  }

  /** Whether {@code path} (relative to the context, with /) is left out of the build context. */
  static boolean excluded(List<String> patterns, String path) {
    boolean excluded = false;
    for (String pattern : patterns) {
      boolean exception = pattern.startsWith("!");
      if (GoLangFileMatch.match(exception ? pattern.substring(1) : pattern, path)) {
        excluded = !exception;
      }
    }
    return excluded;
  }

  /** The jars docker-compose.yml's builds copy: ops/Dockerfile's {@code COPY ${SERVICE}/target/${SERVICE}.jar}. */
  @SuppressWarnings("unchecked")
  static List<String> copiedJars() throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("ops/Dockerfile"));
    assertThat(dockerfile).contains("COPY ${SERVICE}/target/${SERVICE}.jar /app/app.jar");
    List<String> jars = new ArrayList<>();
    ((Map<String, Object>) compose().get("services")).forEach((name, spec) -> {
      Map<String, Object> build = (Map<String, Object>) ((Map<String, Object>) spec).get("build");
      if (build != null && "ops/Dockerfile".equals(build.get("dockerfile"))) {
        assertThat(String.valueOf(build.get("context"))).as(name).isEqualTo(".");
        String service = String.valueOf(((Map<String, Object>) build.get("args")).get("SERVICE"));
        jars.add(service + "/target/" + service + ".jar");
      }
    });
    return jars;
  }

  @Test
  void everyJarTheImagesCopyStaysInTheBuildContext() throws IOException {
    List<String> patterns = patterns();
    List<String> jars = copiedJars();
    assertThat(jars).contains("member/target/member.jar", "payment/target/payment.jar", "delivery/target/delivery.jar",
      "search/target/search.jar", "catalog/target/catalog.jar", "order/target/order.jar",
      "storefront/target/storefront.jar", "emulators/target/emulators.jar");
    jars.forEach(jar -> assertThat(excluded(patterns, jar)).as(jar + " is copied by ops/Dockerfile").isFalse());
    assertThat(excluded(patterns, "ops/Dockerfile")).isFalse();
  }

  @Test
  void whatTheImagesDoNotNeedStaysOut() throws IOException {
    List<String> patterns = patterns();
    for (String path : List.of(".git/HEAD", ".git/objects/ab/cdef", ".devstack/kafka/node-1/meta.properties",
      "devstack/.devstack/x", "target/classes/x", "member/target/classes/dev/eventmall/member/Main.class",
      "member/target/member-0.1.0-SNAPSHOT.jar", "member/target/original-member.jar",
      "common/target/common-0.1.0-SNAPSHOT.jar", "load-tests/target/gatling/run/index.html",
      "storefront/node_modules/x/index.js", "node_modules/x/package.json", ".idea/workspace.xml",
      "member/member.iml", ".vscode/settings.json", "bench.log", "load-tests/results/run.log")) {
      assertThat(excluded(patterns, path)).as(path).isTrue();
    }
    assertThat(excluded(patterns, "member/src/main/java/dev/eventmall/member/Main.java")).isFalse();
  }

  /** The matcher itself, on Docker's documented cases, so a change of library cannot make the checks above vacuous. */
  @Test
  void theMatcherFollowsDockersRules() {
    List<String> patterns = List.of("*.md", "!README*.md", "README-secret.md", "**/build/*", "temp?");
    assertThat(excluded(patterns, "notes.md")).isTrue();
    assertThat(excluded(patterns, "README.md")).isFalse();
    assertThat(excluded(patterns, "README-secret.md")).isTrue();
    assertThat(excluded(patterns, "docs/notes.md")).isFalse();
    assertThat(excluded(patterns, "a/b/build/x.jar")).isTrue();
    assertThat(excluded(patterns, "tempa/inner/file")).isTrue();
    assertThat(excluded(patterns, "tempab")).isFalse();
  }
}
