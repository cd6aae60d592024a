package dev.switchboard.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.voice.CallDirection;
import dev.switchboard.core.voice.CallState;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of every {@link CallStore}: extend it with a test that supplies a new, empty store.
 */
abstract class CallStoreCompatibilityKit {
  static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

  /** The store under test, new and empty for each test. */
  CallStore store;

  /** Returns a new, empty, unbounded store. */
  protected abstract CallStore newStore();

  @BeforeEach
  void createStore() {
    store = newStore();
  }

  static CallRecord call(String id, Instant startedAt) {
    return CallRecord.of(
        id, CallDirection.INBOUND, "+15550000001", "+15550000002", CallState.RINGING, startedAt);
  }

  @Test
  void aSavedRecordIsFoundByItsCallId() {
    CallRecord record = call("CA1", T0).withMetadata("campaign", "spring");

    store.save(record);

    assertThat(store.find("CA1")).contains(record);
  }

  @Test
  void findingAnUnknownCallReturnsEmpty() {
    assertThat(store.find("CA-unknown")).isEmpty();
  }

  @Test
  void savingAgainReplacesTheRecord() {
    store.save(call("CA1", T0));
    CallRecord answered = call("CA1", T0).withState(CallState.IN_PROGRESS, T0.plusSeconds(3));

    store.save(answered);

    assertThat(store.find("CA1")).contains(answered);
    assertThat(store.recent(10)).containsExactly(answered);
  }

  @Test
  void deleteRemovesTheRecordAndSaysWhetherThereWasOne() {
    store.save(call("CA1", T0));

    assertThat(store.delete("CA1")).isTrue();
    assertThat(store.delete("CA1")).isFalse();
    assertThat(store.find("CA1")).isEmpty();
    assertThat(store.recent(10)).isEmpty();
  }

  @Test
  void recentReturnsTheNewestFirstUpToTheLimit() {
    store.save(call("CA2", T0.plusSeconds(2)));
    store.save(call("CA1", T0.plusSeconds(1)));
    store.save(call("CA4", T0.plusSeconds(4)));
    store.save(call("CA3", T0.plusSeconds(3)));

    assertThat(store.recent(3)).extracting(CallRecord::callId).containsExactly("CA4", "CA3", "CA2");
    assertThat(store.recent(10))
        .extracting(CallRecord::callId)
        .containsExactly("CA4", "CA3", "CA2", "CA1");
  }

  @Test
  void recentFollowsAChangedStartTime() {
    store.save(call("CA1", T0.plusSeconds(1)));
    store.save(call("CA2", T0.plusSeconds(2)));

    store.save(call("CA1", T0.plusSeconds(3)));

    assertThat(store.recent(10)).extracting(CallRecord::callId).containsExactly("CA1", "CA2");
  }

  @Test
  void recentOfAnEmptyStoreIsEmpty() {
    assertThat(store.recent(5)).isEmpty();
  }

  @Test
  void recentRejectsALimitBelowOne() {
    assertThatThrownBy(() -> store.recent(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit");
  }

  @Test
  void idsAreCheckedByName() {
    assertThatThrownBy(() -> store.find(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callId");
    assertThatThrownBy(() -> store.find(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("callId");
    assertThatThrownBy(() -> store.delete(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callId");
    assertThatThrownBy(() -> store.save(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("record");
  }

  @Test
  void concurrentSavesFromSeveralThreadsAreAllKept() throws Exception {
    int threads = 8;
    int perThread = 250;

    Concurrently.run(
        threads,
        t -> {
          for (int i = 0; i < perThread; i++) {
            store.save(call("CA-" + t + "-" + i, T0.plusMillis(t * perThread + i)));
          }
        });

    List<CallRecord> all = store.recent(threads * perThread + 1);
    assertThat(all).hasSize(threads * perThread);
    assertThat(all).extracting(CallRecord::startedAt).isSortedAccordingTo((a, b) -> b.compareTo(a));
    IntStream.range(0, threads)
        .forEach(t -> assertThat(store.find("CA-" + t + "-" + (perThread - 1))).isPresent());
  }
}
