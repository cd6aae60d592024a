package dev.switchboard.agent.ultravox.internal.runtime;

import dev.switchboard.agent.ultravox.UltravoxClient;
import dev.switchboard.agent.ultravox.UltravoxWebhooks;
import java.time.Clock;
import java.time.Duration;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Not API. The validated settings of an {@code UltravoxAgentRuntime}. Immutable.
 *
 * @param client the REST client sessions create and end calls with
 * @param ownsClient whether the runtime built the client (and so closes it)
 * @param agentId the agent sessions start from, or null for direct calls
 * @param instructions the default system prompt of direct calls, or null
 * @param voice the default voice of direct calls, or null for Ultravox's
 * @param model the default model of direct calls, or null for Ultravox's
 * @param sampleRate the preferred rate of streamed audio, in Hz
 * @param clientBufferSize what Ultravox may assume the client buffers
 * @param webhooks the webhook handler that tells direct sessions their call ended, or null
 * @param okHttpClient the user's OkHttp client sockets derive from, or null
 * @param clock the clock
 * @param pingInterval how often a streaming session pings Ultravox
 * @param connectTimeout the bound on opening a session's socket
 */
public record RuntimeSettings(
    UltravoxClient client,
    boolean ownsClient,
    @Nullable String agentId,
    @Nullable String instructions,
    @Nullable String voice,
    @Nullable String model,
    int sampleRate,
    Duration clientBufferSize,
    @Nullable UltravoxWebhooks webhooks,
    @Nullable OkHttpClient okHttpClient,
    Clock clock,
    Duration pingInterval,
    Duration connectTimeout) {

  /**
   * Shows the settings without anything secret.
   *
   * @return a summary
   */
  @Override
  public String toString() {
    return "RuntimeSettings[agentId="
        + agentId
        + ", sampleRate="
        + sampleRate
        + ", clientBufferSize="
        + clientBufferSize.toMillis()
        + " ms, webhooks="
        + (webhooks != null)
        + "]";
  }
}
