package dev.switchboard.voice.twilio.internal;

import com.twilio.exception.ApiException;
import com.twilio.exception.TwilioException;
import com.twilio.http.HttpMethod;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.Account;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.security.RequestValidator;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.ConnectionState;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.internal.SerialExecutor;
import dev.switchboard.core.resilience.Operation;
import dev.switchboard.core.spi.ProviderConfig;
import dev.switchboard.core.telemetry.LogContext;
import dev.switchboard.core.voice.CallDirection;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallListener;
import dev.switchboard.core.voice.CallRequest;
import dev.switchboard.core.voice.CallState;
import dev.switchboard.core.voice.TransferTarget;
import dev.switchboard.core.webhook.WebSocketChannel;
import dev.switchboard.core.webhook.WebSocketHandler;
import dev.switchboard.core.webhook.WebSocketListener;
import dev.switchboard.core.webhook.WebhookHandler;
import dev.switchboard.core.webhook.WebhookRejected;
import dev.switchboard.core.webhook.WebhookRequest;
import dev.switchboard.core.webhook.WebhookResponse;
import dev.switchboard.voice.twilio.InboundCall;
import dev.switchboard.voice.twilio.InboundDecision;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not API. Everything {@code TwilioVoiceBackend} does: REST through the SDK and {@link
 * TwilioHttpClient}, the webhooks, the media endpoint, the call registry and the lifecycle.
 * Thread-safe.
 */
public final class TwilioEngine implements TwilioMediaStream.Host {
  private static final Logger log = LoggerFactory.getLogger(TwilioEngine.class);

  /** The provider name. */
  public static final String NAME = "twilio";

  /** How long an ended call stays findable through {@code call(id)}. */
  public static final Duration ENDED_CALL_RETENTION = Duration.ofMinutes(10);

  /** E.164: a plus and 2 to 15 digits, no leading zero. */
  public static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{1,14}");

  private static final Pattern DTMF = Pattern.compile("[0-9*#wW]+");
  private static final Duration RATE_LIMIT_WINDOW = Duration.ofMinutes(1);
  private static final int MAX_TIMEOUT_SECONDS = 600;
  private static final List<String> STATUS_EVENTS =
      List.of("initiated", "ringing", "answered", "completed");

  private final Settings s;
  private final TwilioRestClient client;
  private final RequestValidator validator;
  private final StreamTokens tokens;
  private final ExecutorService io;
  private final Map<String, TwilioCall> calls = new ConcurrentHashMap<>();
  private final Set<TwilioMediaStream> connections = ConcurrentHashMap.newKeySet();
  private final List<CallListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, WebhookHandler> webhooks;

  private final Object lifecycle = new Object();
  private ConnectionState state = ConnectionState.STOPPED; // guarded by lifecycle
  private @Nullable CompletableFuture<Void> stopped; // guarded by lifecycle
  private volatile @Nullable CompletableFuture<Void> drained;
  private volatile @Nullable String defaultFrom;
  private volatile HealthStatus.Check credentials =
      new HealthStatus.Check("credentials", HealthStatus.State.DEGRADED, "not checked yet");
  private volatile @Nullable Instant lastRateLimited;

  /**
   * Creates an engine.
   *
   * @param settings the validated settings
   */
  public TwilioEngine(Settings settings) {
    this.s = settings;
    this.defaultFrom = settings.defaultFrom();
    TwilioHttpClient http =
        new TwilioHttpClient(
            settings.okHttp(), settings.apiBaseUrl(), settings.clock(), this::onRestFailure);
    TwilioRestClient.Builder b =
        settings.apiKeySid() != null
            ? new TwilioRestClient.Builder(
                settings.apiKeySid(), Objects.requireNonNull(settings.apiKeySecret()).reveal())
            : new TwilioRestClient.Builder(settings.accountSid(), settings.authToken().reveal());
    this.client = b.accountSid(settings.accountSid()).httpClient(http).build();
    this.validator = new RequestValidator(settings.authToken().reveal());
    this.tokens = new StreamTokens(settings.clock(), settings.streamTokenTtl());
    AtomicInteger n = new AtomicInteger();
    this.io =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "switchboard-twilio-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    Map<String, WebhookHandler> w = new LinkedHashMap<>();
    w.put(settings.voicePath(), this::handleVoice);
    w.put(settings.statusPath(), this::handleStatus);
    w.put(settings.streamStatusPath(), this::handleStreamStatus);
    w.put(settings.amdPath(), this::handleAmd);
    this.webhooks = java.util.Collections.unmodifiableMap(w);
  }

  // ---------------------------------------------------------------- lifecycle

