package dev.switchboard.benchmarks;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.G711;
import dev.switchboard.codec.Pcm16;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.agent.AgentAudio;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.ToolResult;
import dev.switchboard.core.bridge.BridgeMetrics;
import dev.switchboard.core.bridge.BridgedCall;
import dev.switchboard.core.bridge.VoiceAgentBridge;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallDirection;
import dev.switchboard.core.voice.CallState;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.core.voice.TransferTarget;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The CPU cost of {@link VoiceAgentBridge} itself per 20 ms frame, without sockets: one call is
 * attached to in-process doubles, a phone ({@link InstantPhone}: sends cost nothing and every mark
 * is echoed back at once, as if the audio played instantly) and an agent ({@link InstantAgent}: its
 * session takes caller audio and does nothing with it, and hands its listener to the benchmark,
 * which pushes {@link AgentAudio} deltas into the bridge).
 *
 * <p>Each invocation is one frame as a transport would hand it over: a fresh {@link
 * AudioChunk#ofBase64} (the base64 text is made once; the chunk decodes it lazily, so transcoding
 * pays for the decode and pass-through does not). Agent audio is one response and one item for the
 * whole run. The pass-through benchmarks open the session in μ-law 8 kHz, as the phone; the
 * transcoding ones in PCM16 24 kHz (960-byte chunks), so the bridge converts each direction.
 */
public class BridgeBenchmark extends FrameBenchmark {

  /** Caller → agent, μ-law both sides: stream listener → bridge → {@code session.sendAudio}. */
  @Benchmark
  public boolean callerToAgentPassThrough(PassThroughLine line) {
    return line.callerSpeaks();
  }

  /** Agent → caller, μ-law both sides: session listener → bridge → phone audio, mark, echo. */
  @Benchmark
  public int agentToCallerPassThrough(PassThroughLine line) {
    return line.agentSpeaks();
  }

  /** Caller → agent, μ-law 8 kHz transcoded to PCM16 24 kHz by the bridge. */
  @Benchmark
  public boolean callerToAgentTranscode(TranscodingLine line) {
    return line.callerSpeaks();
  }

  /** Agent → caller, PCM16 24 kHz transcoded to μ-law 8 kHz by the bridge, mark and echo. */
  @Benchmark
  public int agentToCallerTranscode(TranscodingLine line) {
    return line.agentSpeaks();
  }

  /** One bridged call whose session speaks μ-law 8 kHz, as the phone: no transcoding. */
  @State(Scope.Thread)
  public static class PassThroughLine extends Line {
    /** Opens the session in the phone's format. */
    public PassThroughLine() {
      super(AudioFormat.PCMU_8K);
    }
  }

  /** One bridged call whose session speaks PCM16 24 kHz: both directions transcoded. */
  @State(Scope.Thread)
  public static class TranscodingLine extends Line {
    /** Opens the session in PCM16 24 kHz. */
    public TranscodingLine() {
      super(AudioFormat.PCM16_24K);
    }
  }

  /** A bridge with one call attached to the doubles, and one frame of audio each way. */
  public abstract static class Line {
    private final AudioFormat agentFormat;
    private VoiceAgentBridge bridge;
    private BridgedCall call;
    private InstantPhone phone;
    private InstantAgent agent;
    private String callerFrame;
    private String agentFrame;

    Line(AudioFormat agentFormat) {
      this.agentFormat = agentFormat;
    }

    /** Builds the bridge and attaches the call; makes speech-level noise for both directions. */
    @Setup(Level.Trial)
    public void attach() {
      Random random = new Random(42);
      short[] samples = new short[480];
      for (int i = 0; i < samples.length; i++) {
        samples[i] = (short) (random.nextGaussian() * 4000);
      }
      byte[] ulaw = new byte[160];
      G711.encodeUlaw(samples, 0, ulaw, 0, 160);
      callerFrame = Base64.getEncoder().encodeToString(ulaw);
      if (agentFormat.equals(AudioFormat.PCMU_8K)) {
        agentFrame = callerFrame;
      } else {
        byte[] pcm = new byte[960];
        Pcm16.toBytes(samples, 0, pcm, 0, 480);
        agentFrame = Base64.getEncoder().encodeToString(pcm);
      }
      phone = new InstantPhone();
      agent = new InstantAgent();
      bridge =
          VoiceAgentBridge.builder()
              .runtime(agent)
              .sessionOptions(
                  SessionOptions.builder(Capability.AUDIO_STREAMING)
                      .audioFormat(agentFormat)
                      .build())
              .build();
      call = bridge.attach(new IdleCall(), phone).join();
      if (call == null || agent.listener == null || phone.listener == MediaStream.Listener.NONE) {
        throw new IllegalStateException("the call was not attached");
      }
    }

