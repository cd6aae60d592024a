package dev.switchboard.agent.ultravox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.ConfigurationException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Configuration errors name the setting and never show the key. */
class UltravoxAgentRuntimeBuilderTest {
  private static final String KEY = "abcdefgh.0123456789abcdef0123456789abcdef";

  @Test
  void aKeyOrAClientIsRequiredButNotBoth() {
    assertThatThrownBy(() -> UltravoxAgentRuntime.builder().build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("apiKey");
    try (UltravoxClient client = UltravoxClient.builder().apiKey(KEY).build()) {
      assertThatThrownBy(() -> UltravoxAgentRuntime.builder().apiKey(KEY).client(client).build())
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("not both")
          .hasMessageNotContaining(KEY);
      assertThatThrownBy(
              () ->
                  UltravoxAgentRuntime.builder()
                      .client(client)
                      .baseUrl(URI.create("http://127.0.0.1:1"))
                      .build())
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("baseUrl");
    }
  }

  @Test
  void badSettingsAreNamed() {
    assertThatThrownBy(() -> UltravoxAgentRuntime.builder().apiKey(KEY).sampleRate(11025).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sampleRate")
        .hasMessageContaining("11025");
    assertThatThrownBy(
            () ->
                UltravoxAgentRuntime.builder().apiKey(KEY).clientBufferSize(Duration.ZERO).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("clientBufferSize");
    assertThatThrownBy(
            () ->
                UltravoxAgentRuntime.builder()
                    .apiKey(KEY)
                    .pingInterval(Duration.ofMillis(10))
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("pingInterval");
    assertThatThrownBy(() -> UltravoxAgentRuntime.builder().apiKey(KEY).agentId(" ").build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentId");
  }

  @Test
  void theKeyIsNeverShown() {
    try (UltravoxAgentRuntime runtime =
        UltravoxAgentRuntime.builder().apiKey(KEY).agentId("agent-1").build()) {
      assertThat(runtime.toString()).doesNotContain(KEY).contains("agent-1");
      assertThat(runtime.client().toString()).doesNotContain(KEY);
    }
  }
}
