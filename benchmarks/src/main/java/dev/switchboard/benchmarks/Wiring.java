package dev.switchboard.benchmarks;

import dev.switchboard.agent.openai.realtime.OpenAiRealtimeAgentRuntime;
import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.bridge.VoiceAgentBridge;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.MediaStream;
import java.net.URI;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/** Builds the real bridge, and the OpenAI Realtime runtime against {@link FakeRealtimeAgent}. */
final class Wiring {
  private Wiring() {}

  /**
   * The production bridge, attached to every stream as it starts.
   *
   * @param calls finds a stream's call by id
   */
  static Consumer<MediaStream> realBridge(
      AgentRuntime runtime, AudioFormat agentFormat, Function<String, Call> calls) {
    VoiceAgentBridge bridge =
        VoiceAgentBridge.builder()
            .runtime(runtime)
            .sessionOptions(
                call ->
                    SessionOptions.builder(Capability.AUDIO_STREAMING)
                        .audioFormat(agentFormat)
                        .firstSpeaker(SessionOptions.FirstSpeaker.USER)
                        .callId(call.id())
                        .instructions("call " + call.id())
                        .build())
            .build();
    return stream -> bridge.attach(calls.apply(stream.callId()), stream);
  }

  /** {@link OpenAiRealtimeAgentRuntime} (OkHttp WebSocket) talking to a local fake agent. */
  static LoadHarness.AgentSide websocketAgent(
      Pacer pacer, LoadMetrics metrics, boolean stamped, Function<String, LoadCaller> callers)
      throws InterruptedException {
    FakeRealtimeAgent server = new FakeRealtimeAgent(pacer, metrics, stamped, callers);
    server.startAndWait();
    OpenAiRealtimeAgentRuntime runtime =
        OpenAiRealtimeAgentRuntime.builder()
            .apiKey("sk-load-harness")
            .baseUrl(URI.create("http://127.0.0.1:" + server.getPort() + "/v1"))
            .noInputTranscription()
            .build();
    return new WsAgent(runtime, server);
  }

  /** The runtime and the fake agent it talks to. */
  record WsAgent(OpenAiRealtimeAgentRuntime runtime, FakeRealtimeAgent server)
      implements LoadHarness.AgentSide {
    @Override
    public Set<Long> loadThreads() {
      return server.threads();
    }

    @Override
    public void close() {
      runtime.close();
      try {
        server.stop(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