  /** See {@code Backend.start()}. */
  public void start() {
    synchronized (lifecycle) {
      if (state == ConnectionState.CONNECTED || state == ConnectionState.DISCONNECTED) {
        return;
      }
      if (state == ConnectionState.STOPPING) {
        throw new IllegalStateException("the backend is stopping; wait for stop() to complete");
      }
      state = ConnectionState.STARTING;
      stopped = null;
    }
    ConnectionState next;
    try {
      rest(
          Operation.idempotent("fetch account"),
          () -> Account.fetcher(s.accountSid()).fetch(client));
      credentials = HealthStatus.Check.healthy("credentials");
      next = ConnectionState.CONNECTED;
    } catch (ProviderException e) {
      if (e.httpStatus() == 401 || e.httpStatus() == 403) {
        credentials =
            HealthStatus.Check.unhealthy("credentials", "Twilio rejected the credentials");
        synchronized (lifecycle) {
          state = ConnectionState.STOPPED;
        }
        throw new ConfigurationException(
            "Twilio rejected the credentials for account "
                + s.accountSid()
                + " (HTTP "
                + e.httpStatus()
                + "): check accountSid and authToken"
                + (s.apiKeySid() != null ? " / apiKey" : "")
                + " (configuration keys account-sid, auth-token, api-key-sid, api-key-secret)",
            e);
      }
      credentials =
          HealthStatus.Check.unhealthy(
              "credentials", "could not be checked: " + clip(e.getMessage(), 200));
      log.warn("Twilio backend started but could not check the credentials: {}", e.getMessage());
      next = ConnectionState.DISCONNECTED;
    } catch (SwitchboardException e) {
      credentials =
          HealthStatus.Check.unhealthy(
              "credentials", "could not be checked: " + clip(e.getMessage(), 200));
      next = ConnectionState.DISCONNECTED;
    }
    synchronized (lifecycle) {
      state = next;
    }
    log.info("Twilio voice backend started for account {} ({})", s.accountSid(), next);
  }

  /**
   * See {@code Backend.stop(Duration)}.
   *
   * @param grace how long live calls may go on
   * @return completes when stopped
   */
  public CompletableFuture<Void> stop(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    CompletableFuture<Void> done;
    synchronized (lifecycle) {
      if (stopped != null) {
        return stopped.copy();
      }
      done = new CompletableFuture<>();
      stopped = done;
      if (state == ConnectionState.STOPPED) {
        done.complete(null);
        closeConnections();
        io.shutdown();
        return done.copy();
      }
      state = ConnectionState.STOPPING;
    }
    io.execute(() -> drainAndStop(grace, done));
    return done.copy();
  }

  private void drainAndStop(Duration grace, CompletableFuture<Void> done) {
    try {
      CompletableFuture<Void> d = new CompletableFuture<>();
      drained = d;
      checkDrained();
      if (!grace.isZero() && !grace.isNegative()) {
        try {
          d.get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // hang up the rest below
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
          // cannot happen
        }
      }
      List<CompletableFuture<Void>> hangUps = new ArrayList<>();
      for (TwilioCall call : calls.values()) {
        if (!call.isTerminal()) {
          log.info("stopping: hanging up call {}", call.id());
          hangUps.add(hangUpInternal(call.id()).exceptionally(e -> null));
        }
      }
      try {
        CompletableFuture.allOf(hangUps.toArray(CompletableFuture[]::new))
            .get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("stopping: not every hang-up was confirmed: {}", e.toString());
      }
      closeConnections();
    } finally {
      synchronized (lifecycle) {
        state = ConnectionState.STOPPED;
      }
      done.complete(null);
      log.info("Twilio voice backend stopped");
      // Stopping is for good: this task is the pool's last, and its threads end after it.
      io.shutdown();
    }
  }

  private void closeConnections() {
    for (TwilioMediaStream c : connections) {
      c.end(CloseReason.of(CloseReason.Code.SHUTDOWN, "backend stopping"));
    }
  }

  private void checkDrained() {
    CompletableFuture<Void> d = drained;
    if (d != null && activeCallCount() == 0) {
      d.complete(null);
    }
  }

  /**
   * Returns the lifecycle state.
   *
   * @return the state
   */
  public ConnectionState connectionState() {
    synchronized (lifecycle) {
      return state;
    }
  }

  private boolean serving() {
    synchronized (lifecycle) {
      return state == ConnectionState.CONNECTED || state == ConnectionState.DISCONNECTED;
    }
  }

  private void requireServing(String what) {
    if (!serving()) {
      throw new IllegalStateException(
          "cannot " + what + ": the Twilio backend is " + connectionState() + "; call start()");
    }
  }

  // ---------------------------------------------------------------- health and configuration

  /**
   * See {@code Backend.health()}.
   *
   * @return the health
   */
  public HealthStatus health() {
    List<HealthStatus.Check> checks = new ArrayList<>();
    checks.add(credentials);
    Instant limited = lastRateLimited;
    if (limited != null
        && Duration.between(limited, s.clock().instant()).compareTo(RATE_LIMIT_WINDOW) < 0) {
      checks.add(HealthStatus.Check.degraded("rate-limit", "rate limited by Twilio at " + limited));
    } else {
      checks.add(HealthStatus.Check.healthy("rate-limit"));
    }
    checks.add(s.breaker().health());
    return HealthStatus.of(checks);
  }

  private void onRestFailure(ProviderException e) {
    if (e.httpStatus() == 429) {
      lastRateLimited = s.clock().instant();
    }
  }

