package dev.switchboard.agent.openai.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.spi.ProviderCatalog;
import dev.switchboard.core.spi.ProviderConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenAiRealtimeAgentRuntimeBuilderTest {
  @Test
  void theApiKeyIsRequired() {
    assertThatThrownBy(() -> OpenAiRealtimeAgentRuntime.builder().build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("apiKey");
  }

  @Test
  void aMalformedKeyIsNamedButNeverShown() {
    assertThatThrownBy(() -> OpenAiRealtimeAgentRuntime.builder().apiKey("sk-se cret").build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("apiKey")
        .hasMessageNotContaining("se cret");
  }

  @Test
  void theBaseUrlMustBeHttp() {
    assertThatThrownBy(
            () ->
                OpenAiRealtimeAgentRuntime.builder()
                    .apiKey("sk-test")
                    .baseUrl(URI.create("ftp://example.com"))
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("baseUrl");
  }

  @Test
  void defaultsPointAtOpenAi() {
    try (OpenAiRealtimeAgentRuntime rt =
        OpenAiRealtimeAgentRuntime.builder().apiKey("sk-test").build()) {
      assertThat(rt.socketUrl())
          .isEqualTo(URI.create("wss://api.openai.com/v1/realtime?model=gpt-realtime"));
      assertThat(rt.name()).isEqualTo("openai-realtime");
      assertThat(rt.capabilities())
          .containsExactlyInAnyOrder(Capability.AUDIO_STREAMING, Capability.TEXT);
      assertThat(rt.health().state()).isEqualTo(HealthStatus.State.HEALTHY);
      assertThat(rt.toString()).doesNotContain("sk-test");
      rt.close(); // idempotent
    }
  }

  @Test
  void aTrailingSlashInTheBaseUrlDoesNotDoubleThePath() {
    try (OpenAiRealtimeAgentRuntime rt =
        OpenAiRealtimeAgentRuntime.builder()
            .apiKey("sk-test")
            .model("gpt-realtime-mini")
            .baseUrl(URI.create("http://127.0.0.1:9/v1/"))
            .build()) {
      assertThat(rt.socketUrl())
          .isEqualTo(URI.create("ws://127.0.0.1:9/v1/realtime?model=gpt-realtime-mini"));
    }
  }

  @Test
  void turnDetectionDefaultsAndValidation() {
    TurnDetection vad = TurnDetection.serverVad();
    assertThat(vad.threshold()).isEqualTo(0.5);
    assertThat(vad.prefixPadding()).isEqualTo(Duration.ofMillis(300));
    assertThat(vad.silenceDuration()).isEqualTo(Duration.ofMillis(500));
    assertThat(vad.createResponse()).isTrue();
    assertThat(vad.interruptResponse()).isTrue();
    assertThat(vad.withCreateResponse(false).createResponse()).isFalse();
    assertThat(TurnDetection.none().type()).isEqualTo(TurnDetection.Type.NONE);
    assertThatThrownBy(() -> TurnDetection.serverVad(1.5, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theProviderNamesABadKeyAndRedactsTheApiKey() {
    ProviderCatalog catalog = ProviderCatalog.load();
    assertThat(catalog.agentRuntimeNames()).contains("openai-realtime");
    assertThatThrownBy(() -> catalog.agentRuntime("openai-realtime", ProviderConfig.empty()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("api-key");
    assertThatThrownBy(
            () ->
                catalog.agentRuntime(
                    "openai-realtime",
                    ProviderConfig.of(Map.of("api-key", "sk-test", "turn-detection", "loud"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("turn-detection");
  }
}
