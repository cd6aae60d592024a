package dev.switchboard.agent.ultravox.internal.runtime;

import dev.switchboard.agent.ultravox.UltravoxWebhooks;
import dev.switchboard.agent.ultravox.model.Medium;
import dev.switchboard.agent.ultravox.model.StartCallRequest;
import dev.switchboard.agent.ultravox.model.UltravoxCall;
import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.SessionException;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not API. The runtime's machinery: the REST client, an OkHttp client for the sessions' sockets
 * (with a dispatcher of its own, so closing the runtime ends its threads), a small pool for the
 * blocking REST calls, one timer thread (pings, close bounds), the open sessions, the sample rate
 * streaming sessions ask for, and the subscription to the webhook handler. Thread-safe.
 */
public final class UltravoxEngine {
  /** The provider's name. */
  public static final String NAME = "ultravox";

  /** The modes sessions can be opened in. */
  public static final Set<Capability> CAPABILITIES =
      Set.copyOf(EnumSet.of(Capability.AUDIO_STREAMING, Capability.TELEPHONY_DIRECT));

  /** The sample rates a streaming session can ask for. */
  public static final Set<Integer> RATES = Set.of(8000, 16000, 22050, 24000, 44100, 48000);

  /** The rate streaming falls back to when Ultravox refuses 8 kHz. */
  static final int FALLBACK_RATE = 16_000;

