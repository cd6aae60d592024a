package dev.switchboard.core.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A tool the agent may call: a name, a description the model reads to decide when to call it, and a
 * JSON Schema for its arguments. Immutable (the schema is copied in and out).
 *
 * <pre>{@code
 * ToolDefinition lookup = ToolDefinition.of("lookup_order", "Finds an order by its number",
 *     "{\"type\":\"object\",\"properties\":{\"order\":{\"type\":\"string\"}},\"required\":[\"order\"]}");
 * }</pre>
 *
 * @param name 1-64 letters, digits, {@code _} or {@code -}
 * @param description what the tool does and when to use it
 * @param parameters a JSON Schema whose {@code type} is {@code object}
 */
public record ToolDefinition(String name, String description, JsonNode parameters) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Validates the components and copies the schema.
   *
   * @throws IllegalArgumentException naming the bad name or schema
   */
  public ToolDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(parameters, "parameters");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "tool name must be 1-64 letters, digits, '_' or '-', got '" + name + "'");
    }
    if (!parameters.isObject() || !"object".equals(parameters.path("type").asText())) {
      throw new IllegalArgumentException(
          "parameters of tool '" + name + "' must be a JSON Schema with \"type\": \"object\"");
    }
    parameters = parameters.deepCopy();
  }

  /**
   * Returns a definition with the schema given as JSON text.
   *
   * @param name the tool's name
   * @param description what it does
   * @param parametersSchema the JSON Schema text
   * @return the definition
   * @throws IllegalArgumentException if the schema is not valid JSON or not an object schema
   */
  public static ToolDefinition of(String name, String description, String parametersSchema) {
    try {
      return new ToolDefinition(name, description, JSON.readTree(parametersSchema));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(
          "parameters of tool '" + name + "' are not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public JsonNode parameters() {
    return parameters.deepCopy();
  }
}
