package dev.eventmall.devstack;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Devstack's numeric options: Kafka brokers and service replicas. */
class DevStackArgsTest {

  static List<String> args(String line) {
    return line == null || line.isBlank() ? List.of() : Arrays.asList(line.trim().split(" +"));
  }

  @ParameterizedTest(name = "[{0}] -> {1} brokers, {2} replicas")
  @CsvSource(delimiter = '|', value = {
    "                              | 1 | 1",
    "--no-seed                     | 1 | 1",
    "--cluster                     | 3 | 1",
    "--brokers 5                   | 5 | 1",
    "--brokers=2 --replicas 2      | 2 | 2",
    "--cluster --brokers 1         | 1 | 1",
    "--detach --replicas=3 --cluster | 3 | 3"})
  void readsTheCounts(String line, int brokers, int replicas) {
    assertThat(DevStack.brokers(args(line))).isEqualTo(brokers);
    assertThat(DevStack.replicas(args(line))).isEqualTo(replicas);
  }

  @ParameterizedTest(name = "[{0}] is refused")
  @CsvSource(delimiter = '|', value = {
    "--brokers 0  | between 1 and 5",
    "--brokers 6  | between 1 and 5",
    "--brokers x  | between 1 and 5",
    "--brokers    | needs a number"})
  void refusesWhatItCannotRun(String line, String message) {
    assertThatThrownBy(() -> DevStack.brokers(args(line)))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }
}
