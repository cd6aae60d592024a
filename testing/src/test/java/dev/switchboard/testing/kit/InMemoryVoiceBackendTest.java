package dev.switchboard.testing.kit;

import dev.switchboard.core.spi.ProviderConfig;
import dev.switchboard.core.voice.CallRequest;
import dev.switchboard.core.voice.VoiceBackend;
import java.util.Map;
import java.util.Optional;

/** Runs the voice kit against its reference backend, proving the kit runs and passes. */
class InMemoryVoiceBackendTest extends VoiceBackendCompatibilityKit {
  @Override
  protected VoiceBackend createBackend() {
    return new InMemoryVoiceBackend();
  }

  @Override
  protected Optional<CallRequest> outboundCallRequest() {
    return Optional.of(CallRequest.builder("+14155550100").build());
  }

  @Override
  protected Optional<ProviderConfig> acceptedReconfiguration() {
    return Optional.of(ProviderConfig.of(Map.of("default-from", "+14155550111")));
  }
}
