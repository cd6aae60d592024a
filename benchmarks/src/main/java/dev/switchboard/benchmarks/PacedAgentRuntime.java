package dev.switchboard.benchmarks;

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
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process {@link AgentRuntime} double for load: each session counts the caller's audio as it
 * arrives and speaks without pause, one 20 ms chunk per frame from a shared {@link Pacer}, in
 * back-to-back responses. Used with {@code --agent inprocess} to measure the bridge and the
 * telephony side without any agent protocol. Events are delivered on one thread of the runtime
 * ({@code sut-agent-events}), as a real runtime delivers them on its socket's thread, so the
 * bridge's agent → caller work is counted as the system under test's, not the load generator's.
 */
final class PacedAgentRuntime implements AgentRuntime {
  private final Pacer pacer;
  private final LoadMetrics metrics;
  private final boolean stamped;
  private final AudioFormat format;
  private final ExecutorService events =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sut-agent-events");
            t.setDaemon(true);
            return t;
          });
  private final java.util.function.Function<String, LoadCaller> callers;
  private final AtomicLong ids = new AtomicLong();

  PacedAgentRuntime(
      Pacer pacer,
      LoadMetrics metrics,
      AudioFormat format,
      java.util.function.Function<String, LoadCaller> callers) {
    this.callers = callers;
    this.pacer = pacer;
    this.metrics = metrics;
    this.format = format;
    this.stamped = format.equals(AudioFormat.PCMU_8K);
  }

  @Override
  public String name() {
    return "paced";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.AUDIO_STREAMING);
  }

  @Override
  public CompletableFuture<AgentSession> openSession(
      SessionOptions options, AgentSession.Listener listener) {
    Session s = new Session(listener);
    LoadCaller caller = options.call().map(callers).orElse(null);
    if (caller != null) {
      s.callerUp = caller.up;
      s.down = caller.down();
      pacer.add(s);
      caller.startMedia();
    }
    return CompletableFuture.completedFuture(s);
  }

  @Override
  public HealthStatus health() {
    return HealthStatus.of(HealthStatus.Check.healthy("paced"));
  }

  @Override
  public void close() {
    events.shutdownNow();
  }

  private final class Session implements AgentSession, Pacer.Ticker {
    private final AgentSession.Listener listener;
    private final String id = "sess_" + ids.incrementAndGet();
    private final FrameLog own = new FrameLog();
    private final byte[] frame;
    private final String silence;
    volatile FrameLog callerUp;
    volatile FrameLog down = new FrameLog();
    volatile boolean open = true;
    private String responseId;
    private String itemId;
    private int framesInResponse;

    Session(AgentSession.Listener listener) {
      this.listener = listener;
      frame = new byte[format.equals(AudioFormat.PCMU_8K) ? 160 : 960];
      silence = Base64.getEncoder().encodeToString(frame);
    }

    @Override
    public void tick(long now) {
      if (!open) {
        pacer.remove(this);
        return;
      }
      if (responseId == null) {
        long n = ids.incrementAndGet();
        responseId = "resp_" + n;
        itemId = "item_" + n;
        framesInResponse = 0;
      }
      long seq = down.sending(now);
      metrics.agentFramesSent.increment();
      AudioChunk chunk;
      if (stamped) {
        Json.stamp(frame, seq);
        chunk = AudioChunk.ofBase64(format, Base64.getEncoder().encodeToString(frame));
      } else {
        chunk = AudioChunk.ofBase64(format, silence);
      }
      AgentAudio audio = new AgentAudio(chunk, responseId, itemId);
      boolean done = ++framesInResponse >= FakeRealtimeAgent.RESPONSE_FRAMES;
      String rid = responseId;
      if (done) {
        responseId = null;
      }
      events.execute(
          () -> {
            listener.onAudio(audio);
            if (done) {
              listener.onResponseDone(rid);
            }
          });
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Capability mode() {
      return Capability.AUDIO_STREAMING;
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
      long now = System.nanoTime();
      FrameLog log = callerUp != null ? callerUp : own;
      int frameBytes = frame.length;
      int frames;
      if (stamped && audio.size() == frameBytes) {
        frames = log.receivedStamped(Json.sequenceOf(audio.base64(), 0), now, metrics.toAgent);
      } else {
        frames = log.received(audio.size(), frameBytes, now, metrics.toAgent);
      }
      metrics.agentFramesReceived.add(frames);
      return open;
    }

    @Override
    public boolean sendText(String text) {
      return open;
    }

    @Override
    public boolean sendToolResult(ToolResult result) {
      return open;
    }

    @Override
    public boolean truncate(String itemId, Duration heard) {
      metrics.agentOtherEvents.increment();
      return true;
    }

    @Override
    public boolean cancelResponse() {
      return true;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public CompletableFuture<Void> close() {
      if (open) {
        open = false;
        pacer.remove(this);
        events.execute(() -> listener.onClosed(CloseReason.of(CloseReason.Code.NORMAL, "closed")));
      }
      return CompletableFuture.completedFuture(null);
    }
  }
}
