package dev.eventmall.member.domain;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;

/**
 * Argon2id password hashing (password4j, pure Java) with the OWASP baseline parameters: 19 MiB memory, 2 iterations,
 * parallelism 1, 32-byte output, 16-byte random salt; stored in PHC string form ({@code $argon2id$v=19$m=...}).
 * <p>
 * CPU- and memory-heavy on purpose: call only from a worker thread ({@code vertx.executeBlocking}), never an event loop.
 */
public final class Passwords {

  public static final int MIN_LENGTH = 8;
  public static final int MAX_LENGTH = 128;

  private static final Argon2Function ARGON2 = Argon2Function.getInstance(19 * 1024, 2, 1, 32, Argon2.ID);
  /** Checked when the e-mail is unknown, so that an unknown address costs the same time as a wrong password. */
  private static final String DUMMY_HASH = hash("dummy-password-for-unknown-accounts");

  private Passwords() {
  }

  /** A salted Argon2id hash of {@code password} (blocking). */
  public static String hash(String password) {
    return Password.hash(password).addRandomSalt(16).with(ARGON2).getResult();
  }

  /** Whether {@code password} matches {@code storedHash}; a null hash is checked against a dummy (blocking). */
  public static boolean verify(String password, String storedHash) {
    if (storedHash == null) {
      Password.check(password, DUMMY_HASH).with(ARGON2);
      return false;
    }
    try {
      return Password.check(password, storedHash).with(Argon2Function.getInstanceFromHash(storedHash));
    } catch (RuntimeException malformed) {
      return false;
    }
  }
}
