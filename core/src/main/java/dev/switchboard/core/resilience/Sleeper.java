package dev.switchboard.core.resilience;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Waits between attempts for a {@link RetryPolicy}. The default, {@link #THREAD}, blocks the
 * calling thread with {@link Thread#sleep(long, int)}; tests pass a fake that records the requested
 * durations (and advances a fake clock) instead of sleeping. Implementations must be thread-safe
 * when the policy is shared, and must throw {@link InterruptedException} when the waiting thread is
 * interrupted, which stops the retries.
 *
 * <pre>{@code
 * List<Duration> waits = new CopyOnWriteArrayList<>();
 * RetryPolicy policy = RetryPolicy.builder().sleeper(waits::add).build();
 * }</pre>
 */
@FunctionalInterface
public interface Sleeper {
  /** Blocks the calling thread with {@link Thread#sleep(long, int)}; honours interruption. */
  Sleeper THREAD =
      duration ->
          TimeUnit.NANOSECONDS.sleep(
              duration.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0
                  ? Long.MAX_VALUE
                  : duration.toNanos());

  /**
   * Waits for the given time.
   *
   * @param duration how long to wait, zero or positive
   * @throws InterruptedException if the thread is interrupted before or while waiting
   */
  void sleep(Duration duration) throws InterruptedException;
}
