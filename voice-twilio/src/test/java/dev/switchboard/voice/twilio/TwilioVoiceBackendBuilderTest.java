package dev.switchboard.voice.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.spi.ProviderCatalog;
import dev.switchboard.core.spi.ProviderConfig;
import dev.switchboard.core.voice.VoiceBackend;
import java.net.URI;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TwilioVoiceBackendBuilderTest {
  private static final String SID = "AC0123456789abcdef0123456789abcdef";
  private static final String TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

  private static TwilioVoiceBackend.Builder valid() {
    return TwilioVoiceBackend.builder()
        .accountSid(SID)
        .authToken(TOKEN)
        .defaultFrom("+14155550100")
        .publicBaseUrl(URI.create("https://voice.example.com"));
  }

  private static void fails(Consumer<TwilioVoiceBackend.Builder> change, String message) {
    TwilioVoiceBackend.Builder b = valid();
    change.accept(b);
    assertThatThrownBy(b::build)
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(message);
  }

  @Test
  void badSettingsFailAtBuildNamingTheSetting() {
    assertThatThrownBy(() -> TwilioVoiceBackend.builder().build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("accountSid is required");
    fails(b -> b.accountSid("AB123"), "accountSid");
    fails(b -> b.authToken("not-a-token"), "authToken");
    assertThatThrownBy(() -> valid().authToken("secret-ish-value-xyz").build())
        .hasMessageNotContaining("secret-ish-value-xyz");
    fails(b -> b.publicBaseUrl(URI.create("http://voice.example.com")), "publicBaseUrl");
    fails(b -> b.publicBaseUrl(URI.create("http://voice.example.com")), "allowInsecureUrls");
    fails(b -> b.mediaUrl(URI.create("ws://voice.example.com/m")), "mediaUrl");
    fails(b -> b.defaultFrom("4155550100"), "defaultFrom");
    fails(b -> b.voicePath("twilio/voice"), "voicePath");
    fails(b -> b.apiKey("SKnope", "secret"), "apiKey");
  }

  @Test
  void theMediaUrlDefaultsToTheBaseUrlOverWss() {
    TwilioVoiceBackend backend = valid().build();
    assertThat(backend.configuration().string("media-url"))
        .isEqualTo("wss://voice.example.com/twilio/media");
    assertThat(backend.webhooks().keySet())
        .containsExactly("/twilio/voice", "/twilio/status", "/twilio/stream-status", "/twilio/amd");
    assertThat(backend.configuration().toString()).doesNotContain(TOKEN);
  }

  @Test
  void theProviderIsFoundByServiceLoader() {
    VoiceBackend backend =
        ProviderCatalog.load()
            .voiceBackend(
                "twilio",
                ProviderConfig.of(
                    Map.of(
                        "account-sid", SID,
                        "auth-token", TOKEN,
                        "default-from", "+14155550100",
                        "public-base-url", "https://voice.example.com",
                        "media-url", "wss://media.example.com/twilio/media")));
    assertThat(backend).isInstanceOf(TwilioVoiceBackend.class);
    assertThat(backend.name()).isEqualTo("twilio");
    assertThat(backend.configuration().string("media-url"))
        .isEqualTo("wss://media.example.com/twilio/media");
    assertThatThrownBy(
            () ->
                ProviderCatalog.load()
                    .voiceBackend("twilio", ProviderConfig.of(Map.of("account-sid", SID))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("auth-token");
  }
}
