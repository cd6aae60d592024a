package dev.switchboard.voice.twilio.internal;

import dev.switchboard.core.internal.SerialExecutor;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallDirection;
import dev.switchboard.core.voice.CallState;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.core.voice.TransferTarget;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Not API. A call known to a {@link TwilioEngine}: its state (only ever moving forward), its
 * current media stream and how to open the next one. Thread-safe; actions delegate to the engine.
 */
public final class TwilioCall implements Call {
  private final TwilioEngine engine;
  private final String sid;
  private final CallDirection direction;
  private final String from;
  private final String to;
  private final Instant createdAt;
  private final Map<String, String> parameters;
  final SerialExecutor events;

  final Object lock = new Object();
  // Guarded by lock.
  private CallState state;
  private @Nullable Instant answeredAt;
  private @Nullable Instant endedAt;
  private TwimlFactory.@Nullable StreamTarget streamTarget;
  private final Set<String> startedStreams = new HashSet<>();
  private final Set<String> stoppedStreams = new HashSet<>();
  private boolean redirecting;
  private @Nullable CompletableFuture<Void> hangUp;

  private volatile @Nullable TwilioMediaStream stream;

  TwilioCall(
      TwilioEngine engine,
      String sid,
      CallDirection direction,
      String from,
      String to,
      Instant createdAt,
      Map<String, String> parameters,
      CallState state,
      TwimlFactory.@Nullable StreamTarget streamTarget,
      SerialExecutor events) {
    this.engine = engine;
    this.sid = sid;
    this.direction = direction;
    this.from = from;
    this.to = to;
    this.createdAt = createdAt;
    this.parameters = Map.copyOf(parameters);
    this.state = state;
    this.streamTarget = streamTarget;
    this.events = events;
    if (state == CallState.IN_PROGRESS) {
      answeredAt = createdAt;
    }
    if (state.isTerminal()) {
      endedAt = createdAt;
    }
  }

  @Override
  public String id() {
    return sid;
  }

  @Override
  public CallDirection direction() {
    return direction;
  }

  @Override
  public String from() {
    return from;
  }

  @Override
  public String to() {
    return to;
  }

  @Override
  public CallState state() {
    synchronized (lock) {
      return state;
    }
  }

  @Override
  public Instant createdAt() {
    return createdAt;
  }

  @Override
  public Optional<Instant> answeredAt() {
    synchronized (lock) {
      return Optional.ofNullable(answeredAt);
    }
  }

  @Override
  public Optional<Instant> endedAt() {
    synchronized (lock) {
      return Optional.ofNullable(endedAt);
    }
  }

  @Override
  public Map<String, String> parameters() {
    return parameters;
  }

  @Override
  public Optional<MediaStream> mediaStream() {
    TwilioMediaStream s = stream;
    return s != null && s.isOpen() ? Optional.of(s) : Optional.empty();
  }

  @Override
  public CompletableFuture<Void> hangUp() {
    return engine.hangUp(sid);
  }

  @Override
  public CompletableFuture<Void> transfer(TransferTarget target) {
    return engine.transfer(sid, target);
  }

  @Override
  public CompletableFuture<Void> sendDtmf(String digits) {
    return engine.sendDtmf(sid, digits);
  }

  // ---- engine side; callers hold no lock unless stated ----

  /**
   * Moves to a state if it is newer; must be called with {@link #lock} held.
   *
   * @return the previous state if it moved, else null
   */
  @Nullable CallState moveLocked(CallState next, Instant at) {
    if (!state.canMoveTo(next)) {
      return null;
    }
    CallState previous = state;
    state = next;
    if (next == CallState.IN_PROGRESS && answeredAt == null) {
      answeredAt = at;
    }
    if (next.isTerminal()) {
      endedAt = at;
    }
    return previous;
  }

  boolean isTerminal() {
    synchronized (lock) {
      return state.isTerminal();
    }
  }

  @Nullable Instant endedAtOrNull() {
    synchronized (lock) {
      return endedAt;
    }
  }

  @Nullable TwilioMediaStream currentStream() {
    return stream;
  }

  /** Attaches a started stream; returns the one it replaces, if any. */
  @Nullable TwilioMediaStream attach(TwilioMediaStream s) {
    synchronized (lock) {
      TwilioMediaStream previous = stream;
      stream = s;
      redirecting = false;
      return previous;
    }
  }

  void detach(TwilioMediaStream s) {
    synchronized (lock) {
      if (stream == s) {
        stream = null;
      }
    }
  }

  /** Records a stream start for event dedupe (WebSocket start and stream status callback). */
  boolean firstStart(String streamSid) {
    synchronized (lock) {
      return startedStreams.add(streamSid);
    }
  }

  /** Records a stream stop for event dedupe. */
  boolean firstStop(String streamSid) {
    synchronized (lock) {
      startedStreams.add(streamSid);
      return stoppedStreams.add(streamSid);
    }
  }

  TwimlFactory.@Nullable StreamTarget streamTarget() {
    synchronized (lock) {
      return streamTarget;
    }
  }

  void redirecting(boolean value) {
    synchronized (lock) {
      redirecting = value;
    }
  }

  boolean isRedirecting() {
    synchronized (lock) {
      return redirecting;
    }
  }

  /** Returns the in-flight or completed hang-up, or installs {@code candidate}. */
  CompletableFuture<Void> hangUpFuture(CompletableFuture<Void> candidate) {
    synchronized (lock) {
      if (hangUp != null && !hangUp.isCompletedExceptionally()) {
        return hangUp;
      }
      hangUp = candidate;
      return candidate;
    }
  }

  @Override
  public String toString() {
    return "TwilioCall[" + sid + ", " + direction + ", " + state() + "]";
  }
}
