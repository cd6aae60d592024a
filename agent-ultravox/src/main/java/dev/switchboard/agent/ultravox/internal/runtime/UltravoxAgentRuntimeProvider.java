package dev.switchboard.agent.ultravox.internal.runtime;

import dev.switchboard.agent.ultravox.UltravoxAgentRuntime;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.spi.AgentRuntimeProvider;
import dev.switchboard.core.spi.ProviderConfig;

/**
 * Not API. The ServiceLoader factory of {@link UltravoxAgentRuntime}, named {@code ultravox}. Keys:
 * {@code api-key} (required), {@code base-url}, {@code agent-id}, {@code instructions}, {@code
 * voice}, {@code model}, {@code sample-rate}, {@code client-buffer-size}, {@code ping-interval},
 * {@code connect-timeout}. Stateless and thread-safe.
 */
public final class UltravoxAgentRuntimeProvider implements AgentRuntimeProvider {
  /** Creates the provider (ServiceLoader). */
  public UltravoxAgentRuntimeProvider() {}

  @Override
  public String name() {
    return UltravoxEngine.NAME;
  }

  @Override
  public AgentRuntime create(ProviderConfig config) {
    UltravoxAgentRuntime.Builder b =
        UltravoxAgentRuntime.builder().apiKey(config.secret("api-key").reveal());
    if (config.has("base-url")) {
      b.baseUrl(config.uri("base-url"));
    }
    config.optional("agent-id").ifPresent(b::agentId);
    config.optional("instructions").ifPresent(b::instructions);
    config.optional("voice").ifPresent(b::voice);
    config.optional("model").ifPresent(b::model);
    if (config.has("sample-rate")) {
      b.sampleRate(config.integer("sample-rate"));
    }
    if (config.has("client-buffer-size")) {
      b.clientBufferSize(config.duration("client-buffer-size"));
    }
    if (config.has("ping-interval")) {
      b.pingInterval(config.duration("ping-interval"));
    }
    if (config.has("connect-timeout")) {
      b.connectTimeout(config.duration("connect-timeout"));
    }
    return b.build();
  }
}
