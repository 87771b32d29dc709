package dev.eventmall.common.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The strict reading of a raw query string ({@code a=1&b=%C3%A9}): every {@code %} starts an escape of two hex digits
 * and the bytes they spell are UTF-8. Netty's decoder, under {@code ctx.queryParams()}, throws on a broken escape and
 * silently turns invalid UTF-8 into U+FFFD; vertx-openapi decodes the values a second time and throws on a {@code %}
 * that the first decoding produced. Checked first, a query string that is not text is refused with a 400 that names
 * the parameter, before any decoder sees it.
 */
final class QueryString {

  /** The longest parameter name repeated in an answer. */
  private static final int MAX_NAME = 100;

  private QueryString() {
  }

  /**
   * The name of the first parameter of {@code rawQuery} whose name or value is not percent-encoded UTF-8 (the name as
   * sent when the name itself is broken, at most {@value #MAX_NAME} characters), or null when every one decodes. Pairs
   * are separated by {@code &} or {@code ;}, as the decoder under {@code ctx.queryParams()} separates them.
   */
  static String firstMalformed(String rawQuery) {
    if (rawQuery == null || rawQuery.indexOf('%') < 0) {
      return null;
    }
    int start = 0;
    int length = rawQuery.length();
    while (start <= length) {
      int end = start;
      while (end < length && rawQuery.charAt(end) != '&' && rawQuery.charAt(end) != ';') {
        end++;
      }
      int equals = rawQuery.indexOf('=', start);
      int nameEnd = equals < 0 || equals > end ? end : equals;
      String name = decode(rawQuery, start, nameEnd);
      if (name == null) {
        String raw = rawQuery.substring(start, nameEnd);
        return raw.length() > MAX_NAME ? raw.substring(0, MAX_NAME) + "…" : raw;
      }
      if (nameEnd < end && decode(rawQuery, nameEnd + 1, end) == null) {
        return name.length() > MAX_NAME ? name.substring(0, MAX_NAME) + "…" : name;
      }
      start = end + 1;
    }
    return null;
  }

  /**
   * Whether every {@code %} of {@code s} begins an escape of two hexadecimal digits (RFC 3986's {@code pct-encoded}),
   * whatever the bytes they spell.
   */
  static boolean escapesWellFormed(String s) {
    for (int i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 3)) {
      if (i + 2 >= s.length() || hexValue(s.charAt(i + 1)) < 0 || hexValue(s.charAt(i + 2)) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The value of an ASCII hexadecimal digit, or -1 ({@link Character#digit} would also take other scripts' digits,
   * such as a fullwidth zero, which are no escape).
   */
  private static int hexValue(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }

  /** A path segment percent-decoded as UTF-8 ({@code +} is itself), or null when it is not percent-encoded UTF-8. */
  static String decodeSegment(String segment) {
    return decode(segment, 0, segment.length(), false);
  }

  private static String decode(String s, int from, int to) {
    return decode(s, from, to, true);
  }

  /**
   * {@code s[from, to)} percent-decoded as UTF-8 ({@code +} a space when {@code plusIsSpace}), or null when an escape
   * is broken or the bytes are not UTF-8.
   */
  private static String decode(String s, int from, int to, boolean plusIsSpace) {
    int percent = s.indexOf('%', from);
    if (percent < 0 || percent >= to) {
      String text = s.substring(from, to);
      return plusIsSpace ? text.replace('+', ' ') : text;
    }
    ByteBuffer bytes = ByteBuffer.allocate((to - from) * 3);
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= to) {
          return null;
        }
        int hi = hexValue(s.charAt(i + 1));
        int lo = hexValue(s.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes.put((byte) (hi << 4 | lo));
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.put((byte) ' ');
      } else {
        // a raw character: its UTF-8 bytes (the decoders keep raw characters as they are)
        int cp = s.codePointAt(i);
        bytes.put(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        i += Character.charCount(cp) - 1;
      }
    }
    bytes.flip();
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      return utf8.decode(bytes).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
