package dev.switchboard.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A {@link Clock} that stands still until a test moves it: inject it wherever a component takes a
 * clock, then {@link #advance} it to make timeouts, backoffs and breaker windows elapse without
 * waiting. Thread-safe.
 *
 * <pre>{@code
 * ControllableClock clock = ControllableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
 * CircuitBreaker breaker = CircuitBreaker.builder("twilio").clock(clock)...build();
 * clock.advance(Duration.ofSeconds(30));   // the open period is over
 * }</pre>
 */
public final class ControllableClock extends Clock {
  private final Object lock = new Object();
  private final ZoneId zone;
  private Instant now;

  private ControllableClock(Instant now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /**
   * Returns a clock standing at {@code instant}, in UTC.
   *
   * @param instant the starting time
   * @return the clock
   */
  public static ControllableClock at(Instant instant) {
    return new ControllableClock(Objects.requireNonNull(instant, "instant"), ZoneOffset.UTC);
  }

  /**
   * Returns a clock standing at 2026-01-01T00:00:00Z.
   *
   * @return the clock
   */
  public static ControllableClock create() {
    return at(Instant.parse("2026-01-01T00:00:00Z"));
  }

  /**
   * Moves the clock forward.
   *
   * @param duration how far, not negative
   * @return the new time
   */
  public Instant advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("a clock only moves forward; got " + duration);
    }
    synchronized (lock) {
      now = now.plus(duration);
      return now;
    }
  }

  /**
   * Sets the time (forward or backward, to test clocks that jump).
   *
   * @param instant the new time
   */
  public void set(Instant instant) {
    Objects.requireNonNull(instant, "instant");
    synchronized (lock) {
      now = instant;
    }
  }

  @Override
  public Instant instant() {
    synchronized (lock) {
      return now;
    }
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId newZone) {
    return new ZoneView(this, newZone);
  }

  @Override
  public String toString() {
    return "ControllableClock[" + instant() + "]";
  }

  /** The same controllable time seen in another zone. */
  private static final class ZoneView extends Clock {
    private final ControllableClock source;
    private final ZoneId zone;

    ZoneView(ControllableClock source, ZoneId zone) {
      this.source = source;
      this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
      return zone;
    }

    @Override
    public Clock withZone(ZoneId newZone) {
      return new ZoneView(source, newZone);
    }

    @Override
    public Instant instant() {
      return source.instant();
    }
  }
}
