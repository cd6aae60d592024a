package dev.switchboard.agent.ultravox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.CloseReason;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.Speaker;
import dev.switchboard.testing.RecordingAgentListener;
import dev.switchboard.testing.RecordingAgentListener.Event;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Streaming sessions against a scripted Ultravox (a MockWebServer answering the call creation and
 * then upgrading the join URL) that misbehaves in ways FakeUltravox does not: malformed messages,
 * odd-length audio frames, a peer that never answers a close, an abnormal close code.
 */
class ScriptedJoinServerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final MockWebServer server = new MockWebServer();
  private final CompletableFuture<WebSocket> serverSide = new CompletableFuture<>();
  private UltravoxAgentRuntime runtime;

  /** Starts the server: 201 for the call, then the join URL's upgrade with {@code onOpen}. */
  private void start(boolean answerClose, Consumer<WebSocket> onOpen) throws Exception {
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    String joinUrl = "ws://127.0.0.1:" + server.getPort() + "/calls/c-1/server_web_socket";
    server.enqueue(
        new MockResponse.Builder()
            .code(201)
            .addHeader("Content-Type", "application/json")
            .body(
                "{\"callId\":\"c-1\",\"joinUrl\":\""
                    + joinUrl
                    + "\",\"metadata\":{},\"medium\":{\"serverWebSocket\":"
                    + "{\"inputSampleRate\":8000,\"outputSampleRate\":8000}}}")
            .build());
    server.enqueue(
        new MockResponse.Builder()
            .webSocketUpgrade(
                new WebSocketListener() {
                  @Override
                  public void onOpen(WebSocket ws, okhttp3.Response response) {
                    serverSide.complete(ws);
                    onOpen.accept(ws);
                  }

                  @Override
                  public void onClosing(WebSocket ws, int code, String reason) {
                    if (answerClose) {
                      ws.close(1000, null);
                    }
                  }
                })
            .build());
    runtime =
        UltravoxAgentRuntime.builder()
            .apiKey("abcdefgh.0123456789abcdef0123456789abcdef")
            .baseUrl(server.url("/").uri())
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    if (runtime != null) {
      runtime.close();
    }
    serverSide.thenAccept(
        ws -> {
          ws.close(1000, null);
          ws.cancel();
        });
    server.close();
  }

  private AgentSession open(RecordingAgentListener listener) throws Exception {
    return runtime
        .openSession(
            SessionOptions.builder(Capability.AUDIO_STREAMING)
                .firstSpeaker(SessionOptions.FirstSpeaker.USER)
                .build(),
            listener)
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void malformedMessagesAreReportedAndTheSessionGoesOn() throws Exception {
    start(
        true,
        ws -> {
          ws.send("{not json");
          ws.send("{\"no\":\"type\"}");
          ws.send("[1,2,3]");
          ws.send("{\"type\":\"transcript\",\"role\":\"narrator\",\"text\":\"x\",\"final\":true}");
          ws.send("{\"type\":\"client_tool_invocation\",\"toolName\":\"t\"}");
          ws.send("{\"type\":\"something_new\",\"detail\":1}");
          // Audio split at an odd byte: the two halves make whole samples.
          ws.send(ByteString.of((byte) 1, (byte) 2, (byte) 3));
          ws.send(ByteString.of((byte) 4));
          ws.send(
              "{\"type\":\"transcript\",\"role\":\"user\",\"text\":\"still here\","
                  + "\"final\":true,\"ordinal\":0}");
        });
    RecordingAgentListener listener = new RecordingAgentListener();
    AgentSession session = open(listener);

    assertThat(listener.awaitTranscript(Speaker.USER, t -> true).text()).isEqualTo("still here");
    assertThat(listener.events())
        .filteredOn(Event.Error.class::isInstance)
        .hasSize(5)
        .allSatisfy(
            e -> {
              assertThat(((Event.Error) e).error()).isInstanceOf(ProviderException.class);
              assertThat(((Event.Error) e).error().getMessage()).contains("malformed");
            });
    assertThat(listener.audio()).containsExactly(1, 2, 3, 4);
    assertThat(session.isOpen()).isTrue();
    assertThat(listener.closeCount()).isZero();

    session.close().get(5, TimeUnit.SECONDS);
    assertThat(listener.awaitClosed().code()).isEqualTo(CloseReason.Code.NORMAL);
    listener.assertContractKept();
  }

  @Test
  void responsesAreDelimitedByClearsFinalTranscriptsAndStates() throws Exception {
    ByteString twoSamples = ByteString.of((byte) 1, (byte) 0, (byte) 2, (byte) 0);
    start(
        true,
        ws -> {
          ws.send(twoSamples); // the first response
          ws.send(twoSamples);
          ws.send("{\"type\":\"playback_clear_buffer\"}"); // barge-in: it is over
          ws.send(twoSamples); // so this is a new one
          ws.send(
              "{\"type\":\"transcript\",\"role\":\"agent\",\"medium\":\"voice\","
                  + "\"text\":\"Sure.\",\"final\":true,\"ordinal\":3}");
          ws.send(twoSamples); // audio after the agent's final transcript: a new response
          ws.send("{\"type\":\"state\",\"state\":\"speaking\"}");
          ws.send(twoSamples);
          ws.send("{\"type\":\"state\",\"state\":\"listening\"}"); // it is done
          ws.send("{\"type\":\"state\",\"state\":\"thinking\"}"); // the caller's turn ended
          ws.send("{\"type\":\"state\",\"state\":\"listening\"}"); // a turn without audio
          ws.send(
              "{\"type\":\"transcript\",\"role\":\"user\",\"medium\":\"text\","
                  + "\"delta\":\"the \",\"final\":false,\"ordinal\":4}");
          ws.send(
              "{\"type\":\"transcript\",\"role\":\"user\",\"medium\":\"text\","
                  + "\"delta\":\"end\",\"final\":true,\"ordinal\":4}");
        });
    RecordingAgentListener listener = new RecordingAgentListener();
    open(listener);
    assertThat(listener.awaitTranscript(Speaker.USER, t -> true).text()).isEqualTo("the end");

    List<String> seen = new ArrayList<>();
    for (Event e : listener.events()) {
      if (e instanceof Event.Audio a) {
        seen.add("audio " + a.audio().responseId() + " " + a.audio().itemId());
      } else if (e instanceof Event.ResponseDone d) {
        seen.add("done " + d.responseId());
      } else if (e instanceof Event.UserSpeechStarted) {
        seen.add("speech started");
      } else if (e instanceof Event.UserSpeechStopped) {
        seen.add("speech stopped");
      } else if (e instanceof Event.TranscriptReceived t) {
        seen.add(
            (t.transcript().isFinal() ? "final " : "partial ")
                + t.transcript().itemId()
                + " "
                + t.transcript().text());
      }
    }
    assertThat(seen)
        .containsExactly(
            "audio response-1 response-1-audio",
            "audio response-1 response-1-audio",
            "speech started",
            "done response-1",
            "audio response-2 response-2-audio",
            "final agent-3 Sure.",
            "done response-2",
            "audio response-3 response-3-audio",
            "audio response-3 response-3-audio",
            "done response-3",
            "speech stopped",
            "done response-4",
            "partial user-4 the ",
            "final user-4 the end");
    assertThat(listener.events()).noneMatch(Event.Error.class::isInstance);
  }

  @Test
  void closeIsBoundedWhenUltravoxNeverAnswers() throws Exception {
    start(false, ws -> {});
    RecordingAgentListener listener = new RecordingAgentListener();
    AgentSession session = open(listener);
    serverSide.get(10, TimeUnit.SECONDS);

    session.close().get(5, TimeUnit.SECONDS);
    CloseReason reason = listener.awaitClosed();
    assertThat(reason.code()).isEqualTo(CloseReason.Code.NORMAL);
    assertThat(reason.detail()).contains("did not answer");
    assertThat(session.isOpen()).isFalse();
    listener.assertContractKept();
  }

  @Test
  void anAbnormalCloseByUltravoxIsAnError() throws Exception {
    start(true, ws -> ws.close(1011, "internal error"));
    RecordingAgentListener listener = new RecordingAgentListener();
    open(listener);
    CloseReason reason = listener.awaitClosed();
    assertThat(reason.code()).isEqualTo(CloseReason.Code.ERROR);
    assertThat(reason.detail()).contains("1011");
    listener.assertContractKept();
  }
}
