package dev.switchboard.core.store;

import dev.switchboard.core.agent.Transcript;
import dev.switchboard.core.voice.CallDirection;
import dev.switchboard.core.voice.CallState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What is known about one call: who, when, how it ended, the application's metadata and,
 * optionally, its transcript. Saved in a {@link CallStore}. Immutable; the collections are copied
 * and unmodifiable. {@link #toString()} shows ids, states and times, never the phone numbers,
 * transcript text or metadata values (personal data).
 *
 * <pre>{@code
 * CallRecord record = CallRecord.of(callId, CallDirection.INBOUND, from, to, CallState.RINGING, now)
 *     .withMetadata("campaign", "spring-sale");
 * calls.save(record.withState(CallState.IN_PROGRESS, answeredAt));
 * }</pre>
 *
 * <p>A call's transcript may be kept here, in a {@link TranscriptStore} (which can search it), or
 * both; an application using a {@code TranscriptStore} usually leaves this list empty.
 *
 * @param callId the provider's call id (Twilio's CallSid); not blank
 * @param direction who placed the call
 * @param from the calling party's address, as the provider gave it (usually E.164)
 * @param to the called party's address
 * @param state the latest known state, final once {@link CallState#isTerminal() terminal}
 * @param startedAt when the call was created
 * @param answeredAt when it was answered, or null if it was not (yet)
 * @param endedAt when it ended, or null while it is going on
 * @param metadata the application's key-value pairs, such as a campaign or customer id
 * @param transcript final transcript entries, oldest first; may be empty
 */
public record CallRecord(
    String callId,
    CallDirection direction,
    String from,
    String to,
    CallState state,
    Instant startedAt,
    @Nullable Instant answeredAt,
    @Nullable Instant endedAt,
    Map<String, String> metadata,
    List<Transcript> transcript) {

  /**
   * Validates the components and copies the collections: a null component, metadata key or value,
   * or transcript entry throws {@link NullPointerException}, and a blank call id {@link
   * IllegalArgumentException}, each naming what was wrong.
   */
  public CallRecord {
    Checks.id(callId, "callId");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(transcript, "transcript");
    // Map.copyOf would lose the caller's key order, which makes records awkward to read.
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    metadata.forEach(
        (k, v) -> {
          Objects.requireNonNull(k, "metadata key");
          Objects.requireNonNull(v, "metadata value");
        });
    transcript = List.copyOf(transcript);
  }

  /**
   * Creates a record of a call that has not been answered, with no metadata and no transcript.
   *
   * @param callId the provider's call id; not blank
   * @param direction who placed the call
   * @param from the calling party's address
   * @param to the called party's address
   * @param state the current state
   * @param startedAt when the call was created
   * @return the record
   */
  public static CallRecord of(
      String callId,
      CallDirection direction,
      String from,
      String to,
      CallState state,
      Instant startedAt) {
    return new CallRecord(
        callId, direction, from, to, state, startedAt, null, null, Map.of(), List.of());
  }

  /**
   * Returns the record in a new state. Moving to {@link CallState#IN_PROGRESS} sets {@code
   * answeredAt}, and moving to a terminal state sets {@code endedAt}, each only if not already set.
   * Does not check the move: use {@code record.state().canMoveTo(next)} to ignore late or
   * out-of-order status reports.
   *
   * @param newState the state
   * @param at when the call entered it
   * @return a new record
   */
  public CallRecord withState(CallState newState, Instant at) {
    Objects.requireNonNull(newState, "newState");
    Objects.requireNonNull(at, "at");
    Instant answered = answeredAt;
    if (answered == null && newState == CallState.IN_PROGRESS) {
      answered = at;
    }
    Instant ended = endedAt;
    if (ended == null && newState.isTerminal()) {
      ended = at;
    }
    return new CallRecord(
        callId, direction, from, to, newState, startedAt, answered, ended, metadata, transcript);
  }

  /**
   * Returns the record with one metadata entry added or replaced.
   *
   * @param key the key
   * @param value the value
   * @return a new record
   */
  public CallRecord withMetadata(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Map<String, String> copy = new LinkedHashMap<>(metadata);
    copy.put(key, value);
    return new CallRecord(
        callId, direction, from, to, state, startedAt, answeredAt, endedAt, copy, transcript);
  }

  /**
   * Returns the record with a transcript entry appended.
   *
   * @param entry the entry
   * @return a new record
   */
  public CallRecord withTranscriptEntry(Transcript entry) {
    Objects.requireNonNull(entry, "entry");
    List<Transcript> copy = new ArrayList<>(transcript.size() + 1);
    copy.addAll(transcript);
    copy.add(entry);
    return new CallRecord(
        callId, direction, from, to, state, startedAt, answeredAt, endedAt, metadata, copy);
  }

  /**
   * Shows the id, direction, state, times, metadata keys and transcript size; never the phone
   * numbers, metadata values or transcript text.
   *
   * @return a summary
   */
  @Override
  public String toString() {
    return "CallRecord["
        + callId
        + ", "
        + direction
        + ", "
        + state
        + ", startedAt="
        + startedAt
        + (answeredAt != null ? ", answeredAt=" + answeredAt : "")
        + (endedAt != null ? ", endedAt=" + endedAt : "")
        + ", metadata keys="
        + new TreeSet<>(metadata.keySet())
        + ", "
        + transcript.size()
        + " transcript entries]";
  }
}
