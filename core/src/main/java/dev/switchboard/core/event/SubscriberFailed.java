package dev.switchboard.core.event;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A subscriber of an {@link EventBus} threw while handling an event. Published by the bus itself,
 * to every matching subscriber except the one that failed; the failing subscriber keeps receiving
 * later events. A failure while handling the bus's own events ({@code SubscriberFailed}, {@link
 * EventsDropped}) is logged but not reported, so failures can never feed each other. Carries the
 * exception's class and message, not the exception (events are immutable and may cross threads);
 * the stack trace is logged. Immutable.
 *
 * <pre>{@code
 * bus.subscribe(SubscriberFailed.class, f -> alerts.raise(f.subscriber() + ": " + f.exceptionType()));
 * }</pre>
 *
 * @param subscriber the name of the subscriber that threw
 * @param eventType the class name of the event it was handling
 * @param exceptionType the class name of what it threw
 * @param exceptionMessage the exception's message, cut to at most {@value #MAX_MESSAGE_LENGTH}
 *     characters, or null if it had none
 * @param timestamp when the bus reported it, from the bus's clock
 */
public record SubscriberFailed(
    String subscriber,
    String eventType,
    String exceptionType,
    @Nullable String exceptionMessage,
    Instant timestamp)
    implements SwitchboardEvent {
  /** The longest exception message kept; longer ones are cut. */
  public static final int MAX_MESSAGE_LENGTH = 1000;

  /** Validates the components and cuts an overlong message. */
  public SubscriberFailed {
    Objects.requireNonNull(subscriber, "subscriber");
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(exceptionType, "exceptionType");
    Objects.requireNonNull(timestamp, "timestamp");
    if (exceptionMessage != null && exceptionMessage.length() > MAX_MESSAGE_LENGTH) {
      int end = MAX_MESSAGE_LENGTH;
      if (Character.isHighSurrogate(exceptionMessage.charAt(end - 1))) {
        end--; // never split a surrogate pair
      }
      exceptionMessage = exceptionMessage.substring(0, end);
    }
  }
}
