package dev.switchboard.core.store;

import java.util.Objects;

/** Argument checks shared by the stores. */
final class Checks {
  private Checks() {}

  /**
   * Checks an id argument.
   *
   * @throws NullPointerException naming the argument if null
   * @throws IllegalArgumentException naming the argument if blank
   */
  static String id(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value;
  }

  /**
   * Checks a result limit.
   *
   * @throws IllegalArgumentException if less than 1
   */
  static int limit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    return limit;
  }
}
