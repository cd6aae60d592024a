package dev.switchboard.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/** Runs a task on several threads released together, and waits for all of them with a timeout. */
final class Concurrently {
  static final long TIMEOUT_S = 10;

  private Concurrently() {}

  /** Runs {@code task.accept(threadIndex)} on {@code threads} threads at once. */
  static void run(int threads, IntConsumer task) throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int index = t;
        done.add(
            pool.submit(
                () -> {
                  start.await(TIMEOUT_S, TimeUnit.SECONDS);
                  task.accept(index);
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(TIMEOUT_S, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
