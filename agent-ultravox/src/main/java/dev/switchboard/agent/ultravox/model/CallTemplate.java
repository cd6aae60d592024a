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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An agent's call template: how every call started from the agent behaves (Ultravox's {@code
 * callTemplate}). Every component is optional; a null one is not sent, which is what a partial
 * update ({@code PATCH}) needs. Fields this record does not type ({@code inactivityMessages},
 * {@code vadSettings}, {@code externalVoice}, {@code dataConnection}...) are kept in {@link
 * #extra()} and round-trip unchanged. Immutable and thread-safe.
 *
 * <pre>{@code
 * CallTemplate template = CallTemplate.builder()
 *     .systemPrompt("You are the front desk of {{clinic}}. The caller is {{user.name}}.")
 *     .voice("Mark")
 *     .temperature(0.3)
 *     .maxDuration(Duration.ofMinutes(10))
 *     .extra("vadSettings", Map.of("turnEndpointDelay", "0.384s"))
 *     .build();
 * template.templateVariables();   // [clinic, user.name]
 * }</pre>
 *
 * @param systemPrompt the instructions, with mustache {@code {{variables}}}
 * @param model the model, e.g. {@code ultravox-v0.7}
 * @param voice a voice name or id
 * @param temperature from 0 to 1
 * @param languageHint a BCP 47 language tag
 * @param timeExceededMessage what the agent says when {@code maxDuration} is reached
 * @param selectedTools the tools offered to the agent ({@code []} removes them in an update)
 * @param medium how the audio travels
 * @param firstSpeakerSettings who speaks first
 * @param joinTimeout how long a created call waits to be joined
 * @param maxDuration the longest a call may last
 * @param recordingEnabled whether calls are recorded
 * @param contextSchema the JSON Schema of the template variables
 * @param initialOutputMedium {@code MESSAGE_MEDIUM_VOICE} or {@code MESSAGE_MEDIUM_TEXT}
 * @param extra every other field, by its JSON name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CallTemplate(
    @Nullable String systemPrompt,
    @Nullable String model,
    @Nullable String voice,
    @Nullable Double temperature,
    @Nullable String languageHint,
    @Nullable String timeExceededMessage,
    @Nullable List<SelectedTool> selectedTools,
    @Nullable Medium medium,
    @Nullable FirstSpeakerSettings firstSpeakerSettings,
    @ProtoDurationFormat @Nullable Duration joinTimeout,
    @ProtoDurationFormat @Nullable Duration maxDuration,
    @Nullable Boolean recordingEnabled,
    @Nullable Map<String, Object> contextSchema,
    @Nullable String initialOutputMedium,
    @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {

  private static final Set<String> TYPED =
      Set.of(
          "systemPrompt",
          "model",
          "voice",
          "temperature",
          "languageHint",
          "timeExceededMessage",
          "selectedTools",
          "medium",
          "firstSpeakerSettings",
          "joinTimeout",
          "maxDuration",
          "recordingEnabled",
          "contextSchema",
          "initialOutputMedium");

  /**
   * Validates the components and copies the collections.
   *
   * @throws IllegalArgumentException naming a temperature outside 0..1, a negative duration, or an
   *     {@code extra} key that is also a typed component
   */
  public CallTemplate {
    if (temperature != null && !(temperature >= 0 && temperature <= 1)) {
      throw new IllegalArgumentException("temperature must be from 0 to 1, got " + temperature);
    }
    Checks.notNegative(joinTimeout, "joinTimeout");
    Checks.notNegative(maxDuration, "maxDuration");
    selectedTools = selectedTools == null ? null : List.copyOf(selectedTools);
    contextSchema = contextSchema == null ? null : JsonValues.freezeMap(contextSchema);
    extra = Checks.extra(extra, TYPED, "CallTemplate");
  }

  /**
   * Starts an empty template.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this template's values, to change some of them.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.systemPrompt = systemPrompt;
    b.model = model;
    b.voice = voice;
    b.temperature = temperature;
    b.languageHint = languageHint;
    b.timeExceededMessage = timeExceededMessage;
    b.selectedTools = selectedTools;
    b.medium = medium;
    b.firstSpeakerSettings = firstSpeakerSettings;
    b.joinTimeout = joinTimeout;
    b.maxDuration = maxDuration;
    b.recordingEnabled = recordingEnabled;
    b.contextSchema = contextSchema;
    b.initialOutputMedium = initialOutputMedium;
    b.extra.putAll(extra);
    return b;
  }

  /**
   * Returns the names of the mustache template variables ({@code {{name}}}, {@code {{user.phone}}})
   * used where Ultravox substitutes them: the system prompt, the language hint, the time-exceeded
   * message, the inactivity messages and the selected tools' definitions (descriptions, static
   * parameter values, headers). Sections, comments and partials ({@code {{#x}}}, {@code {{!x}}},
   * {@code {{>x}}}) are not variables.
   *
   * @return the names in order of first use, unmodifiable
   */
  public Set<String> templateVariables() {
    Set<String> names = new LinkedHashSet<>();
    JsonValues.templateVariables(systemPrompt, names);
    JsonValues.templateVariables(languageHint, names);
    JsonValues.templateVariables(timeExceededMessage, names);
    if (extra.get("inactivityMessages") instanceof List<?> messages) {
      for (Object m : messages) {
        if (m instanceof Map<?, ?> timed && timed.get("message") instanceof String text) {
          JsonValues.templateVariables(text, names);
        }
      }
    }
    if (selectedTools != null) {
      for (SelectedTool tool : selectedTools) {
        JsonValues.templateVariablesDeep(tool.toJson(), names);
      }
    }
    return Collections.unmodifiableSet(names);
  }

  /** Shows the typed fields, and only the names of the other fields (they may hold secrets). */
  @Override
  public String toString() {
    return "CallTemplate[systemPrompt="
        + (systemPrompt == null ? null : systemPrompt.length() + " chars")
        + ", model="
        + model
        + ", voice="
        + voice
        + ", temperature="
        + temperature
        + ", languageHint="
        + languageHint
        + ", selectedTools="
        + selectedTools
        + ", medium="
        + medium
        + ", firstSpeakerSettings="
        + firstSpeakerSettings
        + ", joinTimeout="
        + joinTimeout
        + ", maxDuration="
        + maxDuration
        + ", recordingEnabled="
        + recordingEnabled
        + ", initialOutputMedium="
        + initialOutputMedium
        + ", extra="
        + extra.keySet()
        + "]";
  }

  /** Builds a {@link CallTemplate}; unset fields stay null (not sent). Not thread-safe. */
  public static final class Builder {
    private @Nullable String systemPrompt;
    private @Nullable String model;
    private @Nullable String voice;
    private @Nullable Double temperature;
    private @Nullable String languageHint;
    private @Nullable String timeExceededMessage;
    private @Nullable List<SelectedTool> selectedTools;
    private @Nullable Medium medium;
    private @Nullable FirstSpeakerSettings firstSpeakerSettings;
    private @Nullable Duration joinTimeout;
    private @Nullable Duration maxDuration;
    private @Nullable Boolean recordingEnabled;
    private @Nullable Map<String, Object> contextSchema;
    private @Nullable String initialOutputMedium;
    private final Map<String, Object> extra = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets the instructions.
     *
     * @param systemPrompt the prompt, with mustache {@code {{variables}}}; null to unset
     * @return this builder
     */
    public Builder systemPrompt(@Nullable String systemPrompt) {
      this.systemPrompt = systemPrompt;
      return this;
    }

    /**
     * Sets the model.
     *
     * @param model e.g. {@code ultravox-v0.7}; null to unset
     * @return this builder
     */
    public Builder model(@Nullable String model) {
      this.model = model;
      return this;
    }

    /**
     * Sets the voice.
     *
     * @param voice a voice name or id; null to unset
     * @return this builder
     */
    public Builder voice(@Nullable String voice) {
      this.voice = voice;
      return this;
    }

    /**
     * Sets the temperature.
     *
     * @param temperature from 0 to 1; null to unset
     * @return this builder
     */
    public Builder temperature(@Nullable Double temperature) {
      this.temperature = temperature;
      return this;
    }

    /**
     * Sets the language hint.
     *
     * @param languageHint a BCP 47 tag such as {@code en-US}; null to unset
     * @return this builder
     */
    public Builder languageHint(@Nullable String languageHint) {
      this.languageHint = languageHint;
      return this;
    }

    /**
     * Sets what the agent says when the maximum duration is reached.
     *
     * @param timeExceededMessage the message; null to unset
     * @return this builder
     */
    public Builder timeExceededMessage(@Nullable String timeExceededMessage) {
      this.timeExceededMessage = timeExceededMessage;
      return this;
    }

    /**
     * Sets the tools offered to the agent.
     *
     * @param selectedTools the tools (an empty list removes them in an update); null to unset
     * @return this builder
     */
    public Builder selectedTools(@Nullable List<SelectedTool> selectedTools) {
      this.selectedTools = selectedTools;
      return this;
    }

    /**
     * Sets the medium.
     *
     * @param medium the medium; null to unset
     * @return this builder
     */
    public Builder medium(@Nullable Medium medium) {
      this.medium = medium;
      return this;
    }

    /**
     * Sets who speaks first.
     *
     * @param firstSpeakerSettings the settings; null to unset
     * @return this builder
     */
    public Builder firstSpeakerSettings(@Nullable FirstSpeakerSettings firstSpeakerSettings) {
      this.firstSpeakerSettings = firstSpeakerSettings;
      return this;
    }

    /**
     * Sets how long a created call waits to be joined (Ultravox's default: 30 s).
     *
     * @param joinTimeout not negative; null to unset
     * @return this builder
     */
    public Builder joinTimeout(@Nullable Duration joinTimeout) {
      this.joinTimeout = joinTimeout;
      return this;
    }

    /**
     * Sets the longest a call may last (Ultravox's default: 1 h).
     *
     * @param maxDuration not negative; null to unset
     * @return this builder
     */
    public Builder maxDuration(@Nullable Duration maxDuration) {
      this.maxDuration = maxDuration;
      return this;
    }

    /**
     * Sets whether calls are recorded.
     *
     * @param recordingEnabled true to record; null to unset
     * @return this builder
     */
    public Builder recordingEnabled(@Nullable Boolean recordingEnabled) {
      this.recordingEnabled = recordingEnabled;
      return this;
    }

    /**
     * Sets the JSON Schema of the template variables.
     *
     * @param contextSchema the schema as JSON-like values; null to unset
     * @return this builder
     */
    public Builder contextSchema(@Nullable Map<String, ?> contextSchema) {
      this.contextSchema = contextSchema == null ? null : JsonValues.freezeMap(contextSchema);
      return this;
    }

    /**
     * Sets the medium of the agent's first output.
     *
     * @param initialOutputMedium {@code MESSAGE_MEDIUM_VOICE} or {@code MESSAGE_MEDIUM_TEXT}; null
     *     to unset
     * @return this builder
     */
    public Builder initialOutputMedium(@Nullable String initialOutputMedium) {
      this.initialOutputMedium = initialOutputMedium;
      return this;
    }

    /**
     * Sets a field this class does not type, e.g. {@code vadSettings} or {@code
     * inactivityMessages}.
     *
     * @param name the field's JSON name, not one of the typed components
     * @param value a JSON-like value (maps, lists, strings, numbers, booleans); null removes it
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
     * Builds the template.
     *
     * @return the template
     * @throws IllegalArgumentException naming a bad value
     */
    public CallTemplate build() {
      return new CallTemplate(
          systemPrompt,
          model,
          voice,
          temperature,
          languageHint,
          timeExceededMessage,
          selectedTools,
          medium,
          firstSpeakerSettings,
          joinTimeout,
          maxDuration,
          recordingEnabled,
          contextSchema,
          initialOutputMedium,
          extra);
    }
  }
}
