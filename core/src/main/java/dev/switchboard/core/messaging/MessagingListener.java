package dev.switchboard.core.messaging;

/**
 * Receives a {@link ConversationalBackend}'s events. Called one event at a time, in order for any
 * one conversation, never under the backend's locks; must return quickly. An exception thrown by a
 * listener is logged and affects nothing else.
 */
@FunctionalInterface
public interface MessagingListener {
  /** A listener that ignores everything. */
  MessagingListener NONE = event -> {};

  /**
   * Receives an event.
   *
   * @param event what happened
   */
  void onEvent(MessageEvent event);
}
