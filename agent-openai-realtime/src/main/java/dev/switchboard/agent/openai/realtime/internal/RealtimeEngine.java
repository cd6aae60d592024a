package dev.switchboard.agent.openai.realtime.internal;

import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.SessionException;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not API. The runtime's machinery: the OkHttp client (with a dispatcher of its own, so sessions
 * are not limited by OkHttp's five-per-host default and closing the runtime ends its threads), the
 * open sessions, and health. Thread-safe.
 */
public final class RealtimeEngine {
  /** The provider's name. */
  public static final String NAME = "openai-realtime";

  /** The modes sessions can be opened in. */
  public static final Set<Capability> CAPABILITIES =
      Set.copyOf(EnumSet.of(Capability.AUDIO_STREAMING, Capability.TEXT));

  /** How long a connection failure keeps the health DEGRADED. */
  static final Duration FAILURE_WINDOW = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(RealtimeEngine.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Settings settings;
  private final OkHttpClient client;
  private final ExecutorService dispatcherThreads;
  private final boolean ownsPool;
  private final HttpUrl httpUrl;
  private final String socketUrl;
  private final Set<RealtimeSession> sessions = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private volatile @Nullable Instant lastFailure;
  private volatile String lastFailureDetail = "";
  private volatile boolean authFailed;

  /**
   * Creates the engine.
   *
   * @param settings the validated settings
   */
  public RealtimeEngine(Settings settings) {
    this.settings = settings;
    this.dispatcherThreads =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "switchboard-openai-realtime-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    Dispatcher dispatcher = new Dispatcher(dispatcherThreads);
    dispatcher.setMaxRequests(Integer.MAX_VALUE);
    dispatcher.setMaxRequestsPerHost(Integer.MAX_VALUE);
    OkHttpClient base = settings.okHttpClient();
    this.ownsPool = base == null;
    OkHttpClient.Builder b = base == null ? new OkHttpClient.Builder() : base.newBuilder();
    // Audio (base64) does not compress: never spend CPU on permessage-deflate for it.
    b.dispatcher(dispatcher)
        .pingInterval(Duration.ofSeconds(20))
        .minWebSocketMessageToCompress(Long.MAX_VALUE);
    if (base == null) {
      b.connectTimeout(settings.connectTimeout())
          .readTimeout(settings.connectTimeout())
          .socketFactory(new dev.switchboard.core.internal.NoDelaySocketFactory());
    }
    this.client = b.build();
    this.httpUrl = httpUrl(settings);
    this.socketUrl = socketUrl(httpUrl);
  }

  /**
   * Returns the HTTP form of the socket URL: the base URL plus {@code /realtime?model=...}.
   *
   * @param settings the settings
   * @return the URL
   */
  static HttpUrl httpUrl(Settings settings) {
    HttpUrl base = HttpUrl.get(settings.baseUrl().toString());
    HttpUrl.Builder b = base.newBuilder();
    // Drop a trailing empty segment ("https://host/v1/") so the path is /v1/realtime.
    List<String> segments = base.pathSegments();
    if (!segments.isEmpty() && segments.get(segments.size() - 1).isEmpty()) {
      b.removePathSegment(segments.size() - 1);
    }
    return b.addPathSegment("realtime").addQueryParameter("model", settings.model()).build();
  }

  /**
   * Returns the WebSocket form of a URL (http to ws, https to wss).
   *
   * @param url the HTTP form
   * @return e.g. {@code wss://api.openai.com/v1/realtime?model=gpt-realtime}
   */
  static String socketUrl(HttpUrl url) {
    String s = url.toString();
    return s.startsWith("https:") ? "wss:" + s.substring(6) : "ws:" + s.substring(5);
  }

  /**
   * Returns the socket URL.
   *
   * @return the {@code ws}/{@code wss} URL sessions connect to
   */
  public String socketUrl() {
    return socketUrl;
  }

  HttpUrl httpUrl() {
    return httpUrl;
  }

  OkHttpClient client() {
    return client;
  }

  /**
   * Opens a session.
   *
   * @param options how
   * @param listener its listener
   * @return completes when {@code session.updated} arrives
   */
  public CompletableFuture<AgentSession> openSession(
      SessionOptions options, AgentSession.Listener listener) {
    if (!CAPABILITIES.contains(options.mode())) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "OpenAI Realtime does not support mode "
                  + options.mode()
                  + "; it supports "
                  + List.of(Capability.AUDIO_STREAMING, Capability.TEXT)));
    }
    if (closed.get()) {
      return CompletableFuture.failedFuture(
          new SessionException("the OpenAI Realtime runtime is closed", null, false));
    }
    RealtimeSession session = new RealtimeSession(this, settings, options, listener);
    sessions.add(session);
    if (closed.get()) { // closed meanwhile: do not leave the session behind
      sessions.remove(session);
      return CompletableFuture.failedFuture(
          new SessionException("the OpenAI Realtime runtime is closed", null, false));
    }
    return session.connect();
  }

  void remove(RealtimeSession session) {
    sessions.remove(session);
  }

  /**
   * Returns how many sessions are open or opening.
   *
   * @return the count
   */
  public int sessionCount() {
    return sessions.size();
  }

  void recordSuccess() {
    authFailed = false;
  }

  void recordFailure(boolean auth, String detail) {
    if (auth) {
      authFailed = true;
    }
    lastFailure = settings.clock().instant();
    lastFailureDetail = detail;
  }

  /**
   * Returns the health: {@code credentials} (UNHEALTHY after the service refused the API key, until
   * a session opens) and {@code connection} (DEGRADED for a minute after a connection failure).
   *
   * @return the health
   */
  public HealthStatus health() {
    List<HealthStatus.Check> checks = new ArrayList<>();
    checks.add(
        authFailed
            ? HealthStatus.Check.unhealthy("credentials", "OpenAI refused the API key")
            : HealthStatus.Check.healthy("credentials"));
    Instant failed = lastFailure;
    if (failed != null
        && failed.plus(FAILURE_WINDOW).isAfter(settings.clock().instant())
        && !authFailed) {
      checks.add(HealthStatus.Check.degraded("connection", lastFailureDetail));
    } else {
      checks.add(HealthStatus.Check.healthy("connection"));
    }
    return HealthStatus.of(checks);
  }

  /** Closes every session (waiting a bounded time for them) and releases the threads. */
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (RealtimeSession s : List.copyOf(sessions)) {
      closing.add(s.close());
    }
    try {
      CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
          .get(RealtimeSession.CLOSE_BOUND.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("OpenAI Realtime sessions did not all close in time; releasing anyway");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      log.debug("a session failed while closing", e);
    }
    dispatcherThreads.shutdown();
    if (ownsPool) {
      client.connectionPool().evictAll();
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
