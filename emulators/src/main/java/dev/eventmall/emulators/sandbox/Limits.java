package dev.eventmall.emulators.sandbox;

import java.util.Map;
import java.util.function.IntConsumer;

/** Reads an emulator's store limits from the environment (or any name → value map). */
public final class Limits {

  private Limits() {
  }

  /** Hands the whole number named {@code name} to {@code set}, when {@code settings} has it. */
  public static void read(Map<String, String> settings, String name, IntConsumer set) {
    String value = settings.get(name);
    if (value != null && !value.isBlank()) {
      try {
        set.accept(Integer.parseInt(value.trim()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + " must be a whole number of at least 1, not " + value, e);
      }
    }
  }

  /** {@code value} when it is at least 1. */
  public static int atLeastOne(String what, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " must be at least 1, not " + value);
    }
    return value;
  }
}
