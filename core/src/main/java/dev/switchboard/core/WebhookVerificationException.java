package dev.switchboard.core;

/**
 * A webhook or stream that failed authentication: a missing or wrong signature, a stale timestamp,
 * an unknown or reused stream token. Never retryable. The message says which check failed, never
 * the secret or the expected signature.
 */
public class WebhookVerificationException extends SwitchboardException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which check failed
   */
  public WebhookVerificationException(String message) {
    super(message, null, false);
  }
}
