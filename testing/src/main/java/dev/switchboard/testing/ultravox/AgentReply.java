package dev.switchboard.testing.ultravox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One scripted agent turn of a {@link FakeUltravox} call: what the agent says (spoken as synthetic
 * speech-like audio of a given length, with its transcript), optionally preceded by a client tool
 * invocation whose result the conversation waits for, and optionally followed by the agent hanging
 * up. Each time the agent answers a user turn it uses the next scripted reply ({@link
 * FakeUltravox.Builder#reply}), then the {@link FakeUltravox.Builder#fallbackReply fallback}.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * FakeUltravox fake = FakeUltravox.builder()
 *     .greeting(AgentReply.say("Hi, this is Ada.", Duration.ofMillis(800)))
 *     .reply(AgentReply.say("Booked for two at eight.", Duration.ofSeconds(1))
 *         .afterToolCall("book_table", "{\"people\":2}"))
 *     .reply(AgentReply.say("Goodbye!").thenHangUp())
 *     .build();
 * }</pre>
 *
 * @param text what the agent says; may be empty (a tool call or hang-up alone)
 * @param duration how long the spoken audio lasts; zero for an empty text
 * @param toolName the client tool invoked before speaking, or null
 * @param toolParameters the tool's parameters as a JSON object text, or null without a tool
 * @param hangUp whether the agent hangs up after speaking (end reason {@code agent_hangup})
 */
public record AgentReply(
    String text,
    Duration duration,
    @Nullable String toolName,
    @Nullable String toolParameters,
    boolean hangUp) {

  /** How long each word lasts when a reply's duration is not given. */
  public static final Duration MILLIS_PER_WORD = Duration.ofMillis(300);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Checks the components: a non-negative duration, a JSON-object parameters text with a tool. */
  public AgentReply {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative, got " + duration);
    }
    if (!text.isEmpty() && duration.isZero()) {
      throw new IllegalArgumentException("a reply with text needs a positive duration");
    }
    if ((toolName == null) != (toolParameters == null)) {
      throw new IllegalArgumentException("toolName and toolParameters go together");
    }
    if (toolName != null) {
      if (!toolName.matches("[a-zA-Z0-9_-]{1,64}")) {
        throw new IllegalArgumentException(
            "toolName must match ^[a-zA-Z0-9_-]{1,64}$ as Ultravox requires, got " + toolName);
      }
      JsonNode parsed;
      try {
        parsed = JSON.readTree(toolParameters);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            "toolParameters must be a JSON object, got " + toolParameters, e);
      }
      if (parsed == null || !parsed.isObject()) {
        throw new IllegalArgumentException(
            "toolParameters must be a JSON object, got " + toolParameters);
      }
    }
    if (text.isEmpty() && toolName == null && !hangUp) {
      throw new IllegalArgumentException("a reply must say something, call a tool or hang up");
    }
  }

  /**
   * The agent says a text; the audio lasts {@link #MILLIS_PER_WORD} per word.
   *
   * @param text what is said, not blank
   * @return the reply
   */
  public static AgentReply say(String text) {
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      throw new IllegalArgumentException("text must not be blank");
    }
    int words = text.trim().split("\\s+").length;
    return new AgentReply(text, MILLIS_PER_WORD.multipliedBy(words), null, null, false);
  }

  /**
   * The agent says a text with audio of an exact length.
   *
   * @param text what is said, not blank
   * @param duration how long the audio lasts, positive
   * @return the reply
   */
  public static AgentReply say(String text, Duration duration) {
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      throw new IllegalArgumentException("text must not be blank");
    }
    return new AgentReply(text, duration, null, null, false);
  }

  /**
   * The agent hangs up without saying anything more.
   *
   * @return the reply
   */
  public static AgentReply hangUpNow() {
    return new AgentReply("", Duration.ZERO, null, null, true);
  }

  /**
   * Returns this reply preceded by a client tool invocation: the fake sends {@code
   * client_tool_invocation} and speaks only after the matching {@code client_tool_result} (unless
   * the result asks the agent to listen or hang up).
   *
   * @param toolName the tool's model name, {@code ^[a-zA-Z0-9_-]{1,64}$}
   * @param parametersJson the parameters, a JSON object text sent as the invocation's {@code
   *     parameters}
   * @return a new reply
   */
  public AgentReply afterToolCall(String toolName, String parametersJson) {
    Objects.requireNonNull(toolName, "toolName");
    Objects.requireNonNull(parametersJson, "parametersJson");
    return new AgentReply(text, duration, toolName, parametersJson, hangUp);
  }

  /**
   * Returns this reply followed by the agent hanging up once it has been spoken (end reason {@code
   * agent_hangup}).
   *
   * @return a new reply
   */
  public AgentReply thenHangUp() {
    return new AgentReply(text, duration, toolName, toolParameters, true);
  }
}
