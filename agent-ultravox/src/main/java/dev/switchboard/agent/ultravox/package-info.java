/**
 * Ultravox: {@link dev.switchboard.agent.ultravox.UltravoxClient}, a blocking client of the REST
 * API (agents, calls, messages, data messages, webhooks) with retries for idempotent requests, a
 * circuit breaker and errors mapped to {@link dev.switchboard.core.ProviderException}; and {@link
 * dev.switchboard.agent.ultravox.UltravoxWebhooks}, the verifier and handler of Ultravox's signed
 * webhook deliveries, which become {@link dev.switchboard.core.voice.CallEvent.AgentCallChanged}
 * events. The values exchanged are in {@link dev.switchboard.agent.ultravox.model}.
 */
@NullMarked
package dev.switchboard.agent.ultravox;

import org.jspecify.annotations.NullMarked;