  /**
   * See {@code Backend.configuration()}.
   *
   * @return the configuration
   */
  public ProviderConfig configuration() {
    ProviderConfig.Builder b =
        ProviderConfig.builder()
            .put("account-sid", s.accountSid())
            .secret("auth-token", s.authToken().reveal());
    if (s.apiKeySid() != null) {
      b.put("api-key-sid", s.apiKeySid());
      b.secret("api-key-secret", Objects.requireNonNull(s.apiKeySecret()).reveal());
    }
    String from = defaultFrom;
    if (from != null) {
      b.put("default-from", from);
    }
    return b.put("public-base-url", s.publicBaseUrl().toString())
        .put("media-url", s.mediaUrl().toString())
        .put("api-base-url", s.apiBaseUrl().toString())
        .put("allow-insecure-urls", Boolean.toString(s.allowInsecureUrls()))
        .put("voice-path", s.voicePath())
        .put("status-path", s.statusPath())
        .put("stream-status-path", s.streamStatusPath())
        .put("amd-path", s.amdPath())
        .put("media-path", s.mediaPath())
        .put("stream-token-ttl", s.streamTokenTtl().toString())
        .build();
  }

  /**
   * See {@code Backend.reconfigure}.
   *
   * @param changes the settings to change
   */
  public void reconfigure(ProviderConfig changes) {
    Objects.requireNonNull(changes, "changes");
    List<String> refused = new ArrayList<>();
    for (String key : changes.keys()) {
      if (!key.equals("default-from")) {
        refused.add(key);
      }
    }
    if (!refused.isEmpty()) {
      throw new ConfigurationException(
          "cannot change " + refused + " while running; only default-from can change");
    }
    Optional<String> from = changes.optional("default-from");
    if (from.isPresent() && !E164.matcher(from.get()).matches()) {
      throw new ConfigurationException(
          "default-from must be an E.164 number like +14155550100, got '" + from.get() + "'");
    }
    if (changes.has("default-from")) {
      defaultFrom = from.orElse(null);
    }
  }

  // ---------------------------------------------------------------- listeners and events

