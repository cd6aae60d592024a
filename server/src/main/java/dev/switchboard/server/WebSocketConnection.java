package dev.switchboard.server;

import dev.switchboard.core.webhook.WebSocketChannel;
import dev.switchboard.core.webhook.WebSocketHandler;
import dev.switchboard.core.webhook.WebSocketListener;
import dev.switchboard.core.webhook.WebhookRequest;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.CloseFrame;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted WebSocket connection: the {@link WebSocketChannel} a handler sees, the serial queue
 * its listener's callbacks run on, and the bound on what it may queue for sending. Thread-safe. Not
 * API.
 *
 * <p>Send accounting relies on two facts of Java-WebSocket 1.6.0: {@code WebSocketImpl.send}
 * encodes each text message into one {@code ByteBuffer} and appends it to the unbounded public
 * {@code WebSocketImpl.outQueue}; the selector thread writes the head buffer and removes it only
 * once it is fully written ({@code SocketChannelIOHelper.batch}). So the bytes still waiting for
 * the socket are the sum of {@code remaining()} over {@code outQueue}, and a head buffer whose
 * {@code remaining()} does not change means no byte reached the socket.
 */
final class WebSocketConnection implements WebSocketChannel {
  private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);
  private static final int MAX_CLOSE_REASON_BYTES = 123;
  private static final long NOT_STALLED = Long.MIN_VALUE;

  private final String id;
  private final String path;
  private final WebSocketImpl socket;
  private final WebSocketHandler handler;

  /** The handshake, until the open callback has it (then dropped: nothing else reads it). */
  private @Nullable WebhookRequest upgrade;

  private final SerialQueue inbound;
  private final boolean inline;
  private final long maxSendQueueBytes;
  private final long stallTimeoutNanos;
  private final Consumer<WebSocketConnection> onFinished;

  /** Set by the open callback; read and called only on the serial queue. */
  private WebSocketListener listener = WebSocketListener.NONE;

  private final Object sendLock = new Object();

  /** Bytes handed to Java-WebSocket by {@link #send}, an upper bound of the frames' sizes. */
  private long enqueuedBytes;

  /** Bytes known to have left the queue at the last exact count. */
  private long drainedBytes;

  private final AtomicBoolean aborted = new AtomicBoolean();
  private final AtomicBoolean overflowed = new AtomicBoolean();

  // Confined to the watchdog thread.
  private @Nullable ByteBuffer watchedHead;
  private int watchedRemaining;
  private long stalledSince = NOT_STALLED;

  WebSocketConnection(
      String id,
      String path,
      WebSocketImpl socket,
      WebSocketHandler handler,
      WebhookRequest upgrade,
      SerialQueue inbound,
      boolean inline,
      long maxSendQueueBytes,
      long stallTimeoutNanos,
      Consumer<WebSocketConnection> onFinished) {
    this.id = id;
    this.path = path;
    this.socket = socket;
    this.handler = handler;
    this.upgrade = upgrade;
    this.inbound = inbound;
    this.inline = inline;
    this.maxSendQueueBytes = maxSendQueueBytes;
    this.stallTimeoutNanos = stallTimeoutNanos;
    this.onFinished = onFinished;
  }

  @Override
  public String id() {
    return id;
  }

  String path() {
    return path;
  }

  @Override
  public boolean isOpen() {
    return !aborted.get() && socket.isOpen();
  }

  @Override
  public boolean send(String text) {
    Objects.requireNonNull(text, "text");
    long size = frameBytes(text);
    boolean overflow = false;
    synchronized (sendLock) {
      if (aborted.get() || !socket.isOpen()) {
        return false;
      }
      if (size > maxSendQueueBytes) {
        log.warn(
            "WebSocket {} on {}: refused a {}-byte frame, larger than maxSendQueueBytes",
            id,
            path,
            size);
        return false;
      }
      // Cheap upper bound first; count exactly only when the bound reaches the limit.
      if (enqueuedBytes - drainedBytes + size > maxSendQueueBytes) {
        long pending = pendingBytes();
        drainedBytes = enqueuedBytes - pending;
        overflow = pending + size > maxSendQueueBytes;
      }
      if (!overflow) {
        try {
          socket.send(text);
        } catch (WebsocketNotConnectedException e) {
          return false;
        }
        enqueuedBytes += size;
        return true;
      }
    }
    abort(
        CloseFrame.POLICY_VALIDATION,
        "send queue over " + maxSendQueueBytes + " bytes: peer not reading");
    return false;
  }

  @Override
  public void close(int code, String reason) {
    Objects.requireNonNull(reason, "reason");
    if (!sendableCloseCode(code)) {
      throw new IllegalArgumentException("close code " + code + " cannot be sent to a peer");
    }
    try {
      socket.close(code, truncate(reason));
    } catch (RuntimeException e) {
      log.debug("WebSocket {}: close failed: {}", id, e.toString());
    }
  }

  /** Returns the bytes queued in Java-WebSocket and not yet written to the socket. */
  long pendingBytes() {
    long pending = 0;
    for (ByteBuffer buffer : socket.outQueue) { // weakly consistent iteration: thread-safe
      pending += buffer.remaining();
    }
    return pending;
  }

  /**
   * Disconnects at once, without a close handshake (the peer is not reading it): the socket is
   * reset, queued output dropped, and the listener's onClose gets {@code code}.
   */
  void abort(int code, String reason) {
    if (!aborted.compareAndSet(false, true)) {
      return;
    }
    if (code == CloseFrame.POLICY_VALIDATION) {
      log.warn("WebSocket {} on {}: disconnecting, {}", id, path, reason);
    }
    try {
      SelectionKey key = socket.getSelectionKey();
      SelectableChannel channel = key == null ? null : key.channel();
      if (channel instanceof SocketChannel) {
        Socket raw = ((SocketChannel) channel).socket();
        raw.setSoLinger(true, 0); // reset: drop what the kernel still holds for this peer
      }
    } catch (Exception e) {
      log.debug("WebSocket {}: could not set SO_LINGER before abort: {}", id, e.toString());
    }
    try {
      socket.closeConnection(code, reason);
    } catch (RuntimeException e) {
      log.debug("WebSocket {}: abort failed: {}", id, e.toString());
    }
    socket.outQueue.clear();
  }

  /**
   * Called periodically on the watchdog thread: disconnects a peer that has had output waiting
   * without a single byte written for the stall timeout.
   */
  void checkStall(long nowNanos) {
    if (aborted.get()) {
      return;
    }
    ByteBuffer head = socket.outQueue.peek();
    if (head == null) {
      watchedHead = null;
      stalledSince = NOT_STALLED;
      return;
    }
    int remaining = head.remaining();
    if (head != watchedHead || remaining != watchedRemaining || stalledSince == NOT_STALLED) {
      watchedHead = head;
      watchedRemaining = remaining;
      stalledSince = nowNanos;
      return;
    }
    if (nowNanos - stalledSince >= stallTimeoutNanos) {
      abort(
          CloseFrame.POLICY_VALIDATION,
          "no output written for "
              + stallTimeoutNanos / 1_000_000
              + " ms ("
              + pendingBytes()
              + " bytes waiting): peer not reading");
    }
  }

  /** The transport opened: queue the handler's onOpen. False if the connection already ended. */
  boolean opened() {
    return inbound.offer(this::deliverOpen) == SerialQueue.Offer.ACCEPTED;
  }

  /**
   * A text frame arrived (on the Java-WebSocket decoder thread this connection is bound to, which
   * decodes its frames one at a time, in order). With inline callbacks the listener runs right here
   * when nothing of this connection is queued; otherwise it is queued behind what is.
   */
  void received(String text) {
    Runnable task = () -> deliverText(text);
    SerialQueue.Offer offer = inline ? inbound.offerInline(task) : inbound.offer(task);
    if (offer == SerialQueue.Offer.FULL && overflowed.compareAndSet(false, true)) {
      log.warn("WebSocket {} on {}: inbound queue full, closing", id, path);
      close(CloseFrame.POLICY_VALIDATION, "inbound queue full");
    }
  }

  /** The transport closed (on any thread): queue the listener's onClose, last. */
  void closed(int code, String reason) {
    inbound.offerLast(() -> deliverClose(code, reason == null ? "" : reason));
  }

  private void deliverOpen() {
    try {
      WebhookRequest request = Objects.requireNonNull(upgrade, "upgrade");
      upgrade = null;
      WebSocketListener opened = handler.onOpen(this, request);
      listener = opened == null ? WebSocketListener.NONE : opened;
    } catch (RuntimeException e) {
      log.error("WebSocket handler on {} failed to open connection {}", path, id, e);
      close(CloseFrame.UNEXPECTED_CONDITION, "internal error");
    }
  }

  private void deliverText(String text) {
    try {
      listener.onText(text);
    } catch (RuntimeException e) {
      log.error("WebSocket listener on {} failed on a frame of connection {}", path, id, e);
      close(CloseFrame.UNEXPECTED_CONDITION, "internal error");
    }
  }

  private void deliverClose(int code, String reason) {
    try {
      listener.onClose(code, reason);
    } catch (RuntimeException e) {
      log.error("WebSocket listener on {} failed closing connection {}", path, id, e);
    } finally {
      socket.outQueue.clear();
      onFinished.accept(this);
    }
  }

  /** An upper bound of the size of the unmasked text frame Java-WebSocket builds for text. */
  static long frameBytes(String text) {
    long payload = utf8Length(text);
    long header = payload <= 125 ? 2 : payload <= 0xFFFF ? 4 : 10;
    return payload + header;
  }

  static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  private static boolean sendableCloseCode(int code) {
    return (code >= 1000 && code <= 1003)
        || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }

  private static String truncate(String reason) {
    long bytes = 0;
    for (int i = 0; i < reason.length(); i++) {
      char c = reason.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
      if (bytes > MAX_CLOSE_REASON_BYTES) {
        int end = Character.isLowSurrogate(c) ? i - 1 : i;
        return reason.substring(0, end);
      }
    }
    return reason;
  }

  @Override
  public String toString() {
    return "WebSocketConnection[" + id + " " + path + "]";
  }
}
