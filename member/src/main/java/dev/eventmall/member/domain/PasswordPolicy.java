package dev.eventmall.member.domain;

import com.nulabinc.zxcvbn.StandardDictionaries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Set;

/**
 * What a new password must not be, after NIST SP 800-63B §5.1.1.2 (issue 16 row 9: {@code 12345678}, {@code password}
 * and the account's own e-mail were accepted): one of the passwords most used in breach corpora (the 30,000 of
 * zxcvbn's list, compared case-insensitively), the account's e-mail address, its local part or its name, or one
 * character repeated. Length and the text rule are checked before this ({@code Inputs.newPassword}). No composition
 * rules (NIST advises against them). Pure apart from reading the list once.
 */
public final class PasswordPolicy {
  private static final Set<String> COMMON = load();

  private PasswordPolicy() {
  }

  private static Set<String> load() {
    try {
      return Set.copyOf(StandardDictionaries.PASSWORDS_LOADER.load().getRankedDictionary().keySet());
    } catch (IOException e) {
      throw new UncheckedIOException("zxcvbn's password list did not load", e);
    }
  }

  /** Why {@code password} is refused for the account of {@code email} and {@code name}, or null when it is fine. */
  public static String violation(String password, String email, String name) {
    String lower = password.toLowerCase(Locale.ROOT);
    if (COMMON.contains(lower)) {
      return "is one of the most commonly used passwords";
    }
    if (email != null) {
      String mail = email.toLowerCase(Locale.ROOT);
      int at = mail.indexOf('@');
      if (lower.equals(mail) || (at > 0 && lower.equals(mail.substring(0, at)))) {
        return "must not be the account's e-mail address";
      }
    }
    if (name != null && lower.equals(name.trim().toLowerCase(Locale.ROOT))) {
      return "must not be the account's name";
    }
    if (password.codePoints().distinct().count() == 1) {
      return "must not be one character repeated";
    }
    return null;
  }
}
