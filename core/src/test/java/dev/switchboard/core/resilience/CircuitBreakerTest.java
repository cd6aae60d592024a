package dev.switchboard.core.resilience;

import static dev.switchboard.core.resilience.CircuitBreaker.State.CLOSED;
import static dev.switchboard.core.resilience.CircuitBreaker.State.HALF_OPEN;
import static dev.switchboard.core.resilience.CircuitBreaker.State.OPEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.testsupport.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CircuitBreakerTest {
  private static final Duration OPEN_DURATION = Duration.ofSeconds(30);
  private static final long TIMEOUT_SECONDS = 10;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final RecordingListener listener = new RecordingListener();
  private final ExecutorService executor = Executors.newCachedThreadPool();

  @AfterEach
  void stopThreads() {
    executor.shutdownNow();
  }

  /** A breaker named "twilio" on the fake clock: 3 consecutive failures open it for 30 s. */
  private CircuitBreaker.Builder breaker() {
    return CircuitBreaker.builder()
        .name("twilio")
        .failureThreshold(3)
        .openDuration(OPEN_DURATION)
        .clock(clock)
        .listener(listener);
  }

  @Test
  void staysClosedWhileConsecutiveFailuresStayBelowTheThreshold() {
    CircuitBreaker breaker = breaker().build();

    fail(breaker, serverError());
    fail(breaker, serverError());
    succeed(breaker);
    fail(breaker, serverError());
    fail(breaker, serverError());

    assertThat(breaker.state()).isEqualTo(CLOSED);
    assertThat(listener.changes()).isEmpty();
  }

  @Test
  void opensAtTheThresholdOfConsecutiveFailures() {
    CircuitBreaker breaker = breaker().build();

    fail(breaker, serverError());
    fail(breaker, serverError());
    fail(breaker, serverError());

    assertThat(breaker.state()).isEqualTo(OPEN);
    assertThat(listener.changes()).containsExactly("CLOSED->OPEN");
  }

  @Test
  void failsFastWhileOpenWithoutRunningTheAction() {
    CircuitBreaker breaker = open(breaker().build());
    clock.advance(Duration.ofSeconds(10));
    AtomicInteger runs = new AtomicInteger();

    assertThatThrownBy(() -> breaker.call(runs::incrementAndGet))
        .isInstanceOfSatisfying(
            CircuitOpenException.class,
            e -> {
              assertThat(e.breakerName()).isEqualTo("twilio");
              assertThat(e.isRetryable()).isTrue();
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(20));
              assertThat(e.getMessage())
                  .contains("'twilio' is open after 3 consecutive failures")
                  .contains("503 from Twilio")
                  .contains("until 2026-01-01T00:00:30Z");
            });
    assertThat(runs).hasValue(0);
    assertThat(breaker.tryAcquirePermission()).isFalse();
  }

  @Test
  void movesToHalfOpenOnTheFirstPermissionRequestAfterTheOpenDuration() {
    CircuitBreaker breaker = open(breaker().build());

    clock.advance(OPEN_DURATION.minusMillis(1));
    assertThat(breaker.tryAcquirePermission()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(breaker.state()).isEqualTo(OPEN);

    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.state()).isEqualTo(HALF_OPEN);
    assertThat(listener.changes()).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN");
  }

  @Test
  void closesOnceTheTrialCallsSucceed() {
    CircuitBreaker breaker = open(breaker().halfOpenTrials(2).build());
    clock.advance(OPEN_DURATION);

    succeed(breaker);
    assertThat(breaker.state()).isEqualTo(HALF_OPEN);
    succeed(breaker);

    assertThat(breaker.state()).isEqualTo(CLOSED);
    assertThat(listener.changes())
        .containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
    fail(breaker, serverError());
    fail(breaker, serverError());
    assertThat(breaker.state()).as("the failure count restarts from zero").isEqualTo(CLOSED);
  }

  @Test
  void reopensForAnotherOpenDurationWhenATrialFails() {
    CircuitBreaker breaker = open(breaker().halfOpenTrials(2).build());
    clock.advance(OPEN_DURATION);

    succeed(breaker);
    fail(breaker, serverError());

    assertThat(breaker.state()).isEqualTo(OPEN);
    assertThat(listener.changes())
        .containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->OPEN");
    assertThatThrownBy(() -> breaker.call(() -> "unused"))
        .isInstanceOfSatisfying(
            CircuitOpenException.class,
            e -> {
              assertThat(e.retryAfter()).contains(OPEN_DURATION);
              assertThat(e.getMessage()).contains("after a failed trial call");
            });
    clock.advance(OPEN_DURATION.minusSeconds(1));
    assertThat(breaker.tryAcquirePermission()).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(breaker.tryAcquirePermission()).isTrue();
  }

  @Test
  void letsAtMostTheConfiguredNumberOfTrialCallsRunAtOnce() throws Exception {
    CircuitBreaker breaker = open(breaker().halfOpenTrials(2).build());
    clock.advance(OPEN_DURATION);
    CountDownLatch started = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    CheckedCallable<String, InterruptedException> slowTrial =
        () -> {
          started.countDown();
          assertThat(release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
          return "ok";
        };
    Future<String> first = executor.submit(() -> breaker.call(slowTrial));
    Future<String> second = executor.submit(() -> breaker.call(slowTrial));
    assertThat(started.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    AtomicInteger runs = new AtomicInteger();

    assertThatThrownBy(() -> breaker.call(runs::incrementAndGet))
        .isInstanceOfSatisfying(
            CircuitOpenException.class,
            e -> {
              assertThat(e.getMessage()).contains("'twilio' is half-open").contains("in progress");
              assertThat(e.retryAfter()).isEmpty();
            });
    assertThat(breaker.tryAcquirePermission()).isFalse();
    assertThat(runs).hasValue(0);

    release.countDown();
    assertThat(first.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("ok");
    assertThat(second.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("ok");
    assertThat(breaker.state()).isEqualTo(CLOSED);
  }

  static Stream<Exception> failuresThatCount() {
    return Stream.of(
        serverError(),
        new ProviderException("twilio", "connection reset", 0, null, null, true, null),
        new SwitchboardException("media stream dropped", null, true),
        new IOException("connection reset"),
        new UncheckedIOException(new IOException("connection reset")));
  }

  @ParameterizedTest
  @MethodSource("failuresThatCount")
  void countsRetryableFailuresAndIoExceptionsByDefault(Exception failure) {
    CircuitBreaker breaker = breaker().failureThreshold(1).build();

    fail(breaker, failure);

    assertThat(breaker.state()).isEqualTo(OPEN);
  }

  static Stream<Exception> failuresThatDoNotCount() {
    return Stream.of(
        new ProviderException("twilio", "400: invalid 'To'", 400, "21211", null, false, null),
        new ProviderException("twilio", "404: no such call", 404, "20404", null, false, null),
        new ProviderException("twilio", "429", 429, "20429", Duration.ofSeconds(1), true, null),
        new SwitchboardException("bad input"),
        new IllegalStateException("a bug in the caller"));
  }

  @ParameterizedTest
  @MethodSource("failuresThatDoNotCount")
  void ignoresClientErrorsAndNonRetryableFailuresByDefault(Exception failure) {
    CircuitBreaker breaker = breaker().failureThreshold(1).build();

    fail(breaker, failure);

    assertThat(breaker.state()).isEqualTo(CLOSED);
  }

  @Test
  void anIgnoredFailureNeitherCountsNorResetsTheCount() {
    CircuitBreaker breaker = breaker().failureThreshold(2).build();

    fail(breaker, serverError());
    fail(breaker, clientError());
    assertThat(breaker.state()).isEqualTo(CLOSED);
    fail(breaker, serverError());

    assertThat(breaker.state()).isEqualTo(OPEN);
  }

  @Test
  void countsWhatTheConfiguredPredicateAccepts() {
    CircuitBreaker breaker =
        breaker().failureThreshold(1).countsAsFailure(e -> e instanceof TimeoutException).build();

    fail(breaker, serverError());
    assertThat(breaker.state()).isEqualTo(CLOSED);
    fail(breaker, new TimeoutException("no answer in 5 s"));

    assertThat(breaker.state()).isEqualTo(OPEN);
  }

  @Test
  void anIgnoredTrialFreesItsSlot() {
    CircuitBreaker breaker = open(breaker().build());
    clock.advance(OPEN_DURATION);

    fail(breaker, clientError());

    assertThat(breaker.state()).isEqualTo(HALF_OPEN);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isFalse();
  }

  @Test
  void reportsItsStateAsAHealthCheck() {
    CircuitBreaker breaker = breaker().build();
    assertThat(breaker.health()).isEqualTo(HealthStatus.Check.healthy("twilio"));

    open(breaker);
    HealthStatus.Check open = breaker.health();
    assertThat(open.name()).isEqualTo("twilio");
    assertThat(open.state()).isEqualTo(HealthStatus.State.UNHEALTHY);
    assertThat(open.detail())
        .contains("3 consecutive failures")
        .contains("503 from Twilio")
        .contains("allowed from 2026-01-01T00:00:30Z");

    clock.advance(OPEN_DURATION);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    HealthStatus.Check halfOpen = breaker.health();
    assertThat(halfOpen.state()).isEqualTo(HealthStatus.State.DEGRADED);
    assertThat(halfOpen.detail()).contains("half-open").contains("0 of 1 trial calls succeeded");
  }

  @Test
  void tellsTheListenerOfEachTransitionOutsideItsLock() {
    List<String> seenFromAnotherThread = new CopyOnWriteArrayList<>();
    CircuitBreaker breaker =
        breaker()
            .failureThreshold(1)
            .listener(
                (b, from, to) -> {
                  // Would time out if the breaker held its lock while calling us.
                  CompletableFuture<String> probe =
                      CompletableFuture.supplyAsync(
                          () -> b.state() + " " + b.health().state(), executor);
                  seenFromAnotherThread.add(
                      probe.orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).join());
                })
            .build();

    fail(breaker, serverError());
    clock.advance(OPEN_DURATION);
    succeed(breaker);

    assertThat(seenFromAnotherThread)
        .containsExactly("OPEN UNHEALTHY", "HALF_OPEN DEGRADED", "CLOSED HEALTHY");
  }

  @Test
  void keepsWorkingWhenTheListenerThrows() {
    AtomicInteger heard = new AtomicInteger();
    CircuitBreaker breaker =
        breaker()
            .failureThreshold(1)
            .listener(
                (b, from, to) -> {
                  heard.incrementAndGet();
                  throw new IllegalStateException("listener bug");
                })
            .build();

    fail(breaker, serverError());

    assertThat(heard).hasValue(1);
    assertThat(breaker.state()).isEqualTo(OPEN);
    assertThatThrownBy(() -> breaker.call(() -> "unused")).isInstanceOf(CircuitOpenException.class);
  }

  @Test
  void followsTheSameTransitionsThroughTheLowLevelApi() {
    CircuitBreaker breaker = breaker().build();
    for (int i = 0; i < 3; i++) {
      assertThat(breaker.tryAcquirePermission()).isTrue();
      breaker.recordFailure(serverError());
    }
    assertThat(breaker.state()).isEqualTo(OPEN);
    assertThat(breaker.tryAcquirePermission()).isFalse();

    clock.advance(OPEN_DURATION);
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isFalse();
    breaker.recordSuccess();

    assertThat(breaker.state()).isEqualTo(CLOSED);
  }

  @Test
  void ignoresTheOutcomeOfACallPermittedBeforeTheBreakerOpened() throws Exception {
    CircuitBreaker breaker = breaker().failureThreshold(1).build();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<String> slowCall =
        executor.submit(
            () ->
                breaker.call(
                    () -> {
                      started.countDown();
                      assertThat(release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
                      return "late";
                    }));
    assertThat(started.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    breaker.recordFailure(serverError());
    clock.advance(OPEN_DURATION);
    assertThat(breaker.tryAcquirePermission()).as("the trial call").isTrue();

    release.countDown();
    assertThat(slowCall.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("late");

    assertThat(breaker.state()).isEqualTo(HALF_OPEN);
    assertThat(breaker.tryAcquirePermission()).as("the trial is still in flight").isFalse();
    breaker.recordSuccess();
    assertThat(breaker.state()).isEqualTo(CLOSED);
  }

  @Test
  void callAsyncRecordsTheOutcomeWhenTheStageCompletes() {
    CircuitBreaker breaker = breaker().failureThreshold(1).build();
    CompletableFuture<String> response = new CompletableFuture<>();

    CompletableFuture<String> result = breaker.callAsync(() -> response);
    assertThat(breaker.state()).isEqualTo(CLOSED);
    ProviderException failure = serverError();
    response.completeExceptionally(failure);

    assertThat(result).isCompletedExceptionally();
    assertThat(breaker.state()).isEqualTo(OPEN);
    AtomicInteger runs = new AtomicInteger();
    CompletableFuture<String> refused =
        breaker.callAsync(
            () -> {
              runs.incrementAndGet();
              return CompletableFuture.completedFuture("unused");
            });
    assertThat(refused)
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(CircuitOpenException.class);
    assertThat(runs).hasValue(0);
  }

  @Test
  void buildRejectsBadSettingsNamingThem() {
    List<Case> cases =
        List.of(
            new Case(b -> b, "name"),
            new Case(b -> b.name(" "), "name"),
            new Case(b -> b.name("x").failureThreshold(0), "failureThreshold"),
            new Case(b -> b.name("x").openDuration(Duration.ZERO), "openDuration"),
            new Case(b -> b.name("x").halfOpenTrials(0), "halfOpenTrials"));

    for (Case c : cases) {
      assertThatThrownBy(() -> c.change().apply(CircuitBreaker.builder()).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(c.setting() + " ");
    }
  }

  private record Case(UnaryOperator<CircuitBreaker.Builder> change, String setting) {}

  private static CircuitBreaker open(CircuitBreaker breaker) {
    for (int i = 0; i < 3; i++) {
      fail(breaker, serverError());
    }
    assertThat(breaker.state()).isEqualTo(OPEN);
    return breaker;
  }

  private static void fail(CircuitBreaker breaker, Exception failure) {
    assertThatThrownBy(
            () ->
                breaker.call(
                    () -> {
                      throw failure;
                    }))
        .isSameAs(failure);
  }

  private static void succeed(CircuitBreaker breaker) {
    assertThat(breaker.call(() -> "ok")).isEqualTo("ok");
  }

  private static ProviderException serverError() {
    return new ProviderException("twilio", "503 from Twilio", 503, null, null, true, null);
  }

  private static ProviderException clientError() {
    return new ProviderException("twilio", "404: no such call", 404, "20404", null, false, null);
  }

  /** Records each state change as "FROM->TO". */
  private static final class RecordingListener implements CircuitBreaker.Listener {
    private final List<String> changes = new CopyOnWriteArrayList<>();

    @Override
    public void onStateChange(
        CircuitBreaker breaker, CircuitBreaker.State from, CircuitBreaker.State to) {
      changes.add(from + "->" + to);
    }

    List<String> changes() {
      return List.copyOf(changes);
    }
  }
}
