package dev.switchboard.server;

import dev.switchboard.core.webhook.PublicUrlResolver;
import dev.switchboard.core.webhook.WebSocketHandler;
import dev.switchboard.core.webhook.WebhookRequest;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.server.DefaultWebSocketServerFactory;
import org.java_websocket.server.WebSocketServer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket listener: a Java-WebSocket server that routes upgrades by exact path, refuses
 * unknown paths in the handshake, and hands every connection's events to its {@link
 * WebSocketConnection}'s serial queue so that no handler code runs on Java-WebSocket's selector or
 * worker threads. Thread-safe. Not API.
 */
final class WebSocketEndpoint extends WebSocketServer {
  private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);

  private final Map<String, WebSocketHandler> routes;
  private final PublicUrlResolver resolver;
  private final Executor executor;
  private final int maxInboundQueue;
  private final boolean inlineCallbacks;
  private final long maxSendQueueBytes;
  private final long stallTimeoutNanos;
  private final Set<WebSocketConnection> live = ConcurrentHashMap.newKeySet();
  private final Object liveLock = new Object();
  private final AtomicLong ids = new AtomicLong();
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private volatile boolean stopping;

  WebSocketEndpoint(
      ServerSocketChannel channel,
      Map<String, WebSocketHandler> routes,
      PublicUrlResolver resolver,
      Executor executor,
      int maxMessageBytes,
      int maxInboundQueue,
      boolean inlineCallbacks,
      long maxSendQueueBytes,
      long stallTimeoutNanos) {
    super(channel);
    this.routes = Map.copyOf(routes);
    this.resolver = resolver;
    this.executor = executor;
    this.maxInboundQueue = maxInboundQueue;
    this.inlineCallbacks = inlineCallbacks;
    this.maxSendQueueBytes = maxSendQueueBytes;
    this.stallTimeoutNanos = stallTimeoutNanos;
    // The channel constructor takes no drafts; a factory gives every connection our frame limit
    // (Java-WebSocket closes with 1009 when a frame, or a fragmented message, exceeds it).
    List<Draft> drafts = List.of(new Draft_6455(List.of(), maxMessageBytes));
    setWebSocketFactory(
        new DefaultWebSocketServerFactory() {
          @Override
          public WebSocketImpl createWebSocket(WebSocketAdapter adapter, List<Draft> ignored) {
            return new WebSocketImpl(adapter, drafts);
          }
        });
    setTcpNoDelay(true); // media frames are small and latency-sensitive
    setDaemon(true);
  }

  /** Waits until the selector thread runs; throws what made it fail. */
  void awaitStarted(long timeout, TimeUnit unit) throws Exception {
    started.get(timeout, unit);
  }

  @Override
  public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(
      WebSocket conn, Draft draft, ClientHandshake request) throws InvalidDataException {
    ServerHandshakeBuilder response =
        super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
    if (stopping) {
      throw new InvalidDataException(CloseFrame.GOING_AWAY, "server stopping");
    }
    String target = request.getResourceDescriptor();
    String path = pathOf(target);
    @Nullable WebSocketHandler handler = path == null ? null : routes.get(path);
    if (handler == null) {
      log.debug("WebSocket upgrade refused: no handler at {}", path == null ? "?" : path);
      throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "no WebSocket handler here");
    }
    WebhookRequest upgrade;
    try {
      upgrade = upgradeRequest(conn, request, target);
    } catch (IllegalArgumentException e) {
      log.debug("WebSocket upgrade on {} refused: {}", path, e.getMessage());
      throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "malformed upgrade request");
    }
    String id = "ws-" + ids.incrementAndGet();
    conn.setAttachment(
        new WebSocketConnection(
            id,
            path,
            (WebSocketImpl) conn,
            handler,
            upgrade,
            new SerialQueue(executor, maxInboundQueue),
            inlineCallbacks,
            maxSendQueueBytes,
            stallTimeoutNanos,
            this::finished));
    return response;
  }

  private WebhookRequest upgradeRequest(WebSocket conn, ClientHandshake request, String target) {
    URI url =
        resolver.resolveWebSocket(
            "http",
            target,
            name -> Optional.of(request.getFieldValue(name)).filter(v -> !v.isEmpty()));
    WebhookRequest.Builder builder = WebhookRequest.builder("GET", url);
    for (Iterator<String> names = request.iterateHttpFields(); names.hasNext(); ) {
      String name = names.next();
      builder.header(name, request.getFieldValue(name));
    }
    InetSocketAddress remote = conn.getRemoteSocketAddress();
    if (remote != null && remote.getAddress() != null) {
      builder.remoteAddress(remote.getAddress().getHostAddress());
    }
    return builder.build();
  }

  @Override
  public void onOpen(WebSocket conn, ClientHandshake handshake) {
    WebSocketConnection connection = conn.getAttachment();
    if (connection == null) {
      conn.close(CloseFrame.UNEXPECTED_CONDITION, "internal error");
      return;
    }
    log.debug("WebSocket {} opened on {}", connection.id(), connection.path());
    live.add(connection);
    if (!connection.opened()) {
      finished(connection); // already closed: its onClose ran or will run without an open
      return;
    }
    if (stopping) {
      connection.close(CloseFrame.GOING_AWAY, "server stopping");
    }
  }

  @Override
  public void onMessage(WebSocket conn, String message) {
    WebSocketConnection connection = conn.getAttachment();
    if (connection != null) {
      connection.received(message);
    }
  }

  @Override
  public void onMessage(WebSocket conn, ByteBuffer message) {
    conn.close(CloseFrame.REFUSE, "binary frames are not supported");
  }

  @Override
  public void onClose(WebSocket conn, int code, String reason, boolean remote) {
    WebSocketConnection connection = conn.getAttachment();
    if (connection != null) {
      log.debug("WebSocket {} closed: {}", connection.id(), code);
      connection.closed(code, reason);
    }
  }

  @Override
  public void onError(WebSocket conn, Exception ex) {
    if (conn == null) {
      if (!started.completeExceptionally(ex)) {
        log.error("WebSocket listener failed", ex);
      }
      return;
    }
    WebSocketConnection connection = conn.getAttachment();
    log.debug(
        "WebSocket {} error: {}",
        connection == null ? "(handshake)" : connection.id(),
        ex.toString());
  }

  @Override
  public void onStart() {
    started.complete(null);
  }

  /** Refuses new upgrades from now on. */
  void beginStopping() {
    stopping = true;
  }

  /** Starts a close handshake on every open connection. */
  void closeAll(int code, String reason) {
    for (WebSocketConnection connection : live) {
      connection.close(code, reason);
    }
  }

  /** Disconnects every connection at once. */
  void abortAll(int code, String reason) {
    for (WebSocketConnection connection : live) {
      connection.abort(code, reason);
    }
  }

  /** Checks every connection for a peer that stopped reading. */
  void checkStalls() {
    long now = System.nanoTime();
    for (WebSocketConnection connection : live) {
      try {
        connection.checkStall(now);
      } catch (RuntimeException e) {
        log.error("stall check of WebSocket {} failed", connection.id(), e);
      }
    }
  }

  /** Waits until every connection's onClose has run; false if the deadline passed first. */
  boolean awaitNoConnections(long deadlineNanos) throws InterruptedException {
    synchronized (liveLock) {
      while (!live.isEmpty()) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(liveLock, left);
      }
      return true;
    }
  }

  int connectionCount() {
    return live.size();
  }

  private void finished(WebSocketConnection connection) {
    synchronized (liveLock) {
      live.remove(connection);
      liveLock.notifyAll();
    }
  }

  /** The path of a request target, or null when it is not an origin-form target. */
  static @Nullable String pathOf(@Nullable String target) {
    if (target == null || !target.startsWith("/")) {
      return null;
    }
    int query = target.indexOf('?');
    return query < 0 ? target : target.substring(0, query);
  }
}
