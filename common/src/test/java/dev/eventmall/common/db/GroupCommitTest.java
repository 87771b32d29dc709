package dev.eventmall.common.db;

import io.vertx.core.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The splitting of a failed group commit, as a table: a transaction fails when it holds a poison item. */
class GroupCommitTest {

  @ParameterizedTest(name = "{0} items, poison {1}: {2} transactions")
  @CsvSource(delimiter = ';', textBlock = """
    # items ; poison items ; transactions tried
    1       ; -            ; 1
    8       ; -            ; 1
    1       ; 0            ; 1
    8       ; 3            ; 7
    100     ; 42           ; 15
    8       ; 0,7          ; 11
    4       ; 0,1,2,3      ; 7
    """)
  void everyGoodItemCommitsAndEachPoisonItemFailsAlone(int items, String poison, int transactions) {
    Set<Integer> bad = poison.equals("-") ? Set.of()
      : Arrays.stream(poison.split(",")).map(Integer::parseInt).collect(Collectors.toSet());
    List<Integer> batch = IntStream.range(0, items).boxed().toList();
    List<List<Integer>> tried = new ArrayList<>();
    Set<Integer> committed = new TreeSet<>();
    Set<Integer> failed = new TreeSet<>();
    Future<Void> done = GroupCommit.splitting(batch, part -> {
        tried.add(part);
        return part.stream().anyMatch(bad::contains) ? Future.failedFuture(new IllegalStateException("poison"))
          : Future.succeededFuture(part.size());
      },
      (part, n) -> {
        assertThat(n).isEqualTo(part.size());
        committed.addAll(part);
      },
      (one, failure) -> {
        assertThat(failure).hasMessage("poison");
        failed.add(one);
      });
    assertThat(done.succeeded()).isTrue();
    assertThat(failed).isEqualTo(new TreeSet<>(bad));
    assertThat(committed).containsExactlyElementsOf(batch.stream().filter(i -> !bad.contains(i)).toList());
    assertThat(tried).hasSize(transactions);
  }

  @ParameterizedTest(name = "an attempt that throws counts as a failed transaction")
  @CsvSource("2")
  void anAttemptThatThrowsIsAFailedTransaction(int items) {
    List<Integer> failed = new ArrayList<>();
    GroupCommit.<Integer, Void>splitting(IntStream.range(0, items).boxed().toList(), part -> {
      throw new IllegalArgumentException("cannot even start");
    }, (part, v) -> { }, (one, e) -> failed.add(one));
    assertThat(failed).containsExactly(0, 1);
  }
}
