package dev.switchboard.testing.twilio;

import java.time.Instant;
import java.util.Objects;

/**
 * A {@code mark} that a {@link TwilioCallSimulator} echoed back to the media endpoint, as Twilio
 * does: either because all the audio sent before the mark has played ({@code cleared} false), or
 * because a {@code clear} dropped that audio ({@code cleared} true; the audio was <em>not</em>
 * heard). Immutable.
 *
 * <pre>{@code
 * MarkEcho echo = sim.awaitMark("greeting-end", Duration.ofSeconds(5));
 * assertThat(echo.cleared()).isFalse();
 * }</pre>
 *
 * @param name the mark's name, as the endpoint sent it
 * @param at when the echo was sent, by the simulator's clock
 * @param cleared true if the echo was caused by a {@code clear} rather than by playback
 */
public record MarkEcho(String name, Instant at, boolean cleared)
    implements TwilioCallSimulator.Event {
  /** Checks the components. */
  public MarkEcho {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(at, "at");
  }
}
