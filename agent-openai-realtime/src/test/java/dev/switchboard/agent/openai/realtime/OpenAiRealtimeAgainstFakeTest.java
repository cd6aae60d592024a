package dev.switchboard.agent.openai.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.G711;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.agent.ToolCall;
import dev.switchboard.core.agent.ToolDefinition;
import dev.switchboard.core.agent.ToolResult;
import dev.switchboard.core.spi.ProviderCatalog;
import dev.switchboard.core.spi.ProviderConfig;
import dev.switchboard.testing.RecordingAgentListener;
import dev.switchboard.testing.RecordingAgentListener.Event;
import dev.switchboard.testing.openai.FakeOpenAiRealtimeServer;
import dev.switchboard.testing.openai.Reply;
import dev.switchboard.testing.openai.SessionRecord;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** End to end against the fake OpenAI Realtime server of the testing module. */
class OpenAiRealtimeAgainstFakeTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private FakeOpenAiRealtimeServer fake;
  private OpenAiRealtimeAgentRuntime runtime;

  private void start(FakeOpenAiRealtimeServer.Builder builder) {
    fake = builder.apiKey("sk-test").pace(20).build();
    fake.start();
    runtime =
        OpenAiRealtimeAgentRuntime.builder().apiKey("sk-test").baseUrl(fake.baseUrl()).build();
  }

  @AfterEach
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
    if (fake != null) {
      fake.close();
    }
  }

  private static SessionOptions.Builder phone() {
    return SessionOptions.builder(Capability.AUDIO_STREAMING)
        .audioFormat(AudioFormat.PCMU_8K)
        .firstSpeaker(SessionOptions.FirstSpeaker.USER);
  }

  /** 20 ms μ-law frames: a loud 440 Hz tone, then silence. */
  private static void speak(AgentSession session, Duration speech, Duration silence) {
    int frame = 0;
    for (int n = 0; n < speech.toMillis() / 20; n++, frame++) {
      short[] pcm = new short[160];
      for (int i = 0; i < 160; i++) {
        pcm[i] = (short) (8000 * Math.sin(2 * Math.PI * 440 * (frame * 160 + i) / 8000.0));
      }
      byte[] ulaw = new byte[160];
      G711.encodeUlaw(pcm, 0, ulaw, 0, 160);
      assertThat(
              session.sendAudio(
                  AudioChunk.ofBase64(
                      AudioFormat.PCMU_8K, Base64.getEncoder().encodeToString(ulaw))))
          .isTrue();
    }
    byte[] quiet = new byte[160];
    java.util.Arrays.fill(quiet, G711.ULAW_SILENCE);
    String b64 = Base64.getEncoder().encodeToString(quiet);
    for (int n = 0; n < silence.toMillis() / 20; n++) {
      assertThat(session.sendAudio(AudioChunk.ofBase64(AudioFormat.PCMU_8K, b64))).isTrue();
    }
  }

  @Test
  void aSpokenTurnGetsTranscriptsAndAPassThroughAudioAnswer() throws Exception {
    start(
        FakeOpenAiRealtimeServer.builder()
            .userTranscript("I'd like a table for two")
            .reply(Reply.audio("Sure, at what time?", Duration.ofMillis(800))));
    RecordingAgentListener listener = new RecordingAgentListener();
    AgentSession session = runtime.openSession(phone().build(), listener).get(10, TimeUnit.SECONDS);
    SessionRecord record = fake.awaitSession(TIMEOUT);
    assertThat(record.header("Authorization")).contains("Bearer sk-test");
    assertThat(record.header("OpenAI-Beta")).isEmpty();
    assertThat(record.config().at("/audio/input/format/type").asText()).isEqualTo("audio/pcmu");

    speak(session, Duration.ofMillis(600), Duration.ofMillis(800));

    listener.awaitUserSpeechStarted();
    assertThat(listener.awaitTranscript(Speaker.USER, t -> true).text())
        .isEqualTo("I'd like a table for two");
    String responseId = listener.awaitResponseDone();
    assertThat(listener.awaitTranscript(Speaker.AGENT, t -> true).text())
        .isEqualTo("Sure, at what time?");
    listener.awaitAudioBytes(6400, TIMEOUT); // 800 ms of μ-law
    Event.Audio first =
        listener.events().stream()
            .filter(Event.Audio.class::isInstance)
            .map(Event.Audio.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(first.audio().responseId()).isEqualTo(responseId);
    assertThat(first.audio().itemId()).isNotEmpty();
    assertThat(first.audio().audio().format()).isEqualTo(AudioFormat.PCMU_8K);
    // the delta's base64 is handed on as received
    JsonNode delta = record.serverEvents("response.output_audio.delta").get(0);
    assertThat(first.audio().audio().base64()).isEqualTo(delta.path("delta").asText());
    assertThat(listener.events()).anyMatch(Event.UserSpeechStopped.class::isInstance);

    // the caller heard 300 ms of it
    assertThat(session.truncate(first.audio().itemId(), Duration.ofMillis(300))).isTrue();
    JsonNode truncated = record.awaitServerEvent("conversation.item.truncated", e -> true, TIMEOUT);
    assertThat(truncated.path("audio_end_ms").asInt()).isEqualTo(300);

    session.close().get(5, TimeUnit.SECONDS);
    assertThat(listener.awaitClosed().code()).isEqualTo(CloseReason.Code.NORMAL);
    assertThat(record.awaitClosed(TIMEOUT).code()).isEqualTo(1000);
    assertThat(record.serverEvents("error")).isEmpty();
    listener.assertContractKept();
  }

  @Test
  void aToolCallIsAnsweredAndSpokenWithoutTwoActiveResponses() throws Exception {
    start(
        FakeOpenAiRealtimeServer.builder()
            .reply(Reply.functionCall("book_table", "{\"people\":2}"))
            .reply(Reply.audio("Booked for two.", Duration.ofMillis(400))));
    RecordingAgentListener listener = new RecordingAgentListener();
    ToolDefinition book =
        ToolDefinition.of(
            "book_table",
            "Books a table",
            "{\"type\":\"object\",\"properties\":{\"people\":{\"type\":\"integer\"}}}");
    AgentSession session =
        runtime.openSession(phone().tool(book).build(), listener).get(10, TimeUnit.SECONDS);
    SessionRecord record = fake.awaitSession(TIMEOUT);
    assertThat(record.config().path("tools").get(0).path("name").asText()).isEqualTo("book_table");

    assertThat(session.sendText("Book a table for two")).isTrue();
    ToolCall call = listener.awaitToolCall("book_table");
    assertThat(call.arguments().path("people").asInt()).isEqualTo(2);
    assertThat(session.sendToolResult(ToolResult.success(call.id(), "{\"ok\":true}"))).isTrue();

    assertThat(listener.awaitTranscript(Speaker.AGENT, t -> t.contains("Booked")).text())
        .isEqualTo("Booked for two.");
    assertThat(record.functionCallOutputs()).hasSize(1);
    assertThat(record.functionCallOutputs().get(0).path("call_id").asText()).isEqualTo(call.id());
    assertThat(record.responsesCreated()).isEqualTo(2);
    assertThat(record.serverEvents("error")).isEmpty();
  }

  @Test
  void everySessionShapeIsAcceptedByTheFake() throws Exception {
    start(FakeOpenAiRealtimeServer.builder());
    ToolDefinition tool =
        ToolDefinition.of("t", "a tool", "{\"type\":\"object\",\"properties\":{}}");
    for (SessionOptions options :
        new SessionOptions[] {
          phone().build(),
          phone().audioFormat(AudioFormat.PCM16_16K).tool(tool).build(),
          phone().audioFormat(AudioFormat.PCMA_8K).build(),
          SessionOptions.builder(Capability.TEXT).instructions("Text only.").tool(tool).build()
        }) {
      RecordingAgentListener listener = new RecordingAgentListener();
      AgentSession session = runtime.openSession(options, listener).get(10, TimeUnit.SECONDS);
      session.close().get(5, TimeUnit.SECONDS);
    }
    assertThat(fake.sessions()).hasSize(4);
    assertThat(fake.sessions().get(1).config().at("/audio/output/format/rate").asInt())
        .isEqualTo(24000);
    assertThat(fake.sessions().get(3).config().path("output_modalities").get(0).asText())
        .isEqualTo("text");
    assertThat(fake.sessions()).allMatch(s -> s.serverEvents("error").isEmpty());
  }

  @Test
  void aWrongKeyIsRefused() throws Exception {
    start(FakeOpenAiRealtimeServer.builder());
    OpenAiRealtimeAgentRuntime wrong =
        OpenAiRealtimeAgentRuntime.builder().apiKey("sk-wrong").baseUrl(fake.baseUrl()).build();
    try {
      CompletableFuture<AgentSession> f =
          wrong.openSession(phone().build(), new RecordingAgentListener());
      ExecutionException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      assertThat(e.getCause()).isInstanceOf(ProviderException.class);
      assertThat(((ProviderException) e.getCause()).httpStatus()).isEqualTo(401);
      assertThat(e.getCause().getMessage()).doesNotContain("sk-wrong");
    } finally {
      wrong.close();
    }
  }

  @Test
  void expiryAndDisconnectEndSessionsOnce() throws Exception {
    start(FakeOpenAiRealtimeServer.builder());
    RecordingAgentListener expiring = new RecordingAgentListener();
    runtime.openSession(phone().build(), expiring).get(10, TimeUnit.SECONDS);
    fake.awaitSession(TIMEOUT).expire();
    CloseReason expired = expiring.awaitClosed();
    assertThat(expired.code()).isEqualTo(CloseReason.Code.REMOTE);
    assertThat(expired.detail()).contains("expired");

    RecordingAgentListener dropped = new RecordingAgentListener();
    runtime.openSession(phone().build(), dropped).get(10, TimeUnit.SECONDS);
    fake.sessions().get(1).disconnect();
    assertThat(dropped.awaitClosed().code()).isEqualTo(CloseReason.Code.CONNECTION_LOST);

    assertThat(expiring.closeCount()).isEqualTo(1);
    assertThat(dropped.closeCount()).isEqualTo(1);
    expiring.assertContractKept();
    dropped.assertContractKept();
  }

  @Test
  void theProviderIsFoundByName() throws Exception {
    start(FakeOpenAiRealtimeServer.builder());
    AgentRuntime found =
        ProviderCatalog.load()
            .agentRuntime(
                "openai-realtime",
                ProviderConfig.of(
                    Map.of(
                        "api-key", "sk-test",
                        "base-url", fake.baseUrl().toString(),
                        "model", "gpt-realtime-mini",
                        "voice", "cedar",
                        "instructions", "Be nice.",
                        "input-transcription", "off")));
    try {
      assertThat(found).isInstanceOf(OpenAiRealtimeAgentRuntime.class);
      assertThat(found.name()).isEqualTo("openai-realtime");
      found
          .openSession(phone().build(), new RecordingAgentListener())
          .get(10, TimeUnit.SECONDS)
          .close()
          .get(5, TimeUnit.SECONDS);
      SessionRecord record = fake.awaitSession(TIMEOUT);
      assertThat(record.model()).isEqualTo("gpt-realtime-mini");
      assertThat(record.config().at("/audio/output/voice").asText()).isEqualTo("cedar");
      assertThat(record.config().path("instructions").asText()).isEqualTo("Be nice.");
      assertThat(
              record
                  .lastSessionUpdate()
                  .orElseThrow()
                  .at("/session/audio/input")
                  .has("transcription"))
          .isFalse();
    } finally {
      found.close();
    }
  }

  @Test
  void nothingOfTheRuntimeOutlivesItsClose() throws Exception {
    start(FakeOpenAiRealtimeServer.builder());
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    OpenAiRealtimeAgentRuntime rt =
        OpenAiRealtimeAgentRuntime.builder().apiKey("sk-test").baseUrl(fake.baseUrl()).build();
    for (int i = 0; i < 3; i++) {
      rt.openSession(phone().build(), new RecordingAgentListener()).get(10, TimeUnit.SECONDS);
    }
    rt.close();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Set<Thread> leaked;
    do {
      leaked =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> !before.contains(t) && t.isAlive())
              // OkHttp's and MockWebServer's shared task runners are process-wide and idle out
              .filter(t -> !t.getName().contains("TaskRunner"))
              .filter(t -> !t.getName().startsWith("MockWebServer"))
              .filter(t -> !t.getName().startsWith("fake-openai-realtime")) // the fake's own
              .filter(t -> !t.getName().contains("CompletableFutureDelayScheduler"))
              .collect(Collectors.toSet());
      // Wait for the stragglers to end (a join, not a sleep), up to the deadline.
      for (Thread t : leaked) {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          t.join(Math.max(1, left / 1_000_000));
        }
      }
    } while (leaked.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline);
    assertThat(leaked.stream().filter(Thread::isAlive).map(Thread::getName)).isEmpty();
  }
}
