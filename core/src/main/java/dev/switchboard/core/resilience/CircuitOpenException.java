package dev.switchboard.core.resilience;

import dev.switchboard.core.SwitchboardException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by a {@link CircuitBreaker} that refused a call without attempting it: the breaker is open
 * after repeated failures of its remote service, or half-open with all its trial calls in progress.
 * The message names the breaker and says when it will let a call through again. Retryable: the same
 * call may succeed once the service recovers, and since the request was never sent, a {@link
 * RetryPolicy} may retry it even for a non-idempotent {@link Operation}.
 *
 * <pre>{@code
 * catch (CircuitOpenException e) {
 *   log.warn("{} is down; retry in {}", e.breakerName(), e.retryAfter().orElse(Duration.ZERO));
 * }
 * }</pre>
 */
public final class CircuitOpenException extends SwitchboardException {
  private static final long serialVersionUID = 1L;

  private final String breakerName;
  private final @Nullable Duration retryAfter;

  /**
   * Creates the exception.
   *
   * @param breakerName the name of the breaker that refused the call
   * @param message what happened and when the breaker will try again
   * @param retryAfter how long until the breaker lets a trial call through, or null when it is
   *     waiting for trial calls in progress
   */
  public CircuitOpenException(String breakerName, String message, @Nullable Duration retryAfter) {
    super(message, null, true);
    this.breakerName = Objects.requireNonNull(breakerName, "breakerName");
    this.retryAfter = retryAfter;
  }

  /**
   * Returns the name of the breaker that refused the call.
   *
   * @return e.g. {@code "twilio"}
   */
  public String breakerName() {
    return breakerName;
  }

  /**
   * Returns how long, from when this was thrown, until the breaker lets a trial call through.
   * {@link RetryPolicy} waits at least this long before retrying, as for a {@code Retry-After}.
   *
   * @return the remaining open time; empty when the breaker is half-open and waiting for its trial
   *     calls to complete
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
