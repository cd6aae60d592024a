package dev.switchboard.core.bridge;

import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallDirection;
import dev.switchboard.core.voice.CallState;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.core.voice.TransferTarget;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A call that records the actions taken on it. */
final class FakeCall implements Call {
  final AtomicInteger hangUps = new AtomicInteger();
  final List<TransferTarget> transfers = new CopyOnWriteArrayList<>();
  final List<String> dtmf = new CopyOnWriteArrayList<>();
  volatile CallState state = CallState.IN_PROGRESS;

  @Override
  public String id() {
    return "CA1";
  }

  @Override
  public CallDirection direction() {
    return CallDirection.INBOUND;
  }

  @Override
  public String from() {
    return "+14155550100";
  }

  @Override
  public String to() {
    return "+14155550199";
  }

  @Override
  public CallState state() {
    return state;
  }

  @Override
  public Instant createdAt() {
    return Instant.parse("2025-01-01T00:00:00Z");
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
    return Map.of();
  }

  @Override
  public Optional<MediaStream> mediaStream() {
    return Optional.empty();
  }

  @Override
  public CompletableFuture<Void> hangUp() {
    hangUps.incrementAndGet();
    state = CallState.COMPLETED;
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> transfer(TransferTarget target) {
    transfers.add(target);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> sendDtmf(String digits) {
    dtmf.add(digits);
    return CompletableFuture.completedFuture(null);
  }
}