    /**
     * Checks that every frame went through (none dropped, every mark echoed), then detaches the
     * call and stops the bridge's threads.
     */
    @TearDown(Level.Trial)
    public void close() {
      BridgeMetrics m = call.metrics();
      bridge.close();
      if (m.framesDropped() != 0
          || m.framesToAgent() != agent.session.received
          || m.framesToCaller() != phone.echoed) {
        throw new IllegalStateException(
            "frames lost: "
                + m
                + ", received "
                + agent.session.received
                + ", echoed "
                + phone.echoed);
      }
    }

    boolean callerSpeaks() {
      phone.listener.onAudio(AudioChunk.ofBase64(AudioFormat.PCMU_8K, callerFrame));
      return agent.session.received > 0;
    }

    int agentSpeaks() {
      agent.listener.onAudio(
          new AgentAudio(AudioChunk.ofBase64(agentFormat, agentFrame), "resp_1", "item_1"));
      return phone.echoed;
    }
  }

  /** A phone that plays everything at once: sends succeed, each mark is echoed right back. */
  static final class InstantPhone implements MediaStream {
    volatile Listener listener = Listener.NONE;
    int echoed;

    @Override
    public String id() {
      return "MZ1";
    }

    @Override
    public String callId() {
      return "CA1";
    }

    @Override
    public AudioFormat format() {
      return AudioFormat.PCMU_8K;
    }

    @Override
    public Map<String, String> parameters() {
      return Map.of();
    }

    @Override
    public void setListener(Listener listener) {
      this.listener = listener;
    }

    @Override
    public boolean sendAudio(AudioChunk audio) {
      return true;
    }

    @Override
    public boolean sendMark(String name) {
      echoed++;
      listener.onMark(name);
      return true;
    }

    @Override
    public boolean clear() {
      return true;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public CompletableFuture<Void> close() {
      return CompletableFuture.completedFuture(null);
    }
  }

  /** An agent runtime whose one session keeps its listener for the benchmark to drive. */
  static final class InstantAgent implements AgentRuntime {
    volatile AgentSession.Listener listener;
    volatile Session session;

    @Override
    public String name() {
      return "instant";
    }

    @Override
    public Set<Capability> capabilities() {
      return Set.of(Capability.AUDIO_STREAMING);
    }

    @Override
    public CompletableFuture<AgentSession> openSession(
        SessionOptions options, AgentSession.Listener listener) {
      AudioFormat format = options.audioFormat();
      Session s = new Session(format != null ? format : AudioFormat.PCMU_8K);
      this.listener = listener;
      this.session = s;
      return CompletableFuture.completedFuture(s);
    }

    @Override
    public HealthStatus health() {
      return HealthStatus.of(HealthStatus.Check.healthy("instant"));
    }

    @Override
    public void close() {}

    /** Counts the caller's frames and nothing else. */
    static final class Session implements AgentSession {
      private final AudioFormat format;
      long received;

      Session(AudioFormat format) {
        this.format = format;
      }

      @Override
      public String id() {
        return "sess_1";
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
        received++;
        return true;
      }

      @Override
      public boolean sendText(String text) {
        return true;
      }

      @Override
      public boolean sendToolResult(ToolResult result) {
        return true;
      }

      @Override
      public boolean truncate(String itemId, Duration heard) {
        return true;
      }

      @Override
      public boolean cancelResponse() {
        return true;
      }

      @Override
      public boolean isOpen() {
        return true;
      }

      @Override
      public CompletableFuture<Void> close() {
        return CompletableFuture.completedFuture(null);
      }
    }
  }

  /** A call that stays up and ignores actions. */
  static final class IdleCall implements Call {
    private static final Instant CREATED = Instant.parse("2026-11-21T00:00:00Z");

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
      return CallState.IN_PROGRESS;
    }

    @Override
    public Instant createdAt() {
      return CREATED;
    }

    @Override
    public Optional<Instant> answeredAt() {
      return Optional.of(CREATED);
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
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> transfer(TransferTarget target) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> sendDtmf(String digits) {
      return CompletableFuture.completedFuture(null);
    }
  }
}
