package dev.eventmall.order.domain;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The admission rule as a table: budget, orders in the saga, admitted since, decision and wait. */
class AdmissionTest {

  @ParameterizedTest(name = "budget {0}, in saga {1} + {2} admitted -> admitted {3}, retry after {4} ms")
  @CsvSource(delimiter = '|', textBlock = """
    # budget | in saga | admitted since | admitted | retry after ms
    200      | 0       | 0              | true     | 0
    200      | 150     | 49             | true     | 0
    200      | 150     | 50             | false    | 105
    200      | 200     | 0              | false    | 105
    200      | 300     | 0              | false    | 605
    200      | 400     | 0              | false    | 1105
    200      | 5000    | 0              | false    | 5000
    0        | 100000  | 100000         | true     | 0
    1        | 1       | 0              | false    | 1100
    """)
  void decide(int budget, long inSaga, long admitted, boolean expectedAdmitted, long retryAfterMs) {
    Admission.Decision d = new Admission(budget).decide(inSaga, admitted);
    assertThat(d.admitted()).isEqualTo(expectedAdmitted);
    assertThat(d.retryAfterMs()).isEqualTo(retryAfterMs);
  }
}
