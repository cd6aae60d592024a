package dev.switchboard.core.resilience;

import java.util.Objects;

/**
 * What a {@link RetryPolicy} is asked to run: a name for logs and whether repeating the request
 * could repeat its side effect. Immutable.
 *
 * <p>The idempotency decides whether retrying is allowed at all:
 *
 * <ul>
 *   <li>{@link Idempotency#IDEMPOTENT} (fetching a call, hanging one up, updating a resource to a
 *       given state): retried on every retryable failure.
 *   <li>{@link Idempotency#NON_IDEMPOTENT} (placing a call, sending a message): tried once. It is
 *       retried only when the failure proves the request never reached the service (see {@link
 *       RetryPolicy}: a refused connection, an unknown host, an open circuit breaker), because a
 *       timeout or a 5xx may come after the service acted.
 *   <li>{@link Idempotency#SAFE_TO_RETRY}: not idempotent by nature, but the caller has made
 *       repeating it harmless, typically with an idempotency key the service deduplicates on.
 *       Retried like an idempotent operation; the caller vouches for it.
 * </ul>
 *
 * <pre>{@code
 * Operation fetch = Operation.idempotent("fetch call");
 * Operation create = Operation.nonIdempotent("create call");                  // never duplicated
 * Operation send = Operation.nonIdempotent("send message").markedSafeToRetry(); // has a key
 * }</pre>
 *
 * @param name what the operation does, for logs, e.g. {@code "create call"}
 * @param idempotency whether and when it may be repeated
 */
public record Operation(String name, Idempotency idempotency) {

  /** Whether repeating an operation could repeat its side effect. */
  public enum Idempotency {
    /** Repeating it has the same effect as doing it once; retried on any retryable failure. */
    IDEMPOTENT,
    /**
     * Repeating it could repeat a side effect; retried only when the failure proves the request was
     * never sent.
     */
    NON_IDEMPOTENT,
    /**
     * Not idempotent by nature, but the caller made repeating it harmless (an idempotency key);
     * retried on any retryable failure.
     */
    SAFE_TO_RETRY
  }

  /** Validates the components. */
  public Operation {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(idempotency, "idempotency");
    if (name.isBlank()) {
      throw new IllegalArgumentException("operation name must not be blank");
    }
  }

  /**
   * Returns an operation that may be repeated freely.
   *
   * @param name what it does, e.g. {@code "fetch call"}
   * @return the operation
   */
  public static Operation idempotent(String name) {
    return new Operation(name, Idempotency.IDEMPOTENT);
  }

  /**
   * Returns an operation whose repetition could repeat a side effect.
   *
   * @param name what it does, e.g. {@code "send message"}
   * @return the operation
   */
  public static Operation nonIdempotent(String name) {
    return new Operation(name, Idempotency.NON_IDEMPOTENT);
  }

  /**
   * Returns this operation declared safe to retry by the caller, typically because the request
   * carries an idempotency key the service deduplicates on. An idempotent operation is returned as
   * it is.
   *
   * @return the operation, {@link Idempotency#SAFE_TO_RETRY} unless already idempotent
   */
  public Operation markedSafeToRetry() {
    return idempotency == Idempotency.NON_IDEMPOTENT
        ? new Operation(name, Idempotency.SAFE_TO_RETRY)
        : this;
  }
}
