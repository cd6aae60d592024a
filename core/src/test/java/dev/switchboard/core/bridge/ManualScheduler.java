package dev.switchboard.core.bridge;

import dev.switchboard.core.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A scheduler whose tasks run when the test advances its clock. Thread-safe. */
final class ManualScheduler implements Scheduler {
  private final MutableClock clock;
  private final List<Task> tasks = new ArrayList<>();

  private static final class Task {
    final Instant due;
    final Runnable run;
    boolean cancelled;

    Task(Instant due, Runnable run) {
      this.due = due;
      this.run = run;
    }
  }

  ManualScheduler(MutableClock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    Task t = new Task(clock.instant().plus(delay), task);
    tasks.add(t);
    return () -> {
      synchronized (ManualScheduler.this) {
        t.cancelled = true;
        tasks.remove(t);
      }
    };
  }

  /** Advances the clock and runs every task that fell due, in due order. */
  void advance(Duration duration) {
    clock.advance(duration);
    runDue();
  }

  void runDue() {
    while (true) {
      Task next = null;
      synchronized (this) {
        for (Task t : tasks) {
          if (!t.due.isAfter(clock.instant()) && (next == null || t.due.isBefore(next.due))) {
            next = t;
          }
        }
        if (next == null) {
          return;
        }
        tasks.remove(next);
      }
      next.run.run();
    }
  }

  synchronized int pending() {
    return tasks.size();
  }
}
