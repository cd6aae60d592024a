package dev.switchboard.core.spi;

import dev.switchboard.core.ConnectionState;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallListener;
import dev.switchboard.core.voice.CallRequest;
import dev.switchboard.core.voice.TransferTarget;
import dev.switchboard.core.voice.VoiceBackend;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A voice backend that only remembers how it was created: what the test providers return, so that
 * tests can check which provider built it and with which configuration. It places no calls.
 */
public final class FakeVoiceBackend implements VoiceBackend {
  private final String name;
  private final ProviderConfig config;

  public FakeVoiceBackend(String name, ProviderConfig config) {
    this.name = name;
    this.config = config;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void start() {}

  @Override
  public CompletableFuture<Void> stop(Duration grace) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public ConnectionState connectionState() {
    return ConnectionState.STOPPED;
  }

  @Override
  public HealthStatus health() {
    return HealthStatus.of(List.of());
  }

  @Override
  public ProviderConfig configuration() {
    return config;
  }

  @Override
  public void reconfigure(ProviderConfig changes) {
    throw new UnsupportedOperationException("test fake");
  }

  @Override
  public CompletableFuture<Call> placeCall(CallRequest request) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("test fake"));
  }

  @Override
  public Optional<Call> call(String callId) {
    return Optional.empty();
  }

  @Override
  public List<Call> calls() {
    return List.of();
  }

  @Override
  public int activeCallCount() {
    return 0;
  }

  @Override
  public CompletableFuture<Void> hangUp(String callId) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> transfer(String callId, TransferTarget target) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("test fake"));
  }

  @Override
  public CompletableFuture<Void> sendDtmf(String callId, String digits) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("test fake"));
  }

  @Override
  public void addListener(CallListener listener) {}

  @Override
  public void removeListener(CallListener listener) {}
}
