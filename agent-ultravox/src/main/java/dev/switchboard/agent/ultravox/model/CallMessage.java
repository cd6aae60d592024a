package dev.switchboard.agent.ultravox.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.switchboard.agent.ultravox.internal.Json.ProtoDurationFormat;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One message of a call's conversation, as {@code GET /api/calls/{id}/messages} lists them: what
 * the user or the agent said, or a tool call and its result. Fields this record does not name are
 * ignored. Immutable and thread-safe.
 *
 * @param role {@link #ROLE_USER}, {@link #ROLE_AGENT}, {@link #ROLE_TOOL_CALL}, {@link
 *     #ROLE_TOOL_RESULT} (kept as a string: other values may appear)
 * @param text what was said; for tool messages the arguments or the result
 * @param medium {@code MESSAGE_MEDIUM_VOICE} or {@code MESSAGE_MEDIUM_TEXT}
 * @param callStageId the call stage it belongs to
 * @param callStageMessageIndex its index within that stage
 * @param invocationId for tool messages, pairs a call with its result
 * @param toolName for tool messages, the tool
 * @param errorDetails for failed tool calls, the details
 * @param timespan when in the call it happened (input-audio time), if the API said
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CallMessage(
    @Nullable String role,
    @Nullable String text,
    @Nullable String medium,
    @Nullable String callStageId,
    @Nullable Integer callStageMessageIndex,
    @Nullable String invocationId,
    @Nullable String toolName,
    @Nullable String errorDetails,
    @Nullable Timespan timespan) {

  /** The role of what the user said. */
  public static final String ROLE_USER = "MESSAGE_ROLE_USER";

  /** The role of what the agent said. */
  public static final String ROLE_AGENT = "MESSAGE_ROLE_AGENT";

  /** The role of a tool call by the agent. */
  public static final String ROLE_TOOL_CALL = "MESSAGE_ROLE_TOOL_CALL";

  /** The role of a tool's result. */
  public static final String ROLE_TOOL_RESULT = "MESSAGE_ROLE_TOOL_RESULT";

  /**
   * When in the call a message happened, as offsets from the call's start.
   *
   * @param start the offset of its start
   * @param end the offset of its end
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Timespan(
      @ProtoDurationFormat @Nullable Duration start, @ProtoDurationFormat @Nullable Duration end) {}
}
