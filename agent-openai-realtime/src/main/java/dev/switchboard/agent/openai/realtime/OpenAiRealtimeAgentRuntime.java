package dev.switchboard.agent.openai.realtime;

import dev.switchboard.agent.openai.realtime.internal.RealtimeEngine;
import dev.switchboard.agent.openai.realtime.internal.Settings;
import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.Secret;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * An {@link AgentRuntime} over the OpenAI Realtime API, GA protocol, one WebSocket per session
 * ({@code wss://api.openai.com/v1/realtime?model=gpt-realtime}). Registered for discovery as {@code
 * openai-realtime}. Thread-safe.
 *
 * <pre>{@code
 * OpenAiRealtimeAgentRuntime openai = OpenAiRealtimeAgentRuntime.builder()
 *     .apiKey(System.getenv("OPENAI_API_KEY"))
 *     .voice("marin")
 *     .instructions("You are the front desk of a dental clinic. Be brief.")
 *     .build();
 * AgentSession session = openai.openSession(
 *     SessionOptions.builder(Capability.AUDIO_STREAMING).audioFormat(AudioFormat.PCMU_8K).build(),
 *     listener).join();
 * session.sendAudio(callerAudio);          // Twilio μ-law: forwarded without decoding
 * ...
 * openai.close();                          // closes every session
 * }</pre>
 *
 * <p><b>Modes.</b> {@link Capability#AUDIO_STREAMING} (audio in and out, transcripts of both
 * speakers) and {@link Capability#TEXT} ({@code output_modalities: ["text"]}: {@code sendText} in,
 * agent text as transcripts out). Opening another mode fails with an {@link
 * IllegalArgumentException} naming it.
 *
 * <p><b>Audio.</b> A session asked for {@code PCMU_8K} (or no format) speaks {@code audio/pcmu}
 * both ways: Twilio's base64 payloads are forwarded as they are and the agent's deltas go back as
 * they came, never decoded. {@code PCMA_8K} likewise uses {@code audio/pcma}. Any other format gets
 * a {@code audio/pcm} 24 kHz session whose {@link AgentSession#inputFormat()} and {@link
 * AgentSession#outputFormat()} say {@code PCM16_24K}: the caller transcodes. Audio in another
 * format than {@code inputFormat()} is refused with a {@link dev.switchboard.codec.CodecException}.
 *
 * <p><b>Responses and tools.</b> Only one response is ever active: a {@code response.create} asked
 * for while one is running (by {@code sendText}, {@code sendToolResult}, or the greeting) is sent
 * after that response's {@code response.done}. A tool call arrives as {@link
 * AgentSession.Listener#onToolCall}; answer with {@link AgentSession#sendToolResult}: the output is
 * added to the conversation and, once every call of the turn is answered, a response is requested.
 *
 * <p><b>Opening and errors.</b> {@link #openSession} completes when the service confirms the
 * configuration ({@code session.updated}); it fails with a {@link
 * dev.switchboard.core.ProviderException} when the service refuses the connection (401/403: the API
 * key, never retryable; 5xx, 429 and I/O failures: retryable) or the configuration, and with a
 * {@link dev.switchboard.core.SessionException} when the {@link Builder#connectTimeout} passes
 * first. A session that failed to open never calls its listener. Once open, the service's {@code
 * error} events reach {@link AgentSession.Listener#onError} as {@code ProviderException}s and the
 * session stays open; the session's expiry and the service closing it end it with {@code REMOTE}
 * (or {@code ERROR} for an abnormal close code), a dropped connection with {@code CONNECTION_LOST}.
 *
 * <p><b>Threading.</b> Thread-safe. A session's callbacks run one at a time, in order, on the
 * socket's reader thread (or on the {@link Builder#eventExecutor}), never under a lock; sends never
 * block and return false once the session is closed or OkHttp's send queue (16 MiB) is full. {@link
 * AgentSession#close()} sends a 1000 close frame and completes when the socket closes, or after 2
 * s. {@link #close()} closes every session and ends the runtime's threads.
 *
 * <p>The API key never appears in logs, exceptions or {@code toString}; audio and transcript text
 * are never logged.
 */
public final class OpenAiRealtimeAgentRuntime implements AgentRuntime {
  private final RealtimeEngine engine;
  private final String model;

  private OpenAiRealtimeAgentRuntime(Settings settings) {
    this.engine = new RealtimeEngine(settings);
    this.model = settings.model();
  }

  /**
   * Starts a configuration.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns {@code openai-realtime}.
   *
   * @return the provider's name
   */
  @Override
  public String name() {
    return RealtimeEngine.NAME;
  }

  /**
   * Returns {@code AUDIO_STREAMING} and {@code TEXT}.
   *
   * @return the capabilities
   */
  @Override
  public Set<Capability> capabilities() {
    return RealtimeEngine.CAPABILITIES;
  }

  /**
   * Opens a session: connects, sends {@code session.update} and completes on {@code
   * session.updated}. If the options say the agent speaks first (audio sessions; text sessions only
   * when a greeting is given), a response is requested at once, with the greeting as its
   * instructions when there is one. {@code options.instructions()} replaces the runtime's default
   * instructions; {@code {{name}}} placeholders in them are replaced by {@code options.context()}
   * values.
   *
   * @param options how; the mode must be AUDIO_STREAMING or TEXT
   * @param listener receives the session's events
   * @return the open session, or a failure as described in the class documentation
   */
  @Override
  public CompletableFuture<AgentSession> openSession(
      SessionOptions options, AgentSession.Listener listener) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(listener, "listener");
    return engine.openSession(options, listener);
  }

  /**
   * Returns the health: {@code credentials} is UNHEALTHY after the service refused the API key
   * (until a session opens), {@code connection} DEGRADED for a minute after a failed or dropped
   * connection.
   *
   * @return the health
   */
  @Override
  public HealthStatus health() {
    return engine.health();
  }

  /**
   * Returns the URL sessions connect to.
   *
   * @return e.g. {@code wss://api.openai.com/v1/realtime?model=gpt-realtime}
   */
  public URI socketUrl() {
    return URI.create(engine.socketUrl());
  }

  /**
   * Closes every open session (waiting at most about 3 s for them) and ends the runtime's threads.
   * Idempotent; sessions cannot be opened afterwards.
   */
  @Override
  public void close() {
    engine.close();
  }

  @Override
  public String toString() {
    return "OpenAiRealtimeAgentRuntime[" + model + ", " + engine.sessionCount() + " sessions]";
  }

  /**
   * Configures an {@link OpenAiRealtimeAgentRuntime}. {@link #build()} validates and names the bad
   * setting. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable String apiKey;
    private String model = "gpt-realtime";
    private URI baseUrl = URI.create("https://api.openai.com/v1");
    private String voice = "marin";
    private @Nullable String instructions;
    private TurnDetection turnDetection = TurnDetection.serverVad();
    private @Nullable String inputTranscription = "gpt-4o-mini-transcribe";
    private @Nullable OkHttpClient okHttpClient;
    private Clock clock = Clock.systemUTC();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private @Nullable Executor eventExecutor;

    private Builder() {}

    /**
     * Sets the API key (required). It is sent only in the {@code Authorization} header and never
     * printed.
     *
     * @param apiKey an OpenAI API key, usually {@code sk-...}
     * @return this builder
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      return this;
    }

    /**
     * Sets the model.
     *
     * @param model default {@code gpt-realtime}; e.g. {@code gpt-realtime-mini}
     * @return this builder
     */
    public Builder model(String model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * Sets the API base URL: for tests against a fake, or a proxy. The socket URL is this with
     * {@code http} turned into {@code ws} ({@code https} into {@code wss}) plus {@code
     * /realtime?model=<model>}.
     *
     * @param baseUrl default {@code https://api.openai.com/v1}
     * @return this builder
     */
    public Builder baseUrl(URI baseUrl) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      return this;
    }

    /**
     * Sets the default voice; {@code SessionOptions.voice()} overrides it.
     *
     * @param voice default {@code marin}; also {@code alloy}, {@code ash}, {@code ballad}, {@code
     *     coral}, {@code echo}, {@code sage}, {@code shimmer}, {@code verse}, {@code cedar}
     * @return this builder
     */
    public Builder voice(String voice) {
      this.voice = Objects.requireNonNull(voice, "voice");
      return this;
    }

    /**
     * Sets the default instructions (system prompt); {@code SessionOptions.instructions()}
     * overrides them. Without either, the service's default applies.
     *
     * @param instructions the prompt
     * @return this builder
     */
    public Builder instructions(String instructions) {
      this.instructions = Objects.requireNonNull(instructions, "instructions");
      return this;
    }

    /**
     * Sets how the end of the caller's turn is detected.
     *
     * @param turnDetection default {@link TurnDetection#serverVad()}
     * @return this builder
     */
    public Builder turnDetection(TurnDetection turnDetection) {
      this.turnDetection = Objects.requireNonNull(turnDetection, "turnDetection");
      return this;
    }

    /**
     * Sets the model that transcribes the caller's audio (user transcripts).
     *
     * @param model default {@code gpt-4o-mini-transcribe}; also {@code gpt-4o-transcribe}, {@code
     *     whisper-1}
     * @return this builder
     */
    public Builder inputTranscription(String model) {
      this.inputTranscription = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * Turns transcription of the caller's audio off: no user transcripts in audio sessions.
     *
     * @return this builder
     */
    public Builder noInputTranscription() {
      this.inputTranscription = null;
      return this;
    }

    /**
     * Sets the OkHttp client sessions derive from (its connection pool, proxy, interceptors,
     * timeouts); the runtime adds a dispatcher of its own and a 20 s ping interval.
     *
     * @param client the client
     * @return this builder
     */
    public Builder okHttpClient(OkHttpClient client) {
      this.okHttpClient = Objects.requireNonNull(client, "okHttpClient");
      return this;
    }

    /**
     * Sets the clock for transcript timestamps and health.
     *
     * @param clock default the system clock, UTC
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how long opening a session may take, handshake and {@code session.updated} together.
     *
     * @param timeout default 10 s
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "connectTimeout");
      return this;
    }

    /**
     * Sets where listener callbacks run (still one at a time per session); by default on the
     * socket's reader thread, which keeps latency lowest but means callbacks must return quickly.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder eventExecutor(Executor executor) {
      this.eventExecutor = Objects.requireNonNull(executor, "eventExecutor");
      return this;
    }

    /**
     * Validates the settings and builds the runtime.
     *
     * @return the runtime
     * @throws ConfigurationException naming the missing or bad setting (never showing the key)
     */
    public OpenAiRealtimeAgentRuntime build() {
      if (apiKey == null || apiKey.isBlank()) {
        throw new ConfigurationException(
            "apiKey is required (an OpenAI API key, sk-...; config key 'api-key')");
      }
      for (int i = 0; i < apiKey.length(); i++) {
        char c = apiKey.charAt(i);
        if (c <= ' ' || c >= 0x7f) {
          throw new ConfigurationException(
              "apiKey contains whitespace or a non-ASCII character at position "
                  + i
                  + ": paste the key without quotes, spaces or line breaks");
        }
      }
      if (model.isBlank()) {
        throw new ConfigurationException("model must not be blank (default gpt-realtime)");
      }
      if (voice.isBlank()) {
        throw new ConfigurationException("voice must not be blank (default marin)");
      }
      String scheme = baseUrl.getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || baseUrl.getHost() == null) {
        throw new ConfigurationException(
            "baseUrl must be an absolute http(s) URL like https://api.openai.com/v1, got '"
                + baseUrl
                + "'");
      }
      if (inputTranscription != null && inputTranscription.isBlank()) {
        throw new ConfigurationException(
            "inputTranscription must name a model (e.g. gpt-4o-mini-transcribe); use"
                + " noInputTranscription() to turn it off");
      }
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new ConfigurationException(
            "connectTimeout must be positive, got " + connectTimeout.toMillis() + " ms");
      }
      return new OpenAiRealtimeAgentRuntime(
          new Settings(
              Secret.of(apiKey),
              model,
              baseUrl,
              voice,
              instructions,
              turnDetection,
              inputTranscription,
              okHttpClient,
              clock,
              connectTimeout,
              eventExecutor));
    }
  }
}
