package dev.switchboard.core.agent;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.voice.CallDirection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How to open an {@link AgentSession}. Immutable; build with {@link #builder(Capability)}.
 *
 * <pre>{@code
 * SessionOptions options = SessionOptions.builder(Capability.AUDIO_STREAMING)
 *     .instructions("You are the front desk of a dental clinic.")
 *     .audioFormat(AudioFormat.PCMU_8K)           // the phone's format: no transcoding
 *     .firstSpeaker(SessionOptions.FirstSpeaker.AGENT)
 *     .tool(lookupOrder.definition())
 *     .build();
 * }</pre>
 *
 * @param mode the capability the session uses; the runtime must declare it
 * @param instructions the system prompt, or null for the runtime's default
 * @param voice the voice name, or null for the runtime's default
 * @param audioFormat the audio format wanted on the session's side, or null to let the runtime
 *     choose (a runtime that cannot speak it picks its own and the caller transcodes)
 * @param firstSpeaker who speaks first
 * @param greeting what the agent says or is told to say first, or null
 * @param tools the tools the agent may call
 * @param context values for the agent's prompt template and metadata (e.g. customer name)
 * @param callId the call this session serves, for logs and events, or null
 * @param direction the direction of the call this session serves, or null if unknown; when the
 *     builder is not told who speaks first, an outbound call's callee does (they answer with
 *     "hello?"), otherwise the agent
 */
public record SessionOptions(
    Capability mode,
    @Nullable String instructions,
    @Nullable String voice,
    @Nullable AudioFormat audioFormat,
    FirstSpeaker firstSpeaker,
    @Nullable String greeting,
    List<ToolDefinition> tools,
    Map<String, String> context,
    @Nullable String callId,
    @Nullable CallDirection direction) {

  /** Who speaks first when the session opens. */
  public enum FirstSpeaker {
    /** The agent greets the caller. */
    AGENT,
    /** The agent waits for the caller. */
    USER
  }

  /**
   * Validates the components and copies the collections.
   *
   * @throws IllegalArgumentException if two tools share a name
   */
  public SessionOptions {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(firstSpeaker, "firstSpeaker");
    tools = List.copyOf(tools);
    context = Map.copyOf(context);
    java.util.Set<String> names = new java.util.HashSet<>();
    for (ToolDefinition tool : tools) {
      if (!names.add(tool.name())) {
        throw new IllegalArgumentException("two tools are named '" + tool.name() + "'");
      }
    }
  }

  /**
   * Starts options for a mode.
   *
   * @param mode the capability the session uses
   * @return a builder
   */
  public static Builder builder(Capability mode) {
    return new Builder(mode);
  }

  /**
   * Returns the call id, if set.
   *
   * @return the call this session serves
   */
  public Optional<String> call() {
    return Optional.ofNullable(callId);
  }

  /**
   * Shows the mode and the sizes of the rest, not the prompt or context (they may be sensitive).
   *
   * @return a summary
   */
  @Override
  public String toString() {
    return "SessionOptions["
        + mode
        + ", audio "
        + audioFormat
        + ", first "
        + firstSpeaker
        + ", "
        + tools.size()
        + " tools, "
        + context.size()
        + " context values]";
  }

  /** Builds {@link SessionOptions}. Not thread-safe. */
  public static final class Builder {
    private final Capability mode;
    private @Nullable String instructions;
    private @Nullable String voice;
    private @Nullable AudioFormat audioFormat;
    private @Nullable FirstSpeaker firstSpeaker;
    private @Nullable String greeting;
    private final List<ToolDefinition> tools = new ArrayList<>();
    private final Map<String, String> context = new LinkedHashMap<>();
    private @Nullable String callId;
    private @Nullable CallDirection direction;

    private Builder(Capability mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
    }

    /**
     * Sets the system prompt.
     *
     * @param instructions the prompt
     * @return this builder
     */
    public Builder instructions(String instructions) {
      this.instructions = Objects.requireNonNull(instructions, "instructions");
      return this;
    }

    /**
     * Sets the voice.
     *
     * @param voice the runtime's voice name
     * @return this builder
     */
    public Builder voice(String voice) {
      this.voice = Objects.requireNonNull(voice, "voice");
      return this;
    }

    /**
     * Sets the audio format wanted on the session's side.
     *
     * @param audioFormat e.g. {@link AudioFormat#PCMU_8K}
     * @return this builder
     */
    public Builder audioFormat(AudioFormat audioFormat) {
      this.audioFormat = Objects.requireNonNull(audioFormat, "audioFormat");
      return this;
    }

    /**
     * Sets who speaks first (default: the callee of an {@linkplain #direction outbound} call, the
     * agent otherwise).
     *
     * @param firstSpeaker who speaks first
     * @return this builder
     */
    public Builder firstSpeaker(FirstSpeaker firstSpeaker) {
      this.firstSpeaker = Objects.requireNonNull(firstSpeaker, "firstSpeaker");
      return this;
    }

    /**
     * Sets the greeting.
     *
     * @param greeting what the agent says or is told to say first
     * @return this builder
     */
    public Builder greeting(String greeting) {
      this.greeting = Objects.requireNonNull(greeting, "greeting");
      return this;
    }

    /**
     * Adds a tool.
     *
     * @param tool the tool's definition
     * @return this builder
     */
    public Builder tool(ToolDefinition tool) {
      tools.add(Objects.requireNonNull(tool, "tool"));
      return this;
    }

    /**
     * Adds a context value.
     *
     * @param name the name
     * @param value the value
     * @return this builder
     */
    public Builder context(String name, String value) {
      context.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Sets the call this session serves.
     *
     * @param callId the call's id
     * @return this builder
     */
    public Builder callId(String callId) {
      this.callId = Objects.requireNonNull(callId, "callId");
      return this;
    }

    /**
     * Sets the direction of the call the session serves, which decides who speaks first unless
     * {@link #firstSpeaker} is set.
     *
     * @param direction the call's direction
     * @return this builder
     */
    public Builder direction(CallDirection direction) {
      this.direction = Objects.requireNonNull(direction, "direction");
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     * @throws IllegalArgumentException naming a bad setting
     */
    public SessionOptions build() {
      FirstSpeaker first =
          firstSpeaker != null
              ? firstSpeaker
              : direction == CallDirection.OUTBOUND ? FirstSpeaker.USER : FirstSpeaker.AGENT;
      return new SessionOptions(
          mode,
          instructions,
          voice,
          audioFormat,
          first,
          greeting,
          tools,
          context,
          callId,
          direction);
    }
  }
}
