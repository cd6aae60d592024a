package dev.switchboard.core.resilience;

import dev.switchboard.core.ProviderException;
import dev.switchboard.core.SwitchboardException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries an action that failed transiently, with exponential backoff, jitter and the service's
 * {@code Retry-After}, but never in a way that could repeat a side effect. Immutable and
 * thread-safe once built: one policy can serve every thread (the clock, sleeper, random generator
 * and predicate it is given must then be thread-safe too).
 *
 * <pre>{@code
 * RetryPolicy retry = RetryPolicy.builder()
 *     .maxAttempts(4)
 *     .initialBackoff(Duration.ofMillis(250))
 *     .maxElapsed(Duration.ofSeconds(20))
 *     .build();
 * Call call = retry.call(Operation.idempotent("fetch call"), () -> breaker.call(() -> fetch(sid)));
 * }</pre>
 *
 * <p><b>Whether to retry.</b> After a failed attempt, the policy tries again only if all hold:
 *
 * <ol>
 *   <li>the failure is retryable: a {@link SwitchboardException} whose {@link
 *       SwitchboardException#isRetryable()} is true, or another exception accepted by {@link
 *       Builder#retryOn}; errors ({@link Error}) and {@link InterruptedException} never are;
 *   <li>repeating is safe: the {@link Operation} is {@link Operation.Idempotency#IDEMPOTENT} or
 *       {@link Operation.Idempotency#SAFE_TO_RETRY}, or it is {@link
 *       Operation.Idempotency#NON_IDEMPOTENT} and the failure proves the request was never sent.
 *       Only three failures are taken as proof: a {@link CircuitOpenException} (the breaker refused
 *       the call); a {@link ProviderException} with HTTP status 0 whose cause chain holds a {@link
 *       ConnectException}, {@link NoRouteToHostException} or {@link UnknownHostException} (no
 *       connection was made); and such a connection failure thrown directly. A timeout is not
 *       proof: a read timeout and many connect timeouts look alike, and the service may have acted;
 *   <li>fewer than {@code maxAttempts} attempts were made;
 *   <li>the thread is not interrupted;
 *   <li>the wait before the next attempt would end within {@code maxElapsed} of the first attempt's
 *       start, when a maximum is set (the policy never starts a wait it would have to cut short).
 * </ol>
 *
 * <p><b>How long to wait.</b> Before attempt {@code n + 1}, the base delay is {@code initialBackoff
 * × multiplier^(n-1)}, at most {@code maxBackoff}. Jitter then spreads it: by default uniformly
 * within ±20 % (never above {@code maxBackoff}), or with {@link Builder#fullJitter()} uniformly
 * between zero and the base. When the failure carries a {@link ProviderException#retryAfter()} or a
 * {@link CircuitOpenException#retryAfter()} longer than that delay, the policy waits the {@code
 * Retry-After} instead, but never more than {@code maxBackoff}: the policy's limit wins, so a
 * service asking for an hour cannot park a thread for an hour (raise {@code maxBackoff} to honour
 * longer requests). The wait also counts against {@code maxElapsed}, as above.
 *
 * <p><b>Giving up.</b> The last failure is rethrown as it is (same type, same instance), with the
 * earlier attempts' failures attached as {@linkplain Throwable#getSuppressed() suppressed}
 * exceptions, oldest first, and a warning logged that names the operation and the number of
 * attempts. When interrupted while waiting, the policy restores the thread's interrupt flag and
 * rethrows the last failure with the {@link InterruptedException} suppressed.
 */
public final class RetryPolicy {
  private static final Logger log = LoggerFactory.getLogger(RetryPolicy.class);
  private static final int MAX_CAUSE_DEPTH = 16;

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final double multiplier;
  private final Duration maxBackoff;
  private final double jitter;
  private final boolean fullJitter;
  private final @Nullable RandomGenerator random;
  private final @Nullable Duration maxElapsed;
  private final Predicate<? super Exception> retryOn;
  private final Clock clock;
  private final Sleeper sleeper;

  private RetryPolicy(Builder builder) {
    this.maxAttempts = builder.maxAttempts;
    this.initialBackoff = builder.initialBackoff;
    this.multiplier = builder.multiplier;
    this.maxBackoff = builder.maxBackoff;
    this.jitter = builder.jitter;
    this.fullJitter = builder.fullJitter;
    this.random = builder.random;
    this.maxElapsed = builder.maxElapsed;
    this.retryOn = builder.retryOn;
    this.clock = builder.clock;
    this.sleeper = builder.sleeper;
  }

  /**
   * Starts a policy. The defaults: 3 attempts, 200 ms initial backoff doubling up to 10 s, ±20 %
   * jitter, no limit on the total time, only retryable {@link SwitchboardException}s retried.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs the action, retrying it as the policy allows (see the class description). Blocks the
   * calling thread while waiting between attempts.
   *
   * @param operation what the action does and whether it may be repeated
   * @param action the action, run up to {@code maxAttempts} times on the calling thread
   * @param <T> the result type
   * @param <X> the checked exception the action may throw
   * @return the result of the first successful attempt
   * @throws X the last failure, when the policy gives up, with earlier failures suppressed
   */
  public <T, X extends Exception> T call(Operation operation, CheckedCallable<T, X> action)
      throws X {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(action, "action");
    Instant start = clock.instant();
    List<Exception> earlier = new ArrayList<>(0);
    for (int attempt = 1; ; attempt++) {
      try {
        return action.call();
      } catch (Exception e) {
        Duration wait = nextWait(operation, e, attempt, start);
        if (wait == null) {
          giveUp(operation, e, attempt, start, earlier);
          throw e;
        }
        log.debug(
            "{} '{}' failed on attempt {} of {}; retrying in {} ms: {}",
            operation.idempotency(),
            operation.name(),
            attempt,
            maxAttempts,
            wait.toMillis(),
            e.toString());
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          log.debug("'{}' interrupted while waiting to retry", operation.name());
          attachEarlier(e, earlier);
          e.addSuppressed(interrupted);
          throw e;
        }
        earlier.add(e);
      }
    }
  }

  /** Returns how long to wait before the next attempt, or null to give up. */
  private @Nullable Duration nextWait(
      Operation operation, Exception e, int attempt, Instant start) {
    if (e instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
      return null;
    }
    if (!isRetryable(e)) {
      return null;
    }
    if (operation.idempotency() == Operation.Idempotency.NON_IDEMPOTENT && !provesNotSent(e)) {
      log.debug(
          "not retrying non-idempotent '{}': the request may have reached the service: {}",
          operation.name(),
          e.toString());
      return null;
    }
    if (attempt >= maxAttempts) {
      return null;
    }
    Duration wait = backoff(attempt, retryAfter(e));
    if (maxElapsed != null
        && Duration.between(start, clock.instant()).plus(wait).compareTo(maxElapsed) > 0) {
      log.debug(
          "not retrying '{}': waiting {} ms would exceed maxElapsed {}",
          operation.name(),
          wait.toMillis(),
          maxElapsed);
      return null;
    }
    return wait;
  }

  private boolean isRetryable(Exception e) {
    if (e instanceof SwitchboardException s) {
      return s.isRetryable();
    }
    return retryOn.test(e);
  }

  /** The delay before the attempt after {@code failedAttempts}, honouring a Retry-After. */
  private Duration backoff(int failedAttempts, @Nullable Duration retryAfter) {
    double max = nanos(maxBackoff);
    double base = Math.min(max, nanos(initialBackoff) * Math.pow(multiplier, failedAttempts - 1));
    double delay = base;
    if (fullJitter) {
      delay = base * random().nextDouble();
    } else if (jitter > 0) {
      delay = Math.min(max, base * (1 - jitter + 2 * jitter * random().nextDouble()));
    }
    Duration wait = Duration.ofNanos(Math.round(delay));
    if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
      wait = retryAfter.compareTo(maxBackoff) > 0 ? maxBackoff : retryAfter;
    }
    return wait;
  }

  private RandomGenerator random() {
    return random != null ? random : ThreadLocalRandom.current();
  }

  private static double nanos(Duration d) {
    return d.getSeconds() * 1e9 + d.getNano();
  }

  private static @Nullable Duration retryAfter(Exception e) {
    if (e instanceof ProviderException p) {
      return p.retryAfter().orElse(null);
    }
    if (e instanceof CircuitOpenException c) {
      return c.retryAfter().orElse(null);
    }
    return null;
  }

  /** True when the failure proves the request never left this process (see the class doc). */
  private static boolean provesNotSent(Exception e) {
    if (e instanceof CircuitOpenException) {
      return true;
    }
    if (e instanceof ProviderException p && p.httpStatus() != 0) {
      return false;
    }
    Throwable t = e;
    for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof NoRouteToHostException
          || t instanceof UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  private void giveUp(
      Operation operation, Exception last, int attempts, Instant start, List<Exception> earlier) {
    attachEarlier(last, earlier);
    if (attempts > 1) {
      log.warn(
          "{} '{}' failed after {} attempts in {} ms; giving up: {}",
          operation.idempotency(),
          operation.name(),
          attempts,
          Duration.between(start, clock.instant()).toMillis(),
          last.toString());
    }
  }

  private static void attachEarlier(Exception last, List<Exception> earlier) {
    // An action may throw the same instance twice; Throwable forbids self-suppression.
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    seen.add(last);
    for (Exception e : earlier) {
      if (seen.add(e)) {
        last.addSuppressed(e);
      }
    }
  }

  /**
   * Returns the maximum number of attempts, the first included.
   *
   * @return at least 1
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts="
        + maxAttempts
        + ", initialBackoff="
        + initialBackoff
        + ", multiplier="
        + multiplier
        + ", maxBackoff="
        + maxBackoff
        + ", jitter="
        + (fullJitter ? "full" : "±" + jitter)
        + ", maxElapsed="
        + maxElapsed
        + '}';
  }

  /**
   * Builds a {@link RetryPolicy}. Setters check only for null; {@link #build()} validates the
   * settings. Not thread-safe.
   */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(200);
    private double multiplier = 2;
    private Duration maxBackoff = Duration.ofSeconds(10);
    private double jitter = 0.2;
    private boolean fullJitter;
    private @Nullable RandomGenerator random;
    private @Nullable Duration maxElapsed;
    private Predicate<? super Exception> retryOn = e -> false;
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.THREAD;

    private Builder() {}

    /**
     * Sets how many times an action may be attempted in all, the first attempt included; 1 disables
     * retries. Default 3.
     *
     * @param maxAttempts at least 1
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets the base delay before the second attempt. Default 200 ms.
     *
     * @param initialBackoff positive, at most {@link #maxBackoff}
     * @return this builder
     */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = Objects.requireNonNull(initialBackoff, "initialBackoff");
      return this;
    }

    /**
     * Sets the factor each further base delay is multiplied by. Default 2.
     *
     * @param multiplier at least 1 (1 keeps the delay constant)
     * @return this builder
     */
    public Builder multiplier(double multiplier) {
      this.multiplier = multiplier;
      return this;
    }

    /**
     * Sets the longest wait between two attempts, whatever the backoff, the jitter or a {@code
     * Retry-After} say. Default 10 s.
     *
     * @param maxBackoff positive, at least {@link #initialBackoff}
     * @return this builder
     */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
      return this;
    }

    /**
     * Spreads each delay uniformly within ± the given fraction of it (never above {@link
     * #maxBackoff}); 0 disables jitter. Default 0.2. Replaces {@link #fullJitter()}.
     *
     * @param fraction from 0 to 1
     * @return this builder
     */
    public Builder jitter(double fraction) {
      this.jitter = fraction;
      this.fullJitter = false;
      return this;
    }

    /**
     * Picks each delay uniformly between zero and its base value ("full jitter"), which spreads
     * many clients retrying at once the most. Replaces {@link #jitter(double)}.
     *
     * @return this builder
     */
    public Builder fullJitter() {
      this.fullJitter = true;
      return this;
    }

    /**
     * Sets the source of randomness for jitter; a seeded or scripted one makes delays exact in
     * tests. Default {@link ThreadLocalRandom}. Must be thread-safe if the policy is shared.
     *
     * @param random the generator; the policy draws one {@code nextDouble()} per jittered delay
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Limits the total time from the start of the first attempt: the policy gives up rather than
     * start a wait that would end later. Attempts already running are not cut short. Default: no
     * limit.
     *
     * @param maxElapsed positive
     * @return this builder
     */
    public Builder maxElapsed(Duration maxElapsed) {
      this.maxElapsed = Objects.requireNonNull(maxElapsed, "maxElapsed");
      return this;
    }

    /**
     * Also retries exceptions that are not {@link SwitchboardException}s when the predicate accepts
     * them, e.g. {@code e -> e instanceof IOException}. A {@link SwitchboardException} is always
     * judged by its {@link SwitchboardException#isRetryable()}. Default: none.
     *
     * @param retryOn tells whether another exception is transient; must be thread-safe
     * @return this builder
     */
    public Builder retryOn(Predicate<? super Exception> retryOn) {
      this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
      return this;
    }

    /**
     * Sets the clock that measures {@link #maxElapsed}. Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how the policy waits between attempts. Default {@link Sleeper#THREAD}.
     *
     * @param sleeper the sleeper
     * @return this builder
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     * @throws IllegalArgumentException naming the first setting out of range
     */
    public RetryPolicy build() {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
      }
      requirePositive(initialBackoff, "initialBackoff");
      requirePositive(maxBackoff, "maxBackoff");
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "maxBackoff ("
                + maxBackoff
                + ") must be at least initialBackoff ("
                + initialBackoff
                + ")");
      }
      if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException(
            "multiplier must be a finite number of at least 1, got " + multiplier);
      }
      if (!(jitter >= 0 && jitter <= 1)) {
        throw new IllegalArgumentException("jitter must be from 0 to 1, got " + jitter);
      }
      if (maxElapsed != null) {
        requirePositive(maxElapsed, "maxElapsed");
      }
      return new RetryPolicy(this);
    }

    private static void requirePositive(Duration d, String name) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
    }
  }
}
