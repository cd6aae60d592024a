package dev.switchboard.core.event;

/**
 * A subscriber's registration with an {@link EventBus}, returned by {@link EventBus#subscribe}.
 * Closing it stops delivery: events still queued for the subscriber are discarded, and after {@link
 * #close()} returns no further event is delivered, except one the subscriber may be handling at
 * that moment on another thread. Thread-safe.
 *
 * <pre>{@code
 * try (Subscription s = bus.subscribe("audit", CallEvent.class, audit::record)) {
 *   runCampaign();
 * }
 * }</pre>
 */
public interface Subscription extends AutoCloseable {
  /**
   * Returns the subscriber's name, as given to {@link EventBus#subscribe(String, Class,
   * java.util.function.Consumer)} or generated. Names are for diagnostics only and need not be
   * unique.
   *
   * @return the name
   */
  String name();

  /**
   * Returns how many events were dropped for this subscriber because its queue was full, since it
   * subscribed. The bus also reports drops as {@link EventsDropped} events.
   *
   * @return the count, zero or more
   */
  long dropped();

  /**
   * Tells whether this subscription was closed, by {@link #close()} or by the bus's {@link
   * EventBus#shutdown shutdown}.
   *
   * @return true once closed
   */
  boolean isClosed();

  /** Stops delivery and discards queued events. Idempotent; never blocks on the subscriber. */
  @Override
  void close();
}
