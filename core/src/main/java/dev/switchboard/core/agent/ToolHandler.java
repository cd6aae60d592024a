package dev.switchboard.core.agent;

/**
 * Runs a tool. Called off the media threads, on an executor the application can supply, with a
 * timeout; it may block (a database lookup, an HTTP call). Thread-safe: calls of different sessions
 * may run concurrently.
 */
@FunctionalInterface
public interface ToolHandler {
  /**
   * Runs the tool.
   *
   * @param call the call, with the model's arguments (validate them: they come from a model)
   * @return the result for the model
   * @throws Exception if the tool failed; the agent then receives an error result naming the
   *     exception's type, not its stack trace
   */
  ToolResult handle(ToolCall call) throws Exception;
}
