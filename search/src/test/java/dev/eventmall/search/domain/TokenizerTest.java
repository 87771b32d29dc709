package dev.eventmall.search.domain;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TokenizerTest {

  @Test
  void hangulWordsGiveTheWholeWordAndSyllableBigrams() {
    assertThat(Tokenizer.indexTokens("무선 이어폰"))
      .containsExactlyInAnyOrder("무선", "이어폰", "이어", "어폰");
  }

  @Test
  void aSingleSyllableWordIsKeptWhole() {
    assertThat(Tokenizer.indexTokens("새 책")).containsExactlyInAnyOrder("새", "책");
  }

  @Test
  void latinIsCaseFoldedAndKeptAsWholeWords() {
    assertThat(Tokenizer.indexTokens("Bluetooth EarPhone PRO")).containsExactly("bluetooth", "earphone", "pro");
    assertThat(Tokenizer.queryTokens("earPHONE")).containsExactly("earphone");
  }

  @Test
  void digitsAreKept() {
    assertThat(Tokenizer.indexTokens("USB-C 2024 model")).containsExactly("usb", "c", "2024", "model");
  }

  @Test
  void mixedScriptWordsSplitIntoRunsAndKeepTheWholeWord() {
    assertThat(Tokenizer.indexTokens("갤럭시S24"))
      .containsExactlyInAnyOrder("갤럭시s24", "갤럭시", "갤럭", "럭시", "s24");
    assertThat(Tokenizer.queryTokens("갤럭시S24")).containsExactly("갤럭", "럭시", "s24");
  }

  @Test
  void punctuationAndWhitespaceSeparateWords() {
    assertThat(Tokenizer.indexTokens("  노이즈-캔슬링,  (헤드폰)! ")).contains("노이즈", "캔슬링", "헤드폰", "노이", "이즈", "캔슬",
      "슬링", "헤드", "드폰");
  }

  @Test
  void fullWidthLatinAndDigitsAreNormalized() {
    assertThat(Tokenizer.indexTokens("ＡＢＣ１２３")).containsExactly("abc123");
  }

  @Test
  void queriesUseBigramsForHangulSoPartialWordsMatch() {
    Set<String> indexed = Tokenizer.indexTokens("무선 이어폰 블루투스");
    for (String q : new String[]{"무선", "이어", "이어폰", "어폰", "블루", "루투스", "무선 이어폰"}) {
      assertThat(indexed).as(q).containsAll(Tokenizer.queryTokens(q));
    }
    assertThat(Tokenizer.queryTokens("이어폰")).containsExactly("이어", "어폰");
    assertThat(Tokenizer.queryTokens("무선 이어폰")).containsExactly("무선", "이어", "어폰");
  }

  @Test
  void aQueryThatIsNotInTheTextDoesNotMatch() {
    Set<String> indexed = Tokenizer.indexTokens("무선 이어폰");
    assertThat(indexed).doesNotContainAnyElementsOf(Tokenizer.queryTokens("유선"));
    assertThat(indexed).doesNotContainAnyElementsOf(Tokenizer.queryTokens("폰이"));
  }

  @Test
  void blankAndSymbolOnlyTextGivesNoTokens() {
    assertThat(Tokenizer.indexTokens(null)).isEmpty();
    assertThat(Tokenizer.indexTokens("   ")).isEmpty();
    assertThat(Tokenizer.queryTokens("!!! ---")).isEmpty();
  }

  @Test
  void tokensAreDistinctAndNeverContainWhitespace() {
    Set<String> tokens = Tokenizer.indexTokens("이어폰 이어폰 EARPHONE earphone\t이어\n");
    assertThat(tokens).containsExactlyInAnyOrder("이어폰", "이어", "어폰", "earphone");
    assertThat(tokens).allSatisfy(t -> assertThat(t).doesNotContainPattern("\\s"));
  }

  @Test
  void veryLongWordsAreCut() {
    String longWord = "a".repeat(500);
    assertThat(Tokenizer.indexTokens(longWord)).containsExactly("a".repeat(Tokenizer.MAX_TOKEN_LENGTH));
    assertThat(Tokenizer.queryTokens(longWord)).containsExactly("a".repeat(Tokenizer.MAX_TOKEN_LENGTH));
  }

  @Test
  void otherScriptsAreWholeWords() {
    assertThat(Tokenizer.indexTokens("Café ÜBER")).containsExactly("café", "über");
  }
}
