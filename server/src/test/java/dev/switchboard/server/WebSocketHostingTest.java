package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.switchboard.core.webhook.WebSocketChannel;
import dev.switchboard.core.webhook.WebSocketHandler;
import dev.switchboard.core.webhook.WebSocketListener;
import dev.switchboard.core.webhook.WebhookRequest;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebSocketHostingTest {
  private final CompletableFuture<WebhookRequest> upgrade = new CompletableFuture<>();
  private final Map<String, RecordingListener> listeners = new ConcurrentHashMap<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private SwitchboardServer server;

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) {
      server.stop(Duration.ofSeconds(2));
    }
  }

  /** Echoes every frame as "echo:<text>"; a connection opened with ?slow blocks on its frames. */
  private final WebSocketHandler echo =
      (channel, request) -> {
        upgrade.complete(request);
        boolean slow = request.parameter("slow").isPresent();
        RecordingListener listener =
            new RecordingListener() {
              @Override
              void handle(String text) {
                if (slow) {
                  awaitRelease();
                }
                channel.send("echo:" + text);
              }
            };
        listeners.put(request.parameter("name").orElse("default"), listener);
        return listener;
      };

  private void start(UnaryOperator<SwitchboardServer.Builder> config) {
    server =
        config
            .apply(
                SwitchboardServer.builder()
                    .httpAddress(new InetSocketAddress("127.0.0.1", 0))
                    .webSocketAddress(new InetSocketAddress("127.0.0.1", 0))
                    .webSocket("/media", echo))
            .build();
    server.start();
  }

  private URI uri(String pathAndQuery) {
    return URI.create("ws://127.0.0.1:" + server.webSocketPort() + pathAndQuery);
  }

  private RecordingListener listener(String name) {
    Await.until("listener " + name, () -> listeners.containsKey(name));
    return listeners.get(name);
  }

  private void awaitRelease() {
    try {
      release.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void textFramesMakeARoundTrip() throws Exception {
    start(b -> b);
    ClientSocket client = ClientSocket.connect(uri("/media"));

    client.send("hello");

    assertThat(client.next()).isEqualTo("echo:hello");
  }

  @Test
  void handlerGetsTheUpgradeRequestWithItsPublicUrlHeadersAndParameters() throws Exception {
    start(b -> b);

    ClientSocket.connect(uri("/media?token=abc&name=one"));

    WebhookRequest request = upgrade.get(10, TimeUnit.SECONDS);
    assertThat(request.method()).isEqualTo("GET");
    assertThat(request.url()).isEqualTo(uri("/media?token=abc&name=one"));
    assertThat(request.parameter("token")).hasValue("abc");
    assertThat(request.header("upgrade"))
        .hasValueSatisfying(v -> assertThat(v).isEqualToIgnoringCase("websocket"));
    assertThat(request.remoteAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void upgradeUrlUsesWssWhenThePublicBaseUrlIsHttps() throws Exception {
    start(b -> b.publicBaseUrl(URI.create("https://voice.example.com")));

    ClientSocket.connect(uri("/media?token=abc"));

    assertThat(upgrade.get(10, TimeUnit.SECONDS).url())
        .isEqualTo(URI.create("wss://voice.example.com/media?token=abc"));
  }

  @Test
  void upgradeUrlUsesTheSeparateWebSocketBaseUrlWhenGiven() throws Exception {
    start(
        b ->
            b.publicBaseUrl(URI.create("https://voice.example.com"))
                .publicWebSocketBaseUrl(URI.create("wss://media.example.com:8443")));

    ClientSocket.connect(uri("/media"));

    assertThat(upgrade.get(10, TimeUnit.SECONDS).url())
        .isEqualTo(URI.create("wss://media.example.com:8443/media"));
  }

  @Test
  void upgradeUrlFollowsTrustedForwardedProto() throws Exception {
    start(b -> b.trustForwardedHeaders(true));
    ClientSocket.connect(
        uri("/media"), "X-Forwarded-Proto", "https", "X-Forwarded-Host", "voice.example.com");

    assertThat(upgrade.get(10, TimeUnit.SECONDS).url())
        .isEqualTo(URI.create("wss://voice.example.com/media"));
  }

  @Test
  void unknownPathIsRefusedInTheHandshake() throws Exception {
    start(b -> b);

    Throwable failure =
        catchThrowable(() -> ClientSocket.attempt(uri("/other")).get(10, TimeUnit.SECONDS));

    assertThat(failure).isInstanceOf(ExecutionException.class);
    assertThat(failure.getCause()).isInstanceOf(WebSocketHandshakeException.class);
    assertThat(((WebSocketHandshakeException) failure.getCause()).getResponse().statusCode())
        .isEqualTo(404);
    assertThat(upgrade).isNotDone();
  }

  @Test
  void callbacksRunInOrderOneAtATimeOffJavaWebSocketThreads() throws Exception {
    start(b -> b);
    ClientSocket client = ClientSocket.connect(uri("/media"));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      client.send(Integer.toString(i));
      expected.add("text:" + i);
    }
    for (int i = 0; i < 300; i++) {
      assertThat(client.next()).isEqualTo("echo:" + i);
    }
    client.close(1000, "bye");

    RecordingListener listener = listener("default");
    assertThat(listener.awaitClose()).isEqualTo(new RecordingListener.Closed(1000, "bye"));
    expected.add("close:1000");
    assertThat(listener.events).isEqualTo(expected);
    assertThat(listener.overlaps).hasValue(0);
    assertThat(listener.threads).allMatch(name -> name.startsWith("switchboard-ws-"));
  }

  @Test
  void inlineCallbacksRunInOrderOneAtATimeOnTheDecoderThread() throws Exception {
    start(b -> b.inlineWebSocketCallbacks(true));
    ClientSocket client = ClientSocket.connect(uri("/media"));
    // The first frame may queue behind onOpen, which runs on the executor; once it is answered,
    // the listener is in place and nothing of this connection is queued.
    client.send("first");
    assertThat(client.next()).isEqualTo("echo:first");
    List<String> expected = new ArrayList<>(List.of("text:first"));
    for (int i = 0; i < 300; i++) {
      client.send(Integer.toString(i));
      expected.add("text:" + i);
    }
    for (int i = 0; i < 300; i++) {
      assertThat(client.next()).isEqualTo("echo:" + i);
    }
    client.close(1000, "bye");

    RecordingListener listener = listener("default");
    assertThat(listener.awaitClose()).isEqualTo(new RecordingListener.Closed(1000, "bye"));
    expected.add("close:1000");
    assertThat(listener.events).isEqualTo(expected);
    assertThat(listener.overlaps).hasValue(0);
    List<String> textThreads = listener.threads.subList(1, 301);
    assertThat(textThreads).allMatch(name -> name.startsWith("WebSocketWorker-"));
    assertThat(textThreads).containsOnly(textThreads.get(0)); // one decoder per connection
    assertThat(listener.threads.get(301)).startsWith("switchboard-ws-"); // onClose: the executor
  }

  @Test
  void framesBehindABlockedInlineCallbackAreDeliveredInOrderOnceItReturns() throws Exception {
    start(b -> b.inlineWebSocketCallbacks(true).maxInboundQueue(4));
    ClientSocket client = ClientSocket.connect(uri("/media?slow"));

    client.send("0");
    RecordingListener listener = listener("default");
    Await.until(
        "the listener to block on the first frame", () -> listener.events.contains("text:0"));
    // The decoder thread is blocked in the first frame: the rest wait in Java-WebSocket, so the
    // connection's own queue only fills once the listener is released and falls behind no more.
    for (int i = 1; i <= 3; i++) {
      client.send(Integer.toString(i));
    }
    release.countDown();
    for (int i = 0; i <= 3; i++) {
      assertThat(client.next()).isEqualTo("echo:" + i);
    }
    client.close(1000, "bye");

    assertThat(listener.awaitClose().code()).isEqualTo(1000);
    assertThat(listener.events)
        .containsExactly("text:0", "text:1", "text:2", "text:3", "close:1000");
  }

  @Test
  void onCloseIsCalledExactlyOnceAndLast() throws Exception {
    start(b -> b);
    ClientSocket client = ClientSocket.connect(uri("/media"));
    client.send("one");
    client.next();

    client.close(1000, "done");
    RecordingListener listener = listener("default");
    listener.awaitClose();
    server.stop(Duration.ofSeconds(2)); // waits for every queued callback

    assertThat(listener.closes).hasValue(1);
    assertThat(listener.events).last().isEqualTo("close:1000");
  }

  @Test
  void oversizedMessageClosesTheConnectionWith1009() throws Exception {
    start(b -> b.maxMessageBytes(1024));
    ClientSocket client = ClientSocket.connect(uri("/media"));

    client.send("x".repeat(2000));

    assertThat(client.awaitClose().code()).isEqualTo(1009);
    RecordingListener listener = listener("default");
    assertThat(listener.awaitClose().code()).isEqualTo(1009);
    assertThat(listener.events).containsExactly("close:1009");
  }

  @Test
  void listenerThatFallsBehindIsClosedWith1008InboundQueueFull() throws Exception {
    start(b -> b.maxInboundQueue(4));
    ClientSocket client = ClientSocket.connect(uri("/media?slow"));

    client.send("0");
    RecordingListener listener = listener("default");
    Await.until(
        "the listener to block on the first frame", () -> listener.events.contains("text:0"));

    // Four frames fill the queue; the fifth overflows it. Nothing is sent after that, so the
    // client reads the close frame rather than failing on a write to a closed connection.
    for (int i = 1; i <= 5; i++) {
      client.send(Integer.toString(i));
    }

    assertThat(client.awaitClose()).isEqualTo(new ClientSocket.Closed(1008, "inbound queue full"));
    release.countDown();
    assertThat(listener.awaitClose().code()).isEqualTo(1008);
    assertThat(listener.events).last().isEqualTo("close:1008");
    assertThat(listener.events)
        .containsExactly("text:0", "text:1", "text:2", "text:3", "text:4", "close:1008");
  }

  @Test
  void slowListenerOnOneConnectionDoesNotDelayAnother() throws Exception {
    start(b -> b);
    ClientSocket slow = ClientSocket.connect(uri("/media?slow&name=slow"));
    slow.send("stuck");
    Await.until(
        "the slow listener to block",
        () -> listeners.containsKey("slow") && listeners.get("slow").events.contains("text:stuck"));

    ClientSocket fast = ClientSocket.connect(uri("/media?name=fast"));
    fast.send("quick");

    assertThat(fast.next()).isEqualTo("echo:quick");
    assertThat(slow.messages).isEmpty();
    release.countDown();
    assertThat(slow.next()).isEqualTo("echo:stuck");
  }

  @Test
  void handlerCanRefuseAConnectionWith1008() throws Exception {
    server =
        SwitchboardServer.builder()
            .httpAddress(new InetSocketAddress("127.0.0.1", 0))
            .webSocketAddress(new InetSocketAddress("127.0.0.1", 0))
            .webSocket(
                "/media",
                (channel, request) -> {
                  channel.close(1008, "invalid token");
                  return WebSocketListener.NONE;
                })
            .build();
    server.start();

    ClientSocket client = ClientSocket.connect(uri("/media"));

    assertThat(client.awaitClose()).isEqualTo(new ClientSocket.Closed(1008, "invalid token"));
  }

  @Test
  void listenerThatThrowsGetsItsConnectionClosedWith1011() throws Exception {
    RecordingListener recording =
        new RecordingListener() {
          @Override
          void handle(String text) {
            throw new IllegalStateException("bug");
          }
        };
    server =
        SwitchboardServer.builder()
            .httpAddress(new InetSocketAddress("127.0.0.1", 0))
            .webSocketAddress(new InetSocketAddress("127.0.0.1", 0))
            .webSocket("/media", (channel, request) -> recording)
            .build();
    server.start();
    ClientSocket client = ClientSocket.connect(uri("/media"));

    client.send("boom");

    assertThat(client.awaitClose().code()).isEqualTo(1011);
    assertThat(recording.awaitClose().code()).isEqualTo(1011);
  }

  @Test
  void binaryFramesAreRefusedWith1003() throws Exception {
    start(b -> b);
    ClientSocket client = ClientSocket.connect(uri("/media"));

    client.sendBinary(new byte[] {1, 2, 3});

    assertThat(client.awaitClose().code()).isEqualTo(1003);
    assertThat(listener("default").awaitClose().code()).isEqualTo(1003);
  }

  @Test
  void sendReturnsFalseAfterClose() throws Exception {
    CompletableFuture<WebSocketChannel> opened = new CompletableFuture<>();
    RecordingListener recording = new RecordingListener();
    server =
        SwitchboardServer.builder()
            .httpAddress(new InetSocketAddress("127.0.0.1", 0))
            .webSocketAddress(new InetSocketAddress("127.0.0.1", 0))
            .webSocket(
                "/media",
                (channel, request) -> {
                  opened.complete(channel);
                  return recording;
                })
            .build();
    server.start();
    ClientSocket client = ClientSocket.connect(uri("/media"));
    WebSocketChannel channel = opened.get(10, TimeUnit.SECONDS);
    assertThat(channel.isOpen()).isTrue();
    assertThat(channel.send("hi")).isTrue();
    assertThat(client.next()).isEqualTo("hi");

    client.close(1000, "bye");
    recording.awaitClose();

    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.send("late")).isFalse();
  }
}
