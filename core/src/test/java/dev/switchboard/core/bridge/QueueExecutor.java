package dev.switchboard.core.bridge;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** An executor that runs tasks only when the test says so, on the test's thread. */
final class QueueExecutor implements Executor {
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

  @Override
  public synchronized void execute(Runnable task) {
    queue.add(task);
  }

  void runAll() {
    while (true) {
      Runnable r;
      synchronized (this) {
        r = queue.poll();
      }
      if (r == null) {
        return;
      }
      r.run();
    }
  }

  synchronized int size() {
    return queue.size();
  }
}
