package dev.switchboard.core;

import java.util.Objects;

/**
 * Why a media stream or an agent session closed: delivered exactly once to its listener. Immutable.
 *
 * @param code the kind of ending
 * @param detail a short explanation for logs, possibly empty; never a secret
 */
public record CloseReason(Code code, String detail) {

  /** The kinds of ending. */
  public enum Code {
    /** Closed on purpose by this side. */
    NORMAL,
    /** Closed by the other side (the provider stopped the stream, the agent service closed). */
    REMOTE,
    /** The call ended, taking its stream and agent session with it. */
    CALL_ENDED,
    /** Refused: failed authentication or malformed setup. */
    REJECTED,
    /** A protocol or processing error. */
    ERROR,
    /** The connection dropped without a close, or the peer stopped responding. */
    CONNECTION_LOST,
    /** The host or backend is shutting down. */
    SHUTDOWN
  }

  /** Validates the components. */
  public CloseReason {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(detail, "detail");
  }

  /**
   * Returns a reason.
   *
   * @param code the kind of ending
   * @param detail a short explanation
   * @return the reason
   */
  public static CloseReason of(Code code, String detail) {
    return new CloseReason(code, detail);
  }

  /**
   * Tells whether the ending was an error rather than an orderly close.
   *
   * @return true for REJECTED, ERROR and CONNECTION_LOST
   */
  public boolean isError() {
    return code == Code.REJECTED || code == Code.ERROR || code == Code.CONNECTION_LOST;
  }
}
