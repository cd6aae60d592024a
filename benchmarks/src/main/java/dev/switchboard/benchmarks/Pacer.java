package dev.switchboard.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread that paces many simulated parties: every registered {@link Ticker} ticks once per 20
 * ms frame, the tickers spread over the twenty 1 ms slots of a frame so the load is smooth rather
 * than a burst every 20 ms; and tasks can be run at a given {@link System#nanoTime()} (mark echoes
 * after playback). Falls behind rather than skipping: a late tick still runs, so the frame rate
 * holds on average. Thread-safe registration; tickers and tasks run on the pacer's thread.
 */
final class Pacer implements AutoCloseable {
  static final long FRAME_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final int SLOTS = 20;
  private static final long SLOT_NANOS = FRAME_NANOS / SLOTS;

  /** Something that acts once per frame. */
  interface Ticker {
    /**
     * Acts for this frame.
     *
     * @param now {@link System#nanoTime()}
     */
    void tick(long now);
  }

  private record Timed(long due, Runnable task) {}

  private final List<List<Ticker>> slots = new ArrayList<>();
  private final AtomicInteger nextSlot = new AtomicInteger();
  private final ConcurrentLinkedQueue<Timed> incoming = new ConcurrentLinkedQueue<>();
  private final PriorityQueue<Timed> timed =
      new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long maxLagNanos;

  Pacer(String name) {
    for (int i = 0; i < SLOTS; i++) {
      slots.add(new CopyOnWriteArrayList<>());
    }
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  void add(Ticker ticker) {
    slots.get(Math.floorMod(nextSlot.getAndIncrement(), SLOTS)).add(ticker);
  }

  void remove(Ticker ticker) {
    for (List<Ticker> slot : slots) {
      if (slot.remove(ticker)) {
        return;
      }
    }
  }

  void at(long dueNanos, Runnable task) {
    incoming.add(new Timed(dueNanos, task));
  }

  /** The worst lateness of a tick since the last reset, in nanoseconds. */
  long maxLagNanos() {
    return maxLagNanos;
  }

  void resetLag() {
    maxLagNanos = 0;
  }

  private void run() {
    long start = System.nanoTime();
    long tick = 0;
    while (running) {
      long target = start + tick * SLOT_NANOS;
      long now = System.nanoTime();
      while (now < target) {
        LockSupport.parkNanos(target - now);
        now = System.nanoTime();
      }
      long lag = now - target;
      if (lag > maxLagNanos) {
        maxLagNanos = lag;
      }
      List<Ticker> slot = slots.get((int) (tick % SLOTS));
      for (Ticker t : slot) {
        try {
          t.tick(now);
        } catch (RuntimeException e) {
          System.err.println("pacer: ticker failed: " + e);
        }
      }
      for (Timed t; (t = incoming.poll()) != null; ) {
        timed.add(t);
      }
      now = System.nanoTime();
      while (!timed.isEmpty() && timed.peek().due <= now) {
        try {
          timed.poll().task.run();
        } catch (RuntimeException e) {
          System.err.println("pacer: task failed: " + e);
        }
      }
      tick++;
    }
  }

  @Override
  public void close() {
    running = false;
    LockSupport.unpark(thread);
  }
}
