package dev.switchboard.testing.kit;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.agent.ToolResult;
import dev.switchboard.core.agent.Transcript;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/** An agent that repeats what it is told: the agent kit's own reference runtime. */
final class EchoAgentRuntime implements AgentRuntime {
  private final Set<Capability> capabilities;
  private final CopyOnWriteArrayList<EchoSession> sessions = new CopyOnWriteArrayList<>();

  EchoAgentRuntime(Set<Capability> capabilities) {
    this.capabilities = EnumSet.copyOf(capabilities);
  }

  @Override
  public String name() {
    return "echo";
  }

  @Override
  public Set<Capability> capabilities() {
    return capabilities;
  }

  @Override
  public CompletableFuture<AgentSession> openSession(
      SessionOptions options, AgentSession.Listener listener) {
    if (!capabilities.contains(options.mode())) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("the echo runtime does not support " + options.mode()));
    }
    EchoSession session = new EchoSession(options.mode(), listener);
    sessions.add(session);
    return CompletableFuture.completedFuture(session);
  }

  @Override
  public HealthStatus health() {
    return HealthStatus.of(HealthStatus.Check.healthy("echo"));
  }

  @Override
  public void close() {
    sessions.forEach(EchoSession::close);
  }

  private static final class EchoSession implements AgentSession {
    private final Capability mode;
    private final AgentSession.Listener listener;
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    EchoSession(Capability mode, AgentSession.Listener listener) {
      this.mode = mode;
      this.listener = listener;
    }

    @Override
    public String id() {
      return "echo-" + System.identityHashCode(this);
    }

    @Override
    public Capability mode() {
      return mode;
    }

    @Override
    public AudioFormat inputFormat() {
      return AudioFormat.PCMU_8K;
    }

    @Override
    public AudioFormat outputFormat() {
      return AudioFormat.PCMU_8K;
    }

    @Override
    public Optional<URI> joinUrl() {
      return mode == Capability.TELEPHONY_DIRECT
          ? Optional.of(URI.create("wss://echo.invalid/join"))
          : Optional.empty();
    }

    @Override
    public boolean sendAudio(AudioChunk audio) {
      return open.get();
    }

    @Override
    public boolean sendText(String text) {
      if (!open.get()) {
        return false;
      }
      callbacks.execute(
          () -> {
            listener.onTranscript(new Transcript(Speaker.AGENT, text, true, "item", Instant.now()));
            listener.onResponseDone("response");
          });
      return true;
    }

    @Override
    public boolean sendToolResult(ToolResult result) {
      return open.get();
    }

    @Override
    public boolean truncate(String itemId, Duration heard) {
      return open.get();
    }

    @Override
    public boolean cancelResponse() {
      return open.get();
    }

    @Override
    public boolean isOpen() {
      return open.get();
    }

    @Override
    public CompletableFuture<Void> close() {
      if (open.compareAndSet(true, false)) {
        callbacks.execute(
            () -> {
              listener.onClosed(CloseReason.of(CloseReason.Code.NORMAL, "closed"));
              closed.complete(null);
            });
        callbacks.shutdown();
      }
      return closed;
    }
  }
}