  /** How long closing the runtime waits for its sessions and threads. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(4);

  private static final Logger log = LoggerFactory.getLogger(UltravoxEngine.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final RuntimeSettings settings;
  private final OkHttpClient sockets;
  private final ExecutorService socketThreads;
  private final ThreadPoolExecutor blocking;
  private final ScheduledThreadPoolExecutor timer;
  private final Set<UltravoxSession> sessions = ConcurrentHashMap.newKeySet();
  private final Map<String, DirectSession> directByCall = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean fallbackLogged = new AtomicBoolean();
  private final @Nullable Runnable unsubscribe;
  private final boolean ownsPool;
  private volatile int streamingRate;

  /**
   * Creates the engine.
   *
   * @param settings the validated settings
   */
  public UltravoxEngine(RuntimeSettings settings) {
    this.settings = settings;
    this.streamingRate = settings.sampleRate();
    this.socketThreads =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            daemon("switchboard-ultravox-socket-"));
    this.blocking =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            daemon("switchboard-ultravox-rest-"));
    this.timer = new ScheduledThreadPoolExecutor(1, daemon("switchboard-ultravox-timer-"));
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    Dispatcher dispatcher = new Dispatcher(socketThreads);
    dispatcher.setMaxRequests(Integer.MAX_VALUE);
    dispatcher.setMaxRequestsPerHost(Integer.MAX_VALUE);
    OkHttpClient base = settings.okHttpClient();
    this.ownsPool = base == null;
    OkHttpClient.Builder b = base == null ? new OkHttpClient.Builder() : base.newBuilder();
    // Transport-level pings find a dead connection; the protocol's own ping measures latency.
    b.dispatcher(dispatcher)
        .pingInterval(Duration.ofSeconds(20))
        .retryOnConnectionFailure(false)
        .connectTimeout(settings.connectTimeout())
        .readTimeout(Duration.ZERO);
    if (base == null) {
      b.socketFactory(new dev.switchboard.core.internal.NoDelaySocketFactory());
    }
    this.sockets = b.build();
    UltravoxWebhooks webhooks = settings.webhooks();
    this.unsubscribe = webhooks == null ? null : subscribe(webhooks);
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    return r -> {
      Thread t = new Thread(r, prefix + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private Runnable subscribe(UltravoxWebhooks webhooks) {
    CallListener listener =
        event -> {
          if (event instanceof CallEvent.AgentCallChanged changed
              && changed.phase() == CallEvent.AgentCallPhase.ENDED) {
            DirectSession session = directByCall.get(changed.agentCallId());
            if (session != null) {
              session.callEnded(changed.detail());
            }
          }
        };
    webhooks.addListener(listener);
    return () -> webhooks.removeListener(listener);
  }

  RuntimeSettings settings() {
    return settings;
  }

  OkHttpClient sockets() {
    return sockets;
  }

  Executor blocking() {
    return blocking;
  }

  /**
   * Runs a task on the timer thread after a delay.
   *
   * @return what cancels it (a no-op once the engine is closed)
   */
  Runnable schedule(Duration delay, Runnable task) {
    try {
      ScheduledFuture<?> f =
          timer.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    } catch (RejectedExecutionException e) {
      return () -> {};
    }
  }

  /**
   * Runs a task on the timer thread every period, first after one period.
   *
   * @return what cancels it
   */
  Runnable every(Duration period, Runnable task) {
    try {
      long ms = Math.max(1, period.toMillis());
      ScheduledFuture<?> f = timer.scheduleAtFixedRate(task, ms, ms, TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    } catch (RejectedExecutionException e) {
      return () -> {};
    }
  }

  /**
   * Opens a session.
   *
   * @param options how
   * @param listener its listener
   * @return completes when the call exists (and, streaming, its socket is open)
   */
  public CompletableFuture<AgentSession> openSession(
      SessionOptions options, AgentSession.Listener listener) {
    if (!CAPABILITIES.contains(options.mode())) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "Ultravox does not support mode "
                  + options.mode()
                  + "; it supports "
                  + List.of(Capability.AUDIO_STREAMING, Capability.TELEPHONY_DIRECT)));
    }
    if (closed.get()) {
      return CompletableFuture.failedFuture(closedError());
    }
    UltravoxSession session =
        options.mode() == Capability.TELEPHONY_DIRECT
            ? new DirectSession(this, options, listener)
            : new StreamingSession(this, options, listener);
    sessions.add(session);
    if (closed.get()) {
      sessions.remove(session);
      return CompletableFuture.failedFuture(closedError());
    }
    return session.open();
  }

  private static SessionException closedError() {
    return new SessionException("the Ultravox runtime is closed", null, false);
  }

  /**
   * Creates the session's Ultravox call, from the agent when one is configured, directly otherwise.
   * Blocking.
   */
  UltravoxCall createCall(StartCallRequest request) {
    String agentId = settings.agentId();
    return agentId != null
        ? settings.client().startAgentCall(agentId, request)
        : settings.client().createCall(request);
  }

  /**
   * Creates a streaming call at the rate that needs the least conversion. Blocking.
   *
   * <p>Whether Ultravox accepts 8 kHz for {@code serverWebSocket} is UNCERTAIN (the API documents
   * no list of rates): 8 kHz is asked for first, as it spares the bridge any resampling; a 400 that
   * names the sample rate created nothing, so the call is asked for once more at 16 kHz, and later
   * sessions of this runtime ask for 16 kHz directly.
   *
   * @return the call and the rate it streams at
   */
  StreamingCall createStreamingCall(SessionOptions options) {
    int rate = rateFor(options.audioFormat());
    try {
      return new StreamingCall(createCall(streamingRequest(options, rate)), rate);
    } catch (ProviderException e) {
      if (rate == 8000 && e.httpStatus() == 400 && namesSampleRate(e.getMessage())) {
        streamingRate = FALLBACK_RATE;
        if (fallbackLogged.compareAndSet(false, true)) {
          log.warn(
              "Ultravox refused 8 kHz serverWebSocket audio ({}); streaming at {} Hz from now on,"
                  + " transcoded by the bridge",
              e.getMessage(),
              FALLBACK_RATE);
        }
        return new StreamingCall(
            createCall(streamingRequest(options, FALLBACK_RATE)), FALLBACK_RATE);
      }
      throw e;
    }
  }

  /**
   * Returns the rate to ask for: the options' own if they want mono PCM16 at a rate Ultravox takes,
   * else the runtime's (the bridge asks for the phone's μ-law, which Ultravox does not speak: it
   * then transcodes from PCM16 at the runtime's rate).
   */
  private int rateFor(@Nullable AudioFormat wanted) {
    if (wanted != null
        && wanted.encoding() == AudioFormat.Encoding.PCM16LE
        && wanted.channels() == 1
        && RATES.contains(wanted.sampleRate())
        && !(wanted.sampleRate() == 8000 && streamingRate != 8000)) {
      return wanted.sampleRate();
    }
    return streamingRate;
  }

  private StartCallRequest streamingRequest(SessionOptions options, int rate) {
    Medium medium =
        Medium.serverWebSocket(rate, rate, (int) settings.clientBufferSize().toMillis());
    return CallRequests.build(settings, options, medium);
  }

  static boolean namesSampleRate(@Nullable String message) {
    if (message == null) {
      return false;
    }
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("samplerate") || m.contains("sample rate") || m.contains("sample_rate");
  }

  /**
   * A created streaming call.
   *
   * @param call the call
   * @param sampleRate the rate of its audio, both ways
   */
  record StreamingCall(UltravoxCall call, int sampleRate) {}

  /** Returns the rate streaming sessions currently ask for. */
  int streamingRate() {
    return streamingRate;
  }

  void registerDirect(String callId, DirectSession session) {
    directByCall.put(callId, session);
  }

  void remove(UltravoxSession session) {
    sessions.remove(session);
    directByCall.values().remove(session);
  }

  /**
   * Returns how many sessions are open or opening.
   *
   * @return the count
   */
  public int sessionCount() {
    return sessions.size();
  }

  /**
   * Returns the REST client's health.
   *
   * @return the health
   */
  public HealthStatus health() {
    return settings.client().health();
  }

  /**
   * Closes every session (waiting a bounded time for them), unsubscribes from the webhooks and
   * releases the threads, the sockets' pool and the client if the runtime built it.
   */
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (UltravoxSession s : List.copyOf(sessions)) {
      closing.add(s.close());
    }
    try {
      CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
          .get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("Ultravox sessions did not all close in time; releasing anyway");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      log.debug("a session failed while closing", e);
    }
    if (unsubscribe != null) {
      unsubscribe.run();
    }
    timer.shutdownNow();
    blocking.shutdownNow();
    socketThreads.shutdown();
    if (ownsPool) {
      sockets.connectionPool().evictAll(); // a supplied client's pool is the application's
    }
    if (settings.ownsClient()) {
      settings.client().close();
    }
    try {
      long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
      for (ExecutorService e : List.of(timer, blocking, socketThreads)) {
        e.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Tells whether {@link #close()} was called.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return closed.get();
  }
}
