/**
 * Retries and circuit breakers for calls to remote services. A {@link
 * dev.switchboard.core.resilience.RetryPolicy} retries transient failures with exponential backoff,
 * jitter and the service's {@code Retry-After}, but only when repeating the request cannot repeat a
 * side effect: each call names an {@link dev.switchboard.core.resilience.Operation} that says
 * whether it is idempotent, so placing a call or sending a message is never duplicated by a retry.
 * A {@link dev.switchboard.core.resilience.CircuitBreaker}, one per remote service, turns repeated
 * failure into fast {@link dev.switchboard.core.resilience.CircuitOpenException}s and a degraded
 * {@link dev.switchboard.core.HealthStatus.Check}, then lets a few trial calls through to find out
 * when the service is back. Both are thread-safe, take a {@link java.time.Clock}, and the retry
 * policy a {@link dev.switchboard.core.resilience.Sleeper}, so tests control time without sleeping.
 * Put the breaker inside the retry: {@code retry.call(operation, () -> breaker.call(action))}.
 */
@NullMarked
package dev.switchboard.core.resilience;

import org.jspecify.annotations.NullMarked;
