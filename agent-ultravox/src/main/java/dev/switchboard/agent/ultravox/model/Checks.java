package dev.switchboard.agent.ultravox.model;

import dev.switchboard.agent.ultravox.internal.JsonValues;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Validation shared by the model's records. */
final class Checks {
  private Checks() {}

  static void notNegative(@Nullable Duration d, String name) {
    if (d != null && d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + d);
    }
  }

  static void positive(@Nullable Duration d, String name) {
    if (d != null && (d.isNegative() || d.isZero())) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }

  static void notBlank(@Nullable String s, String name) {
    if (s != null && s.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }

  /** Copies an "everything else" map, refusing keys that a typed component already covers. */
  static Map<String, Object> extra(@Nullable Map<String, ?> extra, Set<String> typed, String type) {
    if (extra == null) {
      return Map.of();
    }
    for (String key : extra.keySet()) {
      if (typed.contains(key)) {
        throw new IllegalArgumentException(
            type + " extra field '" + key + "' is a typed component; set it with " + key + "()");
      }
    }
    return JsonValues.freezeMap(extra);
  }
}
