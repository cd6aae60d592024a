package dev.switchboard.core.event;

import java.time.Instant;
import java.util.Objects;

/**
 * An {@link EventBus} dropped events for a subscriber whose queue was full (the subscriber is slow
 * or blocked). Published by the bus itself, to every matching subscriber except the one it is
 * about. Reports are rate-limited: the first drop is reported at once, further drops at most once a
 * second while they continue, and what is left when the subscriber catches up (its queue empties).
 * Dropping one of the bus's own events is counted but does not by itself trigger a report (it is
 * included in the next one). The counts of all reports about one subscriber add up to its {@link
 * Subscription#dropped()}, except drops not yet reported and events a supplied executor refused to
 * run (those are logged). Immutable.
 *
 * <pre>{@code
 * bus.subscribe(EventsDropped.class, e -> log.warn("{} lost {} events", e.subscriber(), e.count()));
 * }</pre>
 *
 * @param subscriber the name of the subscriber that missed the events
 * @param count how many events were dropped since the previous report about it; at least 1
 * @param timestamp when the bus reported it, from the bus's clock
 */
public record EventsDropped(String subscriber, long count, Instant timestamp)
    implements SwitchboardEvent {
  /** Validates the components. */
  public EventsDropped {
    Objects.requireNonNull(subscriber, "subscriber");
    Objects.requireNonNull(timestamp, "timestamp");
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
  }
}
