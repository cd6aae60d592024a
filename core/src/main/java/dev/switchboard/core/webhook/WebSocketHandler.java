package dev.switchboard.core.webhook;

/**
 * Accepts WebSocket connections on one path, such as a Media Streams endpoint. Thread-safe: the
 * host calls it for each new connection.
 */
@FunctionalInterface
public interface WebSocketHandler {
  /**
   * A connection opened. Return the listener for its frames; to refuse it, close the channel (with
   * 1008 and a reason) and return {@link WebSocketListener#NONE}.
   *
   * @param channel the connection
   * @param upgrade the HTTP upgrade request: public URL, headers (e.g. a signature), no body
   * @return the listener for this connection's frames
   */
  WebSocketListener onOpen(WebSocketChannel channel, WebhookRequest upgrade);
}
