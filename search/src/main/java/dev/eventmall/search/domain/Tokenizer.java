package dev.eventmall.search.domain;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Korean-aware tokenizer shared by indexing and querying (no I/O).
 * <ul>
 *   <li>Text is NFKC-normalized (full-width Latin and digits become ASCII) and case-folded with {@link Locale#ROOT}.</li>
 *   <li>Words are maximal runs of letters and digits; everything else separates words.</li>
 *   <li>A word splits further into script runs: Hangul syllables vs. everything else (Latin, digits, other scripts), so
 *   {@code "갤럭시S24"} gives the runs {@code 갤럭시} and {@code s24}.</li>
 *   <li>Index tokens of a word: the whole word, every script run, and for a Hangul run of two or more syllables every
 *   syllable bigram ({@code 이어폰} → {@code 이어}, {@code 어폰}). A partial Korean word of two or more syllables
 *   therefore matches through its bigrams.</li>
 *   <li>Query tokens of a word: for a Hangul run of two or more syllables its bigrams (all must match); any other run
 *   (a single syllable, Latin, digits) as a whole.</li>
 * </ul>
 */
public final class Tokenizer {

  /** Longest token kept (longer words are cut), so that a hostile name cannot create huge keys. */
  public static final int MAX_TOKEN_LENGTH = 40;

  private Tokenizer() {
  }

  /** Case-folded, NFKC-normalized text. */
  public static String normalize(String text) {
    return text == null ? "" : Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
  }

  /** The distinct tokens under which {@code text} is indexed, in first-seen order. */
  public static Set<String> indexTokens(String text) {
    Set<String> tokens = new LinkedHashSet<>();
    for (String word : words(text)) {
      add(tokens, word);
      List<String> runs = scriptRuns(word);
      for (String run : runs) {
        add(tokens, run);
        if (isHangulRun(run)) {
          tokens.addAll(bigrams(run));
        }
      }
    }
    return tokens;
  }

  /** The distinct tokens a document must contain to match query {@code text}; empty for a blank query. */
  public static Set<String> queryTokens(String text) {
    Set<String> tokens = new LinkedHashSet<>();
    for (String word : words(text)) {
      for (String run : scriptRuns(word)) {
        if (isHangulRun(run) && run.codePointCount(0, run.length()) >= 2) {
          tokens.addAll(bigrams(run));
        } else {
          add(tokens, run);
        }
      }
    }
    return tokens;
  }

  /** Words of the normalized text: maximal runs of letters and digits. */
  static List<String> words(String text) {
    String s = normalize(text);
    List<String> words = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    s.codePoints().forEach(cp -> {
      if (Character.isLetterOrDigit(cp)) {
        current.appendCodePoint(cp);
      } else if (current.length() > 0) {
        words.add(current.toString());
        current.setLength(0);
      }
    });
    if (current.length() > 0) {
      words.add(current.toString());
    }
    return words;
  }

  /** Splits a word where it changes between Hangul syllables and anything else. */
  static List<String> scriptRuns(String word) {
    List<String> runs = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    Boolean hangul = null;
    for (int i = 0; i < word.length(); ) {
      int cp = word.codePointAt(i);
      boolean h = isHangulSyllable(cp);
      if (hangul != null && h != hangul) {
        runs.add(current.toString());
        current.setLength(0);
      }
      hangul = h;
      current.appendCodePoint(cp);
      i += Character.charCount(cp);
    }
    if (current.length() > 0) {
      runs.add(current.toString());
    }
    return runs;
  }

  /** Adjacent syllable pairs of a Hangul run ({@code 무선이어폰} → 무선, 선이, 이어, 어폰). */
  static List<String> bigrams(String run) {
    int[] cps = run.codePoints().toArray();
    List<String> grams = new ArrayList<>();
    for (int i = 0; i + 1 < cps.length; i++) {
      grams.add(new String(cps, i, 2));
    }
    return grams;
  }

  static boolean isHangulSyllable(int cp) {
    return cp >= 0xAC00 && cp <= 0xD7A3;
  }

  private static boolean isHangulRun(String run) {
    return !run.isEmpty() && isHangulSyllable(run.codePointAt(0));
  }

  private static void add(Set<String> tokens, String token) {
    if (token.isEmpty()) {
      return;
    }
    if (token.length() > MAX_TOKEN_LENGTH) {
      int end = MAX_TOKEN_LENGTH;
      if (Character.isHighSurrogate(token.charAt(end - 1))) {
        end--;
      }
      token = token.substring(0, end);
    }
    tokens.add(token);
  }
}
