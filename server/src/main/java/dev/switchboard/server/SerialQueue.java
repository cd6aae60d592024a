package dev.switchboard.server;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one connection's callbacks one at a time, in the order they were offered, on a shared
 * executor. Holds at most {@code capacity} waiting tasks; a final task is always accepted and
 * nothing is accepted after it. Thread-safe. Not API.
 */
final class SerialQueue {
  private static final Logger log = LoggerFactory.getLogger(SerialQueue.class);

  /** Tasks run per executor turn before yielding the thread to other connections. */
  private static final int BATCH = 32;

  /** The outcome of {@link #offer}. */
  enum Offer {
    ACCEPTED,
    FULL,
    CLOSED
  }

  private final Object lock = new Object();
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private final Executor executor;
  private final int capacity;
  private boolean scheduled;
  private boolean closed;

  SerialQueue(Executor executor, int capacity) {
    this.executor = executor;
    this.capacity = capacity;
  }

  /** Queues a task unless the queue is full or closed. */
  Offer offer(Runnable task) {
    return add(task, false);
  }

  /**
   * Runs a task on the calling thread if the queue is idle (nothing waiting, nothing running), else
   * queues it like {@link #offer}. Tasks offered while it runs wait behind it; any left when it
   * returns are handed to the executor, so the calling thread runs one task per call at most.
   */
  Offer offerInline(Runnable task) {
    synchronized (lock) {
      if (closed) {
        return Offer.CLOSED;
      }
      if (scheduled) {
        if (tasks.size() >= capacity) {
          return Offer.FULL;
        }
        tasks.add(task);
        return Offer.ACCEPTED;
      }
      scheduled = true; // others queue behind this task until it returns
    }
    try {
      task.run();
    } catch (RuntimeException e) {
      log.error("connection callback failed", e);
    } finally {
      continueOrIdle();
    }
    return Offer.ACCEPTED;
  }

  /** Queues the final task (accepted whatever the capacity); false if one was already queued. */
  boolean offerLast(Runnable task) {
    return add(task, true) == Offer.ACCEPTED;
  }

  /** Returns the number of tasks waiting to run. */
  int size() {
    synchronized (lock) {
      return tasks.size();
    }
  }

  private Offer add(Runnable task, boolean last) {
    boolean schedule;
    synchronized (lock) {
      if (closed) {
        return Offer.CLOSED;
      }
      if (!last && tasks.size() >= capacity) {
        return Offer.FULL;
      }
      tasks.add(task);
      closed = last;
      schedule = !scheduled;
      scheduled = true;
    }
    if (schedule) {
      submit();
    }
    return Offer.ACCEPTED;
  }

  private void submit() {
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // Only after the server has shut its executor down: nothing can run any more.
      int dropped;
      synchronized (lock) {
        dropped = tasks.size();
        tasks.clear();
        scheduled = false;
      }
      log.debug("executor refused a connection's callbacks; {} dropped", dropped);
    }
  }

  private void drain() {
    for (int i = 0; i < BATCH; i++) {
      Runnable task;
      synchronized (lock) {
        task = tasks.poll();
        if (task == null) {
          scheduled = false;
          return;
        }
      }
      boolean ran = false;
      try {
        task.run();
        ran = true;
      } catch (RuntimeException e) {
        ran = true;
        log.error("connection callback failed", e);
      } finally {
        if (!ran) {
          // An Error escaped: keep the queue alive for the tasks behind (onClose must still run).
          continueOrIdle();
        }
      }
    }
    continueOrIdle();
  }

  private void continueOrIdle() {
    synchronized (lock) {
      if (tasks.isEmpty()) {
        scheduled = false;
        return;
      }
    }
    submit();
  }
}
