package dev.switchboard.core.bridge;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.agent.AgentAudio;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.ToolResult;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** An agent runtime whose sessions record what they are sent and emit what the test scripts. */
final class ScriptedAgentRuntime implements AgentRuntime {
  /** Which format the sessions speak; null = the format asked for in the options. */
  @Nullable AudioFormat sessionFormat;

  @Nullable RuntimeException failOpen;
  final List<ScriptedSession> sessions = new CopyOnWriteArrayList<>();

  @Override
  public String name() {
    return "scripted";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.AUDIO_STREAMING);
  }

  @Override
  public CompletableFuture<AgentSession> openSession(
      SessionOptions options, AgentSession.Listener listener) {
    if (failOpen != null) {
      return CompletableFuture.failedFuture(failOpen);
    }
    AudioFormat f = sessionFormat != null ? sessionFormat : options.audioFormat();
    ScriptedSession s = new ScriptedSession("sess" + sessions.size(), options, listener, f);
    sessions.add(s);
    return CompletableFuture.completedFuture(s);
  }

  ScriptedSession session() {
    return sessions.get(sessions.size() - 1);
  }

  @Override
  public HealthStatus health() {
    return HealthStatus.of(List.of());
  }

  @Override
  public void close() {}

  record Truncation(String itemId, Duration heard) {}

  static final class ScriptedSession implements AgentSession {
    final String id;
    final SessionOptions options;
    final AgentSession.Listener listener;
    final AudioFormat format;
    final List<AudioChunk> audio = new CopyOnWriteArrayList<>();
    final List<ToolResult> toolResults = new CopyOnWriteArrayList<>();
    final List<Truncation> truncations = new CopyOnWriteArrayList<>();
    final AtomicInteger cancels = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    private volatile boolean open = true;
    private boolean closedTold;

    ScriptedSession(
        String id, SessionOptions options, AgentSession.Listener listener, AudioFormat format) {
      this.id = id;
      this.options = options;
      this.listener = listener;
      this.format = format;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Capability mode() {
      return options.mode();
    }

    @Override
    public AudioFormat inputFormat() {
      return format;
    }

    @Override
    public AudioFormat outputFormat() {
      return format;
    }

    @Override
    public Optional<URI> joinUrl() {
      return Optional.empty();
    }

    @Override
    public boolean sendAudio(AudioChunk audio) {
      this.audio.add(audio);
      return open;
    }

    @Override
    public boolean sendText(String text) {
      return open;
    }

    @Override
    public boolean sendToolResult(ToolResult result) {
      toolResults.add(result);
      return open;
    }

    @Override
    public boolean truncate(String itemId, Duration heard) {
      truncations.add(new Truncation(itemId, heard));
      return open;
    }

    @Override
    public boolean cancelResponse() {
      cancels.incrementAndGet();
      return true;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public CompletableFuture<Void> close() {
      closes.incrementAndGet();
      end(CloseReason.of(CloseReason.Code.NORMAL, "closed"));
      return CompletableFuture.completedFuture(null);
    }

    /** The service ends the session (once). */
    void end(CloseReason reason) {
      synchronized (this) {
        if (closedTold) {
          return;
        }
        closedTold = true;
        open = false;
      }
      listener.onClosed(reason);
    }

    /** The agent speaks: one delta of the given length in the session's format. */
    AudioChunk speak(String responseId, String itemId, int ms) {
      byte[] data = new byte[format.bytesPer(Duration.ofMillis(ms))];
      java.util.Arrays.fill(data, format.encoding().silence());
      AudioChunk chunk = AudioChunk.wrap(format, data);
      listener.onAudio(new AgentAudio(chunk, responseId, itemId));
      return chunk;
    }

    List<AudioChunk> speakFor(String responseId, String itemId, int totalMs, int deltaMs) {
      List<AudioChunk> chunks = new ArrayList<>();
      for (int t = 0; t < totalMs; t += deltaMs) {
        chunks.add(speak(responseId, itemId, Math.min(deltaMs, totalMs - t)));
      }
      return chunks;
    }
  }
}
