package dev.eventmall.common.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Which parameter of a raw query string is not percent-encoded UTF-8 (empty: none). */
class QueryStringTest {

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', nullValues = "NONE", value = {
    "NONE|NONE",
    "''|NONE",
    "q=earphone&size=20|NONE",
    "q=%EB%AC%B4%EC%84%A0+%EC%9D%B4%EC%96%B4%ED%8F%B0|NONE",
    "q=100%25&note=a%2Bb|NONE",
    "q=%F0%9F%98%80|NONE",
    "q=&=&&;x|NONE",
    "q=%|q",
    "q=%2|q",
    "q=%zz|q",
    "q=%G1|q",
    "q=%C3%28|q",
    "q=%E2%82|q",
    "q=%E2%82%|q",
    "q=%FF|q",
    "q=%C0%AF|q",
    "q=%ED%A0%80|q",
    "size=5&q=ok%|q",
    "size=5;q=%zz|q",
    "a=1&%zz=2|%zz",
    "%C3%A9=%zz|é",
    "x%=1&q=%zz|x%",
    "q=%\uFF10\uFF10|q",
  })
  void firstMalformed(String query, String parameter) {
    assertThat(QueryString.firstMalformed(query)).isEqualTo(parameter);
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', nullValues = "NONE", value = {
    "abc|abc",
    "a+b|a+b",
    "%C3%A9t%C3%A9|été",
    "%2F..%2F|/../",
    "%|NONE",
    "%zz|NONE",
    "%C3%28|NONE",
    "%\uFF14\uFF11|NONE",
  })
  void decodeSegment(String segment, String decoded) {
    assertThat(QueryString.decodeSegment(segment)).isEqualTo(decoded);
  }

  /** Escapes as RFC 3986 spells them (a % and two ASCII hexadecimal digits), whatever the bytes they spell. */
  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', value = {
    "/orders/42|true",
    "/items/%41%c3%A9|true",
    "/items/%C3%28|true",
    "/items/100%25|true",
    "%FF|true",
    "/items/%|false",
    "/items/%2|false",
    "/items/%zz|false",
    "/items/%G1|false",
    "/items/%1G|false",
    "/items/%%41|false",
    "/search%zz|false",
    "/a%2/b|false",
    "/items/%\uFF10\uFF10|false",
    "/items/%\u0661\u0661|false",
    "%E2%82%|false",
  })
  void escapesWellFormed(String path, boolean wellFormed) {
    assertThat(QueryString.escapesWellFormed(path)).isEqualTo(wellFormed);
  }
}
