package dev.switchboard.core.spi;

import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An agent runtime that only remembers how it was created (see {@link FakeVoiceBackend}). It opens
 * no sessions. Public because a provider compiled at test time, in another class loader, uses it.
 */
public final class FakeAgentRuntime implements AgentRuntime {
  private final String name;
  private final ProviderConfig config;

  public FakeAgentRuntime(String name, ProviderConfig config) {
    this.name = name;
    this.config = config;
  }

  /** Returns the configuration the provider was given. */
  public ProviderConfig config() {
    return config;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.TEXT);
  }

  @Override
  public CompletableFuture<AgentSession> openSession(
      SessionOptions options, AgentSession.Listener listener) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("test fake"));
  }

  @Override
  public HealthStatus health() {
    return HealthStatus.of(List.of());
  }

  @Override
  public void close() {}
}
