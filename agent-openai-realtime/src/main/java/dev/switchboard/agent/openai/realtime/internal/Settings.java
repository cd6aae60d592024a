package dev.switchboard.agent.openai.realtime.internal;

import dev.switchboard.agent.openai.realtime.TurnDetection;
import dev.switchboard.core.Secret;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Not API. The validated settings of a runtime. Immutable.
 *
 * @param apiKey the API key
 * @param model the model id
 * @param baseUrl the REST base URL, e.g. {@code https://api.openai.com/v1}
 * @param voice the default voice
 * @param instructions the default instructions, or null
 * @param turnDetection the turn detection
 * @param inputTranscription the input transcription model, or null for none
 * @param okHttpClient the user's client, or null to own one
 * @param clock the clock
 * @param connectTimeout the bound on connecting and configuring a session
 * @param eventExecutor where listener callbacks run, or null for the socket's reader thread
 */
public record Settings(
    Secret apiKey,
    String model,
    URI baseUrl,
    String voice,
    @Nullable String instructions,
    TurnDetection turnDetection,
    @Nullable String inputTranscription,
    @Nullable OkHttpClient okHttpClient,
    Clock clock,
    Duration connectTimeout,
    @Nullable Executor eventExecutor) {

  /**
   * Shows the settings without the API key.
   *
   * @return a summary
   */
  @Override
  public String toString() {
    return "Settings[model=" + model + ", baseUrl=" + baseUrl + ", voice=" + voice + "]";
  }
}
