package dev.eventmall.emulators.toss;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * The emulator's sandbox on disk: a snapshot ({@code toss.json}, the whole state) and a journal beside it
 * ({@code toss.json.journal}, one JSON object a line: what changed since the snapshot). A running emulator only appends
 * what changed to the journal, so keeping the sandbox costs in proportion to the traffic, not to the history (writing
 * the whole state every 250 ms took a third of devstack's JVM after a few thousand payments). The journal is folded
 * into a new snapshot when the emulator starts and when it stops. Every method blocks: call them off the event loop.
 */
final class StateJournal {
  private final Path snapshot;
  private final Path journal;

  StateJournal(Path snapshot) {
    this.snapshot = snapshot.toAbsolutePath();
    this.journal = this.snapshot.resolveSibling(this.snapshot.getFileName() + ".journal");
  }

  Path journalFile() {
    return journal;
  }

  /** The snapshot, or null when there is none. */
  JsonObject readSnapshot() throws IOException {
    return Files.exists(snapshot) ? new JsonObject(Files.readString(snapshot)) : null;
  }

  /**
   * Hands each journal line, in order, to {@code change}. A last line cut short by a crash is skipped; so is anything
   * after it (nothing can be: lines are only ever appended).
   */
  int replay(Consumer<JsonObject> change) throws IOException {
    if (!Files.exists(journal)) {
      return 0;
    }
    int n = 0;
    for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject parsed;
      try {
        parsed = new JsonObject(line);
      } catch (DecodeException torn) {
        break;
      }
      change.accept(parsed);
      n++;
    }
    return n;
  }

  /** Appends the lines (each one JSON object, no line break inside) to the journal. */
  synchronized void append(List<String> lines) throws IOException {
    if (lines.isEmpty()) {
      return;
    }
    Files.createDirectories(journal.getParent());
    StringBuilder text = new StringBuilder();
    for (String line : lines) {
      text.append(line).append('\n');
    }
    Files.writeString(journal, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE);
  }

  /**
   * Writes {@code state} as the new snapshot (beside it, then moved over it: a crash leaves the old or the new file
   * whole), then empties the journal, whose changes the snapshot holds. A crash between the two replays the journal
   * over a snapshot that already has its changes: the loader takes payments and keys by identity and ledger entries by
   * sequence number, so nothing counts twice.
   */
  synchronized void compact(JsonObject state) throws IOException {
    Files.createDirectories(snapshot.getParent());
    Path tmp = snapshot.resolveSibling(snapshot.getFileName() + ".tmp");
    Files.writeString(tmp, state.encode());
    Files.move(tmp, snapshot, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.deleteIfExists(journal);
  }

  /** One change as a journal line. */
  static String line(String kind, Object value) {
    return new JsonObject().put(kind, value).encode();
  }
}
