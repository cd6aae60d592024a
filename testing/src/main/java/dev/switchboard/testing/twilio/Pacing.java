package dev.switchboard.testing.twilio;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How fast a {@link TwilioCallSimulator} sends the caller's audio: {@link #REALTIME} (one 20 ms
 * frame every 20 ms, like Twilio), {@link #accelerated(double) accelerated} (the same frames, more
 * often), or {@link #MANUAL} (no timer: frames go only when the test calls {@link
 * TwilioCallSimulator#sendMedia(int)}). Pacing only changes when frames are sent, never their
 * content: each frame is still 160 bytes (20 ms) of μ-law and its {@code media.timestamp} is still
 * its position in the caller's audio. Timed pacing runs at a fixed rate: a frame delayed by a pause
 * of the JVM is followed by catch-up frames, so the average rate holds. Immutable and thread-safe.
 *
 * <pre>{@code
 * TwilioCallSimulator sim = TwilioCallSimulator.builder(mediaUrl)
 *     .pacing(Pacing.accelerated(4)) // 200 frames per second
 *     .build();
 * }</pre>
 */
public final class Pacing {
  /** The largest factor {@link #accelerated(double)} accepts (a frame every 20 µs). */
  public static final double MAX_FACTOR = 1000;

  /** One 20 ms frame every 20 ms, as Twilio sends them. */
  public static final Pacing REALTIME = new Pacing(1.0);

  /** No timer: frames are sent only by {@link TwilioCallSimulator#sendMedia(int)}. */
  public static final Pacing MANUAL = new Pacing(0.0);

  private static final long FRAME_NANOS = 20_000_000L;

  private final double factor;

  private Pacing(double factor) {
    this.factor = factor;
  }

  /**
   * Sends frames {@code factor} times faster than real time: {@code accelerated(4)} sends a 20 ms
   * frame every 5 ms; {@code accelerated(0.5)} one every 40 ms; {@code accelerated(1)} is {@link
   * #REALTIME}.
   *
   * @param factor how many times faster than real time, above 0 and at most {@link #MAX_FACTOR}
   * @return the pacing
   * @throws IllegalArgumentException if the factor is not in that range
   */
  public static Pacing accelerated(double factor) {
    if (!(factor > 0 && factor <= MAX_FACTOR)) {
      throw new IllegalArgumentException(
          "factor must be above 0 and at most " + MAX_FACTOR + ", got " + factor);
    }
    return factor == 1.0 ? REALTIME : new Pacing(factor);
  }

  /**
   * Tells whether frames are sent only on demand.
   *
   * @return true for {@link #MANUAL}
   */
  public boolean isManual() {
    return factor == 0.0;
  }

  /**
   * Returns how many times faster than real time frames are sent.
   *
   * @return 1 for {@link #REALTIME}, 0 for {@link #MANUAL}
   */
  public double factor() {
    return factor;
  }

  /**
   * Returns the time between two frames.
   *
   * @return 20 ms divided by the factor (at least 1 µs); {@link Duration#ZERO} for {@link #MANUAL}
   */
  public Duration framePeriod() {
    return isManual()
        ? Duration.ZERO
        : Duration.ofNanos(Math.max(1_000L, Math.round(FRAME_NANOS / factor)));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Pacing other && Double.compare(factor, other.factor) == 0;
  }

  @Override
  public int hashCode() {
    return Double.hashCode(factor);
  }

  @Override
  public String toString() {
    if (isManual()) {
      return "Pacing.MANUAL";
    }
    return factor == 1.0 ? "Pacing.REALTIME" : "Pacing.accelerated(" + factor + ")";
  }
}
