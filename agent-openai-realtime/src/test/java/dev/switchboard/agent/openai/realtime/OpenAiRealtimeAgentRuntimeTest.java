package dev.switchboard.agent.openai.realtime;

import static dev.switchboard.agent.openai.realtime.ScriptedRealtimeServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.agent.openai.realtime.ScriptedRealtimeServer.Connection;
import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.CodecException;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.SessionException;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.agent.ToolCall;
import dev.switchboard.core.agent.ToolDefinition;
import dev.switchboard.core.agent.ToolResult;
import dev.switchboard.core.agent.Transcript;
import dev.switchboard.testing.RecordingAgentListener;
import dev.switchboard.testing.RecordingAgentListener.Event;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiRealtimeAgentRuntimeTest {
  private static final String KEY = "sk-test-0123456789abcdef";

  private ScriptedRealtimeServer server;
  private OpenAiRealtimeAgentRuntime runtime;

  @BeforeEach
  void start() throws Exception {
    server = new ScriptedRealtimeServer();
    runtime = builder().build();
  }

  @AfterEach
  void stop() {
    runtime.close();
    server.close();
  }

  private OpenAiRealtimeAgentRuntime.Builder builder() {
    return OpenAiRealtimeAgentRuntime.builder().apiKey(KEY).baseUrl(server.baseUrl());
  }

  private static SessionOptions.Builder audio() {
    return SessionOptions.builder(Capability.AUDIO_STREAMING)
        .firstSpeaker(SessionOptions.FirstSpeaker.USER);
  }

  private record Opened(Connection server, RecordingAgentListener listener, AgentSession session) {}

  private Opened open(SessionOptions options) throws Exception {
    return open(runtime, options);
  }

  private Opened open(OpenAiRealtimeAgentRuntime rt, SessionOptions options) throws Exception {
    Connection c = server.accept(true);
    RecordingAgentListener listener = new RecordingAgentListener();
    AgentSession session = rt.openSession(options, listener).get(10, TimeUnit.SECONDS);
    return new Opened(c, listener, session);
  }

  private static Throwable failure(CompletableFuture<?> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  // ---- connection and configuration --------------------------------------------------------

  @Test
  void connectsWithBearerAuthAndNoBetaHeaderToTheModelsRealtimePath() throws Exception {
    Opened o = open(audio().build());
    RecordedRequest request = server.takeRequest();
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
    assertThat(request.getHeaders().get("OpenAI-Beta")).isNull();
    assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/realtime");
    assertThat(request.getUrl().queryParameter("model")).isEqualTo("gpt-realtime");
    assertThat(runtime.socketUrl().toString())
        .startsWith("ws://")
        .endsWith("/v1/realtime?model=gpt-realtime");
    assertThat(o.session().id()).isEqualTo("sess_test1");
    assertThat(o.session().isOpen()).isTrue();
  }

  @Test
  void sessionUpdateForMuLawHasTheExactGaShape() throws Exception {
    Opened o = open(audio().audioFormat(AudioFormat.PCMU_8K).instructions("Be brief.").build());
    JsonNode update = o.server().await("session.update");
    assertThat(update)
        .isEqualTo(
            json(
                """
                {"type":"session.update","session":{
                  "type":"realtime","model":"gpt-realtime","instructions":"Be brief.",
                  "output_modalities":["audio"],
                  "audio":{
                    "input":{"format":{"type":"audio/pcmu"},
                      "turn_detection":{"type":"server_vad","threshold":0.5,
                        "prefix_padding_ms":300,"silence_duration_ms":500,
                        "create_response":true,"interrupt_response":true},
                      "transcription":{"model":"gpt-4o-mini-transcribe"}},
                    "output":{"format":{"type":"audio/pcmu"},"voice":"marin"}}}}
                """));
    assertThat(o.session().inputFormat()).isEqualTo(AudioFormat.PCMU_8K);
    assertThat(o.session().outputFormat()).isEqualTo(AudioFormat.PCMU_8K);
  }

  @Test
  void noFormatMeansMuLawForTelephony() throws Exception {
    Opened o = open(audio().build());
    assertThat(o.server().await("session.update").at("/session/audio/input/format/type").asText())
        .isEqualTo("audio/pcmu");
    assertThat(o.session().inputFormat()).isEqualTo(AudioFormat.PCMU_8K);
  }

  @Test
  void otherFormatsGetA24kPcmSessionTheCallerTranscodesTo() throws Exception {
    Opened o = open(audio().audioFormat(AudioFormat.PCM16_16K).build());
    JsonNode update = o.server().await("session.update");
    JsonNode pcm = json("{\"type\":\"audio/pcm\",\"rate\":24000}");
    assertThat(update.at("/session/audio/input/format")).isEqualTo(pcm);
    assertThat(update.at("/session/audio/output/format")).isEqualTo(pcm);
    assertThat(o.session().inputFormat()).isEqualTo(AudioFormat.PCM16_24K);
    assertThat(o.session().outputFormat()).isEqualTo(AudioFormat.PCM16_24K);
  }

  @Test
  void textSessionsAskForTextOutputOnly() throws Exception {
    Opened o =
        open(SessionOptions.builder(Capability.TEXT).instructions("You answer texts.").build());
    JsonNode update = o.server().await("session.update");
    assertThat(update)
        .isEqualTo(
            json(
                """
                {"type":"session.update","session":{"type":"realtime","model":"gpt-realtime",
                  "instructions":"You answer texts.","output_modalities":["text"]}}
                """));
    assertThat(o.session().mode()).isEqualTo(Capability.TEXT);
    assertThat(o.session().sendAudio(AudioChunk.of(o.session().inputFormat(), new byte[160])))
        .isFalse();
  }

  @Test
  void toolsTurnDetectionTranscriptionVoiceAndContextAreConfigured() throws Exception {
    OpenAiRealtimeAgentRuntime rt =
        builder()
            .model("gpt-realtime-mini")
            .voice("cedar")
            .instructions("default")
            .turnDetection(
                TurnDetection.semanticVad(TurnDetection.Eagerness.LOW).withInterruptResponse(false))
            .noInputTranscription()
            .build();
    try {
      ToolDefinition lookup =
          ToolDefinition.of(
              "lookup_order",
              "Finds an order",
              "{\"type\":\"object\",\"properties\":{\"order\":{\"type\":\"string\"}}}");
      Opened o =
          open(
              rt,
              audio()
                  .voice("sage")
                  .instructions("Hello {{name}}.")
                  .context("name", "Ada")
                  .tool(lookup)
                  .build());
      JsonNode session = o.server().await("session.update").path("session");
      assertThat(session.path("model").asText()).isEqualTo("gpt-realtime-mini");
      assertThat(session.path("instructions").asText()).isEqualTo("Hello Ada.");
      assertThat(session.at("/audio/output/voice").asText()).isEqualTo("sage");
      assertThat(session.at("/audio/input/turn_detection"))
          .isEqualTo(
              json(
                  "{\"type\":\"semantic_vad\",\"eagerness\":\"low\",\"create_response\":true,"
                      + "\"interrupt_response\":false}"));
      assertThat(session.at("/audio/input").has("transcription")).isFalse();
      assertThat(session.path("tools"))
          .isEqualTo(
              json(
                  "[{\"type\":\"function\",\"name\":\"lookup_order\","
                      + "\"description\":\"Finds an order\",\"parameters\":{\"type\":\"object\","
                      + "\"properties\":{\"order\":{\"type\":\"string\"}}}}]"));
      assertThat(session.path("tool_choice").asText()).isEqualTo("auto");
    } finally {
      rt.close();
    }
  }

  @Test
  void noTurnDetectionIsAnExplicitNull() throws Exception {
    OpenAiRealtimeAgentRuntime rt = builder().turnDetection(TurnDetection.none()).build();
    try {
      Opened o = open(rt, audio().build());
      JsonNode input = o.server().await("session.update").at("/session/audio/input");
      assertThat(input.has("turn_detection")).isTrue();
      assertThat(input.path("turn_detection").isNull()).isTrue();
    } finally {
      rt.close();
    }
  }

  @Test
  void anUnsupportedModeIsRefusedByName() {
    CompletableFuture<AgentSession> f =
        runtime.openSession(
            SessionOptions.builder(Capability.TELEPHONY_DIRECT).build(),
            new RecordingAgentListener());
    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(f::join)
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TELEPHONY_DIRECT");
  }

  @Test
  void theAgentSpeaksFirstWithTheGreetingAsResponseInstructions() throws Exception {
    Opened o =
        open(
            SessionOptions.builder(Capability.AUDIO_STREAMING)
                .instructions("You are Bob.")
                .greeting("Hello, this is Bob.")
                .build());
    JsonNode create = o.server().await("response.create");
    assertThat(create.at("/response/instructions").asText())
        .startsWith("You are Bob.")
        .contains("Greet the caller")
        .contains("Hello, this is Bob.");
    assertThat(create.path("event_id").asText()).isNotEmpty();
  }

  // ---- failures to open --------------------------------------------------------------------

  @Test
  void aRefusedKeyFailsNonRetryablyWithoutShowingTheKey() throws Exception {
    server.refuse(
        401,
        "{\"error\":{\"message\":\"Incorrect API key provided: sk-test-*****cdef\","
            + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
    Throwable t = failure(runtime.openSession(audio().build(), new RecordingAgentListener()));
    assertThat(t).isInstanceOf(ProviderException.class);
    ProviderException e = (ProviderException) t;
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.httpStatus()).isEqualTo(401);
    assertThat(e.providerCode()).contains("invalid_api_key");
    assertThat(e.getMessage()).contains("API key").doesNotContain(KEY).doesNotContain("sk-test");
    assertThat(runtime.health().state()).isEqualTo(HealthStatus.State.UNHEALTHY);
  }

  @Test
  void aServerErrorOnConnectIsRetryableAndDegradesHealth() throws Exception {
    server.refuse(503, "{}");
    Throwable t = failure(runtime.openSession(audio().build(), new RecordingAgentListener()));
    assertThat(t).isInstanceOf(ProviderException.class);
    assertThat(((ProviderException) t).isRetryable()).isTrue();
    assertThat(((ProviderException) t).httpStatus()).isEqualTo(503);
    assertThat(runtime.health().state()).isEqualTo(HealthStatus.State.DEGRADED);
  }

  @Test
  void noSessionUpdatedWithinTheTimeoutFailsWithASessionException() throws Exception {
    OpenAiRealtimeAgentRuntime rt = builder().connectTimeout(Duration.ofMillis(500)).build();
    try {
      server.accept(false);
      RecordingAgentListener listener = new RecordingAgentListener();
      Throwable t = failure(rt.openSession(audio().build(), listener));
      assertThat(t).isInstanceOf(SessionException.class).hasMessageContaining("session.updated");
      assertThat(((SessionException) t).isRetryable()).isTrue();
      assertThat(listener.events()).isEmpty();
    } finally {
      rt.close();
    }
  }

  @Test
  void aRefusedConfigurationFailsTheOpen() throws Exception {
    Connection c = server.accept(false);
    CompletableFuture<AgentSession> f =
        runtime.openSession(audio().build(), new RecordingAgentListener());
    c.await("session.update");
    c.send(
        "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
            + "\"code\":\"invalid_value\",\"message\":\"bad voice\"}}");
    Throwable t = failure(f);
    assertThat(t).isInstanceOf(ProviderException.class).hasMessageContaining("invalid_value");
  }

  // ---- audio -------------------------------------------------------------------------------

  @Test
  void callerMuLawIsForwardedAsTheVeryBase64ItArrivedAs() throws Exception {
    Opened o = open(audio().build());
    byte[] mulaw = new byte[160];
    for (int i = 0; i < mulaw.length; i++) {
      mulaw[i] = (byte) (i * 7);
    }
    String payload = java.util.Base64.getEncoder().encodeToString(mulaw);
    AudioChunk chunk = AudioChunk.ofBase64(AudioFormat.PCMU_8K, payload);
    assertThat(o.session().sendAudio(chunk)).isTrue();
    JsonNode append = o.server().await("input_audio_buffer.append");
    assertThat(append.path("audio").asText()).isEqualTo(payload);
    assertThat(o.server().raw())
        .contains("{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + payload + "\"}");
  }

  @Test
  void audioInAnotherFormatIsRefused() throws Exception {
    Opened o = open(audio().build());
    assertThatThrownBy(
            () -> o.session().sendAudio(AudioChunk.of(AudioFormat.PCM16_24K, new byte[480])))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("PCM");
  }

  @Test
  void audioDeltasArriveWithTheirResponseAndItemIds() throws Exception {
    Opened o = open(audio().build());
    String delta = java.util.Base64.getEncoder().encodeToString(new byte[800]);
    o.server().send("{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\"}}");
    o.server()
        .send(
            "{\"type\":\"response.output_audio.delta\",\"response_id\":\"resp_1\","
                + "\"item_id\":\"item_1\",\"output_index\":0,\"content_index\":0,\"delta\":\""
                + delta
                + "\"}");
    o.listener().awaitAudioBytes(800, Duration.ofSeconds(10));
    Event.Audio audio = (Event.Audio) o.listener().events().get(0);
    assertThat(audio.audio().responseId()).isEqualTo("resp_1");
    assertThat(audio.audio().itemId()).isEqualTo("item_1");
    assertThat(audio.audio().audio().format()).isEqualTo(AudioFormat.PCMU_8K);
    assertThat(audio.audio().audio().base64()).isEqualTo(delta);
    assertThat(audio.audio().audio().duration()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void audioDeltasAreReadWhateverTheOrderAndExtrasOfTheirFields() throws Exception {
    Opened o = open(audio().build());
    String first = java.util.Base64.getEncoder().encodeToString(new byte[160]);
    String second = java.util.Base64.getEncoder().encodeToString(new byte[320]);
    // The type last, nested objects and arrays among the fields, duplicates (the last one wins).
    o.server()
        .send(
            "{\"delta\":\"AAAA\",\"extra\":{\"delta\":\"no\",\"list\":[1,{\"type\":\"x\"}]},"
                + "\"item_id\":\"item_9\",\"response_id\":\"resp_9\",\"delta\":\""
                + first
                + "\",\"type\":\"response.output_audio.delta\"}");
    // Missing ids read as empty, as with a tree; a malformed event before it changes nothing.
    o.server().send("{\"type\":\"response.output_audio.delta\",\"delta\":\"AAAA\"");
    o.server().send("{\"type\":\"response.output_audio.delta\",\"delta\":\"" + second + "\"}");
    o.listener().awaitAudioBytes(480, Duration.ofSeconds(10));

    List<Event.Audio> audio =
        o.listener().events().stream()
            .filter(Event.Audio.class::isInstance)
            .map(Event.Audio.class::cast)
            .toList();
    assertThat(audio).hasSize(2);
    assertThat(audio.get(0).audio().responseId()).isEqualTo("resp_9");
    assertThat(audio.get(0).audio().itemId()).isEqualTo("item_9");
    assertThat(audio.get(0).audio().audio().base64()).isEqualTo(first);
    assertThat(audio.get(1).audio().responseId()).isEmpty();
    assertThat(audio.get(1).audio().itemId()).isEmpty();
    assertThat(audio.get(1).audio().audio().base64()).isEqualTo(second);
    assertThat(o.session().isOpen()).isTrue();
  }

  @Test
  void speechStartAndStopAreReported() throws Exception {
    Opened o = open(audio().build());
    o.server()
        .send(
            "{\"type\":\"input_audio_buffer.speech_started\",\"audio_start_ms\":10,"
                + "\"item_id\":\"item_u\"}");
    o.server()
        .send(
            "{\"type\":\"input_audio_buffer.speech_stopped\",\"audio_end_ms\":900,"
                + "\"item_id\":\"item_u\"}");
    o.listener().awaitUserSpeechStarted();
    awaitEvent(o.listener(), Event.UserSpeechStopped.class);
  }

  @Test
  void transcriptsOfBothSpeakersArePartialThenFinal() throws Exception {
    Opened o = open(audio().build());
    o.server()
        .send(
            "{\"type\":\"conversation.item.input_audio_transcription.delta\","
                + "\"item_id\":\"u1\",\"content_index\":0,\"delta\":\"I want \"}");
    o.server()
        .send(
            "{\"type\":\"conversation.item.input_audio_transcription.delta\","
                + "\"item_id\":\"u1\",\"content_index\":0,\"delta\":\"a table\"}");
    o.server()
        .send(
            "{\"type\":\"conversation.item.input_audio_transcription.completed\","
                + "\"item_id\":\"u1\",\"content_index\":0,\"transcript\":\"I want a table.\"}");
    o.server()
        .send(
            "{\"type\":\"response.output_audio_transcript.delta\",\"response_id\":\"r\","
                + "\"item_id\":\"a1\",\"delta\":\"Sure\"}");
    o.server()
        .send(
            "{\"type\":\"response.output_audio_transcript.done\",\"response_id\":\"r\","
                + "\"item_id\":\"a1\",\"transcript\":\"Sure, for how many?\"}");
    Transcript user = o.listener().awaitTranscript(Speaker.USER, t -> true);
    Transcript agent = o.listener().awaitTranscript(Speaker.AGENT, t -> true);
    assertThat(user.text()).isEqualTo("I want a table.");
    assertThat(user.itemId()).isEqualTo("u1");
    assertThat(agent.text()).isEqualTo("Sure, for how many?");
    List<Transcript> partials =
        o.listener().events().stream()
            .filter(Event.TranscriptReceived.class::isInstance)
            .map(e -> ((Event.TranscriptReceived) e).transcript())
            .filter(t -> !t.isFinal())
            .toList();
    assertThat(partials)
        .extracting(Transcript::speaker, Transcript::text)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Speaker.USER, "I want "),
            org.assertj.core.groups.Tuple.tuple(Speaker.USER, "I want a table"),
            org.assertj.core.groups.Tuple.tuple(Speaker.AGENT, "Sure"));
  }

  @Test
  void textSessionsReportTheAgentsTextAsTranscripts() throws Exception {
    Opened o = open(SessionOptions.builder(Capability.TEXT).build());
    assertThat(o.session().sendText("Hi")).isTrue();
    JsonNode item = o.server().await("conversation.item.create");
    assertThat(item.path("item"))
        .isEqualTo(
            json(
                "{\"type\":\"message\",\"role\":\"user\","
                    + "\"content\":[{\"type\":\"input_text\",\"text\":\"Hi\"}]}"));
    o.server().await("response.create");
    o.server().send("{\"type\":\"response.created\",\"response\":{\"id\":\"r1\"}}");
    o.server()
        .send("{\"type\":\"response.output_text.delta\",\"item_id\":\"i1\",\"delta\":\"Hel\"}");
    o.server()
        .send("{\"type\":\"response.output_text.done\",\"item_id\":\"i1\",\"text\":\"Hello!\"}");
    o.server()
        .send("{\"type\":\"response.done\",\"response\":{\"id\":\"r1\",\"status\":\"completed\"}}");
    assertThat(o.listener().awaitTranscript(Speaker.AGENT, t -> true).text()).isEqualTo("Hello!");
    assertThat(o.listener().awaitResponseDone()).isEqualTo("r1");
  }

  // ---- tools and the response sequencer ----------------------------------------------------

  @Test
  void aToolResultIsAnsweredWithOneResponseOnlyAfterTheCurrentOneIsDone() throws Exception {
    Opened o = open(audio().build());
    Connection s = o.server();
    s.send("{\"type\":\"response.created\",\"response\":{\"id\":\"r1\"}}");
    s.send(
        "{\"type\":\"response.function_call_arguments.done\",\"response_id\":\"r1\","
            + "\"item_id\":\"fc1\",\"output_index\":0,\"call_id\":\"call_1\","
            + "\"name\":\"lookup_order\",\"arguments\":\"{\\\"order\\\":\\\"42\\\"}\"}");
    ToolCall call = o.listener().awaitToolCall("lookup_order");
    assertThat(call.id()).isEqualTo("call_1");
    assertThat(call.arguments().path("order").asText()).isEqualTo("42");

    assertThat(o.session().sendToolResult(ToolResult.success("call_1", "{\"status\":\"shipped\"}")))
        .isTrue();
    JsonNode output = s.await("conversation.item.create");
    assertThat(output.path("item"))
        .isEqualTo(
            json(
                "{\"type\":\"function_call_output\",\"call_id\":\"call_1\","
                    + "\"output\":\"{\\\"status\\\":\\\"shipped\\\"}\"}"));
    // A marker frame: everything sent before it has arrived.
    assertThat(o.session().cancelResponse()).isTrue();
    s.await("response.cancel");
    assertThat(s.of("response.create")).isEmpty();

    s.send("{\"type\":\"response.done\",\"response\":{\"id\":\"r1\",\"status\":\"completed\"}}");
    JsonNode create = s.await("response.create");
    assertThat(create.has("response")).isFalse();
    assertThat(s.types())
        .containsSubsequence("conversation.item.create", "response.cancel", "response.create");
    assertThat(o.listener().awaitResponseDone()).isEqualTo("r1");
  }

  @Test
  void twoRequestsWhileAResponseIsActiveNeverMakeTwoActiveResponses() throws Exception {
    Opened o = open(audio().build());
    Connection s = o.server();
    assertThat(o.session().sendText("one")).isTrue();
    s.await("response.create", 0);
    assertThat(o.session().sendText("two")).isTrue();
    assertThat(o.session().sendText("three")).isTrue();
    s.await("conversation.item.create", 2);
    o.session().cancelResponse();
    s.await("response.cancel");
    assertThat(s.of("response.create")).hasSize(1);
    s.send("{\"type\":\"response.created\",\"response\":{\"id\":\"r1\"}}");
    s.send("{\"type\":\"response.done\",\"response\":{\"id\":\"r1\",\"status\":\"cancelled\"}}");
    s.await("response.create", 1);
    o.session().cancelResponse();
    s.await("response.cancel", 1);
    assertThat(s.of("response.create")).hasSize(2); // "two" and "three" share one response
  }

  @Test
  void aCreateThatRacedAServerResponseIsResentAfterIt() throws Exception {
    Opened o = open(audio().build());
    Connection s = o.server();
    o.session().sendText("hi");
    JsonNode create = s.await("response.create");
    s.send("{\"type\":\"response.created\",\"response\":{\"id\":\"r_vad\"}}");
    s.send(
        "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
            + "\"code\":\"conversation_already_has_active_response\",\"message\":\"busy\","
            + "\"event_id\":\""
            + create.path("event_id").asText()
            + "\"}}");
    s.send("{\"type\":\"response.done\",\"response\":{\"id\":\"r_vad\",\"status\":\"completed\"}}");
    JsonNode again = s.await("response.create", 1);
    assertThat(again.path("event_id").asText()).isEqualTo(create.path("event_id").asText());
    assertThat(o.listener().events()).noneMatch(Event.Error.class::isInstance);
  }

  // ---- barge-in support --------------------------------------------------------------------

  @Test
  void truncateSendsTheHeardMillisecondsClampedToTheAudioReceived() throws Exception {
    Opened o = open(audio().build());
    String delta = java.util.Base64.getEncoder().encodeToString(new byte[8000]); // 1 s of μ-law
    o.server()
        .send(
            "{\"type\":\"response.output_audio.delta\",\"response_id\":\"r1\","
                + "\"item_id\":\"item_9\",\"delta\":\""
                + delta
                + "\"}");
    o.listener().awaitAudioBytes(8000, Duration.ofSeconds(10));
    assertThat(o.session().truncate("item_9", Duration.ofMillis(640))).isTrue();
    assertThat(o.server().await("conversation.item.truncate"))
        .isEqualTo(
            json(
                "{\"type\":\"conversation.item.truncate\",\"item_id\":\"item_9\","
                    + "\"content_index\":0,\"audio_end_ms\":640}"));
    assertThat(o.session().truncate("item_9", Duration.ofSeconds(5))).isTrue();
    assertThat(o.server().await("conversation.item.truncate", 1).path("audio_end_ms").asLong())
        .isEqualTo(1000);
  }

  @Test
  void cancelIsSentOnlyWhileAResponseIsActive() throws Exception {
    Opened o = open(audio().build());
    Connection s = o.server();
    assertThat(o.session().cancelResponse()).isTrue(); // nothing to cancel: nothing sent
    s.send("{\"type\":\"response.created\",\"response\":{\"id\":\"r7\"}}");
    s.send(
        "{\"type\":\"response.output_audio.delta\",\"response_id\":\"r7\",\"item_id\":\"i\","
            + "\"delta\":\"AAAA\"}");
    o.listener().awaitAudioBytes(3, Duration.ofSeconds(10));
    assertThat(o.session().cancelResponse()).isTrue();
    assertThat(s.await("response.cancel"))
        .isEqualTo(json("{\"type\":\"response.cancel\",\"response_id\":\"r7\"}"));
    assertThat(s.of("response.cancel")).hasSize(1);
  }

  // ---- errors and endings ------------------------------------------------------------------

  @Test
  void anErrorEventIsReportedAndTheSessionStaysOpen() throws Exception {
    Opened o = open(audio().build());
    o.server()
        .send(
            "{\"type\":\"error\",\"event_id\":\"e1\",\"error\":{\"type\":\"invalid_request_error\","
                + "\"code\":\"invalid_value\",\"message\":\"audio_end_ms too large\"}}");
    SwitchboardException e = o.listener().awaitError();
    assertThat(e).isInstanceOf(ProviderException.class);
    assertThat(((ProviderException) e).providerCode()).contains("invalid_value");
    assertThat(e.getMessage()).contains("sess_test1");
    assertThat(o.session().isOpen()).isTrue();
    assertThat(o.listener().closeCount()).isZero();
  }

  @Test
  void unknownAndMalformedEventsAreIgnored() throws Exception {
    Opened o = open(audio().build());
    o.server().send("{\"type\":\"response.brand_new_thing\"}");
    o.server().send("this is not json");
    o.server().send("{\"no\":\"type\"}");
    o.server().send("{\"type\":\"input_audio_buffer.speech_started\"}");
    o.listener().awaitUserSpeechStarted();
    assertThat(o.session().isOpen()).isTrue();
    assertThat(o.listener().events()).hasSize(1);
  }

  @Test
  void sessionExpiryClosesTheSessionAsRemote() throws Exception {
    Opened o = open(audio().build());
    o.server()
        .send(
            "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                + "\"code\":\"session_expired\",\"message\":\"Your session hit the maximum"
                + " duration of 60 minutes.\"}}");
    CloseReason reason = o.listener().awaitClosed();
    assertThat(reason.code()).isEqualTo(CloseReason.Code.REMOTE);
    assertThat(reason.detail()).contains("expired");
    assertThat(o.session().isOpen()).isFalse();
    assertThat(o.session().sendText("still there?")).isFalse();
    o.listener().assertContractKept();
  }

  @Test
  void theServerClosingEndsTheSessionAsRemote() throws Exception {
    Opened o = open(audio().build());
    o.server().socket().close(1000, "bye");
    assertThat(o.listener().awaitClosed().code()).isEqualTo(CloseReason.Code.REMOTE);
    o.listener().assertContractKept();
  }

  @Test
  void anAbruptDisconnectClosesExactlyOnceAsConnectionLost() throws Exception {
    try (AbruptServer abrupt = new AbruptServer()) {
      OpenAiRealtimeAgentRuntime rt =
          OpenAiRealtimeAgentRuntime.builder().apiKey(KEY).baseUrl(abrupt.baseUrl()).build();
      try {
        RecordingAgentListener listener = new RecordingAgentListener();
        AgentSession session = rt.openSession(audio().build(), listener).get(10, TimeUnit.SECONDS);
        abrupt.dropConnection();
        assertThat(listener.awaitClosed().code()).isEqualTo(CloseReason.Code.CONNECTION_LOST);
        session.close().get(5, TimeUnit.SECONDS);
        assertThat(listener.closeCount()).isEqualTo(1);
        assertThat(session.isOpen()).isFalse();
        assertThat(session.sendAudio(AudioChunk.ofBase64(AudioFormat.PCMU_8K, "AAAA"))).isFalse();
        listener.assertContractKept();
        assertThat(rt.health().state()).isEqualTo(HealthStatus.State.DEGRADED);
      } finally {
        rt.close();
      }
    }
  }

  @Test
  void closeSendsA1000FrameAndIsIdempotent() throws Exception {
    Opened o = open(audio().build());
    CompletableFuture<Void> first = o.session().close();
    CompletableFuture<Void> second = o.session().close();
    assertThat(second).isSameAs(first);
    first.get(5, TimeUnit.SECONDS);
    assertThat(o.listener().awaitClosed().code()).isEqualTo(CloseReason.Code.NORMAL);
    assertThat(o.server().closeCode()).isEqualTo(1000);
    assertThat(o.listener().closeCount()).isEqualTo(1);
  }

  @Test
  void closeIsBoundedWhenTheServerDoesNotAnswer() throws Exception {
    Opened o = open(audio().build());
    o.server().ignoreCloses();
    long start = System.nanoTime();
    o.session().close().get(5, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    assertThat(o.listener().awaitClosed().code()).isEqualTo(CloseReason.Code.NORMAL);
    assertThat(o.listener().closeCount()).isEqualTo(1);
    o.server().socket().close(1000, null); // lets the fake's side finish
  }

  @Test
  void closingTheRuntimeClosesEverySession() throws Exception {
    Opened a = open(audio().build());
    Opened b = open(SessionOptions.builder(Capability.TEXT).build());
    runtime.close();
    assertThat(a.listener().awaitClosed().code()).isEqualTo(CloseReason.Code.NORMAL);
    assertThat(b.listener().awaitClosed().code()).isEqualTo(CloseReason.Code.NORMAL);
    assertThat(a.session().isOpen()).isFalse();
    Throwable t = failure(runtime.openSession(audio().build(), new RecordingAgentListener()));
    assertThat(t).isInstanceOf(SessionException.class);
  }

  @Test
  void listenerCallbacksCanRunOnAnEventExecutor() throws Exception {
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    OpenAiRealtimeAgentRuntime rt = builder().eventExecutor(pool).build();
    try {
      Opened o = open(rt, audio().build());
      for (int i = 0; i < 50; i++) {
        o.server().send("{\"type\":\"input_audio_buffer.speech_started\"}");
        o.server().send("{\"type\":\"input_audio_buffer.speech_stopped\"}");
      }
      awaitCount(o.listener(), 100);
      for (int i = 0; i < 100; i++) {
        assertThat(o.listener().events().get(i))
            .isInstanceOf(
                i % 2 == 0 ? Event.UserSpeechStarted.class : Event.UserSpeechStopped.class);
      }
      o.session().close().get(5, TimeUnit.SECONDS);
      o.listener().assertContractKept();
    } finally {
      rt.close();
      pool.shutdown();
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static void awaitEvent(RecordingAgentListener listener, Class<? extends Event> type) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (listener.events().stream().noneMatch(type::isInstance)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + type.getSimpleName() + " in " + listener.events());
      }
      Thread.onSpinWait();
    }
  }

  private static void awaitCount(RecordingAgentListener listener, int count) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (listener.events().size() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + listener.events().size() + " events");
      }
      Thread.onSpinWait();
    }
  }
}
