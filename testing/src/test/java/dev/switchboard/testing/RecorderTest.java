package dev.switchboard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecorderTest {

  @Test
  void awaitReturnsAnItemRecordedBeforeOrDuringTheWait() throws Exception {
    Recorder<Object> recorder = new Recorder<>();
    recorder.accept("early");
    assertThat(recorder.await(String.class)).isEqualTo("early");
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<Integer> awaited =
        CompletableFuture.supplyAsync(
            () -> {
              waiting.countDown();
              return recorder.await(Integer.class, i -> i > 1, Duration.ofSeconds(10));
            });
    assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
    recorder.accept(1);
    recorder.accept(2);
    assertThat(awaited.get(10, TimeUnit.SECONDS)).isEqualTo(2);
  }

  @Test
  void aTimeoutFailsListingWhatArrived() {
    Recorder<Object> recorder = new Recorder<>();
    recorder.accept("something else");
    assertThatThrownBy(() -> recorder.await(Integer.class, i -> true, Duration.ofMillis(20)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no Integer")
        .hasMessageContaining("something else");
    assertThatThrownBy(() -> recorder.awaitCount(2, Duration.ofMillis(20)))
        .hasMessageContaining("expected 2 items");
  }

  @Test
  void awaitAllWaitsForAConditionOverEverything() {
    Recorder<Integer> recorder = new Recorder<>();
    CompletableFuture.runAsync(
        () -> {
          for (int i = 1; i <= 5; i++) {
            recorder.accept(i);
          }
        });
    assertThat(
            recorder.awaitAll(
                all -> all.stream().mapToInt(i -> i).sum() >= 15, "sum 15", Duration.ofSeconds(10)))
        .hasSize(5);
  }

  @Test
  void theControllableClockMovesOnlyWhenTold() {
    ControllableClock clock = ControllableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    clock.advance(Duration.ofSeconds(90));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:01:30Z"));
    assertThat(clock.withZone(java.time.ZoneId.of("Europe/Paris")).instant())
        .isEqualTo(clock.instant());
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
        .hasMessageContaining("only moves forward");
    clock.set(Instant.EPOCH);
    assertThat(clock.millis()).isZero();
  }
}
