package dev.switchboard.core.webhook;

/**
 * Receives what arrives on one WebSocket connection. The host calls it one callback at a time, in
 * order, never concurrently and never on its network I/O threads; {@link #onClose} is called
 * exactly once and last. Callbacks should return quickly: a connection whose callbacks fall behind
 * is closed when its bounded inbound queue fills.
 */
public interface WebSocketListener {
  /** A listener that ignores everything. */
  WebSocketListener NONE = new WebSocketListener() {};

  /**
   * A text frame arrived.
   *
   * @param text the frame's text
   */
  default void onText(String text) {}

  /**
   * The connection closed, by either side or because of an error. Called exactly once, last.
   *
   * @param code the close code (1006 when the connection dropped without a close frame)
   * @param reason the reason given, possibly empty
   */
  default void onClose(int code, String reason) {}
}
