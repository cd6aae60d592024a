package dev.switchboard.agent.ultravox.model;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.switchboard.agent.ultravox.internal.Json.ProtoDurationFormat;
import dev.switchboard.agent.ultravox.internal.JsonValues;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What to start a call with: the body of {@code POST /api/agents/{id}/calls} (a call from an agent:
 * template context, metadata, medium, first speaker...) or of {@code POST /api/calls} (a direct
 * call, which also takes the prompt, voice, model, temperature and tools). Unset components are not
 * sent. Fields this record does not type ({@code initialMessages}, {@code vadSettings}, {@code
 * inactivityMessages}, {@code dataConnection}, {@code callbacks}...) go in {@link #extra()} and
 * round-trip. Immutable and thread-safe.
 *
 * <pre>{@code
 * StartCallRequest request = StartCallRequest.builder()
 *     .templateContext(Map.of("user", Map.of("name", "Ada")))
 *     .metadata(Map.of("switchboard_call_id", callSid))
 *     .medium(Medium.twilio())
 *     .firstSpeakerSettings(FirstSpeakerSettings.user())   // outbound: the callee speaks first
 *     .maxDuration(Duration.ofMinutes(15))
 *     .build();
 * }</pre>
 *
 * @param templateContext values for the template's mustache variables (empty: none sent)
 * @param metadata string pairs kept on the call; keys must not start with {@code ultravox.} (empty:
 *     none sent)
 * @param medium how the audio travels
 * @param firstSpeakerSettings who speaks first
 * @param maxDuration the longest the call may last
 * @param joinTimeout how long the call waits to be joined
 * @param recordingEnabled whether the call is recorded
 * @param initialOutputMedium {@code MESSAGE_MEDIUM_VOICE} or {@code MESSAGE_MEDIUM_TEXT}
 * @param systemPrompt direct calls only: the instructions
 * @param voice the voice (for an agent call, overrides the agent's)
 * @param model direct calls only: the model
 * @param temperature direct calls only: from 0 to 1
 * @param selectedTools direct calls only: the tools
 * @param extra every other field, by its JSON name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record StartCallRequest(
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> templateContext,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> metadata,
    @Nullable Medium medium,
    @Nullable FirstSpeakerSettings firstSpeakerSettings,
    @ProtoDurationFormat @Nullable Duration maxDuration,
    @ProtoDurationFormat @Nullable Duration joinTimeout,
    @Nullable Boolean recordingEnabled,
    @Nullable String initialOutputMedium,
    @Nullable String systemPrompt,
    @Nullable String voice,
    @Nullable String model,
    @Nullable Double temperature,
    @Nullable List<SelectedTool> selectedTools,
    @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {

  /** The prefix Ultravox reserves for its own metadata keys. */
  public static final String RESERVED_METADATA_PREFIX = "ultravox.";

  private static final Set<String> TYPED =
      Set.of(
          "templateContext",
          "metadata",
          "medium",
          "firstSpeakerSettings",
          "maxDuration",
          "joinTimeout",
          "recordingEnabled",
          "initialOutputMedium",
          "systemPrompt",
          "voice",
          "model",
          "temperature",
          "selectedTools");

  /**
   * Validates the components and copies the collections.
   *
   * @throws IllegalArgumentException naming a metadata key that starts with {@code ultravox.}, a
   *     duration that is not positive, a temperature outside 0..1, or an {@code extra} key that is
   *     also a typed component
   */
  public StartCallRequest {
    templateContext = JsonValues.freezeMap(templateContext);
    Map<String, String> meta = new LinkedHashMap<>();
    if (metadata != null) {
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        String key = Objects.requireNonNull(e.getKey(), "metadata key");
        if (key.startsWith(RESERVED_METADATA_PREFIX)) {
          throw new IllegalArgumentException(
              "metadata key '"
                  + key
                  + "' must not start with \""
                  + RESERVED_METADATA_PREFIX
                  + "\" (reserved by Ultravox)");
        }
        meta.put(key, Objects.requireNonNull(e.getValue(), "metadata value of '" + key + "'"));
      }
    }
    metadata = Collections.unmodifiableMap(meta);
    Checks.positive(maxDuration, "maxDuration");
    Checks.positive(joinTimeout, "joinTimeout");
    if (temperature != null && !(temperature >= 0 && temperature <= 1)) {
      throw new IllegalArgumentException("temperature must be from 0 to 1, got " + temperature);
    }
    selectedTools = selectedTools == null ? null : List.copyOf(selectedTools);
    extra = Checks.extra(extra, TYPED, "StartCallRequest");
  }

  /**
   * Starts an empty request.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this request's values.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.templateContext.putAll(templateContext);
    b.metadata.putAll(metadata);
    b.medium = medium;
    b.firstSpeakerSettings = firstSpeakerSettings;
    b.maxDuration = maxDuration;
    b.joinTimeout = joinTimeout;
    b.recordingEnabled = recordingEnabled;
    b.initialOutputMedium = initialOutputMedium;
    b.systemPrompt = systemPrompt;
    b.voice = voice;
    b.model = model;
    b.temperature = temperature;
    b.selectedTools = selectedTools;
    b.extra.putAll(extra);
    return b;
  }

  /**
   * Shows the typed fields, the names (not values) of the template context and of the other fields
   * (they may hold personal data or secrets such as {@code sharedSecrets}).
   */
  @Override
  public String toString() {
    return "StartCallRequest[templateContext="
        + templateContext.keySet()
        + ", metadata="
        + metadata
        + ", medium="
        + medium
        + ", firstSpeakerSettings="
        + firstSpeakerSettings
        + ", maxDuration="
        + maxDuration
        + ", joinTimeout="
        + joinTimeout
        + ", recordingEnabled="
        + recordingEnabled
        + ", initialOutputMedium="
        + initialOutputMedium
        + ", systemPrompt="
        + (systemPrompt == null ? null : systemPrompt.length() + " chars")
        + ", voice="
        + voice
        + ", model="
        + model
        + ", temperature="
        + temperature
        + ", selectedTools="
        + selectedTools
        + ", extra="
        + extra.keySet()
        + "]";
  }

  /** Builds a {@link StartCallRequest}; unset fields are not sent. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Object> templateContext = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private @Nullable Medium medium;
    private @Nullable FirstSpeakerSettings firstSpeakerSettings;
    private @Nullable Duration maxDuration;
    private @Nullable Duration joinTimeout;
    private @Nullable Boolean recordingEnabled;
    private @Nullable String initialOutputMedium;
    private @Nullable String systemPrompt;
    private @Nullable String voice;
    private @Nullable String model;
    private @Nullable Double temperature;
    private @Nullable List<SelectedTool> selectedTools;
    private final Map<String, Object> extra = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds values for the template's mustache variables (nested maps for {@code {{a.b}}}).
     *
     * @param context variable name to JSON-like value
     * @return this builder
     */
    public Builder templateContext(Map<String, ?> context) {
      Objects.requireNonNull(context, "templateContext");
      templateContext.putAll(context);
      return this;
    }

    /**
     * Adds metadata kept on the call (and in its webhooks).
     *
     * @param metadata key to value; keys must not start with {@code ultravox.}
     * @return this builder
     */
    public Builder metadata(Map<String, String> metadata) {
      Objects.requireNonNull(metadata, "metadata");
      this.metadata.putAll(metadata);
      return this;
    }

    /**
     * Adds one metadata pair.
     *
     * @param key must not start with {@code ultravox.}
     * @param value the value
     * @return this builder
     */
    public Builder metadata(String key, String value) {
      metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Sets the medium.
     *
     * @param medium the medium; null for Ultravox's default (the agent's, or WebRTC)
     * @return this builder
     */
    public Builder medium(@Nullable Medium medium) {
      this.medium = medium;
      return this;
    }

    /**
     * Sets who speaks first.
     *
     * @param firstSpeakerSettings the settings; null for the default
     * @return this builder
     */
    public Builder firstSpeakerSettings(@Nullable FirstSpeakerSettings firstSpeakerSettings) {
      this.firstSpeakerSettings = firstSpeakerSettings;
      return this;
    }

    /**
     * Sets the longest the call may last.
     *
     * @param maxDuration positive; null for the default
     * @return this builder
     */
    public Builder maxDuration(@Nullable Duration maxDuration) {
      this.maxDuration = maxDuration;
      return this;
    }

    /**
     * Sets how long the call waits to be joined.
     *
     * @param joinTimeout positive; null for the default
     * @return this builder
     */
    public Builder joinTimeout(@Nullable Duration joinTimeout) {
      this.joinTimeout = joinTimeout;
      return this;
    }

    /**
     * Sets whether the call is recorded.
     *
     * @param recordingEnabled true to record; null for the default
     * @return this builder
     */
    public Builder recordingEnabled(@Nullable Boolean recordingEnabled) {
      this.recordingEnabled = recordingEnabled;
      return this;
    }

    /**
     * Sets the medium of the agent's first output.
     *
     * @param initialOutputMedium {@code MESSAGE_MEDIUM_VOICE} or {@code MESSAGE_MEDIUM_TEXT}
     * @return this builder
     */
    public Builder initialOutputMedium(@Nullable String initialOutputMedium) {
      this.initialOutputMedium = initialOutputMedium;
      return this;
    }

    /**
     * Sets the instructions (direct calls only).
     *
     * @param systemPrompt the prompt
     * @return this builder
     */
    public Builder systemPrompt(@Nullable String systemPrompt) {
      this.systemPrompt = systemPrompt;
      return this;
    }

    /**
     * Sets the voice.
     *
     * @param voice a voice name or id
     * @return this builder
     */
    public Builder voice(@Nullable String voice) {
      this.voice = voice;
      return this;
    }

    /**
     * Sets the model (direct calls only).
     *
     * @param model e.g. {@code ultravox-v0.7}
     * @return this builder
     */
    public Builder model(@Nullable String model) {
      this.model = model;
      return this;
    }

    /**
     * Sets the temperature (direct calls only).
     *
     * @param temperature from 0 to 1
     * @return this builder
     */
    public Builder temperature(@Nullable Double temperature) {
      this.temperature = temperature;
      return this;
    }

    /**
     * Sets the tools (direct calls only).
     *
     * @param selectedTools the tools
     * @return this builder
     */
    public Builder selectedTools(@Nullable List<SelectedTool> selectedTools) {
      this.selectedTools = selectedTools;
      return this;
    }

    /**
     * Sets a field this class does not type, e.g. {@code vadSettings}, {@code initialMessages} or
     * {@code inactivityMessages}.
     *
     * @param name the field's JSON name, not one of the typed components
     * @param value a JSON-like value; null removes it
     * @return this builder
     */
    public Builder extra(String name, @Nullable Object value) {
      Objects.requireNonNull(name, "name");
      if (value == null) {
        extra.remove(name);
      } else {
        extra.put(name, value);
      }
      return this;
    }

    /**
     * Builds the request.
     *
     * @return the request
     * @throws IllegalArgumentException naming a bad value
     */
    public StartCallRequest build() {
      return new StartCallRequest(
          templateContext,
          metadata,
          medium,
          firstSpeakerSettings,
          maxDuration,
          joinTimeout,
          recordingEnabled,
          initialOutputMedium,
          systemPrompt,
          voice,
          model,
          temperature,
          selectedTools,
          extra);
    }
  }
}
