package dev.switchboard.voice.twilio.internal;

import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.spi.ProviderConfig;
import dev.switchboard.core.spi.VoiceBackendProvider;
import dev.switchboard.core.voice.VoiceBackend;
import dev.switchboard.voice.twilio.TwilioVoiceBackend;
import java.util.Optional;

/**
 * Not API. The ServiceLoader factory of {@link TwilioVoiceBackend}, named {@code twilio}. Keys:
 * {@code account-sid}, {@code auth-token}, optional {@code api-key-sid} + {@code api-key-secret},
 * {@code default-from}, {@code public-base-url}, optional {@code media-url}, {@code api-base-url},
 * {@code allow-insecure-urls}, {@code voice-path}, {@code status-path}, {@code stream-status-path},
 * {@code amd-path}, {@code media-path}, {@code stream-token-ttl}. Stateless and thread-safe.
 */
public final class TwilioVoiceBackendProvider implements VoiceBackendProvider {
  /** Creates the provider (ServiceLoader). */
  public TwilioVoiceBackendProvider() {}

  @Override
  public String name() {
    return TwilioEngine.NAME;
  }

  @Override
  public VoiceBackend create(ProviderConfig config) {
    TwilioVoiceBackend.Builder b =
        TwilioVoiceBackend.builder()
            .accountSid(config.string("account-sid"))
            .authToken(config.secret("auth-token").reveal())
            .publicBaseUrl(config.uri("public-base-url"))
            .allowInsecureUrls(config.bool("allow-insecure-urls", false));
    Optional<String> keySid = config.optional("api-key-sid");
    if (keySid.isPresent()) {
      b.apiKey(keySid.get(), config.secret("api-key-secret").reveal());
    } else if (config.has("api-key-secret")) {
      throw new ConfigurationException("api-key-secret is set but api-key-sid is missing");
    }
    config.optional("default-from").ifPresent(b::defaultFrom);
    if (config.has("media-url")) {
      b.mediaUrl(config.uri("media-url"));
    }
    if (config.has("api-base-url")) {
      b.apiBaseUrl(config.uri("api-base-url"));
    }
    config.optional("voice-path").ifPresent(b::voicePath);
    config.optional("status-path").ifPresent(b::statusPath);
    config.optional("stream-status-path").ifPresent(b::streamStatusPath);
    config.optional("amd-path").ifPresent(b::amdPath);
    config.optional("media-path").ifPresent(b::mediaPath);
    if (config.has("stream-token-ttl")) {
      b.streamTokenTtl(config.duration("stream-token-ttl"));
    }
    return b.build();
  }
}
