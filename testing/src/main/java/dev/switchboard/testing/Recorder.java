package dev.switchboard.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Records what it is given, from any thread, and lets a test wait for something to arrive: the
 * waiting methods return as soon as a matching item has been recorded (before or during the wait)
 * and fail with an {@link AssertionError} listing what did arrive if nothing matches within the
 * timeout. Thread-safe.
 *
 * <pre>{@code
 * Recorder<CallEvent> events = new Recorder<>();
 * backend.addListener(events::accept);
 * CallEvent.StateChanged answered = events.await(CallEvent.StateChanged.class,
 *     e -> e.current() == CallState.IN_PROGRESS);
 * }</pre>
 *
 * @param <T> what is recorded
 */
public class Recorder<T> implements Consumer<T> {
  /** How long the waiting methods wait unless told otherwise. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private final Object lock = new Object();
  private final List<T> items = new ArrayList<>();

  /** Creates an empty recorder. */
  public Recorder() {}

  /**
   * Records an item.
   *
   * @param item the item
   */
  @Override
  public void accept(T item) {
    Objects.requireNonNull(item, "item");
    synchronized (lock) {
      items.add(item);
      lock.notifyAll();
    }
  }

  /**
   * Returns everything recorded so far, in arrival order.
   *
   * @return a snapshot
   */
  public List<T> all() {
    synchronized (lock) {
      return List.copyOf(items);
    }
  }

  /**
   * Returns what was recorded of one type, in arrival order.
   *
   * @param type the type
   * @param <U> the type
   * @return a snapshot
   */
  public <U extends T> List<U> all(Class<U> type) {
    List<U> matching = new ArrayList<>();
    for (T item : all()) {
      if (type.isInstance(item)) {
        matching.add(type.cast(item));
      }
    }
    return matching;
  }

  /**
   * Waits for the first item of a type that matches a condition.
   *
   * @param type the type
   * @param condition the condition
   * @param timeout how long to wait
   * @param <U> the type
   * @return the first matching item
   * @throws AssertionError if none arrives in time
   */
  public <U extends T> U await(Class<U> type, Predicate<? super U> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      int checked = 0;
      while (true) {
        for (; checked < items.size(); checked++) {
          T item = items.get(checked);
          if (type.isInstance(item) && condition.test(type.cast(item))) {
            return type.cast(item);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "no "
                  + type.getSimpleName()
                  + " matching the condition arrived within "
                  + timeout
                  + "; recorded: "
                  + items);
        }
        waitOn(left);
      }
    }
  }

  /**
   * Waits for the first item of a type that matches a condition, up to {@link #DEFAULT_TIMEOUT}.
   *
   * @param type the type
   * @param condition the condition
   * @param <U> the type
   * @return the first matching item
   * @throws AssertionError if none arrives in time
   */
  public <U extends T> U await(Class<U> type, Predicate<? super U> condition) {
    return await(type, condition, DEFAULT_TIMEOUT);
  }

  /**
   * Waits for the first item of a type, up to {@link #DEFAULT_TIMEOUT}.
   *
   * @param type the type
   * @param <U> the type
   * @return the first item of that type
   * @throws AssertionError if none arrives in time
   */
  public <U extends T> U await(Class<U> type) {
    return await(type, item -> true, DEFAULT_TIMEOUT);
  }

  /**
   * Waits until at least {@code count} items have been recorded.
   *
   * @param count how many
   * @param timeout how long to wait
   * @return the first {@code count} items
   * @throws AssertionError if fewer arrive in time
   */
  public List<T> awaitCount(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (items.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "expected "
                  + count
                  + " items within "
                  + timeout
                  + " but got "
                  + items.size()
                  + ": "
                  + items);
        }
        waitOn(left);
      }
      return List.copyOf(items.subList(0, count));
    }
  }

  /**
   * Waits until everything recorded so far satisfies a condition (e.g. "at least 3200 bytes of
   * audio").
   *
   * @param condition tested on a snapshot of everything recorded, each time something arrives
   * @param description what is awaited, for the failure message
   * @param timeout how long to wait
   * @return the snapshot that satisfied the condition
   * @throws AssertionError if it is not satisfied in time
   */
  public List<T> awaitAll(
      Predicate<? super List<T>> condition, String description, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        List<T> snapshot = List.copyOf(items);
        if (condition.test(snapshot)) {
          return snapshot;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "not satisfied within " + timeout + ": " + description + "; recorded: " + items);
        }
        waitOn(left);
      }
    }
  }

  /** Forgets everything recorded. */
  public void clear() {
    synchronized (lock) {
      items.clear();
    }
  }

  private void waitOn(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(lock, nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }

  @Override
  public String toString() {
    return "Recorder" + all();
  }
}
