package dev.eventmall.common.testing;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit 5 extension: before a test class runs, starts (or reuses) the servers its {@link Needs} annotation names, also
 * looking at enclosing classes for {@code @Nested} tests. Without {@code @Needs} it starts nothing.
 */
public final class RealInfra implements BeforeAllCallback {

  @Override
  public void beforeAll(ExtensionContext context) {
    Set<Infra> needed = EnumSet.noneOf(Infra.class);
    for (Optional<Class<?>> type = context.getTestClass(); type.isPresent();
         type = Optional.ofNullable(type.get().getEnclosingClass())) {
      AnnotationSupport.findAnnotation(type.get(), Needs.class).ifPresent(n -> needed.addAll(Set.of(n.value())));
    }
    TestInfra.start(needed.toArray(Infra[]::new));
  }
}
