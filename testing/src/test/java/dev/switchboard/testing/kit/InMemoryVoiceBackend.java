package dev.switchboard.testing.kit;

import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.ConnectionState;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.spi.ProviderConfig;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallDirection;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallListener;
import dev.switchboard.core.voice.CallRequest;
import dev.switchboard.core.voice.CallState;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.core.voice.TransferTarget;
import dev.switchboard.core.voice.VoiceBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A minimal in-process backend that keeps the SPI contract: the kit's own reference. */
class InMemoryVoiceBackend implements VoiceBackend {
  private final Map<String, MemoryCall> calls = new ConcurrentHashMap<>();
  private final List<CallListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile ConnectionState state = ConnectionState.STOPPED;
  private volatile ProviderConfig config =
      ProviderConfig.builder()
          .put("default-from", "+14155550199")
          .put("auth-token", "s3cret-token")
          .build();

  @Override
  public String name() {
    return "in-memory";
  }

  @Override
  public void start() {
    state = ConnectionState.CONNECTED;
  }

  @Override
  public CompletableFuture<Void> stop(Duration grace) {
    state = ConnectionState.STOPPED;
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public ConnectionState connectionState() {
    return state;
  }

  @Override
  public HealthStatus health() {
    return HealthStatus.of(HealthStatus.Check.healthy("memory"));
  }

  @Override
  public ProviderConfig configuration() {
    return config;
  }

  @Override
  public void reconfigure(ProviderConfig changes) {
    for (String key : changes.keys()) {
      if (!Set.of("default-from").contains(key)) {
        throw new ConfigurationException(
            "configuration key '" + key + "' cannot change while running");
      }
    }
    config = config.merge(changes);
  }

  @Override
  public CompletableFuture<Call> placeCall(CallRequest request) {
    if (state != ConnectionState.CONNECTED) {
      return CompletableFuture.failedFuture(new IllegalStateException("backend is not started"));
    }
    MemoryCall call = new MemoryCall(String.format("CA%032d", ids.incrementAndGet()), request);
    calls.put(call.id(), call);
    CallEvent event = new CallEvent.StateChanged(call.id(), null, CallState.QUEUED, Instant.now());
    listeners.forEach(l -> l.onEvent(event));
    return CompletableFuture.completedFuture(call);
  }

  @Override
  public Optional<Call> call(String callId) {
    return Optional.ofNullable(calls.get(callId));
  }

  @Override
  public List<Call> calls() {
    return List.copyOf(calls.values());
  }

  @Override
  public int activeCallCount() {
    return calls.size();
  }

  @Override
  public CompletableFuture<Void> hangUp(String callId) {
    calls.remove(callId);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> transfer(String callId, TransferTarget target) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> sendDtmf(String callId, String digits) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void addListener(CallListener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeListener(CallListener listener) {
    listeners.remove(listener);
  }

  private final class MemoryCall implements Call {
    private final String id;
    private final CallRequest request;
    private final Instant created = Instant.now();

    MemoryCall(String id, CallRequest request) {
      this.id = id;
      this.request = request;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public CallDirection direction() {
      return CallDirection.OUTBOUND;
    }

    @Override
    public String from() {
      return request.fromNumber().orElse(config.string("default-from"));
    }

    @Override
    public String to() {
      return request.to();
    }

    @Override
    public CallState state() {
      return CallState.QUEUED;
    }

    @Override
    public Instant createdAt() {
      return created;
    }

    @Override
    public Optional<Instant> answeredAt() {
      return Optional.empty();
    }

    @Override
    public Optional<Instant> endedAt() {
      return Optional.empty();
    }

    @Override
    public Map<String, String> parameters() {
      return request.parameters();
    }

    @Override
    public Optional<MediaStream> mediaStream() {
      return Optional.empty();
    }

    @Override
    public CompletableFuture<Void> hangUp() {
      return InMemoryVoiceBackend.this.hangUp(id);
    }

    @Override
    public CompletableFuture<Void> transfer(TransferTarget target) {
      return InMemoryVoiceBackend.this.transfer(id, target);
    }

    @Override
    public CompletableFuture<Void> sendDtmf(String digits) {
      return InMemoryVoiceBackend.this.sendDtmf(id, digits);
    }
  }
}
