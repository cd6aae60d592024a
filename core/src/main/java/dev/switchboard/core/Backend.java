package dev.switchboard.core;

import dev.switchboard.core.spi.ProviderConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What the telephony and messaging backends have in common: a name, a lifecycle, health and
 * configuration. Thread-safe.
 *
 * <p>Lifecycle: created {@link ConnectionState#STOPPED}; {@link #start()} checks the configuration
 * and credentials and begins serving; {@link #stop(Duration)} refuses new work and lets work in
 * progress (live calls, in-flight sends) finish within the grace period, then ends the rest.
 * Operations on a backend that is not serving fail with an {@code IllegalStateException}.
 */
public interface Backend {
  /**
   * Returns the provider's name, as registered for discovery.
   *
   * @return e.g. {@code "twilio"}
   */
  String name();

  /**
   * Starts serving. Idempotent.
   *
   * @throws ConfigurationException if the configuration or credentials are invalid
   */
  void start();

  /**
   * Stops: refuses new work, lets work in progress finish within {@code grace}, then ends the rest.
   * Idempotent.
   *
   * @param grace how long work in progress may go on
   * @return completes when stopped
   */
  CompletableFuture<Void> stop(Duration grace);

  /**
   * Returns where the backend is in its lifecycle.
   *
   * @return the state
   */
  ConnectionState connectionState();

  /**
   * Returns the backend's health, with its individual checks (credentials, rate limiting, circuit
   * breaker).
   *
   * @return the health
   */
  HealthStatus health();

  /**
   * Returns the current configuration (secrets redacted in its {@code toString}).
   *
   * @return the configuration
   */
  ProviderConfig configuration();

  /**
   * Applies new values for settings that can change while running (such as a default sender); they
   * take effect for new work.
   *
   * @param changes the settings to change
   * @throws ConfigurationException naming a key that is invalid or cannot change while running;
   *     nothing is applied then
   */
  void reconfigure(ProviderConfig changes);
}
