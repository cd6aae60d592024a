package dev.switchboard.core;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An error reported by, or on the way to, a remote service (Twilio, OpenAI, Ultravox): an HTTP
 * error status with the provider's own error code, a rate limit with its {@code Retry-After}, or a
 * failed connection. Each provider module maps its errors to this type in one place.
 *
 * <pre>{@code
 * catch (ProviderException e) {
 *   if (e.httpStatus() == 404) { ... }          // e.providerCode() is "20404" for Twilio
 *   if (e.isRetryable()) { e.retryAfter() ... } // 429, 5xx, I/O failures
 * }
 * }</pre>
 */
public class ProviderException extends SwitchboardException {
  private static final long serialVersionUID = 1L;

  private final String provider;
  private final int httpStatus;
  private final @Nullable String providerCode;
  private final @Nullable Duration retryAfter;

  /**
   * Creates the exception.
   *
   * @param provider the service's name, e.g. {@code "twilio"}
   * @param message what happened
   * @param httpStatus the HTTP status, or 0 when no response was received
   * @param providerCode the service's own error code, or null
   * @param retryAfter how long the service asked to wait, or null
   * @param retryable whether trying again later may succeed
   * @param cause the underlying failure, or null
   */
  public ProviderException(
      String provider,
      String message,
      int httpStatus,
      @Nullable String providerCode,
      @Nullable Duration retryAfter,
      boolean retryable,
      @Nullable Throwable cause) {
    super(message, cause, retryable);
    this.provider = provider;
    this.httpStatus = httpStatus;
    this.providerCode = providerCode;
    this.retryAfter = retryAfter;
  }

  /**
   * Returns the service's name.
   *
   * @return e.g. {@code "twilio"}
   */
  public String provider() {
    return provider;
  }

  /**
   * Returns the HTTP status of the failed request.
   *
   * @return the status, or 0 when no response was received (connection failure, timeout)
   */
  public int httpStatus() {
    return httpStatus;
  }

  /**
   * Returns the service's own error code, such as Twilio's {@code 20404}.
   *
   * @return the code, if the service gave one
   */
  public Optional<String> providerCode() {
    return Optional.ofNullable(providerCode);
  }

  /**
   * Returns how long the service asked callers to wait before trying again.
   *
   * @return the {@code Retry-After} delay, if the service sent one
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
