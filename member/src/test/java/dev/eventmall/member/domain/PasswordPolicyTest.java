package dev.eventmall.member.domain;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The new-password rule as a table: password, e-mail, name → accepted or the refusal. */
class PasswordPolicyTest {

  @ParameterizedTest(name = "[{index}] {0} → {3}")
  @CsvSource(delimiter = '|', nullValues = "null", value = {
    "12345678                 | kim@example.com | Kim       | is one of the most commonly used passwords",
    "password                 | kim@example.com | Kim       | is one of the most commonly used passwords",
    "PassWord                 | kim@example.com | Kim       | is one of the most commonly used passwords",
    "qwertyuiop               | kim@example.com | Kim       | is one of the most commonly used passwords",
    "iloveyou                 | kim@example.com | Kim       | is one of the most commonly used passwords",
    "kim.tester@example.com   | kim.tester@example.com | Kim | must not be the account's e-mail address",
    "KIM.TESTER@EXAMPLE.COM   | kim.tester@example.com | Kim | must not be the account's e-mail address",
    "kim.tester               | kim.tester@example.com | Kim | must not be the account's e-mail address",
    "Kim Tester-Park          | k@example.com   | Kim Tester-Park | must not be the account's name",
    "zzzzzzzzzz               | kim@example.com | Kim       | must not be one character repeated",
    "correct horse battery    | kim@example.com | Kim       | ok",
    "customer-pass-1234       | kim@example.com | Kim       | ok",
    "무선이어폰좋아요2026        | kim@example.com | Kim       | ok",
    "kim@example.com-but-more | kim@example.com | Kim       | ok",
  })
  void table(String password, String email, String name, String expected) {
    String violation = PasswordPolicy.violation(password, email, name);
    if ("ok".equals(expected)) {
      assertThat(violation).isNull();
    } else {
      assertThat(violation).isEqualTo(expected);
    }
  }
}
