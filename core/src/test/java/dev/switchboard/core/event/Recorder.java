package dev.switchboard.core.event;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A subscriber that records what it receives and lets a test wait for it, with a timeout. */
final class Recorder<E> implements Consumer<E> {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Object lock = new Object();
  private final List<E> events = new ArrayList<>();

  @Override
  public void accept(E event) {
    synchronized (lock) {
      events.add(event);
      lock.notifyAll();
    }
  }

  List<E> events() {
    synchronized (lock) {
      return List.copyOf(events);
    }
  }

  /** Waits until at least {@code count} events arrived; returns them all. */
  List<E> awaitCount(int count) throws InterruptedException {
    return awaitUntil(list -> list.size() >= count, "at least " + count + " events");
  }

  /** Waits until the recorded events satisfy the condition; returns them. */
  List<E> awaitUntil(Predicate<List<E>> condition, String description) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    synchronized (lock) {
      while (!condition.test(events)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail("timed out after " + TIMEOUT + " waiting for " + description + "; got " + events);
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
      return List.copyOf(events);
    }
  }
}