  /**
   * Adds a listener.
   *
   * @param listener the listener
   */
  public void addListener(CallListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Removes a listener.
   *
   * @param listener the listener
   */
  public void removeListener(CallListener listener) {
    listeners.remove(listener);
  }

  /** Queues an event on the call's serial queue; listeners run later, outside every lock. */
  private void publish(TwilioCall call, CallEvent event) {
    call.events.execute(() -> fire(event));
  }

  private void fire(CallEvent event) {
    try (LogContext ignored = LogContext.call(event.callId())) {
      for (CallListener l : listeners) {
        try {
          l.onEvent(event);
        } catch (RuntimeException e) {
          log.warn("call listener threw on {}; ignored", event.getClass().getSimpleName(), e);
        }
      }
    }
  }

  private void rejected(String url, String reason, String remote) {
    WebhookRejected event = new WebhookRejected(url, reason, remote, s.clock().instant());
    try {
      s.rejectedListener().accept(event);
    } catch (RuntimeException e) {
      log.warn("webhook-rejected listener threw; ignored", e);
    }
  }

  // ---------------------------------------------------------------- calls

  /**
   * Looks up a call.
   *
   * @param sid the CallSid
   * @return the call
   */
  public Optional<dev.switchboard.core.voice.Call> call(String sid) {
    return Optional.ofNullable(calls.get(sid));
  }

  /**
   * Returns the live calls.
   *
   * @return a snapshot
   */
  public List<dev.switchboard.core.voice.Call> calls() {
    List<dev.switchboard.core.voice.Call> live = new ArrayList<>();
    for (TwilioCall c : calls.values()) {
      if (!c.isTerminal()) {
        live.add(c);
      }
    }
    return List.copyOf(live);
  }

  /**
   * Returns the number of live calls.
   *
   * @return the count
   */
  public int activeCallCount() {
    int n = 0;
    for (TwilioCall c : calls.values()) {
      if (!c.isTerminal()) {
        n++;
      }
    }
    return n;
  }

  private TwilioCall register(
      String sid,
      CallDirection direction,
      String from,
      String to,
      Map<String, String> params,
      CallState initial,
      TwimlFactory.@Nullable StreamTarget target) {
    Instant now = s.clock().instant();
    purgeEnded(now);
    TwilioCall call =
        new TwilioCall(
            this,
            sid,
            direction,
            from,
            to,
            now,
            params,
            initial,
            target,
            new SerialExecutor(s.callbackExecutor()));
    TwilioCall existing = calls.putIfAbsent(sid, call);
    if (existing != null) {
      return existing;
    }
    publish(call, new CallEvent.StateChanged(sid, null, initial, now));
    return call;
  }

  private void purgeEnded(Instant now) {
    Instant cutoff = now.minus(ENDED_CALL_RETENTION);
    calls
        .values()
        .removeIf(
            c -> {
              Instant ended = c.endedAtOrNull();
              return ended != null && ended.isBefore(cutoff);
            });
  }

  /** Moves a call forward; publishes, ends its stream when terminal. */
  private boolean transition(TwilioCall call, CallState next) {
    Instant now = s.clock().instant();
    TwilioMediaStream toEnd = null;
    synchronized (call.lock) {
      CallState previous = call.moveLocked(next, now);
      if (previous == null) {
        return false;
      }
      publish(call, new CallEvent.StateChanged(call.id(), previous, next, now));
      if (next.isTerminal()) {
        toEnd = call.currentStream();
      }
    }
    if (next.isTerminal()) {
      if (toEnd != null) {
        toEnd.end(CloseReason.of(CloseReason.Code.CALL_ENDED, "call ended"));
      }
      checkDrained();
    }
    return true;
  }

  /**
   * Maps a Twilio call status to a state.
   *
   * @param status e.g. {@code in-progress}
   * @return the state, or null for a value we do not know
   */
  public static @Nullable CallState stateOf(@Nullable String status) {
    if (status == null) {
      return null;
    }
    return switch (status.toLowerCase(Locale.ROOT)) {
      case "queued" -> CallState.QUEUED;
      case "initiated" -> CallState.INITIATED;
      case "ringing" -> CallState.RINGING;
      case "in-progress", "answered" -> CallState.IN_PROGRESS;
      case "completed" -> CallState.COMPLETED;
      case "busy" -> CallState.BUSY;
      case "failed" -> CallState.FAILED;
      case "no-answer" -> CallState.NO_ANSWER;
      case "canceled" -> CallState.CANCELED;
      default -> null;
    };
  }

  /**
   * Places a call.
   *
   * @param request what to dial
   * @return the call once Twilio accepted it
   */
  public CompletableFuture<dev.switchboard.core.voice.Call> placeCall(CallRequest request) {
    Objects.requireNonNull(request, "request");
    requireServing("place a call");
    String from = request.from() != null ? request.from() : defaultFrom;
    if (from == null) {
      throw new IllegalArgumentException(
          "the call request has no from and the backend has no defaultFrom");
    }
    requireNoReservedParameter(request.parameters());
    Integer timeout = seconds(request.timeout());
    if (timeout != null && timeout > MAX_TIMEOUT_SECONDS) {
      throw new IllegalArgumentException(
          "timeout must be at most "
              + MAX_TIMEOUT_SECONDS
              + " s for Twilio, got "
              + timeout
              + " s");
    }
    TwimlFactory.StreamTarget target;
    String token = null;
    if (request.streamUrl() != null) {
      target =
          new TwimlFactory.StreamTarget(
              request.streamUrl().toString(),
              null,
              request.parameters(),
              publicUrl(s.streamStatusPath()));
    } else {
      token = tokens.issue(null);
      target =
          new TwimlFactory.StreamTarget(
              s.mediaUrl().toString(),
              token,
              request.parameters(),
              publicUrl(s.streamStatusPath()));
    }
    String twiml = TwimlFactory.connectStream(target);
    try {
      TwimlFactory.requireInlineSize(twiml, "the call to " + request.to());
    } catch (IllegalArgumentException e) {
      if (token != null) {
        tokens.revoke(token);
      }
      throw e;
    }
    String issued = token;
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            Call created =
                rest(
                    Operation.nonIdempotent("create call"),
                    () -> {
                      var creator =
                          Call.creator(
                                  s.accountSid(),
                                  new PhoneNumber(request.to()),
                                  new PhoneNumber(from),
                                  new Twiml(twiml))
                              .setStatusCallback(URI.create(publicUrl(s.statusPath())))
                              .setStatusCallbackMethod(HttpMethod.POST)
                              .setStatusCallbackEvent(STATUS_EVENTS);
                      if (request.answeringMachineDetection()) {
                        creator
                            .setMachineDetection("Enable")
                            .setAsyncAmd("true")
                            .setAsyncAmdStatusCallback(URI.create(publicUrl(s.amdPath())))
                            .setAsyncAmdStatusCallbackMethod(HttpMethod.POST);
                      }
                      if (request.record()) {
                        creator.setRecord(true);
                      }
                      if (timeout != null) {
                        creator.setTimeout(timeout);
                      }
                      Integer limit = seconds(request.timeLimit());
                      if (limit != null) {
                        creator.setTimeLimit(limit);
                      }
                      return creator.create(client);
                    });
            String sid = created.getSid();
            if (issued != null) {
              tokens.bind(issued, sid);
            }
            CallState initial = stateOf(String.valueOf(created.getStatus()));
            TwilioCall call =
                register(
                    sid,
                    CallDirection.OUTBOUND,
                    from,
                    request.to(),
                    request.parameters(),
                    initial == null ? CallState.QUEUED : initial,
                    target);
            log.info("placed call {} ({})", sid, call.state());
            return (dev.switchboard.core.voice.Call) call;
          } catch (RuntimeException e) {
            if (issued != null) {
              tokens.revoke(issued);
            }
            throw e;
          }
        },
        io);
  }

  /**
   * Hangs up.
   *
   * @param sid the call
   * @return completes when Twilio accepted it, or at once for an ended call
   */
  public CompletableFuture<Void> hangUp(String sid) {
    Objects.requireNonNull(sid, "callId");
    return hangUpInternal(sid);
  }

  private CompletableFuture<Void> hangUpInternal(String sid) {
    TwilioCall call = calls.get(sid);
    if (call != null && call.isTerminal()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (call != null) {
      CompletableFuture<Void> existing = call.hangUpFuture(f);
      if (existing != f) {
        return existing.copy();
      }
    }
    Runnable hangUp =
        () -> {
          try {
            Call updated =
                rest(
                    Operation.idempotent("hang up call"),
                    () ->
                        Call.updater(s.accountSid(), sid)
                            .setStatus(Call.UpdateStatus.COMPLETED)
                            .update(client));
            if (call != null && updated.getStatus() != null) {
              CallState st = stateOf(updated.getStatus().toString());
              if (st != null && st.isTerminal()) {
                transition(call, st);
              }
            }
            f.complete(null);
          } catch (ProviderException e) {
            if (e.httpStatus() == 404) {
              log.debug("hang-up of {}: Twilio no longer has the call; it has ended", sid);
              if (call != null) {
                transition(call, CallState.COMPLETED);
              }
              f.complete(null);
            } else {
              f.completeExceptionally(e);
            }
          } catch (RuntimeException e) {
            f.completeExceptionally(e);
          }
        };
    try {
      io.execute(hangUp);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      f.completeExceptionally(
          new IllegalStateException("cannot hang up call " + sid + ": the backend has stopped"));
    }
    return call != null ? f.copy() : f;
  }

  /**
   * Transfers (cold).
   *
   * @param sid the call
   * @param target where to
   * @return completes when Twilio accepted it
   */
  public CompletableFuture<Void> transfer(String sid, TransferTarget target) {
    Objects.requireNonNull(sid, "callId");
    Objects.requireNonNull(target, "target");
    requireServing("transfer a call");
    String twiml = TwimlFactory.dial(target);
    TwilioCall call = calls.get(sid);
    if (call != null) {
      call.redirecting(true);
    }
    return redirect(sid, call, twiml, "transfer call", null);
  }

  /**
   * Sends DTMF, then streams again.
   *
   * @param sid the call
   * @param digits the tones
   * @return completes when Twilio accepted it
   */
  public CompletableFuture<Void> sendDtmf(String sid, String digits) {
    Objects.requireNonNull(sid, "callId");
    Objects.requireNonNull(digits, "digits");
    if (!DTMF.matcher(digits).matches()) {
      throw new IllegalArgumentException(
          "DTMF digits may only be 0-9, *, # and w (pause), got '" + clip(digits, 40) + "'");
    }
    requireServing("send DTMF");
    TwilioCall call = calls.get(sid);
    if (call == null) {
      throw new IllegalArgumentException("no call " + sid + " is known to this backend");
    }
    TwimlFactory.StreamTarget target = call.streamTarget();
    String token = null;
    String twiml;
    if (target == null) {
      twiml = TwimlFactory.playDigitsThenStream(digits, ownTarget(sid, call.parameters()));
    } else {
      if (target.token() != null) {
        token = tokens.issue(sid);
        target = target.withToken(token);
      }
      twiml = TwimlFactory.playDigitsThenStream(digits, target);
    }
    TwimlFactory.requireInlineSize(twiml, "sending DTMF on " + sid);
    call.redirecting(true);
    return redirect(sid, call, twiml, "send DTMF", token);
  }

  private TwimlFactory.StreamTarget ownTarget(String sid, Map<String, String> params) {
    return new TwimlFactory.StreamTarget(
        s.mediaUrl().toString(), tokens.issue(sid), params, publicUrl(s.streamStatusPath()));
  }

  // Redirects are not retried: replaying one would play the digits (or dial) twice.
  private CompletableFuture<Void> redirect(
      String sid,
      @Nullable TwilioCall call,
      String twiml,
      String operation,
      @Nullable String token) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            rest(
                Operation.nonIdempotent(operation),
                () -> Call.updater(s.accountSid(), sid).setTwiml(new Twiml(twiml)).update(client));
          } catch (RuntimeException e) {
            if (call != null) {
              call.redirecting(false);
            }
            if (token != null) {
              tokens.revoke(token);
            }
            throw e;
          }
        },
        io);
  }

  /**
   * Runs one REST operation: retried per the policy (only if idempotent), the whole attempt
   * sequence inside one circuit-breaker permission, so an open breaker fails fast instead of being
   * waited out by the retry policy.
   */
  private <T> T rest(Operation op, Supplier<T> action) {
    return s.breaker().call(() -> s.retryPolicy().call(op, () -> sdk(op, action)));
  }

  /** Maps the SDK's own exceptions (ours pass through) to {@code ProviderException}. */
  private static <T> T sdk(Operation op, Supplier<T> action) {
    try {
      return action.get();
    } catch (ApiException e) {
      throw new ProviderException(
          TwilioErrors.PROVIDER,
          op.name() + " failed in the Twilio SDK: " + e.getMessage(),
          e.getStatusCode() == null ? 0 : e.getStatusCode(),
          e.getCode() == null ? null : e.getCode().toString(),
          null,
          false,
          e);
    } catch (TwilioException e) {
      throw new ProviderException(
          TwilioErrors.PROVIDER,
          op.name() + " failed in the Twilio SDK: " + e.getMessage(),
          0,
          null,
          null,
          false,
          e);
    }
  }

  // ---------------------------------------------------------------- webhooks

  /**
   * Returns the webhook handlers by path.
   *
   * @return voice, status, stream-status and AMD handlers
   */
  public Map<String, WebhookHandler> webhooks() {
    return webhooks;
  }

  /**
   * Handles any of the webhooks, dispatching on the request's path.
   *
   * @param request the request
   * @return the response
   */
  public WebhookResponse dispatch(WebhookRequest request) {
    String path = request.url().getRawPath();
    String prefix = basePath();
    for (Map.Entry<String, WebhookHandler> e : webhooks.entrySet()) {
      if (path.equals(e.getKey()) || path.equals(prefix + e.getKey())) {
        return e.getValue().handle(request);
      }
    }
    return WebhookResponse.error(404, "not_found", "no Twilio webhook at " + path);
  }

  private @Nullable WebhookResponse verify(WebhookRequest request, String path) {
    String url = stripQuery(request.url());
    Optional<String> signature = request.header("X-Twilio-Signature");
    String reason = null;
    if (signature.isEmpty() || signature.get().isBlank()) {
      reason = "X-Twilio-Signature missing";
    } else {
      Map<String, String> params = signedParameters(request);
      String query = request.url().getRawQuery();
      String configured = publicUrl(path) + (query == null ? "" : "?" + query);
      boolean ok =
          validator.validate(configured, params, signature.get())
              || validator.validate(request.url().toString(), params, signature.get());
      if (!ok) {
        reason = "X-Twilio-Signature does not match";
      }
    }
    if (reason == null) {
      return null;
    }
    log.warn("refused webhook {} from {}: {}", url, request.remoteAddress(), reason);
    rejected(url, reason, request.remoteAddress());
    return WebhookResponse.error(403, "signature_invalid", reason);
  }

  /** The parameters Twilio signs: a POST's form body only (query values stay in the URL). */
  static Map<String, String> signedParameters(WebhookRequest request) {
    Map<String, String> params = new LinkedHashMap<>();
    if (!request.method().equals("POST")) {
      return params;
    }
    String type = request.header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    if (!type.startsWith("application/x-www-form-urlencoded")) {
      return params;
    }
    for (String pair : request.bodyText().split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name =
          URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.putIfAbsent(name, value);
    }
    return params;
  }

  private WebhookResponse handleVoice(WebhookRequest request) {
    WebhookResponse refused = verify(request, s.voicePath());
    if (refused != null) {
      return refused;
    }
    Optional<String> sid = request.parameter("CallSid");
    if (sid.isEmpty()) {
      return WebhookResponse.error(400, "missing_parameter", "CallSid is missing");
    }
    try (LogContext ignored = LogContext.call(sid.get())) {
      if (!serving()) {
        log.warn("inbound call {} refused: the backend is {}", sid.get(), connectionState());
        return WebhookResponse.xml(TwimlFactory.reject());
      }
      String from = request.parameter("From").orElse("");
      String to = request.parameter("To").orElse("");
      InboundDecision decision;
      try {
        decision =
            Objects.requireNonNull(
                s.router().route(new InboundCall(sid.get(), from, to, request.firstParameters())),
                "the router returned null");
      } catch (RuntimeException e) {
        log.error("inbound call router failed for call {}; rejecting the call", sid.get(), e);
        decision = InboundDecision.reject();
      }
      CallState initial = stateOf(request.parameter("CallStatus").orElse("ringing"));
      if (initial == null || initial.isTerminal()) {
        initial = CallState.RINGING;
      }
      if (decision instanceof InboundDecision.Accept accept) {
        TwimlFactory.StreamTarget target;
        try {
          requireNoReservedParameter(accept.parameters());
          target =
              accept.streamUrl() != null
                  ? new TwimlFactory.StreamTarget(
                      accept.streamUrl().toString(),
                      null,
                      accept.parameters(),
                      publicUrl(s.streamStatusPath()))
                  : ownTarget(sid.get(), accept.parameters());
          String twiml = TwimlFactory.connectStream(target);
          register(
              sid.get(), CallDirection.INBOUND, from, to, accept.parameters(), initial, target);
          log.info("inbound call {} accepted", sid.get());
          return WebhookResponse.xml(twiml);
        } catch (IllegalArgumentException e) {
          log.error(
              "inbound call {}: the router's decision is unusable: {}", sid.get(), e.getMessage());
          return WebhookResponse.xml(TwimlFactory.reject());
        }
      }
      TwilioCall call =
          register(sid.get(), CallDirection.INBOUND, from, to, Map.of(), initial, null);
      if (decision instanceof InboundDecision.Say say) {
        log.info("inbound call {} answered with a message", sid.get());
        // Twilio ends the call after the message; without a status callback on the number we
        // would never hear of it, so the call is reported completed at once.
        transition(call, CallState.COMPLETED);
        return WebhookResponse.xml(TwimlFactory.sayAndHangUp(say.message()));
      }
      log.info("inbound call {} rejected by the router", sid.get());
      transition(call, CallState.NO_ANSWER); // Twilio reports rejected calls as no-answer
      return WebhookResponse.xml(TwimlFactory.reject());
    }
  }

  private WebhookResponse handleStatus(WebhookRequest request) {
    WebhookResponse refused = verify(request, s.statusPath());
    if (refused != null) {
      return refused;
    }
    String sid = request.parameter("CallSid").orElse("");
    TwilioCall call = calls.get(sid);
    if (call == null) {
      log.debug("status callback for unknown call {}; ignored", sid);
      return WebhookResponse.empty(204);
    }
    try (LogContext ignored = LogContext.call(sid)) {
      String status = request.parameter("CallStatus").orElse("");
      CallState next = stateOf(status);
      if (next == null) {
        log.debug("status callback with unknown CallStatus '{}'; ignored", clip(status, 30));
      } else if (!transition(call, next)) {
        log.debug(
            "status callback {} for {} is not newer than {}; ignored", next, sid, call.state());
      }
    }
    return WebhookResponse.empty(204);
  }

  private WebhookResponse handleAmd(WebhookRequest request) {
    WebhookResponse refused = verify(request, s.amdPath());
    if (refused != null) {
      return refused;
    }
    String sid = request.parameter("CallSid").orElse("");
    TwilioCall call = calls.get(sid);
    Optional<String> answeredBy = request.parameter("AnsweredBy");
    if (call != null && answeredBy.isPresent()) {
      publish(call, new CallEvent.MachineDetected(sid, answeredBy.get(), s.clock().instant()));
    }
    return WebhookResponse.empty(204);
  }

  private WebhookResponse handleStreamStatus(WebhookRequest request) {
    WebhookResponse refused = verify(request, s.streamStatusPath());
    if (refused != null) {
      return refused;
    }
    String sid = request.parameter("CallSid").orElse("");
    String streamSid = request.parameter("StreamSid").orElse("");
    TwilioCall call = calls.get(sid);
    if (call == null || streamSid.isEmpty()) {
      return WebhookResponse.empty(204);
    }
    Instant now = s.clock().instant();
    String event = request.parameter("StreamEvent").orElse("");
    try (LogContext ignored = LogContext.call(sid)) {
      switch (event) {
        case "stream-started" -> {
          // A stream to our own endpoint is announced by its WebSocket start, once its token is
          // accepted and it is attached: this callback may come first, or for a refused stream.
          if (!streamsHere(call) && call.firstStart(streamSid)) {
            publish(call, new CallEvent.StreamStarted(sid, streamSid, now));
          }
        }
        case "stream-stopped" -> {
          if (call.firstStop(streamSid)) {
            publish(
                call,
                new CallEvent.StreamStopped(
                    sid,
                    streamSid,
                    CloseReason.of(CloseReason.Code.REMOTE, "stream stopped"),
                    now));
          }
        }
        case "stream-error" -> {
          String error = clip(request.parameter("StreamError").orElse("unknown error"), 200);
          log.warn("Twilio reports a stream error on {}: {}", streamSid, error);
          if (call.firstStop(streamSid)) {
            publish(
                call,
                new CallEvent.StreamStopped(
                    sid, streamSid, CloseReason.of(CloseReason.Code.ERROR, error), now));
          }
        }
        default -> log.debug("unknown StreamEvent '{}'; ignored", clip(event, 30));
      }
    }
    return WebhookResponse.empty(204);
  }

  // ---------------------------------------------------------------- media

  /**
   * Returns the media endpoint's handler.
   *
   * @return the handler
   */
  public WebSocketHandler mediaHandler() {
    return this::openMedia;
  }

  private WebSocketListener openMedia(WebSocketChannel channel, WebhookRequest upgrade) {
    String remote = upgrade.remoteAddress();
    String url = s.mediaUrl().toString();
    if (!serving()) {
      channel.close(1008, "backend not serving");
      return WebSocketListener.NONE;
    }
    Optional<String> signature = upgrade.header("X-Twilio-Signature");
    if (signature.isPresent()) {
      String query = upgrade.url().getRawQuery();
      String configured = url + (query == null ? "" : "?" + query);
      boolean ok =
          validator.validate(configured, Map.of(), signature.get())
              || validator.validate(upgrade.url().toString(), Map.of(), signature.get());
      if (!ok) {
        log.warn("refused media connection from {}: handshake signature does not match", remote);
        rejected(url, "handshake X-Twilio-Signature does not match", remote);
        channel.close(1008, "signature invalid");
        return WebSocketListener.NONE;
      }
    }
    TwilioMediaStream stream = new TwilioMediaStream(channel, this, remote);
    connections.add(stream);
    return stream;
  }

  @Override
  public @Nullable String authenticate(TwilioMediaStream stream, MediaFrames.Start start) {
    String token = start.customParameters().get(TwimlFactory.TOKEN_PARAMETER);
    StreamTokens.Check check = tokens.consume(token, start.callSid());
    String refusal = null;
    if (check != StreamTokens.Check.ACCEPTED) {
      refusal = check.reason();
    } else if (!start.accountSid().isEmpty() && !start.accountSid().equals(s.accountSid())) {
      refusal = "stream for another account";
    } else if (!start.encoding().isEmpty() && !start.encoding().equals("audio/x-mulaw")) {
      refusal = "unsupported media format";
    } else {
      TwilioCall call = calls.get(start.callSid());
      if (call == null) {
        refusal = "unknown call";
      } else if (call.isTerminal()) {
        refusal = "the call has ended";
      }
    }
    if (refusal != null) {
      log.warn(
          "refused media stream {} for call {} from {}: {}",
          start.streamSid(),
          start.callSid(),
          stream.remoteAddress(),
          refusal);
      rejected(s.mediaUrl().toString(), refusal, stream.remoteAddress());
    }
    return refusal;
  }

  @Override
  public void onStarted(TwilioMediaStream stream) {
    TwilioCall call = calls.get(stream.callId());
    if (call == null) {
      stream.end(CloseReason.of(CloseReason.Code.ERROR, "unknown call"));
      return;
    }
    TwilioMediaStream previous = call.attach(stream);
    if (previous != null && previous != stream) {
      previous.end(CloseReason.of(CloseReason.Code.REMOTE, "replaced by a new stream"));
    }
    try (LogContext ignored = LogContext.call(call.id())) {
      log.info("media stream {} started for call {}", stream.id(), call.id());
      try {
        s.streamHandler().accept(stream);
      } catch (RuntimeException e) {
        log.warn("stream handler threw; ignored", e);
      }
    }
    if (call.firstStart(stream.id())) {
      publish(call, new CallEvent.StreamStarted(call.id(), stream.id(), s.clock().instant()));
    }
  }

  @Override
  public CloseReason stopReason(TwilioMediaStream stream) {
    TwilioCall call = calls.get(stream.callId());
    if (call != null && call.isRedirecting()) {
      return CloseReason.of(CloseReason.Code.REMOTE, "stream ended by a redirect");
    }
    return CloseReason.of(CloseReason.Code.CALL_ENDED, "call ended");
  }

  @Override
  public void onDtmf(TwilioMediaStream stream, String digit) {
    TwilioCall call = calls.get(stream.callId());
    if (call != null) {
      publish(call, new CallEvent.DtmfReceived(call.id(), digit, s.clock().instant()));
    }
  }

  @Override
  public void onClosed(TwilioMediaStream stream, CloseReason reason) {
    connections.remove(stream);
    TwilioCall call = calls.get(stream.callId());
    if (call == null) {
      return;
    }
    call.detach(stream);
    if (call.firstStop(stream.id())) {
      publish(
          call, new CallEvent.StreamStopped(call.id(), stream.id(), reason, s.clock().instant()));
    }
    if (reason.code() == CloseReason.Code.CALL_ENDED && !call.isTerminal()) {
      // Twilio stops a bidirectional stream only when the call ends (or is redirected): confirm
      // the call's status, for calls whose status callbacks are not configured (inbound numbers).
      try {
        io.execute(() -> refreshStatus(call));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        log.debug("call {}: not refreshing its status, the backend has stopped", call.id());
      }
    }
  }

  private void refreshStatus(TwilioCall call) {
    try {
      Call fetched =
          rest(
              Operation.idempotent("fetch call"),
              () -> Call.fetcher(s.accountSid(), call.id()).fetch(client));
      CallState st = fetched.getStatus() == null ? null : stateOf(fetched.getStatus().toString());
      if (st != null) {
        transition(call, st);
      }
    } catch (ProviderException e) {
      if (e.httpStatus() == 404) {
        transition(call, CallState.COMPLETED);
      } else {
        log.debug("could not refresh the status of {}: {}", call.id(), e.getMessage());
      }
    } catch (RuntimeException e) {
      log.debug("could not refresh the status of {}: {}", call.id(), e.toString());
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Whether the call's media streams to this backend's endpoint (with a token), not elsewhere. */
  private static boolean streamsHere(TwilioCall call) {
    TwimlFactory.StreamTarget target = call.streamTarget();
    return target != null && target.token() != null;
  }

  private static void requireNoReservedParameter(Map<String, String> params) {
    if (params.containsKey(TwimlFactory.TOKEN_PARAMETER)) {
      throw new IllegalArgumentException(
          "the stream parameter name '" + TwimlFactory.TOKEN_PARAMETER + "' is reserved");
    }
  }

  private static @Nullable Integer seconds(@Nullable Duration d) {
    if (d == null) {
      return null;
    }
    long ms = d.toMillis();
    return (int) Math.min(Integer.MAX_VALUE, (ms + 999) / 1000);
  }

  private String basePath() {
    String p = s.publicBaseUrl().getRawPath();
    if (p == null || p.isEmpty() || p.equals("/")) {
      return "";
    }
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /**
   * Returns the public URL of one of the webhooks.
   *
   * @param path the webhook's path
   * @return the URL
   */
  public String publicUrl(String path) {
    URI base = s.publicBaseUrl();
    return base.getScheme() + "://" + base.getRawAuthority() + basePath() + path;
  }

  private static String stripQuery(URI url) {
    String u = url.toString();
    int q = u.indexOf('?');
    return q < 0 ? u : u.substring(0, q);
  }

  private static String clip(@Nullable String s, int max) {
    if (s == null) {
      return "";
    }
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }
}
