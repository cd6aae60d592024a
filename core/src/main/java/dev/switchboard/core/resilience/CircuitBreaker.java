package dev.switchboard.core.resilience;

import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.SwitchboardException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards calls to one remote service: after repeated failures it stops calling the service for a
 * while and fails fast with a {@link CircuitOpenException}, then lets a few trial calls through to
 * find out whether the service is back. Create one per remote service and share it between every
 * caller of that service. Thread-safe.
 *
 * <pre>{@code
 * CircuitBreaker twilio = CircuitBreaker.builder()
 *     .name("twilio")
 *     .failureThreshold(5)
 *     .openDuration(Duration.ofSeconds(30))
 *     .build();
 * Call call = twilio.call(() -> client.fetchCall(sid));   // CircuitOpenException while open
 * HealthStatus health = HealthStatus.of(twilio.health());
 * }</pre>
 *
 * <p><b>States.</b> {@link State#CLOSED}: calls go through; the breaker counts <em>consecutive</em>
 * failures that count (see below), any success resets the count, and when it reaches {@code
 * failureThreshold} the breaker opens. {@link State#OPEN}: every call is refused without running
 * its action. The first permission request at least {@code openDuration} after opening (by the
 * breaker's clock) moves it to {@link State#HALF_OPEN} and becomes a trial call; until such a
 * request arrives, {@link #state()} still reports OPEN. HALF_OPEN: at most {@code halfOpenTrials}
 * trial calls run at once, others are refused; when {@code halfOpenTrials} trials have succeeded
 * the breaker closes, and the first trial that fails reopens it for another {@code openDuration}.
 *
 * <p><b>Which failures count.</b> By default, a retryable {@link SwitchboardException} (a 5xx, a
 * dropped connection, a timeout) and an {@link IOException} or {@link UncheckedIOException} count,
 * except a {@link ProviderException} with a 4xx status (a bad request, a missing resource, a rate
 * limit: the service is up and answering). Other failures, such as a non-retryable {@code
 * SwitchboardException} or a bug in the caller's code, are ignored: neither a failure nor a
 * success, they leave the count as it is and free their trial slot. {@link Builder#countsAsFailure}
 * changes the rule.
 *
 * <p><b>Low-level use.</b> Asynchronous callers that cannot use {@link #call} or {@link #callAsync}
 * call {@link #tryAcquirePermission()} and, if granted, exactly one of {@link #recordSuccess()} or
 * {@link #recordFailure(Throwable)} when the call completes; a permission never recorded keeps a
 * half-open trial slot taken. {@code call} and {@code callAsync} also ignore the outcome of a call
 * that was permitted before the breaker last changed state (a slow call started while closed cannot
 * close a half-open breaker); the record methods count against the current state.
 *
 * <p><b>Listener.</b> The {@link Listener} hears each transition once, in order, one at a time,
 * never while the breaker's lock is held, on a thread calling the breaker (usually the one whose
 * call caused the transition). It must return quickly; an exception it throws is logged and
 * ignored.
 */
public final class CircuitBreaker {
  private static final Logger log = LoggerFactory.getLogger(CircuitBreaker.class);

  /** The epoch of an outcome recorded through the public record methods: the current one. */
  private static final long CURRENT_EPOCH = -1;

  private static final int MAX_DETAIL_LENGTH = 200;

  /** The state of a {@link CircuitBreaker}. */
  public enum State {
    /** Calls go through; consecutive failures are counted. */
    CLOSED,
    /** Calls are refused without being attempted, until the open duration has passed. */
    OPEN,
    /** A limited number of trial calls go through to test whether the service is back. */
    HALF_OPEN
  }

  /**
   * Hears a {@link CircuitBreaker}'s state changes. Called once per transition, in order, one at a
   * time, never while the breaker holds its lock, on a thread calling the breaker (usually the one
   * whose call caused the transition). Must return quickly; an exception it throws is logged and
   * ignored.
   */
  @FunctionalInterface
  public interface Listener {
    /** A listener that ignores everything. */
    Listener NONE = (breaker, from, to) -> {};

    /**
     * Receives a state change.
     *
     * @param breaker the breaker that changed
     * @param from its state before
     * @param to its state now
     */
    void onStateChange(CircuitBreaker breaker, State from, State to);
  }

  private enum Outcome {
    SUCCESS,
    FAILURE,
    IGNORED
  }

  private record Permit(
      boolean granted, long epoch, @Nullable String refusal, @Nullable Duration retryAfter) {}

  private record Change(State from, State to, String detail) {}

  private final String name;
  private final int failureThreshold;
  private final Duration openDuration;
  private final int halfOpenTrials;
  private final Predicate<? super Throwable> countsAsFailure;
  private final Clock clock;
  private final Listener listener;

  private final Object lock = new Object();
  // Guarded by lock.
  private State state = State.CLOSED;
  // Changes on every transition: outcomes of calls permitted in an earlier epoch are stale.
  private long epoch;
  private int consecutiveFailures;
  private Instant since;
  private String openReason = "";
  private String lastFailure = "";
  private int trialsInFlight;
  private int trialSuccesses;
  private final ArrayDeque<Change> pendingChanges = new ArrayDeque<>();
  private boolean notifying;

  private CircuitBreaker(Builder builder) {
    this.name = Objects.requireNonNull(builder.name);
    this.failureThreshold = builder.failureThreshold;
    this.openDuration = builder.openDuration;
    this.halfOpenTrials = builder.halfOpenTrials;
    this.countsAsFailure = builder.countsAsFailure;
    this.clock = builder.clock;
    this.listener = builder.listener;
    this.since = clock.instant();
  }

  /**
   * Starts a breaker. {@link Builder#name} is required; the defaults: 5 consecutive failures to
   * open, open for 30 s, 1 trial call, the failures described in the class description counted.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs the action on the calling thread if the breaker permits it, and records its outcome.
   *
   * @param action the call to the remote service
   * @param <T> the result type
   * @param <X> the checked exception the action may throw
   * @return the action's result
   * @throws CircuitOpenException if the breaker is open, or half-open with its trial calls in
   *     progress; the action is not run
   * @throws X whatever the action throws, unchanged
   */
  public <T, X extends Exception> T call(CheckedCallable<T, X> action) throws X {
    Objects.requireNonNull(action, "action");
    Permit permit = acquire(true);
    if (!permit.granted()) {
      throw refusal(permit);
    }
    T result;
    try {
      result = action.call();
    } catch (Throwable t) {
      onOutcome(permit.epoch(), t);
      throw t;
    }
    onOutcome(permit.epoch(), null);
    return result;
  }

  /**
   * Starts an asynchronous call if the breaker permits it, and records its outcome when the stage
   * completes, before the returned future completes. A {@link CompletionException} or {@link
   * ExecutionException} is unwrapped before deciding whether the failure counts.
   *
   * @param action starts the call to the remote service; runs on the calling thread
   * @param <T> the result type
   * @return a future completed like the action's stage, or failed with a {@link
   *     CircuitOpenException} (the action not run), or with what the action threw
   */
  public <T> CompletableFuture<T> callAsync(Supplier<? extends CompletionStage<T>> action) {
    Objects.requireNonNull(action, "action");
    Permit permit = acquire(true);
    if (!permit.granted()) {
      return CompletableFuture.failedFuture(refusal(permit));
    }
    CompletionStage<T> stage;
    try {
      stage = Objects.requireNonNull(action.get(), "action returned a null stage");
    } catch (Throwable t) {
      onOutcome(permit.epoch(), t);
      return CompletableFuture.failedFuture(t);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    stage.whenComplete(
        (value, failure) -> {
          onOutcome(permit.epoch(), failure == null ? null : unwrap(failure));
          if (failure == null) {
            result.complete(value);
          } else {
            result.completeExceptionally(failure);
          }
        });
    return result;
  }

  /**
   * Asks to make one call: true when closed, or when half-open with a trial slot free (moving from
   * OPEN to HALF_OPEN first if the open duration has passed). A caller granted permission must
   * later call exactly one of {@link #recordSuccess()} or {@link #recordFailure(Throwable)}.
   *
   * @return whether the call may be made
   */
  public boolean tryAcquirePermission() {
    return acquire(false).granted();
  }

  /** Records that a permitted call succeeded. See the class description for stale outcomes. */
  public void recordSuccess() {
    onOutcome(CURRENT_EPOCH, null);
  }

  /**
   * Records that a permitted call failed; whether the failure counts is decided as for {@link
   * #call}.
   *
   * @param failure what the call threw or completed with
   */
  public void recordFailure(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    onOutcome(CURRENT_EPOCH, unwrap(failure));
  }

  /**
   * Returns the current state. An OPEN breaker whose open duration has passed still reports OPEN
   * until the next permission request moves it to HALF_OPEN.
   *
   * @return the state
   */
  public State state() {
    synchronized (lock) {
      return state;
    }
  }

  /**
   * Returns the breaker's health as a check named after it: CLOSED is {@link
   * HealthStatus.State#HEALTHY}, HALF_OPEN {@link HealthStatus.State#DEGRADED} and OPEN {@link
   * HealthStatus.State#UNHEALTHY}, with a detail saying since when, why, and when a trial call is
   * next allowed.
   *
   * @return the check
   */
  public HealthStatus.Check health() {
    synchronized (lock) {
      switch (state) {
        case OPEN:
          return HealthStatus.Check.unhealthy(
              name,
              "circuit open since "
                  + since
                  + " after "
                  + openReason
                  + lastFailureSuffix()
                  + "; a trial call is allowed from "
                  + since.plus(openDuration));
        case HALF_OPEN:
          return HealthStatus.Check.degraded(
              name,
              "circuit half-open since "
                  + since
                  + " after "
                  + openReason
                  + "; "
                  + trialSuccesses
                  + " of "
                  + halfOpenTrials
                  + " trial calls succeeded");
        default:
          return HealthStatus.Check.healthy(name);
      }
    }
  }

  /**
   * Returns the breaker's name, usually the remote service's.
   *
   * @return e.g. {@code "twilio"}
   */
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return "CircuitBreaker{name=" + name + ", state=" + state() + '}';
  }

  private Permit acquire(boolean explainRefusal) {
    Permit permit;
    synchronized (lock) {
      Instant now = clock.instant();
      if (state == State.OPEN && !now.isBefore(since.plus(openDuration))) {
        transition(State.HALF_OPEN, now, "open for " + openDuration + "; trying again");
      }
      switch (state) {
        case CLOSED:
          permit = new Permit(true, epoch, null, null);
          break;
        case HALF_OPEN:
          if (trialsInFlight + trialSuccesses < halfOpenTrials) {
            trialsInFlight++;
            permit = new Permit(true, epoch, null, null);
          } else {
            permit =
                new Permit(
                    false,
                    epoch,
                    explainRefusal
                        ? "circuit breaker '"
                            + name
                            + "' is half-open after "
                            + openReason
                            + " with "
                            + trialsInFlight
                            + " trial call(s) in progress; calls fail fast until they complete"
                        : null,
                    null);
          }
          break;
        default:
          Instant until = since.plus(openDuration);
          permit =
              new Permit(
                  false,
                  epoch,
                  explainRefusal
                      ? "circuit breaker '"
                          + name
                          + "' is open after "
                          + openReason
                          + lastFailureSuffix()
                          + "; calls fail fast until "
                          + until
                          + ", in "
                          + Duration.between(now, until).toMillis()
                          + " ms"
                      : null,
                  Duration.between(now, until));
          break;
      }
    }
    notifyListener();
    return permit;
  }

  private CircuitOpenException refusal(Permit permit) {
    return new CircuitOpenException(
        name, Objects.requireNonNull(permit.refusal()), permit.retryAfter());
  }

  private void onOutcome(long permitEpoch, @Nullable Throwable failure) {
    // The predicate is the caller's code: run it outside the lock.
    Outcome outcome =
        failure == null
            ? Outcome.SUCCESS
            : countsAsFailure.test(failure) ? Outcome.FAILURE : Outcome.IGNORED;
    synchronized (lock) {
      if (permitEpoch != CURRENT_EPOCH && permitEpoch != epoch) {
        return;
      }
      Instant now = clock.instant();
      boolean counts = state == State.CLOSED || (state == State.HALF_OPEN && trialsInFlight > 0);
      if (counts && outcome == Outcome.FAILURE) {
        lastFailure = summary(Objects.requireNonNull(failure));
      }
      if (state == State.CLOSED) {
        if (outcome == Outcome.SUCCESS) {
          consecutiveFailures = 0;
        } else if (outcome == Outcome.FAILURE && ++consecutiveFailures >= failureThreshold) {
          openReason =
              consecutiveFailures == 1
                  ? "a failure"
                  : consecutiveFailures + " consecutive failures";
          transition(State.OPEN, now, openReason + lastFailureSuffix());
        }
      } else if (state == State.HALF_OPEN && trialsInFlight > 0) {
        // With no trial in flight, the outcome is of a call permitted before the breaker opened.
        trialsInFlight--;
        if (outcome == Outcome.SUCCESS && ++trialSuccesses >= halfOpenTrials) {
          transition(State.CLOSED, now, trialSuccesses + " trial call(s) succeeded");
        } else if (outcome == Outcome.FAILURE) {
          openReason = "a failed trial call";
          transition(State.OPEN, now, openReason + lastFailureSuffix());
        }
      }
    }
    notifyListener();
  }

  /** Moves to a new state; the caller holds the lock and calls notifyListener() after it. */
  private void transition(State to, Instant now, String detail) {
    State from = state;
    state = to;
    epoch++;
    since = now;
    consecutiveFailures = 0;
    trialsInFlight = 0;
    trialSuccesses = 0;
    pendingChanges.add(new Change(from, to, detail));
  }

  /**
   * Delivers pending changes in order, one at a time, outside the lock. A thread that finds another
   * delivering leaves its change to that thread, so the listener never runs concurrently and never
   * re-enters itself.
   */
  private void notifyListener() {
    while (true) {
      Change change;
      synchronized (lock) {
        if (notifying || pendingChanges.isEmpty()) {
          return;
        }
        notifying = true;
        change = pendingChanges.poll();
      }
      try {
        if (change.to() == State.OPEN) {
          log.warn(
              "circuit breaker '{}' {} -> OPEN after {}; failing fast for {}",
              name,
              change.from(),
              change.detail(),
              openDuration);
        } else {
          log.info(
              "circuit breaker '{}' {} -> {}: {}",
              name,
              change.from(),
              change.to(),
              change.detail());
        }
        listener.onStateChange(this, change.from(), change.to());
      } catch (RuntimeException e) {
        log.warn("state listener of circuit breaker '{}' failed", name, e);
      } finally {
        synchronized (lock) {
          notifying = false;
        }
      }
    }
  }

  private String lastFailureSuffix() {
    return lastFailure.isEmpty() ? "" : " (last: " + lastFailure + ")";
  }

  private static String summary(Throwable failure) {
    String s = failure.toString();
    return s.length() <= MAX_DETAIL_LENGTH ? s : s.substring(0, MAX_DETAIL_LENGTH) + "…";
  }

  private static Throwable unwrap(Throwable t) {
    Throwable current = t;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  /** The default rule: see "Which failures count" in the class description. */
  private static boolean isServiceFailure(Throwable t) {
    if (t instanceof ProviderException p && p.httpStatus() >= 400 && p.httpStatus() < 500) {
      return false;
    }
    if (t instanceof SwitchboardException s) {
      return s.isRetryable();
    }
    return t instanceof IOException || t instanceof UncheckedIOException;
  }

  /**
   * Builds a {@link CircuitBreaker}. Setters check only for null; {@link #build()} validates the
   * settings. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable String name;
    private int failureThreshold = 5;
    private Duration openDuration = Duration.ofSeconds(30);
    private int halfOpenTrials = 1;
    private Predicate<? super Throwable> countsAsFailure = CircuitBreaker::isServiceFailure;
    private Clock clock = Clock.systemUTC();
    private Listener listener = Listener.NONE;

    private Builder() {}

    /**
     * Sets the breaker's name, usually the remote service's; it names the breaker's health check
     * and appears in its exceptions and logs. Required.
     *
     * @param name not blank, e.g. {@code "twilio"}
     * @return this builder
     */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets how many consecutive counted failures open the breaker. Default 5.
     *
     * @param failureThreshold at least 1
     * @return this builder
     */
    public Builder failureThreshold(int failureThreshold) {
      this.failureThreshold = failureThreshold;
      return this;
    }

    /**
     * Sets how long the breaker stays open before it lets a trial call through. Default 30 s.
     *
     * @param openDuration positive
     * @return this builder
     */
    public Builder openDuration(Duration openDuration) {
      this.openDuration = Objects.requireNonNull(openDuration, "openDuration");
      return this;
    }

    /**
     * Sets how many trial calls may run at once when half-open, and how many must succeed to close
     * the breaker. Default 1.
     *
     * @param halfOpenTrials at least 1
     * @return this builder
     */
    public Builder halfOpenTrials(int halfOpenTrials) {
      this.halfOpenTrials = halfOpenTrials;
      return this;
    }

    /**
     * Sets which failures count towards opening the breaker (and reopen it when half-open); the
     * others are ignored. Default: see the class description.
     *
     * @param countsAsFailure accepts the failures that count; must be thread-safe
     * @return this builder
     */
    public Builder countsAsFailure(Predicate<? super Throwable> countsAsFailure) {
      this.countsAsFailure = Objects.requireNonNull(countsAsFailure, "countsAsFailure");
      return this;
    }

    /**
     * Sets the clock that times the open duration. Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the listener told of state changes. Default {@link Listener#NONE}.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Builds the breaker, closed.
     *
     * @return the breaker
     * @throws IllegalArgumentException naming the first setting missing or out of range
     */
    public CircuitBreaker build() {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("name must be set to a non-blank name, got " + name);
      }
      if (failureThreshold < 1) {
        throw new IllegalArgumentException(
            "failureThreshold must be at least 1, got " + failureThreshold);
      }
      if (openDuration.isNegative() || openDuration.isZero()) {
        throw new IllegalArgumentException("openDuration must be positive, got " + openDuration);
      }
      if (halfOpenTrials < 1) {
        throw new IllegalArgumentException(
            "halfOpenTrials must be at least 1, got " + halfOpenTrials);
      }
      return new CircuitBreaker(this);
    }
  }
}
