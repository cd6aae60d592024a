package dev.switchboard.core.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Objects;

/**
 * The agent asks for a tool to run. Immutable (the arguments are copied in and out).
 *
 * @param id the agent service's id for this call; the result must carry it
 * @param name the tool's name
 * @param arguments the arguments, as the model produced them (not validated against the schema)
 */
public record ToolCall(String id, String name, JsonNode arguments) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Validates the components and copies the arguments. */
  public ToolCall {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(arguments, "arguments");
    arguments = arguments.deepCopy();
  }

  /**
   * Returns a call whose arguments arrive as JSON text, as the realtime APIs send them.
   *
   * @param id the call's id
   * @param name the tool's name
   * @param argumentsJson the arguments' JSON text
   * @return the call
   * @throws IllegalArgumentException if the text is not valid JSON
   */
  public static ToolCall of(String id, String name, String argumentsJson) {
    try {
      return new ToolCall(id, name, JSON.readTree(argumentsJson.isBlank() ? "{}" : argumentsJson));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(
          "arguments of tool call '" + name + "' are not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public JsonNode arguments() {
    return arguments.deepCopy();
  }

  /**
   * Shows the tool's name and call id, not the arguments (they may hold personal data).
   *
   * @return a summary
   */
  @Override
  public String toString() {
    return "ToolCall[" + name + ", id=" + id + "]";
  }
}
