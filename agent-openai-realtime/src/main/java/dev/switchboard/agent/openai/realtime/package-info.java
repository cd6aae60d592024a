/**
 * An {@link dev.switchboard.core.agent.AgentRuntime} over the OpenAI Realtime API (GA protocol,
 * WebSocket): {@link dev.switchboard.agent.openai.realtime.OpenAiRealtimeAgentRuntime}.
 */
@NullMarked
package dev.switchboard.agent.openai.realtime;

import org.jspecify.annotations.NullMarked;
