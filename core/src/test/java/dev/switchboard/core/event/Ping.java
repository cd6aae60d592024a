package dev.switchboard.core.event;

import java.time.Instant;

/** A test event carrying a number. */
record Ping(int n, Instant timestamp) implements SwitchboardEvent {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static Ping of(int n) {
    return new Ping(n, T0);
  }
}
