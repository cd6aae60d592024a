package dev.switchboard.core.spi;

import dev.switchboard.core.agent.AgentRuntime;

/**
 * Creates a {@link AgentRuntime} by name: the ServiceLoader factory a provider module registers in
 * {@code META-INF/services/dev.switchboard.core.spi.AgentRuntimeProvider}. Implementations are
 * stateless and thread-safe, and have a public no-argument constructor.
 */
public interface AgentRuntimeProvider {
  /**
   * Returns the name configurations use to select this provider.
   *
   * @return a short lower-case name, e.g. {@code "twilio"}; unique among agent runtime providers
   */
  String name();

  /**
   * Creates a new, unstarted component from a configuration.
   *
   * @param config the settings; see the provider module's README for its keys
   * @return the component
   * @throws dev.switchboard.core.ConfigurationException naming the missing or malformed key
   */
  AgentRuntime create(ProviderConfig config);
}
