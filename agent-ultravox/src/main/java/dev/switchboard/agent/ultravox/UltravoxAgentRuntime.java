package dev.switchboard.agent.ultravox;

import dev.switchboard.agent.ultravox.internal.runtime.RuntimeSettings;
import dev.switchboard.agent.ultravox.internal.runtime.UltravoxEngine;
import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.HealthStatus;
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
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * An {@link AgentRuntime} over Ultravox: each session is one Ultravox call, started from an agent
 * ({@code POST /api/agents/{id}/calls}) or created directly ({@code POST /api/calls}). Registered
 * for discovery as {@code ultravox}. Thread-safe.
 *
 * <pre>{@code
 * UltravoxAgentRuntime ultravox = UltravoxAgentRuntime.builder()
 *     .apiKey(System.getenv("ULTRAVOX_API_KEY"))
 *     .agentId("0b8c...")                  // or leave out: direct calls with the options' prompt
 *     .webhooks(webhooks)                  // optional: direct sessions learn their call ended
 *     .build();
 *
 * // Ultravox takes the phone's media itself: hand its join URL to the telephony backend.
 * AgentSession direct = ultravox.openSession(
 *     SessionOptions.builder(Capability.TELEPHONY_DIRECT).callId(callSid).build(), listener).join();
 * twilio.placeCall(CallRequest.builder("+14155550100").streamUrl(direct.joinUrl().orElseThrow())
 *     .build());
 *
 * // Or stream the audio through a VoiceAgentBridge, keeping Twilio-side control.
 * VoiceAgentBridge bridge = VoiceAgentBridge.builder().runtime(ultravox)...build();
 * ultravox.close();                        // closes every session
 * }</pre>
 *
 * <p><b>Modes.</b> {@link Capability#TELEPHONY_DIRECT}: the call is created with the Twilio medium
 * and {@link AgentSession#joinUrl()} is its join URL, which the telephony backend puts in {@code
 * <Connect><Stream url="...">} (XML-escaped). No audio passes through the session: {@code
 * sendAudio} returns false, {@code sendText} injects a {@code user_text_message} over REST, {@code
 * close()} hangs the call up over REST ({@code hang_up}; a call already over is fine), and a {@code
 * call.ended} webhook for the call closes the session, when a {@link Builder#webhooks webhook
 * handler} is wired. {@link Capability#AUDIO_STREAMING}: the call is created with the {@code
 * serverWebSocket} medium and the session holds a WebSocket to it: binary frames are PCM16LE mono
 * both ways, {@code playback_clear_buffer} is reported as {@link
 * AgentSession.Listener#onUserSpeechStarted} (the bridge then sends Twilio {@code clear} at once),
 * transcripts of both speakers arrive partial and final, {@code client_tool_invocation} becomes
 * {@link AgentSession.Listener#onToolCall} and {@code sendToolResult} answers it. Other modes fail
 * with an {@link IllegalArgumentException} naming them.
 *
 * <p><b>Sample rate.</b> Streaming sessions ask for the {@link Builder#sampleRate} (8 kHz by
 * default: the phone's rate, so the bridge only decodes μ-law), or for the rate of {@code
 * options.audioFormat()} when that is mono PCM16 at a rate the builder accepts. Whether Ultravox
 * accepts 8 kHz is not documented: if it refuses with a 400 naming the sample rate, the call is
 * asked for again at 16 kHz (the refused request created nothing), later sessions ask for 16 kHz
 * directly, and a warning is logged once. {@link AgentSession#inputFormat()} says which rate a
 * session uses.
 *
 * <p><b>What a session sends.</b> Metadata {@code switchboard_call_id} = {@code options.callId()}
 * when set (the webhook handler maps Ultravox's events back to the telephony call with it); {@code
 * firstSpeakerSettings} from {@code options.firstSpeaker()} and the greeting (an outbound call's
 * callee speaks first unless the options say otherwise). With an {@link Builder#agentId agent}:
 * {@code templateContext} = {@code options.context()} (and the options' voice, if any); the agent's
 * own prompt and tools apply. Without: {@code systemPrompt} = {@code options.instructions()} (or
 * the {@link Builder#instructions default}, with {@code {{name}}} placeholders filled from the
 * context), voice, model, and every tool of the options as a temporary client tool.
 *
 * <p><b>Errors.</b> {@link #openSession} fails with the client's {@link
 * dev.switchboard.core.ProviderException} when Ultravox refuses the call, and with a {@code
 * ProviderException} or {@link dev.switchboard.core.SessionException} when a streaming session's
 * socket cannot be opened within the {@link Builder#connectTimeout}. Once open, a malformed message
 * is reported to {@link AgentSession.Listener#onError} and the session goes on; Ultravox closing
 * the socket ends the session with {@code REMOTE} (an abnormal close code: {@code ERROR}), a
 * dropped connection with {@code CONNECTION_LOST}.
 *
 * <p><b>Threading.</b> A session's callbacks run one at a time, in order, on the socket's reader
 * thread (REST results on the runtime's own threads), never under a lock; sends never block and
 * return false once the session is closed or when caller audio backs up on the socket. {@link
 * AgentSession#close()} completes when the call is over (bounded: about 2 s). {@link #close()}
 * closes every session and ends the runtime's threads; a {@link Builder#client shared client} is
 * not closed.
 *
 * <p>The API key never appears in logs, exceptions or {@code toString}; audio and transcript text
 * are never logged.
 */
public final class UltravoxAgentRuntime implements AgentRuntime {
  private final UltravoxEngine engine;
  private final RuntimeSettings settings;

  private UltravoxAgentRuntime(RuntimeSettings settings) {
    this.settings = settings;
    this.engine = new UltravoxEngine(settings);
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
   * Returns {@code ultravox}.
   *
   * @return the provider's name
   */
  @Override
  public String name() {
    return UltravoxEngine.NAME;
  }

  /**
   * Returns {@code AUDIO_STREAMING} and {@code TELEPHONY_DIRECT}.
   *
   * @return the capabilities
   */
  @Override
  public Set<Capability> capabilities() {
    return UltravoxEngine.CAPABILITIES;
  }

  /**
   * Opens a session: creates the Ultravox call and, for {@code AUDIO_STREAMING}, connects to its
   * join URL. Completes when the session is usable; the REST request runs on the runtime's threads,
   * never on the caller's.
   *
   * @param options how; the mode must be AUDIO_STREAMING or TELEPHONY_DIRECT
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
   * Returns the REST client's health: whether Ultravox accepts the API key and the client's circuit
   * breaker state. Blocking (a cheap request).
   *
   * @return the health
   */
  @Override
  public HealthStatus health() {
    return engine.health();
  }

  /**
   * Returns the REST client sessions use.
   *
   * @return the client (the runtime's own, or the shared one it was built with)
   */
  public UltravoxClient client() {
    return settings.client();
  }

  /**
   * Closes every open session (waiting at most about 4 s for them), ends the runtime's threads and
   * closes its client unless the client was shared. Idempotent; sessions cannot be opened
   * afterwards.
   */
  @Override
  public void close() {
    engine.close();
  }

  @Override
  public String toString() {
    return "UltravoxAgentRuntime["
        + (settings.agentId() != null ? "agent " + settings.agentId() : "direct calls")
        + ", "
        + engine.sessionCount()
        + " sessions]";
  }

  /**
   * Configures an {@link UltravoxAgentRuntime}. {@link #build()} validates and names the bad
   * setting. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable String apiKey;
    private @Nullable UltravoxClient client;
    private @Nullable URI baseUrl;
    private @Nullable String agentId;
    private @Nullable String instructions;
    private @Nullable String voice;
    private @Nullable String model;
    private int sampleRate = 8000;
    private Duration clientBufferSize = Duration.ofSeconds(30);
    private @Nullable UltravoxWebhooks webhooks;
    private @Nullable OkHttpClient okHttpClient;
    private Clock clock = Clock.systemUTC();
    private Duration pingInterval = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * Sets the API key; the runtime then builds (and closes) its own {@link UltravoxClient}. Either
     * this or {@link #client} is required.
     *
     * @param apiKey an Ultravox API key; sent only in the {@code X-API-Key} header, never printed
     * @return this builder
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      return this;
    }

    /**
     * Shares a client the application built (and closes itself): the runtime uses it for every REST
     * request and does not close it.
     *
     * @param client the client
     * @return this builder
     */
    public Builder client(UltravoxClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Sets the API base URL of the client the runtime builds (only with {@link #apiKey}): for tests
     * against a fake, or a proxy.
     *
     * @param baseUrl default {@code https://api.ultravox.ai}
     * @return this builder
     */
    public Builder baseUrl(URI baseUrl) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      return this;
    }

    /**
     * Starts every session from this agent ({@code POST /api/agents/{id}/calls}, with the options'
     * context as {@code templateContext}). Without it, sessions are direct calls.
     *
     * @param agentId the agent's id (a UUID)
     * @return this builder
     */
    public Builder agentId(String agentId) {
      this.agentId = Objects.requireNonNull(agentId, "agentId");
      return this;
    }

    /**
     * Sets the default system prompt of direct calls; {@code SessionOptions.instructions()}
     * overrides it. Ignored with an {@link #agentId}.
     *
     * @param instructions the prompt
     * @return this builder
     */
    public Builder instructions(String instructions) {
      this.instructions = Objects.requireNonNull(instructions, "instructions");
      return this;
    }

    /**
     * Sets the default voice of direct calls; {@code SessionOptions.voice()} overrides it.
     *
     * @param voice an Ultravox voice name or id; default Ultravox's
     * @return this builder
     */
    public Builder voice(String voice) {
      this.voice = Objects.requireNonNull(voice, "voice");
      return this;
    }

    /**
     * Sets the model of direct calls.
     *
     * @param model e.g. {@code ultravox-v0.7}; default Ultravox's
     * @return this builder
     */
    public Builder model(String model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * Sets the sample rate streaming sessions ask for, both ways. At 8000 (the default) a refusal
     * naming the sample rate falls back to 16000, as the class documentation explains.
     *
     * @param hz 8000, 16000, 22050, 24000, 44100 or 48000
     * @return this builder
     */
    public Builder sampleRate(int hz) {
      this.sampleRate = hz;
      return this;
    }

    /**
     * Sets how much agent audio Ultravox may send ahead of playback ({@code clientBufferSizeMs}).
     * Large is right here: the phone buffers what it is sent, and a barge-in's {@code
     * playback_clear_buffer} clears it.
     *
     * @param size default 30 s, as Ultravox recommends for clients that honour the clear
     * @return this builder
     */
    public Builder clientBufferSize(Duration size) {
      this.clientBufferSize = Objects.requireNonNull(size, "clientBufferSize");
      return this;
    }

    /**
     * Wires the webhook handler the application mounted, so that a {@code TELEPHONY_DIRECT} session
     * learns its call ended ({@code call.ended}) and closes. Register a webhook for {@code
     * call.ended} with Ultravox pointing at it.
     *
     * @param webhooks the handler
     * @return this builder
     */
    public Builder webhooks(UltravoxWebhooks webhooks) {
      this.webhooks = Objects.requireNonNull(webhooks, "webhooks");
      return this;
    }

    /**
     * Sets the OkHttp client the runtime derives from (connection pool, proxy, interceptors), for
     * its sockets and, with {@link #apiKey}, its REST client.
     *
     * @param client the client
     * @return this builder
     */
    public Builder okHttpClient(OkHttpClient client) {
      this.okHttpClient = Objects.requireNonNull(client, "okHttpClient");
      return this;
    }

    /**
     * Sets the clock for transcript timestamps and pings.
     *
     * @param clock default the system clock, UTC
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how often a streaming session sends Ultravox a {@code ping} data message (its {@code
     * pong} gives the round trip, logged at debug). Dead connections are found by WebSocket pings
     * every 20 s regardless.
     *
     * @param interval default 10 s
     * @return this builder
     */
    public Builder pingInterval(Duration interval) {
      this.pingInterval = Objects.requireNonNull(interval, "pingInterval");
      return this;
    }

    /**
     * Sets how long a streaming session's socket may take to open.
     *
     * @param timeout default 10 s
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "connectTimeout");
      return this;
    }

    /**
     * Validates the settings and builds the runtime.
     *
     * @return the runtime
     * @throws ConfigurationException naming the missing or bad setting (never showing the key)
     */
    public UltravoxAgentRuntime build() {
      if ((apiKey == null) == (client == null)) {
        throw new ConfigurationException(
            apiKey == null
                ? "an apiKey (config key 'api-key') or a shared client is required"
                : "set either apiKey or client, not both: a shared client has its own key");
      }
      if (client != null && baseUrl != null) {
        throw new ConfigurationException(
            "baseUrl applies to the client the runtime builds from apiKey; a shared client has its"
                + " own base URL");
      }
      if (agentId != null && agentId.isBlank()) {
        throw new ConfigurationException("agentId must not be blank");
      }
      if (!UltravoxEngine.RATES.contains(sampleRate)) {
        throw new ConfigurationException(
            "sampleRate must be 8000, 16000, 22050, 24000, 44100 or 48000 Hz, got " + sampleRate);
      }
      long bufferMs = clientBufferSize.toMillis();
      if (bufferMs < 1 || bufferMs > Integer.MAX_VALUE) {
        throw new ConfigurationException(
            "clientBufferSize must be at least 1 ms, got " + clientBufferSize);
      }
      if (pingInterval.toMillis() < 100) {
        throw new ConfigurationException(
            "pingInterval must be at least 100 ms, got " + pingInterval.toMillis() + " ms");
      }
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new ConfigurationException(
            "connectTimeout must be positive, got " + connectTimeout.toMillis() + " ms");
      }
      UltravoxClient shared = client;
      UltravoxClient rest;
      if (shared != null) {
        rest = shared;
      } else {
        UltravoxClient.Builder b =
            UltravoxClient.builder().apiKey(Objects.requireNonNull(apiKey)).clock(clock);
        if (baseUrl != null) {
          b.baseUrl(baseUrl);
        }
        if (okHttpClient != null) {
          b.okHttpClient(okHttpClient);
        }
        rest = b.build();
      }
      return new UltravoxAgentRuntime(
          new RuntimeSettings(
              rest,
              shared == null,
              agentId,
              instructions,
              voice,
              model,
              sampleRate,
              clientBufferSize,
              webhooks,
              okHttpClient,
              clock,
              pingInterval,
              connectTimeout));
    }
  }
}
