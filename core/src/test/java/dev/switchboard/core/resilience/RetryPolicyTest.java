package dev.switchboard.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.ProviderException;
import dev.switchboard.core.testsupport.MutableClock;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final Operation FETCH = Operation.idempotent("fetch call");
  private static final Operation CREATE = Operation.nonIdempotent("create call");

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final RecordingSleeper sleeper = new RecordingSleeper(clock);

  @AfterEach
  void clearInterruptFlag() {
    Thread.interrupted();
  }

  /** A policy on the fake clock and sleeper, without jitter unless a test sets it. */
  private RetryPolicy.Builder policy() {
    return RetryPolicy.builder().clock(clock).sleeper(sleeper).jitter(0);
  }

  @Test
  void returnsTheFirstSuccessWithoutWaiting() {
    String result = policy().build().call(FETCH, () -> "ok");

    assertThat(result).isEqualTo("ok");
    assertThat(sleeper.waits()).isEmpty();
  }

  @Test
  void retriesWithExponentialBackoffUntilTheActionSucceeds() throws Exception {
    Script action = new Script(serverError(), serverError(), serverError(), serverError());

    String result = policy().maxAttempts(5).build().call(FETCH, action);

    assertThat(result).isEqualTo("ok");
    assertThat(action.calls()).isEqualTo(5);
    assertThat(sleeper.waits()).containsExactly(ms(200), ms(400), ms(800), ms(1600));
  }

  @Test
  void usesThreeAttemptsAndTwentyPercentJitterByDefault() {
    RetryPolicy policy =
        RetryPolicy.builder()
            .clock(clock)
            .sleeper(sleeper)
            .random(new ScriptedRandom(0.0, 0.5))
            .build();
    Script action = new Script(serverError(), serverError(), serverError());

    assertThatThrownBy(() -> policy.call(FETCH, action)).isInstanceOf(ProviderException.class);

    assertThat(action.calls()).isEqualTo(3);
    // 200 ms × (1 - 0.2 + 0.4 × 0.0), then 400 ms × (1 - 0.2 + 0.4 × 0.5)
    assertThat(sleeper.waits()).containsExactly(ms(160), ms(400));
  }

  @Test
  void capsEachDelayAtMaxBackoff() throws Exception {
    RetryPolicy policy =
        policy()
            .maxAttempts(5)
            .initialBackoff(Duration.ofSeconds(1))
            .multiplier(3)
            .maxBackoff(Duration.ofSeconds(5))
            .build();

    policy.call(FETCH, new Script(serverError(), serverError(), serverError(), serverError()));

    assertThat(sleeper.waits()).containsExactly(seconds(1), seconds(3), seconds(5), seconds(5));
  }

  @Test
  void spreadsEachDelayWithinTheJitterFraction() throws Exception {
    RetryPolicy policy =
        policy().maxAttempts(4).jitter(0.2).random(new ScriptedRandom(0.0, 0.5, 0.75)).build();

    policy.call(FETCH, new Script(serverError(), serverError(), serverError()));

    // base × (0.8 + 0.4 × r): 200 × 0.8, 400 × 1.0, 800 × 1.1
    assertThat(sleeper.waits()).containsExactly(ms(160), ms(400), ms(880));
  }

  @Test
  void fullJitterPicksEachDelayBetweenZeroAndItsBase() throws Exception {
    RetryPolicy policy =
        policy().maxAttempts(4).fullJitter().random(new ScriptedRandom(0.25, 0.5, 0.0)).build();

    policy.call(FETCH, new Script(serverError(), serverError(), serverError()));

    assertThat(sleeper.waits()).containsExactly(ms(50), ms(200), ms(0));
  }

  @Test
  void jitterNeverRaisesADelayAboveMaxBackoff() throws Exception {
    RetryPolicy policy =
        policy()
            .maxAttempts(3)
            .initialBackoff(Duration.ofSeconds(1))
            .maxBackoff(Duration.ofSeconds(1))
            .jitter(0.5)
            .random(new ScriptedRandom(0.99, 0.0))
            .build();

    policy.call(FETCH, new Script(serverError(), serverError()));

    assertThat(sleeper.waits()).containsExactly(seconds(1), ms(500));
  }

  @Test
  void waitsForTheRetryAfterWhenItIsLongerThanTheBackoff() throws Exception {
    policy().build().call(FETCH, new Script(rateLimited(Duration.ofSeconds(3))));

    assertThat(sleeper.waits()).containsExactly(seconds(3));
  }

  @Test
  void keepsTheBackoffWhenTheRetryAfterIsShorter() throws Exception {
    policy().build().call(FETCH, new Script(rateLimited(ms(50))));

    assertThat(sleeper.waits()).containsExactly(ms(200));
  }

  @Test
  void capsTheRetryAfterAtMaxBackoff() throws Exception {
    policy()
        .maxBackoff(Duration.ofSeconds(10))
        .build()
        .call(FETCH, new Script(rateLimited(Duration.ofHours(1))));

    assertThat(sleeper.waits()).containsExactly(seconds(10));
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheEarlierFailuresSuppressed() {
    ProviderException first = serverError();
    ProviderException second = serverError();
    ProviderException third = serverError();
    Script action = new Script(first, second, third);

    assertThatThrownBy(() -> policy().maxAttempts(3).build().call(FETCH, action))
        .isSameAs(third)
        .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(first, second));
    assertThat(action.calls()).isEqualTo(3);
    assertThat(sleeper.waits()).hasSize(2);
  }

  @Test
  void givesUpRatherThanWaitPastMaxElapsed() {
    ProviderException last = serverError();
    Script action = new Script(serverError(), last, serverError()).taking(Duration.ofSeconds(1));
    RetryPolicy policy = policy().maxAttempts(10).maxElapsed(ms(2500)).build();

    // 0 s → 1 s fails, wait 200 ms → 1.2 s, 1.2 s → 2.2 s fails, 400 ms more would end at 2.6 s
    assertThatThrownBy(() -> policy.call(FETCH, action)).isSameAs(last);
    assertThat(action.calls()).isEqualTo(2);
    assertThat(sleeper.waits()).containsExactly(ms(200));
  }

  @Test
  void doesNotRetryANonRetryableFailure() {
    ProviderException badRequest =
        new ProviderException("twilio", "400: invalid 'To'", 400, "21211", null, false, null);
    Script action = new Script(badRequest);

    assertThatThrownBy(() -> policy().build().call(FETCH, action))
        .isSameAs(badRequest)
        .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());
    assertThat(action.calls()).isEqualTo(1);
    assertThat(sleeper.waits()).isEmpty();
  }

  @Test
  void doesNotRetryOtherExceptionsByDefault() {
    AtomicInteger calls = new AtomicInteger();
    IOException reset = new IOException("connection reset");

    assertThatThrownBy(
            () ->
                policy()
                    .build()
                    .call(
                        FETCH,
                        () -> {
                          calls.incrementAndGet();
                          throw reset;
                        }))
        .isSameAs(reset);
    assertThat(calls).hasValue(1);
  }

  @Test
  void retriesOtherExceptionsTheRetryOnPredicateAccepts() throws Exception {
    RetryPolicy policy = policy().retryOn(e -> e instanceof IOException).build();
    Script retried = new Script(new IOException("connection reset"));
    IllegalStateException bug = new IllegalStateException("bug");
    Script notRetried = new Script(bug);

    assertThat(policy.call(FETCH, retried)).isEqualTo("ok");
    assertThatThrownBy(() -> policy.call(FETCH, notRetried)).isSameAs(bug);

    assertThat(retried.calls()).isEqualTo(2);
    assertThat(notRetried.calls()).isEqualTo(1);
  }

  @Test
  void triesANonIdempotentOperationOnceEvenWhenTheFailureIsRetryable() {
    RetryPolicy policy = policy().maxAttempts(5).build();
    ProviderException serverError = serverError();
    ProviderException timeout =
        new ProviderException(
            "twilio", "read timed out", 0, null, null, true, new SocketTimeoutException());
    Script failsWith503 = new Script(serverError);
    Script timesOut = new Script(timeout);

    assertThatThrownBy(() -> policy.call(CREATE, failsWith503)).isSameAs(serverError);
    assertThatThrownBy(() -> policy.call(CREATE, timesOut)).isSameAs(timeout);

    assertThat(failsWith503.calls()).isEqualTo(1);
    assertThat(timesOut.calls()).isEqualTo(1);
    assertThat(sleeper.waits()).isEmpty();
  }

  @Test
  void retriesANonIdempotentOperationMarkedSafeToRetry() throws Exception {
    Script action = new Script(serverError(), serverError());

    String result = policy().build().call(CREATE.markedSafeToRetry(), action);

    assertThat(result).isEqualTo("ok");
    assertThat(action.calls()).isEqualTo(3);
  }

  @Test
  void retriesANonIdempotentOperationWhenTheRequestNeverLeft() throws Exception {
    ProviderException refused =
        new ProviderException(
            "twilio",
            "cannot connect to api.twilio.com",
            0,
            null,
            null,
            true,
            new ConnectException("Connection refused"));
    ProviderException unknownHost =
        new ProviderException(
            "twilio",
            "cannot resolve api.twilio.com",
            0,
            null,
            null,
            true,
            new UnknownHostException("api.twilio.com"));
    Script action = new Script(refused, unknownHost);

    assertThat(policy().build().call(CREATE, action)).isEqualTo("ok");
    assertThat(action.calls()).isEqualTo(3);
  }

  @Test
  void doesNotTakeAConnectFailureBehindAnHttpStatusAsProofThatNothingWasSent() {
    ProviderException badGateway =
        new ProviderException(
            "twilio", "502 from proxy", 502, null, null, true, new ConnectException("upstream"));
    Script action = new Script(badGateway);

    assertThatThrownBy(() -> policy().build().call(CREATE, action)).isSameAs(badGateway);
    assertThat(action.calls()).isEqualTo(1);
  }

  @Test
  void retriesANonIdempotentOperationRefusedByAnOpenCircuitOnceItLetsCallsThrough() {
    CircuitBreaker breaker =
        CircuitBreaker.builder()
            .name("twilio")
            .failureThreshold(1)
            .openDuration(Duration.ofSeconds(5))
            .clock(clock)
            .build();
    breaker.recordFailure(serverError());
    AtomicInteger sent = new AtomicInteger();

    String result =
        policy()
            .build()
            .call(
                CREATE,
                () ->
                    breaker.call(
                        () -> {
                          sent.incrementAndGet();
                          return "created";
                        }));

    assertThat(result).isEqualTo("created");
    assertThat(sent).hasValue(1);
    assertThat(sleeper.waits()).containsExactly(seconds(5));
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void stopsWhenInterruptedWhileWaitingAndRestoresTheInterruptFlag() {
    ProviderException failure = serverError();
    Script action = new Script(failure, serverError());
    sleeper.interruptNext();

    assertThatThrownBy(() -> policy().build().call(FETCH, action))
        .isSameAs(failure)
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .singleElement()
                    .isInstanceOf(InterruptedException.class));

    assertThat(Thread.currentThread().isInterrupted()).isTrue();
    assertThat(action.calls()).isEqualTo(1);
  }

  @Test
  void doesNotRetryOnceTheThreadIsInterrupted() {
    AtomicInteger calls = new AtomicInteger();
    ProviderException failure = serverError();

    assertThatThrownBy(
            () ->
                policy()
                    .build()
                    .call(
                        FETCH,
                        () -> {
                          calls.incrementAndGet();
                          Thread.currentThread().interrupt();
                          throw failure;
                        }))
        .isSameAs(failure);

    assertThat(calls).hasValue(1);
    assertThat(sleeper.waits()).isEmpty();
    assertThat(Thread.currentThread().isInterrupted()).isTrue();
  }

  @Test
  void neverRetriesAnInterruptedExceptionEvenIfRetryOnAcceptsEverything() {
    InterruptedException interrupted = new InterruptedException();
    Script action = new Script(interrupted);

    assertThatThrownBy(() -> policy().retryOn(e -> true).build().call(FETCH, action))
        .isSameAs(interrupted);
    assertThat(action.calls()).isEqualTo(1);
  }

  @Test
  void rethrowsAFailureThrownAtEveryAttemptWithoutSuppressingItself() {
    ProviderException same = serverError();
    Script action = new Script(same, same, same);

    assertThatThrownBy(() -> policy().build().call(FETCH, action))
        .isSameAs(same)
        .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());
    assertThat(action.calls()).isEqualTo(3);
  }

  @Test
  void letsTheCompilerInferTheCheckedExceptionOfTheAction() {
    RetryPolicy policy = policy().build();

    // No throws clause needed: the action throws nothing checked.
    int unchecked = policy.call(FETCH, () -> 42);

    assertThat(unchecked).isEqualTo(42);
  }

  @Test
  void buildRejectsBadSettingsNamingThem() {
    List<Case> cases =
        List.of(
            new Case(b -> b.maxAttempts(0), "maxAttempts"),
            new Case(b -> b.initialBackoff(Duration.ZERO), "initialBackoff"),
            new Case(b -> b.maxBackoff(ms(-1)), "maxBackoff"),
            new Case(b -> b.initialBackoff(seconds(2)).maxBackoff(seconds(1)), "maxBackoff"),
            new Case(b -> b.multiplier(0.5), "multiplier"),
            new Case(b -> b.multiplier(Double.NaN), "multiplier"),
            new Case(b -> b.jitter(1.5), "jitter"),
            new Case(b -> b.jitter(-0.1), "jitter"),
            new Case(b -> b.maxElapsed(Duration.ZERO), "maxElapsed"));

    for (Case c : cases) {
      assertThatThrownBy(() -> c.change().apply(RetryPolicy.builder()).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(c.setting() + " ");
    }
  }

  @Test
  void threadSleeperThrowsAtOnceWhenTheThreadIsInterrupted() {
    Thread.currentThread().interrupt();

    assertThatThrownBy(() -> Sleeper.THREAD.sleep(Duration.ofDays(1)))
        .isInstanceOf(InterruptedException.class);
  }

  @Test
  void anOperationMarkedSafeToRetryKeepsItsName() {
    assertThat(CREATE.markedSafeToRetry())
        .isEqualTo(new Operation("create call", Operation.Idempotency.SAFE_TO_RETRY));
    assertThat(FETCH.markedSafeToRetry()).isSameAs(FETCH);
    assertThatThrownBy(() -> Operation.idempotent(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name");
  }

  private record Case(UnaryOperator<RetryPolicy.Builder> change, String setting) {}

  private static ProviderException serverError() {
    return new ProviderException("twilio", "503 from Twilio", 503, null, null, true, null);
  }

  private static ProviderException rateLimited(Duration retryAfter) {
    return new ProviderException("twilio", "429 from Twilio", 429, "20429", retryAfter, true, null);
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  private static Duration seconds(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  /** Throws the scripted failures in order, then returns "ok"; counts its calls. */
  private final class Script implements CheckedCallable<String, Exception> {
    private final Deque<Exception> failures;
    private final AtomicInteger calls = new AtomicInteger();
    private Duration duration = Duration.ZERO;

    Script(Exception... failures) {
      this.failures = new ArrayDeque<>(Arrays.asList(failures));
    }

    /** Makes each call take this long on the fake clock. */
    Script taking(Duration duration) {
      this.duration = duration;
      return this;
    }

    int calls() {
      return calls.get();
    }

    @Override
    public String call() throws Exception {
      calls.incrementAndGet();
      clock.advance(duration);
      Exception failure = failures.poll();
      if (failure != null) {
        throw failure;
      }
      return "ok";
    }
  }
}
