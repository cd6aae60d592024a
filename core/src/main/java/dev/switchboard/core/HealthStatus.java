package dev.switchboard.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A component's health: an overall {@link State} and the individual checks it was derived from.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * HealthStatus health = HealthStatus.of(List.of(
 *     HealthStatus.Check.healthy("credentials"),
 *     HealthStatus.Check.degraded("rate-limit", "429 from Twilio 3 s ago")));
 * health.state();   // DEGRADED: the worst of the checks
 * }</pre>
 *
 * @param state the overall state: the worst state of the checks, HEALTHY when there are none
 * @param checks the individual checks, in the order they were made
 */
public record HealthStatus(State state, List<Check> checks) {

  /** How well a component or a check is doing, from best to worst. */
  public enum State {
    /** Working normally. */
    HEALTHY,
    /** Working, but impaired: rate limited, a circuit breaker half-open, retrying. */
    DEGRADED,
    /** Not working: the remote service is unreachable, credentials or configuration invalid. */
    UNHEALTHY;

    /**
     * Returns the worse of two states.
     *
     * @param other another state
     * @return the one further from HEALTHY
     */
    public State worst(State other) {
      return compareTo(other) >= 0 ? this : other;
    }
  }

  /**
   * One check.
   *
   * @param name what was checked, e.g. {@code "credentials"}
   * @param state its outcome
   * @param detail a short human-readable explanation, empty when healthy; never a secret
   */
  public record Check(String name, State state, String detail) {
    /** Validates the components. */
    public Check {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(detail, "detail");
      if (name.isBlank()) {
        throw new IllegalArgumentException("check name must not be blank");
      }
    }

    /**
     * Returns a healthy check.
     *
     * @param name what was checked
     * @return the check
     */
    public static Check healthy(String name) {
      return new Check(name, State.HEALTHY, "");
    }

    /**
     * Returns a degraded check.
     *
     * @param name what was checked
     * @param detail why it is degraded
     * @return the check
     */
    public static Check degraded(String name, String detail) {
      return new Check(name, State.DEGRADED, detail);
    }

    /**
     * Returns an unhealthy check.
     *
     * @param name what was checked
     * @param detail why it is unhealthy
     * @return the check
     */
    public static Check unhealthy(String name, String detail) {
      return new Check(name, State.UNHEALTHY, detail);
    }
  }

  /**
   * Validates the components and copies the list.
   *
   * @throws IllegalArgumentException if {@code state} is better than the worst check
   */
  public HealthStatus {
    Objects.requireNonNull(state, "state");
    checks = List.copyOf(checks);
    State worst = State.HEALTHY;
    for (Check check : checks) {
      worst = worst.worst(check.state());
    }
    if (state.compareTo(worst) < 0) {
      throw new IllegalArgumentException(
          "state " + state + " hides a check in state " + worst + ": " + checks);
    }
  }

  /**
   * Returns the status made of the given checks, its state the worst of theirs.
   *
   * @param checks the checks
   * @return the status
   */
  public static HealthStatus of(List<Check> checks) {
    State worst = State.HEALTHY;
    for (Check check : checks) {
      worst = worst.worst(check.state());
    }
    return new HealthStatus(worst, checks);
  }

  /**
   * Returns the status made of the given checks.
   *
   * @param checks the checks
   * @return the status
   */
  public static HealthStatus of(Check... checks) {
    return of(List.of(checks));
  }

  /**
   * Returns this status with another check added (and the state worsened if it is worse).
   *
   * @param check the check to add
   * @return a new status
   */
  public HealthStatus with(Check check) {
    List<Check> all = new ArrayList<>(checks);
    all.add(check);
    return of(all);
  }
}
