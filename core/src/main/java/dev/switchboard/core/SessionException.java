package dev.switchboard.core;

import org.jspecify.annotations.Nullable;

/**
 * A failure of a live session: a call's media stream or an agent session closed, expired, refused
 * an operation, or received something it could not handle.
 */
public class SessionException extends SwitchboardException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the session
   * @param cause the underlying failure, or null
   * @param retryable whether trying again (a new session) may succeed
   */
  public SessionException(String message, @Nullable Throwable cause, boolean retryable) {
    super(message, cause, retryable);
  }

  /**
   * Creates a non-retryable exception.
   *
   * @param message what happened, naming the session
   */
  public SessionException(String message) {
    super(message, null, false);
  }
}
