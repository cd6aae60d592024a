package dev.switchboard.core.agent;

import dev.switchboard.core.HealthStatus;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An AI agent service: declares what it can do and opens sessions. Implemented by provider modules
 * ({@code agent-openai-realtime}, {@code agent-ultravox}) or by the application; thread-safe.
 *
 * <pre>{@code
 * AgentRuntime runtime = OpenAiRealtimeAgentRuntime.builder()...build();
 * if (runtime.capabilities().contains(Capability.AUDIO_STREAMING)) {
 *   AgentSession session = runtime.openSession(options, listener).join();
 * }
 * runtime.close();   // closes every open session
 * }</pre>
 */
public interface AgentRuntime extends AutoCloseable {
  /**
   * Returns the provider's name, as registered for discovery.
   *
   * @return e.g. {@code "openai-realtime"}
   */
  String name();

  /**
   * Returns what the runtime can do.
   *
   * @return the capabilities, not empty
   */
  Set<Capability> capabilities();

  /**
   * Opens a session.
   *
   * @param options how; {@code options.mode()} must be one of {@link #capabilities()}
   * @param listener receives the session's events, from the moment it opens
   * @return the open session; completes exceptionally with a {@code SwitchboardException} if it
   *     cannot be opened (an {@code IllegalArgumentException} for an unsupported mode)
   */
  CompletableFuture<AgentSession> openSession(
      SessionOptions options, AgentSession.Listener listener);

  /**
   * Returns the runtime's health.
   *
   * @return the health
   */
  HealthStatus health();

  /** Closes every open session and releases the runtime's resources. Idempotent. */
  @Override
  void close();
}
