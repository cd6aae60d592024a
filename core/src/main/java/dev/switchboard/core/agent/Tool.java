package dev.switchboard.core.agent;

import java.util.Objects;

/**
 * A tool offered to an agent: its definition and the handler that runs it. Immutable.
 *
 * <pre>{@code
 * Tool lookup = new Tool(
 *     ToolDefinition.of("lookup_order", "Finds an order", schema),
 *     call -> ToolResult.success(call.id(), orders.find(call.arguments().path("order").asText())));
 * }</pre>
 *
 * @param definition what the model sees
 * @param handler what runs when the model calls it
 */
public record Tool(ToolDefinition definition, ToolHandler handler) {
  /** Validates the components. */
  public Tool {
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(handler, "handler");
  }

  /**
   * Returns the tool's name.
   *
   * @return the definition's name
   */
  public String name() {
    return definition.name();
  }
}
