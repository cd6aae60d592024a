package dev.switchboard.voice.twilio;

import dev.switchboard.core.spi.ProviderConfig;
import dev.switchboard.core.voice.CallRequest;
import dev.switchboard.core.voice.VoiceBackend;
import dev.switchboard.testing.kit.VoiceBackendCompatibilityKit;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;

/** The voice compatibility kit, against the fake Twilio API and a real server. */
class TwilioVoiceBackendCompatibilityTest extends VoiceBackendCompatibilityKit {
  private Harness harness;

  @Override
  protected VoiceBackend createBackend() {
    harness = Harness.unstarted(b -> {});
    return harness.backend;
  }

  @Override
  protected Optional<CallRequest> outboundCallRequest() {
    return Optional.of(CallRequest.builder("+14155550123").build());
  }

  @Override
  protected Optional<ProviderConfig> acceptedReconfiguration() {
    return Optional.of(ProviderConfig.of(Map.of("default-from", "+14155550177")));
  }

  @AfterEach
  void closeHarness() {
    if (harness != null) {
      harness.close();
    }
  }
}
