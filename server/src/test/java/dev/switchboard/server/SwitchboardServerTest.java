package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.webhook.WebSocketListener;
import dev.switchboard.core.webhook.WebhookResponse;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class SwitchboardServerTest {
  private static SwitchboardServer.Builder builder() {
    return SwitchboardServer.builder()
        .httpAddress(new InetSocketAddress("127.0.0.1", 0))
        .webSocketAddress(new InetSocketAddress("127.0.0.1", 0));
  }

  private static void assertRejected(
      UnaryOperator<SwitchboardServer.Builder> config, String message) {
    assertThatThrownBy(() -> config.apply(builder()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void buildRejectsBadLimitsNamingTheSetting() {
    assertRejected(b -> b.maxRequestBytes(0), "maxRequestBytes must be positive, got 0");
    assertRejected(b -> b.maxMessageBytes(-1), "maxMessageBytes must be positive, got -1");
    assertRejected(b -> b.maxInboundQueue(0), "maxInboundQueue must be positive, got 0");
    assertRejected(b -> b.maxSendQueueBytes(0), "maxSendQueueBytes must be positive, got 0");
    assertRejected(b -> b.httpThreads(0), "httpThreads must be positive, got 0");
    assertRejected(
        b -> b.sendStallTimeout(Duration.ZERO), "sendStallTimeout must be positive, got PT0S");
  }

  @Test
  void buildRejectsBadPathsAndDuplicates() {
    assertRejected(
        b -> b.webhook("twilio/voice", r -> WebhookResponse.empty(200)), "webhook path must start");
    assertRejected(
        b -> b.webSocket("/media?x=1", (c, r) -> WebSocketListener.NONE), "webSocket path must");
    assertRejected(
        b -> b.webhook("/health", r -> WebhookResponse.empty(200)),
        "webhook path /health is taken by the health endpoint");
    assertRejected(
        b ->
            b.webhook("/a", r -> WebhookResponse.empty(200))
                .webhook("/a", r -> WebhookResponse.empty(200)),
        "webhook path /a is mounted twice");
    assertRejected(
        b ->
            b.webSocket("/m", (c, r) -> WebSocketListener.NONE)
                .webSocket("/m", (c, r) -> WebSocketListener.NONE),
        "webSocket path /m is mounted twice");
    assertRejected(
        b -> b.health("twilio", () -> HealthStatus.of()).health("twilio", () -> HealthStatus.of()),
        "health component twilio is added twice");
  }

  @Test
  void buildRejectsAPublicBaseUrlThatIsNotHttp() {
    assertRejected(b -> b.publicBaseUrl(URI.create("ftp://example.com")), "publicBaseUrl");
  }

  @Test
  void buildRejectsAnUnresolvedAddress() {
    assertRejected(
        b -> b.httpAddress(InetSocketAddress.createUnresolved("no.such.host.invalid", 80)),
        "httpAddress host no.such.host.invalid cannot be resolved");
  }

  @Test
  void portsAreKnownAfterStart() {
    SwitchboardServer server =
        builder().webSocket("/media", (c, r) -> WebSocketListener.NONE).build();
    assertThatThrownBy(server::httpPort).isInstanceOf(IllegalStateException.class);
    server.start();
    try {
      assertThat(server.httpPort()).isPositive();
      assertThat(server.webSocketPort()).isPositive().isNotEqualTo(server.httpPort());
    } finally {
      server.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  void withoutWebSocketHandlersThereIsNoWebSocketListener() {
    SwitchboardServer server = builder().build();
    server.start();
    try {
      assertThatThrownBy(server::webSocketPort)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no WebSocket handler is mounted");
    } finally {
      server.stop(Duration.ofSeconds(1));
    }
  }

  @Test
  void startFailsNamingTheAddressWhenTheHttpPortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      SwitchboardServer server =
          builder().httpAddress(new InetSocketAddress("127.0.0.1", taken.getLocalPort())).build();

      assertThatThrownBy(server::start)
          .isInstanceOf(SwitchboardException.class)
          .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("httpAddress");
    }
  }

  @Test
  void startFailsNamingTheAddressWhenTheWebSocketPortIsTakenAndReleasesTheHttpPort()
      throws Exception {
    int httpPort;
    try (ServerSocket free = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      httpPort = free.getLocalPort();
    }
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      SwitchboardServer server =
          builder()
              .httpAddress(new InetSocketAddress("127.0.0.1", httpPort))
              .webSocketAddress(new InetSocketAddress("127.0.0.1", taken.getLocalPort()))
              .webSocket("/media", (c, r) -> WebSocketListener.NONE)
              .build();

      assertThatThrownBy(server::start)
          .isInstanceOf(SwitchboardException.class)
          .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("webSocketAddress");
    }
    try (ServerSocket again = new ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(new InetSocketAddress("127.0.0.1", httpPort));
    }
  }

  @Test
  void frameSizesAreCountedInUtf8PlusTheFrameHeader() {
    assertThat(WebSocketConnection.utf8Length("aé€😀")).isEqualTo(1 + 2 + 3 + 4);
    assertThat(WebSocketConnection.frameBytes("a")).isEqualTo(1 + 2);
    assertThat(WebSocketConnection.frameBytes("a".repeat(200))).isEqualTo(200 + 4);
    assertThat(WebSocketConnection.frameBytes("a".repeat(70_000))).isEqualTo(70_000 + 10);
  }
}
