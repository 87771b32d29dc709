package dev.eventmall.common.text;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The text rule as a table: input (Java escapes) → accepted, or the start of the refusal. */
class TextPolicyTest {

  @ParameterizedTest(name = "[{index}] {0} → {1}")
  @CsvSource(delimiter = '|', value = {
    "무선 이어폰                 | ok",
    "Kim                       | ok",
    "line one\\nline two\\tend | ok",
    "emoji \\uD83C\\uDFA7      | ok",
    "\\uD83C\\uDFA7            | ok",
    "a\\u200Db                 | ok",
    "abc\\uD800                | must not contain an unpaired UTF-16 surrogate",
    "\\uDC00abc                | must not contain an unpaired UTF-16 surrogate",
    "\\uD800\\uD800            | must not contain an unpaired UTF-16 surrogate",
    "abc\\u202Egnp.exe         | must not contain bidirectional control characters",
    "x\\u2066y                 | must not contain bidirectional control characters",
    "x\\u200Fy                 | must not contain bidirectional control characters",
    "nul\\u0000                | must not contain control characters",
    "bell\\u0007               | must not contain control characters",
    "del\\u007F                | must not contain control characters",
    "c1\\u0085                 | must not contain control characters",
    "\\u200B\\u200B            | must contain a visible character",
    "\\uFEFF                   | must contain a visible character",
    "'   '                     | must contain a visible character",
    "\\u3000\\u00A0            | must contain a visible character",
    "''                        | must contain a visible character",
  })
  void table(String escaped, String expected) {
    String text = unescape(escaped);
    String violation = TextPolicy.violation(text);
    if ("ok".equals(expected)) {
      assertThat(violation).isNull();
    } else {
      assertThat(violation).startsWith(expected);
    }
  }

  /** \\uXXXX, \\n and \\t as in Java source. */
  static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(i + 1);
        if (n == 'u') {
          out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
          i += 5;
          continue;
        }
        if (n == 'n' || n == 't') {
          out.append(n == 'n' ? '\n' : '\t');
          i++;
          continue;
        }
      }
      out.append(c);
    }
    return out.toString();
  }
}
