package dev.switchboard.core.event;

import java.time.Instant;

/**
 * Something that happened. Events are immutable records, safe to hand to any thread, and never
 * carry secrets or audio. Subscribe to a type with {@link EventBus#subscribe}; an interface type
 * (such as {@code CallEvent}) receives all of its implementations.
 */
public interface SwitchboardEvent {
  /**
   * Returns when it happened, read from the publisher's clock.
   *
   * @return the instant
   */
  Instant timestamp();
}
