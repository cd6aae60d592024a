package dev.switchboard.voice.twilio;

import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.ConnectionState;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.Secret;
import dev.switchboard.core.resilience.CircuitBreaker;
import dev.switchboard.core.resilience.RetryPolicy;
import dev.switchboard.core.spi.ProviderConfig;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallListener;
import dev.switchboard.core.voice.CallRequest;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.core.voice.TransferTarget;
import dev.switchboard.core.voice.VoiceBackend;
import dev.switchboard.core.webhook.WebSocketHandler;
import dev.switchboard.core.webhook.WebhookHandler;
import dev.switchboard.core.webhook.WebhookRejected;
import dev.switchboard.voice.twilio.internal.Settings;
import dev.switchboard.voice.twilio.internal.TwilioEngine;
import dev.switchboard.voice.twilio.internal.TwilioHttpClient;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * A {@link VoiceBackend} over Twilio Programmable Voice and Media Streams: places outbound calls
 * whose media streams to this backend ({@code <Connect><Stream>}), answers inbound calls through an
 * {@link InboundCallRouter}, turns Twilio's status, stream-status and answering-machine callbacks
 * into {@link dev.switchboard.core.voice.CallEvent}s, and exposes each call's audio as a {@link
 * MediaStream}. Thread-safe.
 *
 * <pre>{@code
 * TwilioVoiceBackend twilio = TwilioVoiceBackend.builder()
 *     .accountSid("AC...")
 *     .authToken(System.getenv("TWILIO_AUTH_TOKEN"))
 *     .defaultFrom("+14155550100")
 *     .publicBaseUrl(URI.create("https://voice.example.com"))
 *     .router(call -> InboundDecision.accept(Map.of("agent", "support")))
 *     .build();
 * SwitchboardServer server = SwitchboardServer.builder()
 *     .webhook("/twilio/voice", twilio.webhookHandler())
 *     .webhook("/twilio/status", twilio.webhookHandler())
 *     .webhook("/twilio/stream-status", twilio.webhookHandler())
 *     .webhook("/twilio/amd", twilio.webhookHandler())
 *     .webSocket("/twilio/media", twilio.mediaHandler())
 *     .build();
 * server.start();
 * twilio.start();                       // checks the credentials against the account
 * Call call = twilio.placeCall(CallRequest.builder("+14155550123").build()).join();
 * }</pre>
 *
 * <p><b>Surfaces.</b> The backend serves four webhooks ({@link #webhooks()}, or one dispatching
 * {@link #webhookHandler()}) and one WebSocket ({@link #mediaHandler()} at {@link #mediaPath()}),
 * hosted by {@code SwitchboardServer} or the application's own server. Every webhook must carry a
 * valid {@code X-Twilio-Signature} for its public URL (a failure answers 403 and is reported to
 * {@link Builder#webhookRejectedListener}); every media stream must present, in its {@code start},
 * the one-time token the backend put in the stream's TwiML, or it is closed (1008) before any audio
 * is delivered.
 *
 * <p><b>Calls.</b> A call's state follows Twilio's call status and only moves forward (late or
 * out-of-order callbacks are ignored). Ended calls leave {@link #calls()} at once and stay findable
 * with {@link #call(String)} for {@value #ENDED_CALL_RETENTION_MINUTES} minutes. A call may have
 * several media streams in turn ({@link #sendDtmf} continues the call on a new one); its {@link
 * Call#mediaStream()} is the current one. An inbound call answered with {@link InboundDecision#say}
 * is reported {@code COMPLETED} as soon as the message is handed to Twilio, one rejected with
 * {@link InboundDecision#reject} {@code NO_ANSWER}.
 *
 * <p><b>REST.</b> All Twilio REST traffic goes through one OkHttp client; nothing is retried
 * blindly: creating a call and redirecting one (transfer, DTMF) are attempted once, hang-ups and
 * reads are retried with the {@link RetryPolicy}. Failures are {@link
 * dev.switchboard.core.ProviderException}s (provider {@code "twilio"}, HTTP status, Twilio error
 * code, {@code Retry-After}).
 *
 * <p><b>Threading.</b> Thread-safe. Call events are delivered one at a time per call, in order, on
 * the callback executor, never under a lock; media callbacks on the WebSocket host's threads.
 * {@link #hangUp(String)} works in every state (it is how live calls are ended); the other actions
 * need a started backend.
 */
public final class TwilioVoiceBackend implements VoiceBackend {
  /** How long ended calls stay findable, in minutes. */
  public static final long ENDED_CALL_RETENTION_MINUTES = 10;

  private final TwilioEngine engine;
  private final String mediaPath;
  private final WebhookHandler dispatcher;
  private final java.util.concurrent.@Nullable ExecutorService ownedEvents;

  private TwilioVoiceBackend(
      Settings settings, java.util.concurrent.@Nullable ExecutorService ownedEvents) {
    this.ownedEvents = ownedEvents;
    this.engine = new TwilioEngine(settings);
    this.mediaPath = settings.mediaPath();
    this.dispatcher = engine::dispatch;
  }

  /**
   * Starts a configuration.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return TwilioEngine.NAME;
  }

  /**
   * Starts serving: fetches the account resource to check the credentials.
   *
   * @throws ConfigurationException if Twilio rejects the credentials (401/403)
   */
  @Override
  public void start() {
    engine.start();
  }

  @Override
  public CompletableFuture<Void> stop(Duration grace) {
    CompletableFuture<Void> stopped = engine.stop(grace);
    if (ownedEvents != null) {
      // the default event pool is ours: its threads end once the last events are delivered
      stopped.whenComplete((v, e) -> ownedEvents.shutdown());
    }
    return stopped;
  }

  @Override
  public ConnectionState connectionState() {
    return engine.connectionState();
  }

  /**
   * Returns the health: checks {@code credentials} (verified at start), {@code rate-limit}
   * (DEGRADED for a minute after a 429) and the circuit breaker's.
   *
   * @return the health
   */
  @Override
  public HealthStatus health() {
    return engine.health();
  }

  @Override
  public ProviderConfig configuration() {
    return engine.configuration();
  }

  /**
   * Applies new settings; only {@code default-from} can change while running.
   *
   * @param changes the settings to change
   * @throws ConfigurationException naming any other key, or a malformed number; nothing is applied
   */
  @Override
  public void reconfigure(ProviderConfig changes) {
    engine.reconfigure(changes);
  }

  /**
   * Places an outbound call whose media streams to this backend (or to the request's stream URL).
   *
   * @param request what to dial and how
   * @return the call, once Twilio has accepted it
   * @throws IllegalStateException if the backend is not started
   * @throws IllegalArgumentException if the request has no caller id and there is no default, its
   *     timeout exceeds 600 s, or its TwiML would exceed Twilio's 4000 characters
   */
  @Override
  public CompletableFuture<Call> placeCall(CallRequest request) {
    return engine.placeCall(request);
  }

  @Override
  public Optional<Call> call(String callId) {
    return engine.call(callId);
  }

  @Override
  public List<Call> calls() {
    return engine.calls();
  }

  @Override
  public int activeCallCount() {
    return engine.activeCallCount();
  }

  /**
   * Hangs up ({@code Status=completed}). Idempotent: an ended call, or one Twilio no longer knows
   * (404), completes normally; concurrent hang-ups share one request.
   *
   * @param callId the CallSid
   * @return completes when Twilio has accepted the hang-up
   */
  @Override
  public CompletableFuture<Void> hangUp(String callId) {
    return engine.hangUp(callId);
  }

  /**
   * Transfers the call: redirects it to {@code <Dial><Number>} or {@code <Dial><Sip>}; its media
   * stream ends. Not retried.
   *
   * @param callId the CallSid
   * @param target where to
   * @return completes when Twilio has accepted the redirect
   */
  @Override
  public CompletableFuture<Void> transfer(String callId, TransferTarget target) {
    return engine.transfer(callId, target);
  }

  /**
   * Plays DTMF tones ({@code <Play digits>}), then streams again: the call's current stream ends
   * and a new one starts on the same {@link Call}. Not retried.
   *
   * @param callId the CallSid of a call this backend knows
   * @param digits {@code 0-9}, {@code *}, {@code #}, {@code w}
   * @return completes when Twilio has accepted the redirect
   * @throws IllegalArgumentException naming bad digits or an unknown call
   */
  @Override
  public CompletableFuture<Void> sendDtmf(String callId, String digits) {
    return engine.sendDtmf(callId, digits);
  }

  @Override
  public void addListener(CallListener listener) {
    engine.addListener(listener);
  }

  @Override
  public void removeListener(CallListener listener) {
    engine.removeListener(listener);
  }

  /**
   * Returns the webhook handlers by path (voice, status, stream-status, AMD), to mount on a server.
   *
   * @return an unmodifiable map
   */
  public Map<String, WebhookHandler> webhooks() {
    return engine.webhooks();
  }

  /**
   * Returns one handler for every webhook, dispatching on the request path (with or without the
   * public base URL's path prefix).
   *
   * @return the handler
   */
  public WebhookHandler webhookHandler() {
    return dispatcher;
  }

  /**
   * Returns the Media Streams WebSocket handler, to mount at {@link #mediaPath()}.
   *
   * @return the handler
   */
  public WebSocketHandler mediaHandler() {
    return engine.mediaHandler();
  }

  /**
   * Returns the media endpoint's path.
   *
   * @return e.g. {@code /twilio/media}
   */
  public String mediaPath() {
    return mediaPath;
  }

  @Override
  public String toString() {
    return "TwilioVoiceBackend[" + connectionState() + "]";
  }

  /**
   * Configures a {@link TwilioVoiceBackend}. {@link #build()} validates and names the bad setting.
   * Not thread-safe.
   */
  public static final class Builder {
    private static final Pattern ACCOUNT_SID = Pattern.compile("AC[0-9a-fA-F]{32}");
    private static final Pattern API_KEY_SID = Pattern.compile("SK[0-9a-fA-F]{32}");
    private static final Pattern AUTH_TOKEN = Pattern.compile("[0-9a-fA-F]{32}");

    private @Nullable String accountSid;
    private @Nullable String authToken;
    private @Nullable String apiKeySid;
    private @Nullable String apiKeySecret;
    private @Nullable String defaultFrom;
    private @Nullable URI publicBaseUrl;
    private @Nullable URI mediaUrl;
    private boolean allowInsecureUrls;
    private String voicePath = "/twilio/voice";
    private String statusPath = "/twilio/status";
    private String streamStatusPath = "/twilio/stream-status";
    private String amdPath = "/twilio/amd";
    private String mediaPath = "/twilio/media";
    private URI apiBaseUrl = URI.create("https://api.twilio.com");
    private @Nullable OkHttpClient okHttpClient;
    private Clock clock = Clock.systemUTC();
    private Duration streamTokenTtl = Duration.ofMinutes(2);
    private @Nullable Executor callbackExecutor;
    private @Nullable RetryPolicy retryPolicy;
    private @Nullable CircuitBreaker circuitBreaker;
    private InboundCallRouter router = InboundCallRouter.ACCEPT_ALL;
    private Consumer<WebhookRejected> webhookRejectedListener = e -> {};
    private Consumer<MediaStream> streamHandler = s -> {};

    private Builder() {}

    /**
     * Sets the account (required).
     *
     * @param accountSid {@code AC} and 32 hex characters
     * @return this builder
     */
    public Builder accountSid(String accountSid) {
      this.accountSid = Objects.requireNonNull(accountSid, "accountSid");
      return this;
    }

    /**
     * Sets the account's auth token (required): it authenticates REST calls unless an API key is
     * set, and always checks webhook signatures (Twilio signs them with the auth token).
     *
     * @param authToken 32 hex characters
     * @return this builder
     */
    public Builder authToken(String authToken) {
      this.authToken = Objects.requireNonNull(authToken, "authToken");
      return this;
    }

    /**
     * Authenticates REST calls with an API key instead of the auth token (which is still needed for
     * webhook signatures).
     *
     * @param sid {@code SK} and 32 hex characters
     * @param secret the key's secret
     * @return this builder
     */
    public Builder apiKey(String sid, String secret) {
      this.apiKeySid = Objects.requireNonNull(sid, "sid");
      this.apiKeySecret = Objects.requireNonNull(secret, "secret");
      return this;
    }

    /**
     * Sets the caller id for requests that name none.
     *
     * @param e164 a number the account owns, e.g. {@code +14155550100}
     * @return this builder
     */
    public Builder defaultFrom(String e164) {
      this.defaultFrom = Objects.requireNonNull(e164, "defaultFrom");
      return this;
    }

    /**
     * Sets the public base URL Twilio reaches the webhooks at (required): {@code https}, behind a
     * TLS-terminating proxy or tunnel. Webhook URLs are this plus the paths; signatures are checked
     * against them.
     *
     * @param url e.g. {@code https://voice.example.com}
     * @return this builder
     */
    public Builder publicBaseUrl(URI url) {
      this.publicBaseUrl = Objects.requireNonNull(url, "publicBaseUrl");
      return this;
    }

    /**
     * Sets the public URL of the media WebSocket, when it differs from the public base URL with
     * {@code https} turned into {@code wss} plus the media path (e.g. a second host name routed to
     * the WebSocket port).
     *
     * @param url a {@code wss://} URL without query string
     * @return this builder
     */
    public Builder mediaUrl(URI url) {
      this.mediaUrl = Objects.requireNonNull(url, "mediaUrl");
      return this;
    }

    /**
     * Allows {@code http}/{@code ws} public URLs and API base URL: for local tests only (Twilio
     * itself requires {@code https} and {@code wss}).
     *
     * @param allow whether to allow them
     * @return this builder
     */
    public Builder allowInsecureUrls(boolean allow) {
      this.allowInsecureUrls = allow;
      return this;
    }

    /**
     * Sets the inbound voice webhook's path ("A call comes in").
     *
     * @param path default {@code /twilio/voice}
     * @return this builder
     */
    public Builder voicePath(String path) {
      this.voicePath = Objects.requireNonNull(path, "voicePath");
      return this;
    }

    /**
     * Sets the call status callback's path.
     *
     * @param path default {@code /twilio/status}
     * @return this builder
     */
    public Builder statusPath(String path) {
      this.statusPath = Objects.requireNonNull(path, "statusPath");
      return this;
    }

    /**
     * Sets the stream status callback's path.
     *
     * @param path default {@code /twilio/stream-status}
     * @return this builder
     */
    public Builder streamStatusPath(String path) {
      this.streamStatusPath = Objects.requireNonNull(path, "streamStatusPath");
      return this;
    }

    /**
     * Sets the answering-machine detection callback's path.
     *
     * @param path default {@code /twilio/amd}
     * @return this builder
     */
    public Builder amdPath(String path) {
      this.amdPath = Objects.requireNonNull(path, "amdPath");
      return this;
    }

    /**
     * Sets the media WebSocket's path.
     *
     * @param path default {@code /twilio/media}
     * @return this builder
     */
    public Builder mediaPath(String path) {
      this.mediaPath = Objects.requireNonNull(path, "mediaPath");
      return this;
    }

    /**
     * Decides inbound calls; by default every call is accepted with no parameters.
     *
     * @param router the router
     * @return this builder
     */
    public Builder router(InboundCallRouter router) {
      this.router = Objects.requireNonNull(router, "router");
      return this;
    }

    /**
     * Sets where REST requests go, keeping the SDK's paths: for tests against a fake, or a proxy.
     *
     * @param url default {@code https://api.twilio.com}
     * @return this builder
     */
    public Builder apiBaseUrl(URI url) {
      this.apiBaseUrl = Objects.requireNonNull(url, "apiBaseUrl");
      return this;
    }

    /**
     * Sets the OkHttp client REST requests derive from (its connection pool, timeouts, proxy);
     * retrying on connection failure is turned off whatever it says.
     *
     * @param client the client
     * @return this builder
     */
    public Builder okHttpClient(OkHttpClient client) {
      this.okHttpClient = Objects.requireNonNull(client, "okHttpClient");
      return this;
    }

    /**
     * Sets the clock for token expiry, events and health.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how long a stream token stays valid after the TwiML carrying it was issued.
     *
     * @param ttl default 2 minutes
     * @return this builder
     */
    public Builder streamTokenTtl(Duration ttl) {
      this.streamTokenTtl = Objects.requireNonNull(ttl, "streamTokenTtl");
      return this;
    }

    /**
     * Sets where call events are delivered (serially per call); by default a daemon thread pool of
     * the backend's own.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "callbackExecutor");
      return this;
    }

    /**
     * Sets the retry policy of idempotent REST calls (hang-up, reads); by default 3 attempts from
     * 200 ms, at most 5 s apart.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
      return this;
    }

    /**
     * Sets the circuit breaker around REST calls; by default one named {@code twilio} opening after
     * 5 consecutive failures for 30 s.
     *
     * @param breaker the breaker
     * @return this builder
     */
    public Builder circuitBreaker(CircuitBreaker breaker) {
      this.circuitBreaker = Objects.requireNonNull(breaker, "circuitBreaker");
      return this;
    }

    /**
     * Hears every refused webhook and media stream (bad signature, bad stream token). Called on the
     * request's thread; must return quickly.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder webhookRejectedListener(Consumer<WebhookRejected> listener) {
      this.webhookRejectedListener = Objects.requireNonNull(listener, "webhookRejectedListener");
      return this;
    }

    /**
     * Is handed every media stream as it starts, on the media thread, before its first audio: the
     * place to set its listener without missing audio. Must return quickly.
     *
     * @param handler the handler
     * @return this builder
     */
    public Builder streamHandler(Consumer<MediaStream> handler) {
      this.streamHandler = Objects.requireNonNull(handler, "streamHandler");
      return this;
    }

    /**
     * Validates the settings and builds the backend (not started).
     *
     * @return the backend
     * @throws ConfigurationException naming the missing or bad setting
     */
    public TwilioVoiceBackend build() {
      if (accountSid == null || accountSid.isBlank()) {
        throw new ConfigurationException("accountSid is required (AC followed by 32 hex digits)");
      }
      if (!ACCOUNT_SID.matcher(accountSid).matches()) {
        throw new ConfigurationException(
            "accountSid must be AC followed by 32 hex digits, got '" + accountSid + "'");
      }
      if (authToken == null || authToken.isBlank()) {
        throw new ConfigurationException(
            "authToken is required (Twilio signs webhooks with it, even when REST uses an API"
                + " key)");
      }
      if (!AUTH_TOKEN.matcher(authToken).matches()) {
        throw new ConfigurationException(
            "authToken does not look like a Twilio auth token: expected 32 hex digits, got "
                + authToken.length()
                + " characters");
      }
      if (apiKeySid != null) {
        if (!API_KEY_SID.matcher(apiKeySid).matches()) {
          throw new ConfigurationException(
              "apiKey sid must be SK followed by 32 hex digits, got '" + apiKeySid + "'");
        }
        if (apiKeySecret == null || apiKeySecret.isBlank()) {
          throw new ConfigurationException("apiKey secret must not be blank");
        }
      }
      if (defaultFrom != null && !TwilioEngine.E164.matcher(defaultFrom).matches()) {
        throw new ConfigurationException(
            "defaultFrom must be an E.164 number like +14155550100, got '" + defaultFrom + "'");
      }
      if (publicBaseUrl == null) {
        throw new ConfigurationException(
            "publicBaseUrl is required: the https URL Twilio reaches this server at");
      }
      checkUrl("publicBaseUrl", publicBaseUrl, "https", "http");
      checkPath("voicePath", voicePath);
      checkPath("statusPath", statusPath);
      checkPath("streamStatusPath", streamStatusPath);
      checkPath("amdPath", amdPath);
      checkPath("mediaPath", mediaPath);
      URI media = mediaUrl;
      if (media == null) {
        String scheme =
            publicBaseUrl.getScheme().toLowerCase(Locale.ROOT).equals("https") ? "wss" : "ws";
        String path = publicBaseUrl.getRawPath();
        String prefix =
            path == null || path.isEmpty() || path.equals("/")
                ? ""
                : path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        media = URI.create(scheme + "://" + publicBaseUrl.getRawAuthority() + prefix + mediaPath);
      }
      checkUrl("mediaUrl", media, "wss", "ws");
      checkUrl("apiBaseUrl", apiBaseUrl, "https", "http");
      if (streamTokenTtl.isNegative() || streamTokenTtl.isZero()) {
        throw new ConfigurationException("streamTokenTtl must be positive, got " + streamTokenTtl);
      }
      Executor events = callbackExecutor;
      java.util.concurrent.ExecutorService owned = null;
      if (events == null) {
        AtomicInteger n = new AtomicInteger();
        owned =
            Executors.newCachedThreadPool(
                r -> {
                  Thread t = new Thread(r, "switchboard-twilio-events-" + n.incrementAndGet());
                  t.setDaemon(true);
                  return t;
                });
        events = owned;
      }
      RetryPolicy retry =
          retryPolicy != null
              ? retryPolicy
              : RetryPolicy.builder()
                  .maxAttempts(3)
                  .initialBackoff(Duration.ofMillis(200))
                  .maxBackoff(Duration.ofSeconds(5))
                  .build();
      CircuitBreaker breaker =
          circuitBreaker != null
              ? circuitBreaker
              : CircuitBreaker.builder()
                  .name("twilio")
                  .failureThreshold(5)
                  .openDuration(Duration.ofSeconds(30))
                  .clock(clock)
                  .build();
      return new TwilioVoiceBackend(
          new Settings(
              accountSid,
              Secret.of(authToken),
              apiKeySid,
              apiKeySecret == null ? null : Secret.of(apiKeySecret),
              defaultFrom,
              publicBaseUrl,
              media,
              voicePath,
              statusPath,
              streamStatusPath,
              amdPath,
              mediaPath,
              allowInsecureUrls,
              apiBaseUrl,
              okHttpClient != null ? okHttpClient : TwilioHttpClient.defaultOkHttp(),
              clock,
              streamTokenTtl,
              events,
              retry,
              breaker,
              router,
              webhookRejectedListener,
              streamHandler),
          owned);
    }

    private void checkUrl(String setting, URI url, String secure, String insecure) {
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if (url.getHost() == null || !(scheme.equals(secure) || scheme.equals(insecure))) {
        throw new ConfigurationException(
            setting + " must be an absolute " + secure + ":// URL, got '" + url + "'");
      }
      if (url.getRawQuery() != null || url.getRawFragment() != null) {
        throw new ConfigurationException(
            setting + " must not have a query string or fragment, got '" + url + "'");
      }
      if (scheme.equals(insecure) && !allowInsecureUrls) {
        throw new ConfigurationException(
            setting
                + " must use "
                + secure
                + ":// (Twilio requires it), got '"
                + url
                + "'; allowInsecureUrls(true) permits "
                + insecure
                + ":// for local tests");
      }
    }

    private static void checkPath(String setting, String path) {
      if (!path.startsWith("/") || path.contains("?") || path.contains("#")) {
        throw new ConfigurationException(
            setting + " must start with '/' and have no query, got '" + path + "'");
      }
    }
  }
}
