/**
 * Not API: the implementation of {@link
 * dev.switchboard.agent.openai.realtime.OpenAiRealtimeAgentRuntime} (the WebSocket session, the GA
 * protocol's client events, the response sequencer, error mapping, the ServiceLoader factory).
 * Public classes here may change or vanish in any release; depend only on {@code
 * dev.switchboard.agent.openai.realtime}.
 */
@NullMarked
package dev.switchboard.agent.openai.realtime.internal;

import org.jspecify.annotations.NullMarked;
