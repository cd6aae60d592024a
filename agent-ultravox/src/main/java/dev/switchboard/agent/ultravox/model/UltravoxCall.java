package dev.switchboard.agent.ultravox.model;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.switchboard.agent.ultravox.internal.Json.ProtoDurationFormat;
import dev.switchboard.agent.ultravox.internal.Json.TimestampFormat;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An Ultravox call as the API returns it (and as webhooks carry it). Fields this record does not
 * type ({@code systemPrompt}, {@code voice}, {@code vadSettings}, {@code summary}...) are kept in
 * {@link #extra()}. Immutable and thread-safe.
 *
 * @param callId the call's id (a UUID)
 * @param joinUrl where the call's media connects: for the {@code twilio} medium, the URL of TwiML's
 *     {@code <Stream>}; for {@code serverWebSocket}, the WebSocket to open. Null when there is none
 *     (e.g. outgoing SIP)
 * @param created when the call was created
 * @param joined when its media joined, null until then
 * @param ended when it ended, null until then
 * @param endReason why it ended, e.g. {@code hangup}, {@code agent_hangup}, {@code timeout}, {@code
 *     unjoined}, {@code connection_error}, {@code system_error}; null until it ends
 * @param billedDuration the billed duration, null until billed
 * @param metadata the metadata the call was created with
 * @param agentId the agent it was started from, if any
 * @param medium its medium
 * @param firstSpeakerSettings who speaks first
 * @param maxDuration the longest it may last
 * @param recordingEnabled whether it is recorded
 * @param shortSummary a short summary, once the call has ended and Ultravox has written one
 * @param extra every other field, by its JSON name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record UltravoxCall(
    String callId,
    @Nullable URI joinUrl,
    @TimestampFormat @Nullable Instant created,
    @TimestampFormat @Nullable Instant joined,
    @TimestampFormat @Nullable Instant ended,
    @Nullable String endReason,
    @ProtoDurationFormat @Nullable Duration billedDuration,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> metadata,
    @Nullable String agentId,
    @Nullable Medium medium,
    @Nullable FirstSpeakerSettings firstSpeakerSettings,
    @ProtoDurationFormat @Nullable Duration maxDuration,
    @Nullable Boolean recordingEnabled,
    @Nullable String shortSummary,
    @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {

  private static final Set<String> TYPED =
      Set.of(
          "callId",
          "joinUrl",
          "created",
          "joined",
          "ended",
          "endReason",
          "billedDuration",
          "metadata",
          "agentId",
          "medium",
          "firstSpeakerSettings",
          "maxDuration",
          "recordingEnabled",
          "shortSummary");

  /** Validates the components and copies the maps. */
  public UltravoxCall {
    Objects.requireNonNull(callId, "callId");
    metadata =
        metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    extra = Checks.extra(extra, TYPED, "UltravoxCall");
  }

  /**
   * Returns one metadata value.
   *
   * @param key the key
   * @return the value, if the call has it
   */
  public Optional<String> metadata(String key) {
    return Optional.ofNullable(metadata.get(key));
  }

  /**
   * Tells whether the call has ended.
   *
   * @return true once {@code ended} is set
   */
  public boolean hasEnded() {
    return ended != null;
  }

  /** Shows the typed fields, and only the names of the other fields (they may hold secrets). */
  @Override
  public String toString() {
    return "UltravoxCall[callId="
        + callId
        + ", joinUrl="
        + (joinUrl == null ? null : "<set>")
        + ", created="
        + created
        + ", joined="
        + joined
        + ", ended="
        + ended
        + ", endReason="
        + endReason
        + ", billedDuration="
        + billedDuration
        + ", metadata="
        + metadata
        + ", agentId="
        + agentId
        + ", medium="
        + medium
        + ", firstSpeakerSettings="
        + firstSpeakerSettings
        + ", maxDuration="
        + maxDuration
        + ", recordingEnabled="
        + recordingEnabled
        + ", extra="
        + extra.keySet()
        + "]";
  }
}
