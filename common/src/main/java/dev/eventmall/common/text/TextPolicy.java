package dev.eventmall.common.text;

/**
 * The one rule every text field of every service passes before anything is stored (issue 16 rows 3 and 12): a lone
 * UTF-16 surrogate (which MySQL and Cassandra store as {@code ?} or refuse mid-write), a control character other than
 * tab, line feed and carriage return (C0, DEL, C1, NUL), or a bidirectional embedding/override/isolate (which makes
 * {@code abc\u202Egnp.exe} display as {@code abcexe.png}) is refused, and a value must show at least one visible
 * character (not only spaces, zero-width or other format characters). Pure: no I/O.
 */
public final class TextPolicy {
  private TextPolicy() {
  }

  /** Why {@code text} is refused (a message for a 422 field error), or null when it is acceptable. */
  public static String violation(String text) {
    boolean visible = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return "must not contain an unpaired UTF-16 surrogate (at " + i + ")";
        }
        int cp = text.codePointAt(i);
        i++;
        visible |= Character.getType(cp) != Character.FORMAT;
        continue;
      }
      if (Character.isLowSurrogate(c)) {
        return "must not contain an unpaired UTF-16 surrogate (at " + i + ")";
      }
      if (c == '\t' || c == '\n' || c == '\r') {
        continue;
      }
      if (Character.isISOControl(c)) {
        return "must not contain control characters (U+" + hex(c) + " at " + i + ")";
      }
      if (bidiControl(c)) {
        return "must not contain bidirectional control characters (U+" + hex(c) + " at " + i + ")";
      }
      visible |= !Character.isWhitespace(c) && !Character.isSpaceChar(c) && Character.getType(c) != Character.FORMAT;
    }
    return visible ? null : "must contain a visible character";
  }

  /** LRE, RLE, PDF, LRO, RLO (U+202A–U+202E), LRI, RLI, FSI, PDI (U+2066–U+2069), LRM/RLM/ALM. */
  static boolean bidiControl(char c) {
    return (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u200E' || c == '\u200F'
      || c == '\u061C';
  }

  private static String hex(char c) {
    return String.format("%04X", (int) c);
  }
}
