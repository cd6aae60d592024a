package dev.switchboard.server;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.webhook.PublicUrlResolver;
import dev.switchboard.core.webhook.WebSocketHandler;
import dev.switchboard.core.webhook.WebhookHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.java_websocket.framing.CloseFrame;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded host for the webhook and media handlers that provider modules expose: {@link
 * WebhookHandler}s on a JDK {@code HttpServer}, {@link WebSocketHandler}s on a Java-WebSocket
 * server, each on its own listener, plus a {@code GET /health} endpoint. TLS is left to a proxy in
 * front.
 *
 * <pre>{@code
 * // voiceWebhook: a WebhookHandler, mediaHandler: a WebSocketHandler, both from a provider
 * SwitchboardServer server = SwitchboardServer.builder()
 *     .httpAddress(new InetSocketAddress(8080))
 *     .webSocketAddress(new InetSocketAddress(8081))
 *     .publicBaseUrl(URI.create("https://voice.example.com"))
 *     .webhook("/twilio/voice", voiceWebhook)
 *     .webSocket("/twilio/media", mediaHandler)
 *     .health("twilio", backend::health)
 *     .build();
 * server.start();
 * ...
 * server.stop(Duration.ofSeconds(10));
 * }</pre>
 *
 * <p><b>Routing.</b> Paths match exactly (no trailing-slash folding), except that a webhook path
 * ending in {@code /*} serves every path below it ({@code /agents/*} takes {@code /agents/42} and
 * {@code /agents/42/calls}, not {@code /agents}); an exact path wins over such a subtree, and the
 * longest subtree wins over shorter ones. An HTTP request to an unknown path gets a 404 JSON error;
 * a WebSocket upgrade to an unknown path is refused in the handshake. Every HTTP method is passed
 * to the handler; {@code /health} accepts GET and HEAD. Each {@link
 * dev.switchboard.core.webhook.WebhookRequest} carries the public URL (see {@link
 * Builder#publicBaseUrl} and {@link Builder#trustForwardedHeaders}); for an upgrade its scheme is
 * {@code ws} or {@code wss}.
 *
 * <p><b>Limits.</b> A body over {@link Builder#maxRequestBytes} gets 413 (a larger {@code
 * Content-Length} is refused before the body is read); malformed input 400; a handler that throws
 * 500, with a generic message (the exception is logged). A WebSocket message over {@link
 * Builder#maxMessageBytes} closes its connection with 1009; a listener that falls {@link
 * Builder#maxInboundQueue} frames behind gets 1008 "inbound queue full". {@link
 * dev.switchboard.core.webhook.WebSocketChannel#send} never blocks: it returns false once the
 * connection is closed, and a peer that lets more than {@link Builder#maxSendQueueBytes} pile up,
 * or reads nothing for {@link Builder#sendStallTimeout} while output waits, is disconnected (1008),
 * so memory stays bounded.
 *
 * <p><b>Threading.</b> Thread-safe. Webhook handlers run on the HTTP executor, never on the
 * server's dispatcher thread. Each WebSocket connection's callbacks run one at a time, in order, on
 * the WebSocket executor, never on Java-WebSocket's threads; {@code onClose} runs exactly once and
 * last. A slow callback holds up only its own connection. With {@link
 * Builder#inlineWebSocketCallbacks} a connection's {@code onText} runs instead on the
 * Java-WebSocket decoder thread that decoded the frame, still one at a time and in order: that
 * saves a thread hand-off per frame but makes every callback's duration count against all the
 * connections sharing that decoder thread, so it is only for handlers that never block.
 *
 * <p><b>Lifecycle.</b> {@link #start()} once; {@link #stop(Duration)} (or {@link #close()}) ends it
 * for good: it is idempotent and bounded in time. Request bodies and header values are never
 * logged.
 */
public final class SwitchboardServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SwitchboardServer.class);

  /** The grace {@link #close()} gives in-flight work. */
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(5);

  private static final int HTTP_QUEUE_CAPACITY = 1024;
  private static final long START_TIMEOUT_SECONDS = 10;

  private enum State {
    NEW,
    STARTED,
    STOPPED
  }

  private final InetSocketAddress httpAddress;
  private final InetSocketAddress webSocketAddress;
  private final Map<String, WebSocketHandler> webSocketRoutes;
  private final PublicUrlResolver resolver;
  private final PublicUrlResolver webSocketResolver;
  private final int maxMessageBytes;
  private final int maxInboundQueue;
  private final boolean inlineWebSocketCallbacks;
  private final int maxSendQueueBytes;
  private final Duration sendStallTimeout;
  private final int httpThreads;
  private final @Nullable Executor userHttpExecutor;
  private final @Nullable Executor userWebSocketExecutor;
  private final HttpEndpoint httpEndpoint;

  private final Object lifecycle = new Object();
  private State state = State.NEW; // guarded by lifecycle
  private @Nullable HttpServer httpServer;
  private @Nullable WebSocketEndpoint webSocketEndpoint;
  private @Nullable ServerSocketChannel webSocketChannel;
  private @Nullable ExecutorService ownedHttpExecutor;
  private @Nullable ExecutorService ownedWebSocketExecutor;
  private @Nullable ScheduledExecutorService watchdog;
  private volatile int httpPort = -1;
  private volatile int webSocketPort = -1;

  private SwitchboardServer(
      Builder b, PublicUrlResolver resolver, PublicUrlResolver webSocketResolver) {
    this.httpAddress = b.httpAddress;
    this.webSocketAddress = b.webSocketAddress;
    this.webSocketRoutes = Map.copyOf(b.webSocketRoutes);
    this.resolver = resolver;
    this.webSocketResolver = webSocketResolver;
    this.maxMessageBytes = b.maxMessageBytes;
    this.maxInboundQueue = b.maxInboundQueue;
    this.inlineWebSocketCallbacks = b.inlineWebSocketCallbacks;
    this.maxSendQueueBytes = b.maxSendQueueBytes;
    this.sendStallTimeout = b.sendStallTimeout;
    this.httpThreads = b.httpThreads;
    this.userHttpExecutor = b.httpExecutor;
    this.userWebSocketExecutor = b.webSocketExecutor;
    this.httpEndpoint =
        new HttpEndpoint(
            b.webhookRoutes, new HealthEndpoint(b.health), resolver, b.maxRequestBytes);
  }

  /**
   * Starts a server configuration.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds both listeners and starts serving. The WebSocket listener is only opened when at least
   * one WebSocket handler is mounted.
   *
   * @throws IllegalStateException if called more than once
   * @throws SwitchboardException if an address cannot be bound (the message names it); nothing is
   *     left running
   */
  public void start() {
    synchronized (lifecycle) {
      if (state != State.NEW) {
        throw new IllegalStateException("start() can be called once; this server is " + state);
      }
      try {
        startListeners();
        state = State.STARTED;
      } catch (RuntimeException e) {
        state = State.STOPPED;
        forceShutdown();
        throw e;
      }
    }
    log.info(
        "Switchboard server started: HTTP on {}{}",
        describe(httpAddress, httpPort),
        webSocketPort < 0 ? "" : ", WebSocket on " + describe(webSocketAddress, webSocketPort));
  }

  private void startListeners() {
    Executor httpExecutor = userHttpExecutor;
    if (httpExecutor == null) {
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              httpThreads,
              httpThreads,
              60,
              TimeUnit.SECONDS,
              new ArrayBlockingQueue<>(HTTP_QUEUE_CAPACITY),
              threads("switchboard-http-"));
      pool.allowCoreThreadTimeOut(true);
      ownedHttpExecutor = pool;
      httpExecutor = pool;
    }
    HttpServer http;
    try {
      http = HttpServer.create(httpAddress, 0);
    } catch (IOException e) {
      throw bindFailure("HTTP", "httpAddress", httpAddress, e);
    }
    http.createContext("/", httpEndpoint);
    http.setExecutor(httpExecutor);
    http.start();
    httpServer = http;
    httpPort = http.getAddress().getPort();

    if (webSocketRoutes.isEmpty()) {
      return;
    }
    Executor wsExecutor = userWebSocketExecutor;
    if (wsExecutor == null) {
      // At most one thread per connection with work queued: a slow listener holds only its own.
      ExecutorService pool =
          new ThreadPoolExecutor(
              0,
              Integer.MAX_VALUE,
              60,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              threads("switchboard-ws-"));
      ownedWebSocketExecutor = pool;
      wsExecutor = pool;
    }
    ServerSocketChannel channel;
    try {
      channel = ServerSocketChannel.open();
      try {
        channel.socket().setReuseAddress(true);
        channel.bind(webSocketAddress);
      } catch (IOException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      throw bindFailure("WebSocket", "webSocketAddress", webSocketAddress, e);
    }
    webSocketChannel = channel;
    WebSocketEndpoint ws =
        new WebSocketEndpoint(
            channel,
            webSocketRoutes,
            webSocketResolver,
            wsExecutor,
            maxMessageBytes,
            maxInboundQueue,
            inlineWebSocketCallbacks,
            maxSendQueueBytes,
            sendStallTimeout.toNanos());
    webSocketEndpoint = ws;
    webSocketPort = channel.socket().getLocalPort();
    ws.start();
    try {
      ws.awaitStarted(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new SwitchboardException(
          "the WebSocket listener on " + describe(webSocketAddress, webSocketPort) + " failed",
          e.getCause(),
          false);
    } catch (TimeoutException e) {
      throw new SwitchboardException(
          "the WebSocket listener did not start within " + START_TIMEOUT_SECONDS + " s", e, false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SwitchboardException("interrupted while starting", e, false);
    } catch (Exception e) {
      throw new SwitchboardException("the WebSocket listener failed to start", e, false);
    }
    long tick = Math.max(10, Math.min(1000, sendStallTimeout.toMillis() / 4));
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(threads("switchboard-ws-watchdog-"));
    timer.scheduleWithFixedDelay(ws::checkStalls, tick, tick, TimeUnit.MILLISECONDS);
    watchdog = timer;
  }

  /**
   * Returns the port the HTTP listener is bound to (useful with port 0).
   *
   * @return the port
   * @throws IllegalStateException if the server was never started
   */
  public int httpPort() {
    int port = httpPort;
    if (port < 0) {
      throw new IllegalStateException("the server has not been started");
    }
    return port;
  }

  /**
   * Returns the port the WebSocket listener is bound to (useful with port 0).
   *
   * @return the port
   * @throws IllegalStateException if the server was never started or mounts no WebSocket handler
   */
  public int webSocketPort() {
    int port = webSocketPort;
    if (port < 0) {
      throw new IllegalStateException(
          webSocketRoutes.isEmpty()
              ? "no WebSocket handler is mounted, so there is no WebSocket listener"
              : "the server has not been started");
    }
    return port;
  }

  /**
   * Stops the server, giving in-flight work up to {@code grace}: new HTTP requests are answered 503
   * and new upgrades refused at once; requests in flight may finish; then every WebSocket is closed
   * with 1001 "server stopping" and their listeners' {@code onClose} awaited; whatever is still
   * running when the grace is over is cut off (connections reset, executor threads interrupted).
   * Idempotent: later calls return at once (or wait for a stop in progress). Takes about {@code
   * grace} at most, plus a few milliseconds of cleanup.
   *
   * @param grace how long in-flight work may take; zero cuts everything off at once
   */
  public void stop(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative, got " + grace);
    }
    synchronized (lifecycle) {
      if (state == State.STOPPED) {
        return;
      }
      boolean wasStarted = state == State.STARTED;
      state = State.STOPPED;
      if (!wasStarted) {
        return;
      }
      long deadline = System.nanoTime() + Math.min(grace.toNanos(), Long.MAX_VALUE / 4);
      try {
        drain(deadline);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        log.warn("interrupted while stopping; cutting off what is still running");
      } finally {
        forceShutdown();
      }
    }
    log.info("Switchboard server stopped");
  }

  private void drain(long deadline) throws InterruptedException {
    WebSocketEndpoint ws = webSocketEndpoint;
    HttpServer http = httpServer;
    httpEndpoint.beginStopping();
    if (ws != null) {
      ws.beginStopping();
    }
    if (!httpEndpoint.awaitIdle(deadline)) {
      log.warn("HTTP requests still in flight after the grace; cutting them off");
    }
    if (http != null) {
      http.stop(0); // closes the listener and every connection, joins the dispatcher
      httpServer = null;
    }
    if (ws != null) {
      ws.closeAll(CloseFrame.GOING_AWAY, "server stopping");
      if (!ws.awaitNoConnections(deadline)) {
        log.warn(
            "{} WebSocket connections did not close within the grace; resetting them",
            ws.connectionCount());
      }
    }
  }

  /** Stops whatever is running without waiting for anything but the threads' exits. */
  private void forceShutdown() {
    HttpServer http = httpServer;
    if (http != null) {
      http.stop(0);
      httpServer = null;
    }
    WebSocketEndpoint ws = webSocketEndpoint;
    if (ws != null) {
      ws.beginStopping();
      ws.abortAll(CloseFrame.GOING_AWAY, "server stopping");
      try {
        ws.stop(1000, "server stopping");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        // The aborted connections' onClose callbacks are queued; let them run briefly.
        ws.awaitNoConnections(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      webSocketEndpoint = null;
    }
    ServerSocketChannel channel = webSocketChannel;
    if (channel != null) {
      try {
        channel.close(); // normally closed by Java-WebSocket already; not if it never ran
      } catch (IOException e) {
        log.debug("closing the WebSocket listener failed: {}", e.toString());
      }
      webSocketChannel = null;
    }
    ScheduledExecutorService timer = watchdog;
    if (timer != null) {
      timer.shutdownNow();
      watchdog = null;
    }
    shutdown(ownedHttpExecutor);
    ownedHttpExecutor = null;
    shutdown(ownedWebSocketExecutor);
    ownedWebSocketExecutor = null;
  }

  private static void shutdown(@Nullable ExecutorService executor) {
    if (executor == null) {
      return;
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(100, TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Stops with {@link #DEFAULT_STOP_GRACE}. */
  @Override
  public void close() {
    stop(DEFAULT_STOP_GRACE);
  }

  @Override
  public String toString() {
    return "SwitchboardServer[http="
        + (httpPort < 0 ? describe(httpAddress, httpAddress.getPort()) : "port " + httpPort)
        + "]";
  }

  private static SwitchboardException bindFailure(
      String listener, String setting, InetSocketAddress address, IOException e) {
    return new SwitchboardException(
        "cannot listen for "
            + listener
            + " on "
            + describe(address, address.getPort())
            + ": "
            + e.getMessage()
            + "; choose another "
            + setting
            + " or stop what is using it",
        e,
        false);
  }

  private static String describe(InetSocketAddress address, int port) {
    return address.getHostString() + ":" + port;
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Builds a {@link SwitchboardServer}. Not thread-safe. Setters check for null at once; {@link
   * #build()} checks everything else and names the bad setting.
   */
  public static final class Builder {
    private InetSocketAddress httpAddress = new InetSocketAddress(8080);
    private InetSocketAddress webSocketAddress = new InetSocketAddress(8081);
    private @Nullable URI publicBaseUrl;
    private @Nullable URI publicWebSocketBaseUrl;
    private boolean trustForwardedHeaders;
    private final List<Map.Entry<String, WebhookHandler>> webhooks = new ArrayList<>();
    private final List<Map.Entry<String, WebSocketHandler>> webSockets = new ArrayList<>();
    private final List<Map.Entry<String, Supplier<HealthStatus>>> healthEntries = new ArrayList<>();
    private int maxRequestBytes = 64 * 1024;
    private int maxMessageBytes = 64 * 1024;
    private int maxInboundQueue = 256;
    private boolean inlineWebSocketCallbacks;
    private int maxSendQueueBytes = 1024 * 1024;
    private Duration sendStallTimeout = Duration.ofSeconds(10);
    private int httpThreads = 16;
    private @Nullable Executor httpExecutor;
    private @Nullable Executor webSocketExecutor;

    // Filled by build().
    private final Map<String, WebhookHandler> webhookRoutes = new LinkedHashMap<>();
    private final Map<String, WebSocketHandler> webSocketRoutes = new LinkedHashMap<>();
    private final Map<String, Supplier<HealthStatus>> health = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets where the HTTP listener binds. Default: all interfaces, port 8080. Port 0 picks a free
     * port; read it with {@link SwitchboardServer#httpPort()}.
     *
     * @param address the address and port
     * @return this builder
     */
    public Builder httpAddress(InetSocketAddress address) {
      this.httpAddress = Objects.requireNonNull(address, "httpAddress");
      return this;
    }

    /**
     * Sets where the WebSocket listener binds. Default: all interfaces, port 8081. Port 0 picks a
     * free port; read it with {@link SwitchboardServer#webSocketPort()}.
     *
     * @param address the address and port
     * @return this builder
     */
    public Builder webSocketAddress(InetSocketAddress address) {
      this.webSocketAddress = Objects.requireNonNull(address, "webSocketAddress");
      return this;
    }

    /**
     * Sets the public base URL senders use, e.g. {@code https://voice.example.com} or a tunnel's
     * URL: request URLs are rebuilt on it (scheme, host, port and a path prefix), which signature
     * checks need. Takes precedence over forwarded headers. Default: none (the {@code Host}
     * header).
     *
     * @param baseUrl an absolute http(s) URL without a query
     * @return this builder
     */
    public Builder publicBaseUrl(URI baseUrl) {
      this.publicBaseUrl = Objects.requireNonNull(baseUrl, "publicBaseUrl");
      return this;
    }

    /**
     * Sets the public base URL of the WebSocket listener when it differs from {@link
     * #publicBaseUrl} (two public URLs, e.g. {@code wss://media.example.com} or another port):
     * upgrade requests' URLs are rebuilt on it. Default: the public base URL, with {@code https}
     * turned into {@code wss}.
     *
     * @param baseUrl an absolute ws(s) or http(s) URL without a query
     * @return this builder
     */
    public Builder publicWebSocketBaseUrl(URI baseUrl) {
      this.publicWebSocketBaseUrl = Objects.requireNonNull(baseUrl, "publicWebSocketBaseUrl");
      return this;
    }

    /**
     * Trusts {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} when rebuilding the public URL.
     * Only behind a proxy that sets them and strips any a client sent. Default: false.
     *
     * @param trust whether to trust them
     * @return this builder
     */
    public Builder trustForwardedHeaders(boolean trust) {
      this.trustForwardedHeaders = trust;
      return this;
    }

    /**
     * Mounts a webhook handler on an exact path, or on every path below one when the path ends in
     * {@code /*} (the handler reads the rest from the request's URL). Every method is passed to it.
     *
     * @param path the path, e.g. {@code "/twilio/voice"} or {@code "/agents/*"}; {@code /health} is
     *     taken
     * @param handler the handler
     * @return this builder
     */
    public Builder webhook(String path, WebhookHandler handler) {
      webhooks.add(Map.entry(Objects.requireNonNull(path, "path"), requireHandler(handler)));
      return this;
    }

    /**
     * Mounts a WebSocket handler on an exact path.
     *
     * @param path the path, e.g. {@code "/twilio/media"}
     * @param handler the handler
     * @return this builder
     */
    public Builder webSocket(String path, WebSocketHandler handler) {
      webSockets.add(Map.entry(Objects.requireNonNull(path, "path"), requireHandler(handler)));
      return this;
    }

    /**
     * Adds a component to {@code GET /health}. The supplier is called on every health request, on
     * an HTTP thread; it should answer quickly from cached state. One that throws counts as
     * UNHEALTHY with the exception's message as the detail.
     *
     * @param name the component's name in the report, e.g. {@code "twilio"}
     * @param supplier its current health
     * @return this builder
     */
    public Builder health(String name, Supplier<HealthStatus> supplier) {
      healthEntries.add(
          Map.entry(
              Objects.requireNonNull(name, "name"), Objects.requireNonNull(supplier, "supplier")));
      return this;
    }

    /**
     * Sets the largest HTTP request body accepted; larger ones get 413. Default: 64 KiB.
     *
     * @param bytes the limit
     * @return this builder
     */
    public Builder maxRequestBytes(int bytes) {
      this.maxRequestBytes = bytes;
      return this;
    }

    /**
     * Sets the largest WebSocket frame, and fragmented message, accepted; a larger one closes the
     * connection with 1009. Default: 64 KiB.
     *
     * @param bytes the limit
     * @return this builder
     */
    public Builder maxMessageBytes(int bytes) {
      this.maxMessageBytes = bytes;
      return this;
    }

    /**
     * Sets how many received frames may wait for a connection's listener; when one more arrives the
     * connection is closed with 1008 "inbound queue full". Default: 256.
     *
     * @param frames the limit
     * @return this builder
     */
    public Builder maxInboundQueue(int frames) {
      this.maxInboundQueue = frames;
      return this;
    }

    /**
     * Runs each WebSocket connection's {@code onText} callbacks directly on the Java-WebSocket
     * decoder thread that decoded the frame (one per connection, for the connection's life, so
     * still one at a time and in order) instead of handing each frame to the WebSocket executor.
     * This saves a thread hand-off per received frame, a sizeable share of a media frame's cost.
     * {@code onOpen} and {@code onClose} still run on the executor; a frame that arrives while an
     * earlier callback of its connection is queued or running waits behind it, as usual.
     *
     * <p>Only for handlers whose callbacks return in microseconds and never block (no I/O, no
     * waiting on locks held across I/O, no user code that may block): while a callback runs, every
     * connection sharing its decoder thread (the server has one per core) waits, and if it blocks
     * long enough the server's read buffers run out and every connection stalls. The Twilio media
     * handler ({@code TwilioVoiceBackend.mediaHandler()}) with {@code VoiceAgentBridge} qualifies:
     * its callbacks parse the frame and hand audio to a non-blocking send. Default: false.
     *
     * @param inline whether to run {@code onText} on the decoder thread
     * @return this builder
     */
    public Builder inlineWebSocketCallbacks(boolean inline) {
      this.inlineWebSocketCallbacks = inline;
      return this;
    }

    /**
     * Sets how many bytes may wait to be written to one WebSocket peer. A send that would exceed it
     * returns false and disconnects the peer (1008): it is not reading. Default: 1 MiB.
     *
     * @param bytes the limit
     * @return this builder
     */
    public Builder maxSendQueueBytes(int bytes) {
      this.maxSendQueueBytes = bytes;
      return this;
    }

    /**
     * Sets how long output may wait for a WebSocket peer without a single byte being written before
     * the peer is disconnected (1008). Default: 10 seconds.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder sendStallTimeout(Duration timeout) {
      this.sendStallTimeout = Objects.requireNonNull(timeout, "sendStallTimeout");
      return this;
    }

    /**
     * Sets the size of the default HTTP thread pool (which also queues up to 1024 requests; past
     * that, connections are refused). Ignored when {@link #httpExecutor} is set. Default: 16.
     *
     * @param threads the pool size
     * @return this builder
     */
    public Builder httpThreads(int threads) {
      this.httpThreads = threads;
      return this;
    }

    /**
     * Runs webhook handlers on this executor instead of the default pool. It must run tasks on
     * other threads (never the caller's) and should be bounded. The server does not shut it down.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder httpExecutor(Executor executor) {
      this.httpExecutor = Objects.requireNonNull(executor, "httpExecutor");
      return this;
    }

    /**
     * Runs WebSocket callbacks on this executor instead of the default one, which grows a thread
     * per connection with work waiting. Each connection uses at most one of its threads at a time;
     * with a bounded executor, slow listeners can hold up other connections. It must run tasks on
     * other threads (never the caller's). The server does not shut it down.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder webSocketExecutor(Executor executor) {
      this.webSocketExecutor = Objects.requireNonNull(executor, "webSocketExecutor");
      return this;
    }

    /**
     * Checks the settings and builds the server (not yet started).
     *
     * @return the server
     * @throws IllegalArgumentException naming the first bad setting
     */
    public SwitchboardServer build() {
      requirePositive("maxRequestBytes", maxRequestBytes);
      requirePositive("maxMessageBytes", maxMessageBytes);
      requirePositive("maxInboundQueue", maxInboundQueue);
      requirePositive("maxSendQueueBytes", maxSendQueueBytes);
      requirePositive("httpThreads", httpThreads);
      if (sendStallTimeout.isZero() || sendStallTimeout.isNegative()) {
        throw new IllegalArgumentException(
            "sendStallTimeout must be positive, got " + sendStallTimeout);
      }
      requireResolved("httpAddress", httpAddress);
      requireResolved("webSocketAddress", webSocketAddress);
      PublicUrlResolver.Builder resolver =
          PublicUrlResolver.builder().trustForwardedHeaders(trustForwardedHeaders);
      if (publicBaseUrl != null) {
        try {
          resolver.baseUrl(publicBaseUrl);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("publicBaseUrl: " + e.getMessage(), e);
        }
      }
      webhookRoutes.clear();
      for (Map.Entry<String, WebhookHandler> entry : webhooks) {
        String path = entry.getKey();
        requirePath("webhook", path.endsWith("/*") ? path.substring(0, path.length() - 1) : path);
        if (path.contains("*")
            && !(path.endsWith("/*") && path.indexOf('*') == path.length() - 1)) {
          throw new IllegalArgumentException(
              "webhook path may hold '*' only as a final '/*', got '" + path + "'");
        }
        if (path.equals(HttpEndpoint.HEALTH_PATH)) {
          throw new IllegalArgumentException(
              "webhook path " + path + " is taken by the health endpoint");
        }
        if (webhookRoutes.putIfAbsent(path, entry.getValue()) != null) {
          throw new IllegalArgumentException("webhook path " + path + " is mounted twice");
        }
      }
      webSocketRoutes.clear();
      for (Map.Entry<String, WebSocketHandler> entry : webSockets) {
        String path = requirePath("webSocket", entry.getKey());
        if (path.contains("*")) {
          throw new IllegalArgumentException(
              "webSocket paths match exactly and may not hold '*', got '" + path + "'");
        }
        if (webSocketRoutes.putIfAbsent(path, entry.getValue()) != null) {
          throw new IllegalArgumentException("webSocket path " + path + " is mounted twice");
        }
      }
      health.clear();
      for (Map.Entry<String, Supplier<HealthStatus>> entry : healthEntries) {
        String name = entry.getKey();
        if (name.isBlank()) {
          throw new IllegalArgumentException("health component name must not be blank");
        }
        if (health.putIfAbsent(name, entry.getValue()) != null) {
          throw new IllegalArgumentException("health component " + name + " is added twice");
        }
      }
      PublicUrlResolver webSocketResolver = resolver.build();
      if (publicWebSocketBaseUrl != null) {
        // The resolver speaks http(s); resolveWebSocket() turns the scheme back into ws(s).
        String scheme = publicWebSocketBaseUrl.getScheme();
        String httpScheme =
            "wss".equalsIgnoreCase(scheme)
                ? "https"
                : "ws".equalsIgnoreCase(scheme) ? "http" : scheme;
        try {
          webSocketResolver =
              PublicUrlResolver.builder()
                  .trustForwardedHeaders(trustForwardedHeaders)
                  .baseUrl(
                      URI.create(
                          httpScheme
                              + publicWebSocketBaseUrl.toString().substring(scheme.length())))
                  .build();
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("publicWebSocketBaseUrl: " + e.getMessage(), e);
        }
      }
      return new SwitchboardServer(this, resolver.build(), webSocketResolver);
    }

    private static <T> T requireHandler(T handler) {
      return Objects.requireNonNull(handler, "handler");
    }

    private static void requirePositive(String setting, long value) {
      if (value <= 0) {
        throw new IllegalArgumentException(setting + " must be positive, got " + value);
      }
    }

    private static void requireResolved(String setting, InetSocketAddress address) {
      if (address.isUnresolved()) {
        throw new IllegalArgumentException(
            setting + " host " + address.getHostString() + " cannot be resolved");
      }
    }

    private static String requirePath(String setting, String path) {
      if (!path.startsWith("/")
          || path.contains("?")
          || path.contains("#")
          || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
        throw new IllegalArgumentException(
            setting
                + " path must start with '/' and hold no query, fragment, space or non-ASCII"
                + " character, got '"
                + path
                + "'");
      }
      return path;
    }
  }
}
