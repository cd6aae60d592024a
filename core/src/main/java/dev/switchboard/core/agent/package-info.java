/**
 * The AI side: an {@link dev.switchboard.core.agent.AgentRuntime} (implemented by providers such as
 * {@code agent-openai-realtime} and {@code agent-ultravox}) opens {@link
 * dev.switchboard.core.agent.AgentSession}s that take the caller's audio or text and answer with
 * audio, transcripts and tool calls; and the tool types ({@link
 * dev.switchboard.core.agent.ToolDefinition}, {@link dev.switchboard.core.agent.ToolCall}, {@link
 * dev.switchboard.core.agent.ToolResult}, {@link dev.switchboard.core.agent.ToolHandler}).
 */
@NullMarked
package dev.switchboard.core.agent;

import org.jspecify.annotations.NullMarked;
