package dev.switchboard.core.voice;

/**
 * Receives a {@link VoiceBackend}'s call events. A backend calls each listener one event at a time,
 * in order for any one call, never under its own locks; listeners must return quickly (hand slow
 * work to an executor, or subscribe through an {@code EventBus}, which isolates them). An exception
 * thrown by a listener is logged and does not affect the call or other listeners.
 */
@FunctionalInterface
public interface CallListener {
  /** A listener that ignores everything. */
  CallListener NONE = event -> {};

  /**
   * Receives an event.
   *
   * @param event what happened
   */
  void onEvent(CallEvent event);
}
