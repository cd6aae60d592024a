package dev.switchboard.core.bridge;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a bridge's timers (tool timeouts, the slow-tool notice, the end-call and apology waits, the
 * end-call settle window). One scheduler serves every call of a bridge; per-call tasks are
 * cancelled when the call ends. Package-private so tests can drive time by hand. Thread-safe.
 */
interface Scheduler {
  /**
   * Runs a task once after a delay.
   *
   * @param delay how long to wait
   * @param task what to run; it must not block
   * @return a handle that cancels the task if it has not run
   */
  Cancellable schedule(Duration delay, Runnable task);

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** A handle with nothing to cancel. */
    Cancellable NONE = () -> {};

    /** Cancels the task if it has not run; idempotent. */
    void cancel();
  }

  /** Adapts an executor service (whose cancelled tasks should be removed at once). */
  static Scheduler of(ScheduledExecutorService executor) {
    return (delay, task) -> {
      ScheduledFuture<?> future =
          executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    };
  }
}
