package dev.switchboard.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A JDK WebSocket client that records what it receives and how it closed. */
final class ClientSocket implements WebSocket.Listener {
  /** A close as the client saw it. */
  record Closed(int code, String reason) {}

  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private StringBuilder partial = new StringBuilder();
  private WebSocket socket;

  static ClientSocket connect(URI uri, String... headers) throws Exception {
    ClientSocket listener = new ClientSocket();
    WebSocket.Builder builder = CLIENT.newWebSocketBuilder();
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    listener.socket = builder.buildAsync(uri, listener).get(10, TimeUnit.SECONDS);
    return listener;
  }

  static CompletableFuture<WebSocket> attempt(URI uri) {
    return CLIENT.newWebSocketBuilder().buildAsync(uri, new ClientSocket());
  }

  void send(String text) throws Exception {
    socket.sendText(text, true).get(10, TimeUnit.SECONDS);
  }

  void sendBinary(byte[] bytes) throws Exception {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).get(10, TimeUnit.SECONDS);
  }

  void close(int code, String reason) throws Exception {
    socket.sendClose(code, reason).get(10, TimeUnit.SECONDS);
  }

  String next() throws Exception {
    String message = messages.poll(10, TimeUnit.SECONDS);
    if (message == null) {
      throw new AssertionError("no message within 10 s");
    }
    return message;
  }

  Closed awaitClose() throws Exception {
    return closed.get(10, TimeUnit.SECONDS);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      messages.add(partial.toString());
      partial = new StringBuilder();
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(new Closed(statusCode, reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.completeExceptionally(error);
  }
}
