package dev.switchboard.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.agent.Transcript;
import dev.switchboard.core.voice.CallDirection;
import dev.switchboard.core.voice.CallState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallRecordTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

  private static CallRecord ringing() {
    return CallRecord.of(
        "CA1", CallDirection.INBOUND, "+15551230001", "+15559870002", CallState.RINGING, T0);
  }

  @Test
  void ofCreatesAnUnansweredRecordWithoutMetadataOrTranscript() {
    CallRecord record = ringing();

    assertThat(record.callId()).isEqualTo("CA1");
    assertThat(record.answeredAt()).isNull();
    assertThat(record.endedAt()).isNull();
    assertThat(record.metadata()).isEmpty();
    assertThat(record.transcript()).isEmpty();
  }

  @Test
  void withStateRecordsWhenTheCallWasAnsweredAndWhenItEnded() {
    Instant answered = T0.plusSeconds(5);
    Instant ended = T0.plusSeconds(65);

    CallRecord inProgress = ringing().withState(CallState.IN_PROGRESS, answered);
    CallRecord completed = inProgress.withState(CallState.COMPLETED, ended);

    assertThat(inProgress.state()).isEqualTo(CallState.IN_PROGRESS);
    assertThat(inProgress.answeredAt()).isEqualTo(answered);
    assertThat(inProgress.endedAt()).isNull();
    assertThat(completed.state()).isEqualTo(CallState.COMPLETED);
    assertThat(completed.answeredAt()).isEqualTo(answered);
    assertThat(completed.endedAt()).isEqualTo(ended);
  }

  @Test
  void withStateKeepsTimesAlreadySet() {
    CallRecord completed =
        ringing()
            .withState(CallState.IN_PROGRESS, T0.plusSeconds(1))
            .withState(CallState.COMPLETED, T0.plusSeconds(2));

    CallRecord again = completed.withState(CallState.FAILED, T0.plusSeconds(3));

    assertThat(again.answeredAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(again.endedAt()).isEqualTo(T0.plusSeconds(2));
  }

  @Test
  void anUnansweredCallEndsWithoutAnAnswerTime() {
    CallRecord busy = ringing().withState(CallState.BUSY, T0.plusSeconds(20));

    assertThat(busy.answeredAt()).isNull();
    assertThat(busy.endedAt()).isEqualTo(T0.plusSeconds(20));
  }

  @Test
  void withMetadataAndWithTranscriptEntryReturnNewRecords() {
    CallRecord original = ringing();
    Transcript hello = new Transcript(Speaker.USER, "hello", true, "item1", T0);

    CallRecord changed = original.withMetadata("campaign", "spring").withTranscriptEntry(hello);

    assertThat(changed.metadata()).containsExactly(Map.entry("campaign", "spring"));
    assertThat(changed.transcript()).containsExactly(hello);
    assertThat(original.metadata()).isEmpty();
    assertThat(original.transcript()).isEmpty();
  }

  @Test
  void theCollectionsAreCopiedAndUnmodifiable() {
    Map<String, String> metadata = new HashMap<>(Map.of("k", "v"));
    List<Transcript> transcript =
        new ArrayList<>(List.of(new Transcript(Speaker.AGENT, "hi", true, null, T0)));

    CallRecord record =
        new CallRecord(
            "CA1",
            CallDirection.OUTBOUND,
            "a",
            "b",
            CallState.QUEUED,
            T0,
            null,
            null,
            metadata,
            transcript);
    metadata.put("k2", "v2");
    transcript.clear();

    assertThat(record.metadata()).containsOnlyKeys("k");
    assertThat(record.transcript()).hasSize(1);
    assertThatThrownBy(() -> record.metadata().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> record.transcript().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aBlankOrNullCallIdIsRejectedByName() {
    assertThatThrownBy(
            () -> CallRecord.of(" ", CallDirection.INBOUND, "a", "b", CallState.QUEUED, T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callId");
    assertThatThrownBy(
            () -> CallRecord.of(null, CallDirection.INBOUND, "a", "b", CallState.QUEUED, T0))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("callId");
  }

  @Test
  void nullMetadataValuesAreRejected() {
    Map<String, String> metadata = new HashMap<>();
    metadata.put("k", null);

    assertThatThrownBy(
            () ->
                new CallRecord(
                    "CA1",
                    CallDirection.INBOUND,
                    "a",
                    "b",
                    CallState.QUEUED,
                    T0,
                    null,
                    null,
                    metadata,
                    List.of()))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("metadata");
  }

  @Test
  void toStringHidesPhoneNumbersMetadataValuesAndTranscriptText() {
    CallRecord record =
        ringing()
            .withMetadata("customer", "Jane Doe")
            .withTranscriptEntry(
                new Transcript(Speaker.USER, "my card number is 4111", true, null, T0));

    String text = record.toString();

    assertThat(text)
        .contains("CA1", "RINGING", "customer", "1 transcript entries")
        .doesNotContain("+1555", "Jane", "4111", "card");
  }
}
