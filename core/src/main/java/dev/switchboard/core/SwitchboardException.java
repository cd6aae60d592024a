package dev.switchboard.core;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception Switchboard throws on purpose. Unchecked. {@link #isRetryable()}
 * tells whether the same operation may succeed if tried again later (a rate limit, a 5xx, a dropped
 * connection) or never will as it stands (bad input, bad credentials, a missing resource).
 *
 * <p>Messages say what happened, with which input, and what to do; they never contain a secret. The
 * subclasses: {@link ConfigurationException} (settings), {@link ProviderException} (a remote
 * service's error, with its HTTP status and error code), {@link SessionException} (a live call or
 * agent session), {@link WebhookVerificationException} (a forged or malformed webhook).
 */
public class SwitchboardException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;

  /**
   * Creates a non-retryable exception.
   *
   * @param message what happened
   */
  public SwitchboardException(String message) {
    this(message, null, false);
  }

  /**
   * Creates an exception.
   *
   * @param message what happened
   * @param cause the underlying failure, or null
   * @param retryable whether trying again later may succeed
   */
  public SwitchboardException(String message, @Nullable Throwable cause, boolean retryable) {
    super(message, cause);
    this.retryable = retryable;
  }

  /**
   * Tells whether the same operation may succeed if tried again later.
   *
   * @return true for transient failures
   */
  public boolean isRetryable() {
    return retryable;
  }
}
