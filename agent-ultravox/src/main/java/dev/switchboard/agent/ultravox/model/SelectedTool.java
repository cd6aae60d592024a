package dev.switchboard.agent.ultravox.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.agent.ultravox.internal.Json;
import dev.switchboard.agent.ultravox.internal.JsonValues;
import dev.switchboard.core.agent.ToolDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A tool offered to the agent on a call: one entry of Ultravox's {@code selectedTools}. Either a
 * built-in or saved tool named by {@code toolName}, or a temporary tool defined inline; this class
 * builds the temporary <em>client</em> tools that Switchboard answers itself (over the server
 * WebSocket's {@code client_tool_invocation}). Immutable and thread-safe.
 *
 * <pre>{@code
 * SelectedTool.builtIn("hangUp");
 * SelectedTool.clientTool(ToolDefinition.of("lookup_order", "Finds an order",
 *     "{\"type\":\"object\",\"properties\":{\"order\":{\"type\":\"string\"}},\"required\":[\"order\"]}"));
 * }</pre>
 *
 * <p>The definition is kept as JSON-like values, so fields this class does not name ({@code
 * toolId}, {@code nameOverride}, {@code http} tools, {@code staticParameters}) round-trip. {@code
 * toString()} shows the tool's name only (a definition may carry {@code authTokens}).
 */
public final class SelectedTool {
  /** Where client tools take their parameters: the only location Ultravox allows for them. */
  public static final String PARAMETER_LOCATION_BODY = "PARAMETER_LOCATION_BODY";

  private static final Pattern MODEL_TOOL_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

  private final Map<String, Object> json;

  private SelectedTool(Map<String, Object> json) {
    this.json = json;
  }

  /**
   * Selects a built-in or saved tool by name, e.g. {@code hangUp}, {@code leaveVoicemail}, {@code
   * playDtmfSounds}, {@code coldTransfer}, {@code queryCorpus}.
   *
   * @param toolName the tool's name
   * @return the selection
   * @throws IllegalArgumentException if the name is blank
   */
  public static SelectedTool builtIn(String toolName) {
    return builtIn(toolName, Map.of());
  }

  /**
   * Selects a built-in or saved tool by name, with fixed values for some of its parameters (hidden
   * from the model).
   *
   * @param toolName the tool's name
   * @param parameterOverrides parameter name to fixed value; empty for none
   * @return the selection
   * @throws IllegalArgumentException if the name is blank
   */
  public static SelectedTool builtIn(String toolName, Map<String, ?> parameterOverrides) {
    Objects.requireNonNull(toolName, "toolName");
    Objects.requireNonNull(parameterOverrides, "parameterOverrides");
    if (toolName.isBlank()) {
      throw new IllegalArgumentException("toolName must not be blank");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("toolName", toolName);
    if (!parameterOverrides.isEmpty()) {
      m.put("parameterOverrides", parameterOverrides);
    }
    return new SelectedTool(JsonValues.freezeMap(m));
  }

  /**
   * Defines a temporary client tool from a core {@link ToolDefinition}: {@code modelToolName} and
   * {@code description} from the definition, one {@code dynamicParameters} entry per property of
   * its JSON Schema (location {@link #PARAMETER_LOCATION_BODY}, the property's schema, {@code
   * required} from the schema's {@code required} list), and {@code client: {}}.
   *
   * @param tool the definition
   * @return the selection
   */
  public static SelectedTool clientTool(ToolDefinition tool) {
    Objects.requireNonNull(tool, "tool");
    JsonNode schema = tool.parameters();
    Set<String> required = new HashSet<>();
    for (JsonNode r : schema.path("required")) {
      required.add(r.asText());
    }
    List<Map<String, Object>> parameters = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
    while (properties.hasNext()) {
      Map.Entry<String, JsonNode> p = properties.next();
      Map<String, Object> parameter = new LinkedHashMap<>();
      parameter.put("name", p.getKey());
      parameter.put("location", PARAMETER_LOCATION_BODY);
      parameter.put("schema", Json.MAPPER.convertValue(p.getValue(), Object.class));
      parameter.put("required", required.contains(p.getKey()));
      parameters.add(parameter);
    }
    Map<String, Object> temporary = new LinkedHashMap<>();
    temporary.put("modelToolName", tool.name());
    temporary.put("description", tool.description());
    temporary.put("dynamicParameters", parameters);
    temporary.put("client", Map.of());
    return new SelectedTool(JsonValues.freezeMap(Map.of("temporaryTool", temporary)));
  }

  /**
   * Returns a selection from its JSON shape, for definitions this class does not build (HTTP tools,
   * {@code toolId}, overrides).
   *
   * @param json the object (copied deeply)
   * @return the selection
   * @throws IllegalArgumentException if it sets none of {@code toolId}, {@code toolName} and {@code
   *     temporaryTool}, or a temporary tool's {@code modelToolName} is invalid
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SelectedTool of(Map<String, ?> json) {
    Objects.requireNonNull(json, "json");
    if (!json.containsKey("toolId")
        && !json.containsKey("toolName")
        && !json.containsKey("temporaryTool")) {
      throw new IllegalArgumentException(
          "a selected tool must set one of toolId, toolName or temporaryTool, got "
              + json.keySet());
    }
    if (json.get("temporaryTool") instanceof Map<?, ?> t
        && t.get("modelToolName") instanceof String name
        && !MODEL_TOOL_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "temporaryTool.modelToolName must be 1-64 letters, digits, '_' or '-', got '"
              + name
              + "'");
    }
    return new SelectedTool(JsonValues.freezeMap(json));
  }

  /**
   * Returns the JSON shape.
   *
   * @return an unmodifiable deep map
   */
  @JsonValue
  public Map<String, Object> toJson() {
    return json;
  }

  /**
   * Returns the name of a built-in or saved tool.
   *
   * @return {@code toolName}, if set
   */
  public Optional<String> toolName() {
    return json.get("toolName") instanceof String s ? Optional.of(s) : Optional.empty();
  }

  /**
   * Returns the name the model sees for a temporary tool.
   *
   * @return {@code temporaryTool.modelToolName} (or {@code nameOverride}), if set
   */
  public Optional<String> modelToolName() {
    if (json.get("nameOverride") instanceof String s) {
      return Optional.of(s);
    }
    if (json.get("temporaryTool") instanceof Map<?, ?> t
        && t.get("modelToolName") instanceof String s) {
      return Optional.of(s);
    }
    return Optional.empty();
  }

  /**
   * Tells whether this is a temporary client tool, answered by the client over the call's
   * WebSocket.
   *
   * @return true when {@code temporaryTool.client} is set
   */
  public boolean isClientTool() {
    return json.get("temporaryTool") instanceof Map<?, ?> t && t.get("client") != null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SelectedTool other && json.equals(other.json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return "SelectedTool{"
        + toolName().or(this::modelToolName).orElse(String.valueOf(json.get("toolId")))
        + (isClientTool() ? ", client" : "")
        + "}";
  }
}
