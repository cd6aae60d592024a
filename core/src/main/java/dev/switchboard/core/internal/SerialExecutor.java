package dev.switchboard.core.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not API. Runs tasks one at a time, in submission order, on an underlying executor; with a direct
 * delegate ({@code Runnable::run}) tasks run on the submitting thread unless another thread is
 * already draining, which then runs them after its current task. Providers use one per session or
 * call, so its events reach the listener in order, never concurrently, never re-entered.
 * Thread-safe.
 */
public final class SerialExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor delegate;
  private final Object lock = new Object();
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>(); // guarded by lock
  private boolean running; // guarded by lock

  /**
   * Creates a serial executor.
   *
   * @param delegate where tasks run
   */
  public SerialExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (lock) {
      tasks.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    try {
      delegate.execute(this::drain);
    } catch (RejectedExecutionException e) {
      log.warn("executor refused work; running the tasks inline", e);
      drain();
    }
  }

  private void drain() {
    while (true) {
      Runnable next;
      synchronized (lock) {
        next = tasks.poll();
        if (next == null) {
          running = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        log.warn("serial task failed", e);
      }
    }
  }
}
