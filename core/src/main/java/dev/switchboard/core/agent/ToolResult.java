package dev.switchboard.core.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * The outcome of a tool call, sent back to the agent. Immutable.
 *
 * @param callId the {@link ToolCall#id()} it answers
 * @param output what the model reads: usually JSON text
 * @param isError whether the tool failed (the output then explains, for the model)
 */
public record ToolResult(String callId, String output, boolean isError) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Validates the components. */
  public ToolResult {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(output, "output");
  }

  /**
   * Returns a successful result.
   *
   * @param callId the call it answers
   * @param output the output, usually JSON text
   * @return the result
   */
  public static ToolResult success(String callId, String output) {
    return new ToolResult(callId, output, false);
  }

  /**
   * Returns a failed result whose output is {@code {"error": message}}.
   *
   * @param callId the call it answers
   * @param message what went wrong, for the model; never a secret or a stack trace
   * @return the result
   */
  public static ToolResult error(String callId, String message) {
    ObjectNode node = JSON.createObjectNode();
    node.put("error", message);
    return new ToolResult(callId, node.toString(), true);
  }

  /**
   * Shows the call id and the output's length, not the output.
   *
   * @return a summary
   */
  @Override
  public String toString() {
    return "ToolResult[" + callId + (isError ? ", error, " : ", ") + output.length() + " chars]";
  }
}
