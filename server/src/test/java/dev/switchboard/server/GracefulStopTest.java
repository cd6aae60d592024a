package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.webhook.WebhookResponse;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GracefulStopTest {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch interrupted = new CountDownLatch(1);
  private final RecordingListener listener = new RecordingListener();
  private SwitchboardServer server;

  @AfterEach
  void cleanUp() {
    release.countDown();
    server.stop(Duration.ZERO);
  }

  private void start() {
    server =
        SwitchboardServer.builder()
            .httpAddress(new InetSocketAddress("127.0.0.1", 0))
            .webSocketAddress(new InetSocketAddress("127.0.0.1", 0))
            .webhook(
                "/slow",
                request -> {
                  entered.countDown();
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    interrupted.countDown();
                    Thread.currentThread().interrupt();
                  }
                  return WebhookResponse.xml("<done/>");
                })
            .webhook("/quick", request -> WebhookResponse.empty(204))
            .webSocket("/media", (channel, request) -> listener)
            .build();
    server.start();
  }

  private CompletableFuture<HttpResponse<String>> get(String path) {
    return CLIENT.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private int status(String path) {
    try {
      return get(path).get(10, TimeUnit.SECONDS).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void stopLetsInFlightRequestsFinishAndClosesWebSocketsWith1001() throws Exception {
    start();
    ClientSocket client =
        ClientSocket.connect(URI.create("ws://127.0.0.1:" + server.webSocketPort() + "/media"));
    CompletableFuture<HttpResponse<String>> inFlight = get("/slow");
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stopped =
        CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(5)));
    Await.until("new requests to be refused with 503", () -> status("/quick") == 503);
    assertThat(stopped).isNotDone();
    release.countDown();

    HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("<done/>");
    assertThat(client.awaitClose()).isEqualTo(new ClientSocket.Closed(1001, "server stopping"));
    stopped.get(5, TimeUnit.SECONDS);
    assertThat(listener.closes).hasValue(1);
    assertThat(listener.closed.getNow(null))
        .isEqualTo(new RecordingListener.Closed(1001, "server stopping"));
  }

  @Test
  void stopCutsOffWorkThatOutlastsTheGrace() throws Exception {
    start();
    CompletableFuture<HttpResponse<String>> inFlight = get("/slow");
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture.runAsync(() -> server.stop(Duration.ofMillis(200))).get(5, TimeUnit.SECONDS);

    assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(inFlight).failsWithin(5, TimeUnit.SECONDS);
  }

  @Test
  void stopIsIdempotentAndTheServerCannotRestart() throws Exception {
    start();
    int port = server.httpPort();

    server.stop(Duration.ofSeconds(1));
    server.stop(Duration.ofSeconds(1));
    server.close();

    assertThatThrownBy(server::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("STOPPED");
    // The listener is gone: the port can be bound again.
    try (java.net.ServerSocket again = new java.net.ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(new InetSocketAddress("127.0.0.1", port));
    }
  }

  @Test
  void stopBeforeStartDoesNothing() {
    server = SwitchboardServer.builder().build();

    server.stop(Duration.ofSeconds(1));

    assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
  }
}
