package dev.switchboard.examples.agents;

import dev.switchboard.agent.ultravox.UltravoxClient;
import dev.switchboard.agent.ultravox.UltravoxWebhooks;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.telemetry.LogContext;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallListener;
import dev.switchboard.core.webhook.WebhookResponse;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.voice.twilio.TwilioVoiceBackend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent-management service: a JSON API on {@link SwitchboardServer} that creates and manages
 * Ultravox agents and starts phone calls connecting them to Twilio. The Ultravox call uses the
 * {@code twilio} medium: Twilio streams the call straight to Ultravox's join URL, no audio passes
 * through this service.
 *
 * <pre>{@code
 * AgentManagementService service = AgentManagementService.builder()
 *     .ultravox(UltravoxClient.builder().apiKey(apiKey).build())
 *     .twilio(publicUrl -> TwilioVoiceBackend.builder()
 *         .accountSid(sid).authToken(token).defaultFrom("+14155550100")
 *         .publicBaseUrl(publicUrl)
 *         .build())
 *     .publicBaseUrl(URI.create("https://agents.example.com"))
 *     .build();
 * service.start();           // POST /agents, GET /agents, POST /calls/{agent_id}, GET /health ...
 * ...
 * service.close();
 * }</pre>
 *
 * <p><b>Endpoints.</b> {@code POST /agents}, {@code GET /agents?cursor=&pageSize=}, {@code
 * GET/PUT/DELETE /agents/{id}}, {@code POST /calls/{agent_id}}, {@code GET /health} (components
 * {@code ultravox} and {@code twilio}); Twilio's status callbacks under {@code /twilio/...} and,
 * with {@link Builder#ultravoxWebhookSecret}, Ultravox's webhooks at {@code /webhooks/ultravox}.
 * Errors are JSON {@code {"error": {"status", "code", "message", "field", "requestId"}}} ({@code
 * field} only when one field is at fault). Every response of the API carries {@code X-Request-Id}:
 * the caller's, when it is 1 to 64 safe characters, else a generated one; it is in the SLF4J MDC
 * ({@code switchboard.request_id}) while the request is handled and in the metadata ({@code
 * switchboard_request_id}) of every Ultravox call started. See {@code examples/README.md}.
 *
 * <p><b>Lifecycle.</b> {@link #start()} once: binds the HTTP listener, builds the Twilio backend
 * with the service's public URL and starts it (which checks the Twilio credentials). {@link
 * #close()} stops the server and the backend; it does not close the {@link UltravoxClient}, which
 * the caller supplied and owns. Thread-safe.
 */
public final class AgentManagementService implements AutoCloseable {
  // Created on first use, so that main() can set the log level first (slf4j-simple reads it then).
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(AgentManagementService.class);
  }

  /** Where Ultravox's webhooks are received when a secret is configured. */
  public static final String ULTRAVOX_WEBHOOK_PATH = "/webhooks/ultravox";

  private static final Duration STOP_GRACE = Duration.ofSeconds(5);

  private final UltravoxClient ultravox;
  private final Function<URI, TwilioVoiceBackend> twilioFactory;
  private final InetSocketAddress httpAddress;
  private final @Nullable URI publicBaseUrl;
  private final CallListener listener;
  private final CallRegistry calls = new CallRegistry();
  private final SwitchboardServer server;

  private final Object lock = new Object();
  private volatile @Nullable TwilioVoiceBackend twilio;
  private boolean started; // guarded by lock
  private boolean closed; // guarded by lock

  private AgentManagementService(Builder b) {
    this.ultravox = b.ultravox;
    this.twilioFactory = b.twilioFactory;
    this.httpAddress = b.httpAddress;
    this.publicBaseUrl = b.publicBaseUrl;
    this.listener = b.listener;
    String basePath = basePath(b.publicBaseUrl);
    Duration joinTimeout = b.ringTimeout.plus(b.joinMargin);
    AgentApi api =
        new AgentApi(
            ultravox, () -> twilio, calls, basePath, b.ringTimeout, joinTimeout, b.twilioTimeout);
    SwitchboardServer.Builder sb =
        SwitchboardServer.builder()
            .httpAddress(b.httpAddress)
            .webhook("/agents", api)
            .webhook("/agents/*", api)
            .webhook("/calls/*", api)
            .health("ultravox", new CachedHealth(ultravox::health, b.healthCacheTtl, b.clock))
            .health("twilio", this::twilioHealth);
    if (b.publicBaseUrl != null) {
      sb.publicBaseUrl(b.publicBaseUrl);
    }
    // The backend is built in start(), once the public URL is known: delegate to it then.
    for (String path : TWILIO_PATHS) {
      sb.webhook(
          path,
          request -> {
            TwilioVoiceBackend backend = twilio;
            return backend == null
                ? WebhookResponse.error(503, "not_ready", "the Twilio backend is not running")
                : backend.webhookHandler().handle(request);
          });
    }
    if (b.webhookSecret != null) {
      UltravoxWebhooks webhooks =
          UltravoxWebhooks.builder()
              .secret(b.webhookSecret)
              .clock(b.clock)
              .listener(this::onUltravoxEvent)
              .build();
      sb.webhook(ULTRAVOX_WEBHOOK_PATH, webhooks);
    }
    this.server = sb.build();
  }

  /** The Twilio webhook paths this service mounts (the backend's defaults). */
  private static final java.util.List<String> TWILIO_PATHS =
      java.util.List.of("/twilio/voice", "/twilio/status", "/twilio/stream-status", "/twilio/amd");

  /**
   * Runs the service until Ctrl-C: against Ultravox and Twilio when {@code ULTRAVOX_API_KEY},
   * {@code TWILIO_ACCOUNT_SID}, {@code TWILIO_AUTH_TOKEN}, {@code TWILIO_FROM} and {@code
   * SWITCHBOARD_PUBLIC_URL} are set (optional {@code ULTRAVOX_WEBHOOK_SECRET}, {@code PORT},
   * default 8080), otherwise against in-process fakes of both, saying so. Prints the base URL and
   * curl commands to paste.
   *
   * @param args unused
   * @throws InterruptedException if interrupted while running
   */
  public static void main(String[] args) throws InterruptedException {
    // The request log (one line per request, with its id) is the point of a service; show it.
    String level = "org.slf4j.simpleLogger.log.dev.switchboard.examples.agents";
    if (System.getProperty(level) == null) {
      System.setProperty(level, "info");
    }
    Launcher.run(System.getenv());
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
   * Binds the HTTP listener, builds the Twilio backend with the service's public base URL and
   * starts it (Twilio checks the credentials).
   *
   * @throws IllegalStateException if called twice or after {@link #close()}
   * @throws dev.switchboard.core.SwitchboardException if the address cannot be bound or Twilio
   *     rejects the credentials; nothing is left running
   */
  public void start() {
    synchronized (lock) {
      if (started || closed) {
        throw new IllegalStateException("start() can be called once, before close()");
      }
      started = true;
      server.start();
      try {
        TwilioVoiceBackend backend =
            Objects.requireNonNull(twilioFactory.apply(baseUrl()), "the twilio factory's backend");
        backend.addListener(this::onTwilioEvent);
        try {
          backend.start();
        } catch (RuntimeException e) {
          backend.stop(Duration.ZERO);
          throw e;
        }
        twilio = backend;
      } catch (RuntimeException e) {
        server.stop(Duration.ZERO);
        closed = true;
        throw e;
      }
    }
    Log.LOG.info("agent-management service listening on {}", baseUrl());
  }

  /**
   * Returns the port the HTTP listener is bound to.
   *
   * @return the port
   * @throws IllegalStateException if not started
   */
  public int httpPort() {
    return server.httpPort();
  }

  /**
   * Returns the service's public base URL: the configured one, or {@code http://<host>:<port>} of
   * the listener ({@code 127.0.0.1} when it listens on every interface).
   *
   * @return the URL, without a trailing slash
   * @throws IllegalStateException if not started
   */
  public URI baseUrl() {
    if (publicBaseUrl != null) {
      String text = publicBaseUrl.toString();
      return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    }
    InetAddress address = httpAddress.getAddress();
    String host =
        address == null || address.isAnyLocalAddress()
            ? "127.0.0.1"
            : address.getHostAddress().contains(":")
                ? "[" + address.getHostAddress() + "]"
                : address.getHostAddress();
    return URI.create("http://" + host + ":" + server.httpPort());
  }

  /**
   * Stops the server, giving requests in flight a few seconds, then the Twilio backend, which hangs
   * up the calls it placed that are still live (that is how {@link TwilioVoiceBackend#stop} ends).
   * Idempotent. Does not close the Ultravox client.
   */
  @Override
  public void close() {
    TwilioVoiceBackend backend;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      backend = twilio;
    }
    server.stop(STOP_GRACE);
    if (backend != null) {
      try {
        backend.stop(Duration.ZERO).get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        Log.LOG.warn("the Twilio backend did not stop cleanly: {}", e.toString());
      }
    }
  }

  private HealthStatus twilioHealth() {
    TwilioVoiceBackend backend = twilio;
    return backend == null
        ? HealthStatus.of(HealthStatus.Check.unhealthy("backend", "not started"))
        : backend.health();
  }

  private void onTwilioEvent(CallEvent event) {
    CallRegistry.Entry entry = calls.find(event.callId());
    logWithContext(
        event.callId(),
        entry,
        "twilio call "
            + event.callId()
            + ": "
            + describe(event)
            + (entry == null ? "" : " [" + entry.requestId() + "]"));
    deliver(event);
  }

  private void onUltravoxEvent(CallEvent event) {
    if (!(event instanceof CallEvent.AgentCallChanged changed)) {
      return;
    }
    CallRegistry.Entry entry = calls.find(changed.agentCallId());
    String callSid = entry == null ? null : entry.callSid();
    logWithContext(
        callSid != null ? callSid : changed.callId(),
        entry,
        "ultravox call "
            + changed.agentCallId()
            + (callSid == null ? "" : " (twilio " + callSid + ")")
            + ": "
            + changed.phase()
            + (changed.detail() == null ? "" : " " + changed.detail())
            + (entry == null ? "" : " [" + entry.requestId() + "]"));
    deliver(changed);
  }

  /**
   * Logs an event's line with the call id, and the request id that started the call, in the MDC.
   */
  private static void logWithContext(
      String callId, CallRegistry.@Nullable Entry entry, String line) {
    LogContext call = LogContext.call(callId);
    LogContext request =
        entry == null ? null : LogContext.put(RequestIds.MDC_KEY, entry.requestId());
    try {
      Log.LOG.info(line);
    } finally {
      if (request != null) {
        request.close();
      }
      call.close();
    }
  }

  private void deliver(CallEvent event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException e) {
      Log.LOG.warn("call listener failed on {}", event.getClass().getSimpleName(), e);
    }
  }

  private static String describe(CallEvent event) {
    if (event instanceof CallEvent.StateChanged s) {
      return (s.previous() == null ? "" : s.previous() + " -> ") + s.current();
    }
    return event.getClass().getSimpleName();
  }

  private static String basePath(@Nullable URI publicBaseUrl) {
    if (publicBaseUrl == null || publicBaseUrl.getRawPath() == null) {
      return "";
    }
    String path = publicBaseUrl.getRawPath();
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  @Override
  public String toString() {
    return "AgentManagementService[" + (twilio == null ? "not started" : baseUrl()) + "]";
  }

  /**
   * Configures an {@link AgentManagementService}. Not thread-safe. {@link #build()} names a missing
   * setting.
   */
  public static final class Builder {
    private @Nullable UltravoxClient ultravox;
    private @Nullable Function<URI, TwilioVoiceBackend> twilioFactory;
    private InetSocketAddress httpAddress = new InetSocketAddress(8080);
    private @Nullable URI publicBaseUrl;
    private @Nullable String webhookSecret;
    private Clock clock = Clock.systemUTC();
    private Duration ringTimeout = Duration.ofSeconds(30);
    private Duration joinMargin = Duration.ofSeconds(30);
    private Duration twilioTimeout = Duration.ofSeconds(30);
    private Duration healthCacheTtl = Duration.ofSeconds(10);
    private CallListener listener = CallListener.NONE;

    private Builder() {}

    /**
     * Sets the Ultravox client (required). The service does not close it.
     *
     * @param client the client
     * @return this builder
     */
    public Builder ultravox(UltravoxClient client) {
      this.ultravox = Objects.requireNonNull(client, "ultravox");
      return this;
    }

    /**
     * Sets how to build the Twilio backend (required): {@link #start()} calls the factory once,
     * after binding, with the service's public base URL, which the backend needs for its webhooks
     * ({@code publicBaseUrl}). The service mounts the backend's webhooks, starts it and stops it.
     *
     * @param factory builds the backend from the public base URL
     * @return this builder
     */
    public Builder twilio(Function<URI, TwilioVoiceBackend> factory) {
      this.twilioFactory = Objects.requireNonNull(factory, "twilio");
      return this;
    }

    /**
     * Sets where the HTTP listener binds. Default: every interface, port 8080; port 0 picks one.
     *
     * @param address the address
     * @return this builder
     */
    public Builder httpAddress(InetSocketAddress address) {
      this.httpAddress = Objects.requireNonNull(address, "httpAddress");
      return this;
    }

    /**
     * Sets the URL Twilio and Ultravox reach the service at (a tunnel or a proxy), which webhook
     * signatures are checked against. Default: none, the listener's own address.
     *
     * @param url an absolute http(s) URL
     * @return this builder
     */
    public Builder publicBaseUrl(URI url) {
      this.publicBaseUrl = Objects.requireNonNull(url, "publicBaseUrl");
      return this;
    }

    /**
     * Receives Ultravox's webhooks at {@value #ULTRAVOX_WEBHOOK_PATH}, verified with this secret
     * (the webhook's secret in Ultravox). Default: not mounted.
     *
     * @param secret the secret; never logged
     * @return this builder
     */
    public Builder ultravoxWebhookSecret(String secret) {
      Objects.requireNonNull(secret, "ultravoxWebhookSecret");
      if (secret.isBlank()) {
        throw new IllegalArgumentException("ultravoxWebhookSecret must not be blank");
      }
      this.webhookSecret = secret;
      return this;
    }

    /**
     * Sets the clock (health caching, webhook timestamps). Default: the system's UTC clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how long a placed call rings before Twilio gives up. The Ultravox call's join timeout is
     * this plus 30 s, so that it is still waiting when the callee answers late. Default: 30 s.
     *
     * @param timeout from 1 to 600 s
     * @return this builder
     */
    public Builder ringTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "ringTimeout");
      if (timeout.compareTo(Duration.ofSeconds(1)) < 0
          || timeout.compareTo(Duration.ofSeconds(600)) > 0) {
        throw new IllegalArgumentException("ringTimeout must be from 1 to 600 s, got " + timeout);
      }
      this.ringTimeout = timeout;
      return this;
    }

    /**
     * Sets how long {@code GET /health} reuses Ultravox's health (a real request). Default: 10 s;
     * zero asks every time.
     *
     * @param ttl the time to live
     * @return this builder
     */
    public Builder healthCacheTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "healthCacheTtl");
      if (ttl.isNegative()) {
        throw new IllegalArgumentException("healthCacheTtl must not be negative, got " + ttl);
      }
      this.healthCacheTtl = ttl;
      return this;
    }

    /**
     * Receives the calls' events: Twilio's ({@link CallEvent.StateChanged}...) and, with a webhook
     * secret, Ultravox's ({@link CallEvent.AgentCallChanged}). Called on the backends' threads; it
     * must return quickly. Default: none (events are logged either way).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder callListener(CallListener listener) {
      this.listener = Objects.requireNonNull(listener, "callListener");
      return this;
    }

    /**
     * Builds the service (not started).
     *
     * @return the service
     * @throws IllegalArgumentException naming a missing or bad setting
     */
    public AgentManagementService build() {
      if (ultravox == null) {
        throw new IllegalArgumentException("ultravox is required: the UltravoxClient to use");
      }
      if (twilioFactory == null) {
        throw new IllegalArgumentException(
            "twilio is required: a factory of the TwilioVoiceBackend");
      }
      return new AgentManagementService(this);
    }
  }
}
