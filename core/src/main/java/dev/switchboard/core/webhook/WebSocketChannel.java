package dev.switchboard.core.webhook;

/**
 * One open WebSocket connection, as a handler sees it: send text frames, close. Thread-safe; sends
 * never block.
 *
 * <p>The host bounds what is queued for sending: {@link #send(String)} returns false instead of
 * queueing without bound, and a peer that stops reading is disconnected by the host.
 */
public interface WebSocketChannel {
  /**
   * Returns an id for this connection, unique within the host, for logs.
   *
   * @return the id
   */
  String id();

  /**
   * Queues a text frame for sending.
   *
   * @param text the frame
   * @return true if queued; false if the connection is closed or its send queue is full (the host
   *     then closes a connection whose peer has stopped reading)
   */
  boolean send(String text);

  /**
   * Closes the connection (idempotent). The listener's {@link WebSocketListener#onClose} follows.
   *
   * @param code a close code that may be sent on the wire: 1000-1003, 1007-1011, or 3000-4999 (not
   *     1005, 1006 or 1015, which only report); e.g. 1000 (normal) or 1008 (policy violation)
   * @param reason a short reason for the peer and the logs, cut to 123 bytes of UTF-8; never a
   *     secret
   * @throws IllegalArgumentException for a code that cannot be sent
   */
  void close(int code, String reason);

  /**
   * Tells whether the connection is open.
   *
   * @return true until it closes
   */
  boolean isOpen();
}
