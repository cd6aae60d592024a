package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.webhook.WebSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Peers that stop reading: the server's memory must stay bounded and the peer be dropped. */
class SlowPeerTest {
  private static final String FRAME = "m".repeat(16 * 1024);

  private final CompletableFuture<WebSocketChannel> opened = new CompletableFuture<>();
  private final RecordingListener listener = new RecordingListener();
  private SwitchboardServer server;
  private Socket peer;

  @AfterEach
  void stop() throws IOException {
    if (peer != null) {
      peer.close();
    }
    server.stop(Duration.ofSeconds(2));
  }

  private WebSocketConnection start(int maxSendQueueBytes, Duration stallTimeout) throws Exception {
    server =
        SwitchboardServer.builder()
            .httpAddress(new InetSocketAddress("127.0.0.1", 0))
            .webSocketAddress(new InetSocketAddress("127.0.0.1", 0))
            .maxSendQueueBytes(maxSendQueueBytes)
            .sendStallTimeout(stallTimeout)
            .webSocket(
                "/media",
                (channel, request) -> {
                  opened.complete(channel);
                  return listener;
                })
            .build();
    server.start();
    peer = handshakeThenNeverRead(server.webSocketPort());
    return (WebSocketConnection) opened.get(10, TimeUnit.SECONDS);
  }

  /** Opens a WebSocket by hand with a small receive window, then reads nothing more. */
  private static Socket handshakeThenNeverRead(int port) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(10_000);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET /media HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    String status = RawHttp.line(in);
    assertThat(status).startsWith("HTTP/1.1 101");
    while (!RawHttp.line(in).isEmpty()) {
      // skip the handshake response headers
    }
    return socket;
  }

  /** Reads until the server's reset or end of stream; fails if the connection stays up. */
  private static void assertDisconnected(Socket socket) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream in = socket.getInputStream();
      while (in.read(buffer) >= 0) {
        // drain what the kernel had buffered before the reset
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server did not disconnect the peer", e);
    } catch (SocketException e) {
      // connection reset: disconnected
    }
  }

  @Test
  void peerThatStopsReadingIsDisconnectedOnceItsSendQueueIsFullAndSendReturnsFalse()
      throws Exception {
    int limit = 256 * 1024;
    WebSocketConnection channel = start(limit, Duration.ofMinutes(1));

    long maxPending = 0;
    boolean refused = false;
    for (int i = 0; i < 4096 && !refused; i++) { // at most 64 MiB
      refused = !channel.send(FRAME);
      maxPending = Math.max(maxPending, channel.pendingBytes());
    }

    assertThat(refused).as("send refused a frame").isTrue();
    assertThat(maxPending).isLessThanOrEqualTo(limit);
    RecordingListener.Closed closed = listener.awaitClose();
    assertThat(closed.code()).isEqualTo(1008);
    assertThat(closed.reason()).contains("peer not reading");
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.send("more")).isFalse();
    assertThat(channel.pendingBytes()).isZero();
    assertDisconnected(peer);
  }

  @Test
  void peerThatReadsNothingForTheStallTimeoutIsDisconnected() throws Exception {
    WebSocketConnection channel = start(64 * 1024 * 1024, Duration.ofMillis(300));

    // Fill the kernel's buffers (at most a few MiB here) until output waits in the queue. On a
    // loaded machine the stall timeout may fire while this loop still runs: send then refuses.
    for (int i = 0; i < 4096 && channel.pendingBytes() < 8 * 1024 * 1024; i++) {
      if (!channel.send(FRAME)) {
        break;
      }
    }

    RecordingListener.Closed closed = listener.awaitClose();
    assertThat(closed.code()).isEqualTo(1008);
    assertThat(closed.reason()).contains("no output written");
    assertThat(channel.send("more")).isFalse();
    assertThat(channel.pendingBytes()).isZero();
    assertDisconnected(peer);
  }
}
