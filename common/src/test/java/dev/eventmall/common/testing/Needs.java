package dev.eventmall.common.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real servers a test class uses; {@link RealInfra} starts them (once per JVM, see {@link TestInfra}) before the
 * class runs. Registers {@link RealInfra} itself, so {@code @ExtendWith(RealInfra.class)} is optional:
 *
 * <pre>{@code
 * @Needs({Infra.MYSQL, Infra.KAFKA})
 * class OutboxRelayTest {
 *   String db = TestInfra.freshDatabase("outbox");   // mysql://root@127.0.0.1:<port>/outbox_...
 *   String kafka = TestInfra.kafka();                // 127.0.0.1:<port>
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(RealInfra.class)
public @interface Needs {
  Infra[] value();
}
