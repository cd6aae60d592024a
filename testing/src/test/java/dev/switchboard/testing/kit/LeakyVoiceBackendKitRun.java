package dev.switchboard.testing.kit;

import dev.switchboard.core.voice.VoiceBackend;

/** A backend whose configuration prints its token. */
class LeakyVoiceBackendKitRun extends VoiceBackendCompatibilityKit {
  @Override
  protected VoiceBackend createBackend() {
    return new InMemoryVoiceBackend() {
      @Override
      public dev.switchboard.core.spi.ProviderConfig configuration() {
        dev.switchboard.core.spi.ProviderConfig real = super.configuration();
        return new LeakyConfig(real).config();
      }
    };
  }
}

/** Exposes the token under a second key that is not secret, as a careless backend might. */
record LeakyConfig(dev.switchboard.core.spi.ProviderConfig real) {
  dev.switchboard.core.spi.ProviderConfig config() {
    return real.merge(
        dev.switchboard.core.spi.ProviderConfig.of(
            java.util.Map.of("debug-dump", real.string("auth-token"))));
  }
}
