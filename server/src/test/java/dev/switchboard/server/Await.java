package dev.switchboard.server;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes. */
final class Await {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Await() {}

  static void until(String what, BooleanSupplier condition) {
    until(what, TIMEOUT, condition);
  }

  static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      LockSupport.parkNanos(2_000_000); // poll interval, not a wait for an event
    }
  }
}
