package dev.switchboard.agent.openai.realtime.internal;

import dev.switchboard.agent.openai.realtime.OpenAiRealtimeAgentRuntime;
import dev.switchboard.agent.openai.realtime.TurnDetection;
import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.spi.AgentRuntimeProvider;
import dev.switchboard.core.spi.ProviderConfig;
import java.util.Locale;

/**
 * Not API. The ServiceLoader factory of {@link OpenAiRealtimeAgentRuntime}, named {@code
 * openai-realtime}. Keys: {@code api-key} (required), {@code model}, {@code base-url}, {@code
 * voice}, {@code instructions}, {@code input-transcription} (a model, or {@code off}), {@code
 * turn-detection} ({@code server_vad}, {@code semantic_vad} or {@code none}), {@code
 * connect-timeout}. Stateless and thread-safe.
 */
public final class OpenAiRealtimeAgentRuntimeProvider implements AgentRuntimeProvider {
  /** Creates the provider (ServiceLoader). */
  public OpenAiRealtimeAgentRuntimeProvider() {}

  @Override
  public String name() {
    return RealtimeEngine.NAME;
  }

  @Override
  public AgentRuntime create(ProviderConfig config) {
    OpenAiRealtimeAgentRuntime.Builder b =
        OpenAiRealtimeAgentRuntime.builder().apiKey(config.secret("api-key").reveal());
    config.optional("model").ifPresent(b::model);
    if (config.has("base-url")) {
      b.baseUrl(config.uri("base-url"));
    }
    config.optional("voice").ifPresent(b::voice);
    config.optional("instructions").ifPresent(b::instructions);
    config
        .optional("input-transcription")
        .ifPresent(
            m -> {
              String v = m.toLowerCase(Locale.ROOT);
              if (v.equals("off") || v.equals("none") || v.equals("false")) {
                b.noInputTranscription();
              } else {
                b.inputTranscription(m);
              }
            });
    config
        .optional("turn-detection")
        .ifPresent(
            t ->
                b.turnDetection(
                    switch (t.toLowerCase(Locale.ROOT)) {
                      case "server_vad", "server-vad" -> TurnDetection.serverVad();
                      case "semantic_vad", "semantic-vad" ->
                          TurnDetection.semanticVad(TurnDetection.Eagerness.AUTO);
                      case "none", "off" -> TurnDetection.none();
                      default ->
                          throw new ConfigurationException(
                              "configuration key 'turn-detection' must be server_vad,"
                                  + " semantic_vad or none, got '"
                                  + t
                                  + "'");
                    }));
    if (config.has("connect-timeout")) {
      b.connectTimeout(config.duration("connect-timeout"));
    }
    return b.build();
  }
}
