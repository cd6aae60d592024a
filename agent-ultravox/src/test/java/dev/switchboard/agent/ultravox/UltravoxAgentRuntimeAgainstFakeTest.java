package dev.switchboard.agent.ultravox;

import static dev.switchboard.agent.ultravox.Speech.speak;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.agent.ToolCall;
import dev.switchboard.core.agent.ToolDefinition;
import dev.switchboard.core.agent.ToolResult;
import dev.switchboard.core.agent.Transcript;
import dev.switchboard.core.spi.ProviderCatalog;
import dev.switchboard.core.spi.ProviderConfig;
import dev.switchboard.core.voice.CallDirection;
import dev.switchboard.testing.RecordingAgentListener;
import dev.switchboard.testing.RecordingAgentListener.Event;
import dev.switchboard.testing.ultravox.AgentReply;
import dev.switchboard.testing.ultravox.FakeUltravox;
import dev.switchboard.testing.ultravox.FakeUltravoxCall;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sessions of both modes over real sockets against FakeUltravox. */
class UltravoxAgentRuntimeAgainstFakeTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private FakeUltravox fake;
  private UltravoxAgentRuntime runtime;

  private void start(FakeUltravox.Builder builder) {
    start(builder, b -> {});
  }

  private void start(
      FakeUltravox.Builder builder,
      java.util.function.Consumer<UltravoxAgentRuntime.Builder> configure) {
    fake = builder.build();
    fake.start();
    UltravoxAgentRuntime.Builder b = runtimeFor(fake);
    configure.accept(b);
    runtime = b.build();
  }

  private static UltravoxAgentRuntime.Builder runtimeFor(FakeUltravox fake) {
    return UltravoxAgentRuntime.builder().apiKey(fake.apiKey()).baseUrl(fake.baseUrl());
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

  private static SessionOptions.Builder streaming() {
    return SessionOptions.builder(Capability.AUDIO_STREAMING)
        .instructions("You are Ada, the booking line of a small restaurant.")
        .firstSpeaker(SessionOptions.FirstSpeaker.USER);
  }

  private AgentSession open(SessionOptions options, RecordingAgentListener listener)
      throws Exception {
    return runtime.openSession(options, listener).get(10, TimeUnit.SECONDS);
  }

  private static List<Event.Audio> audio(RecordingAgentListener listener) {
    return listener.events().stream()
        .filter(Event.Audio.class::isInstance)
        .map(Event.Audio.class::cast)
        .toList();
  }

  private static int bytesOf(RecordingAgentListener listener, String responseId) {
    return audio(listener).stream()
        .filter(a -> a.audio().responseId().equals(responseId))
        .mapToInt(a -> a.audio().audio().size())
        .sum();
  }

  @Test
  void aGreetingAndATurnStreamAudioBothWaysWithTranscriptsOfBothSpeakers() throws Exception {
    start(
        FakeUltravox.builder()
            .userTranscript("A table for two, please")
            .reply(AgentReply.say("Sure, at what time?", Duration.ofMillis(800))));
    RecordingAgentListener listener = new RecordingAgentListener();
    AgentSession session =
        open(
            streaming()
                .firstSpeaker(SessionOptions.FirstSpeaker.AGENT)
                .greeting("Hello, this is Ada.")
                .build(),
            listener);
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    call.awaitJoined(TIMEOUT);

    assertThat(session.id()).isEqualTo(call.callId());
    assertThat(session.inputFormat()).isEqualTo(AudioFormat.PCM16_8K);
    assertThat(session.outputFormat()).isEqualTo(AudioFormat.PCM16_8K);
    assertThat(session.joinUrl()).isEmpty();
    JsonNode medium = call.json().path("medium").path("serverWebSocket");
    assertThat(medium.path("inputSampleRate").asInt()).isEqualTo(8000);
    assertThat(medium.path("outputSampleRate").asInt()).isEqualTo(8000);
    assertThat(medium.path("clientBufferSizeMs").asInt()).isEqualTo(30_000);
    assertThat(call.json().at("/firstSpeakerSettings/agent/text").asText())
        .isEqualTo("Hello, this is Ada.");
    assertThat(call.systemPrompt())
        .contains("You are Ada, the booking line of a small restaurant.");

    // The greeting: audio of one response, partial then final agent transcripts, then done.
    Transcript greeting = listener.awaitTranscript(Speaker.AGENT, t -> true);
    assertThat(greeting.text()).isEqualTo("Hello, this is Ada.");
    String greetingResponse = listener.awaitResponseDone();
    int greetingBytes = bytesOf(listener, greetingResponse);
    assertThat(greetingBytes).isPositive().isEven();
    assertThat(Duration.ofMillis(greetingBytes / 16)).isEqualTo(call.agentAudioSent());
    assertThat(audio(listener))
        .allSatisfy(a -> assertThat(a.audio().audio().format()).isEqualTo(AudioFormat.PCM16_8K));
    List<Transcript> partials =
        listener.events().stream()
            .filter(Event.TranscriptReceived.class::isInstance)
            .map(e -> ((Event.TranscriptReceived) e).transcript())
            .filter(t -> !t.isFinal() && t.speaker() == Speaker.AGENT)
            .toList();
    assertThat(partials).isNotEmpty();
    assertThat(partials).allSatisfy(p -> assertThat(greeting.text()).startsWith(p.text().strip()));
    assertThat(partials).allSatisfy(p -> assertThat(p.itemId()).isEqualTo(greeting.itemId()));

    // The caller's turn, then the answer as a new response.
    speak(session, Duration.ofMillis(600), Duration.ofMillis(800));
    Transcript user = listener.awaitTranscript(Speaker.USER, t -> true);
    assertThat(user.text()).isEqualTo("A table for two, please");
    Transcript answer = listener.awaitTranscript(Speaker.AGENT, t -> t.contains("time"));
    assertThat(answer.text()).isEqualTo("Sure, at what time?");
    assertThat(Set.of(greeting.itemId(), user.itemId(), answer.itemId())).hasSize(3);
    listener.awaitAudioBytes(greetingBytes + 800 * 16, TIMEOUT);
    Set<String> responses =
        audio(listener).stream()
            .map(a -> a.audio().responseId())
            .collect(Collectors.toCollection(LinkedHashSet::new));
    assertThat(responses).hasSize(2).first().isEqualTo(greetingResponse);
    String answerResponse = List.copyOf(responses).get(1);
    assertThat(bytesOf(listener, answerResponse)).isEqualTo(800 * 16);
    assertThat(listener.events()).anyMatch(Event.UserSpeechStopped.class::isInstance);
    assertThat(call.audioReceived()).isGreaterThanOrEqualTo(Duration.ofMillis(1400));

    session.close().get(5, TimeUnit.SECONDS);
    assertThat(listener.awaitClosed().code()).isEqualTo(CloseReason.Code.NORMAL);
    assertThat(call.awaitEnded(TIMEOUT)).isEqualTo("hangup");
    assertThat(listener.events())
        .filteredOn(Event.ResponseDone.class::isInstance)
        .map(e -> ((Event.ResponseDone) e).responseId())
        .contains(greetingResponse, answerResponse);
    assertThat(call.protocolErrors()).isEmpty();
    assertThat(listener.events()).noneMatch(Event.Error.class::isInstance);
    listener.assertContractKept();
  }

  @Test
  void eightKilohertzRefusedFallsBackToSixteenOnceAndForLaterSessions() throws Exception {
    start(FakeUltravox.builder().acceptedSampleRates(16000, 24000, 48000));
    RecordingAgentListener first = new RecordingAgentListener();
    AgentSession session = open(streaming().build(), first);
    assertThat(session.inputFormat()).isEqualTo(AudioFormat.PCM16_16K);
    assertThat(session.outputFormat()).isEqualTo(AudioFormat.PCM16_16K);
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    assertThat(call.json().at("/medium/serverWebSocket/inputSampleRate").asInt()).isEqualTo(16000);
    List<FakeUltravox.RecordedRequest> creates = creates();
    assertThat(creates).hasSize(2);
    assertThat(creates.get(0).status()).isEqualTo(400);
    assertThat(creates.get(0).json().at("/medium/serverWebSocket/inputSampleRate").asInt())
        .isEqualTo(8000);
    assertThat(creates.get(1).status()).isEqualTo(201);

    // Audio at the session's rate goes through; another rate is refused with a clear error.
    speak(session, Duration.ofMillis(100), Duration.ofMillis(100));
    call.awaitAudioReceived(Duration.ofMillis(200), TIMEOUT);
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> session.sendAudio(AudioChunk.wrap(AudioFormat.PCM16_8K, new byte[320]))))
        .isInstanceOf(dev.switchboard.codec.CodecException.class)
        .hasMessageContaining("transcode");

    AgentSession second = open(streaming().build(), new RecordingAgentListener());
    assertThat(second.inputFormat()).isEqualTo(AudioFormat.PCM16_16K);
    assertThat(creates()).hasSize(3);
    assertThat(creates().get(2).status()).isEqualTo(201);
  }

  @Test
  void aSessionAskingForPcm16GetsItsRateAndOtherFormatsGetTheRuntimes() throws Exception {
    start(FakeUltravox.builder());
    AgentSession wide =
        open(streaming().audioFormat(AudioFormat.PCM16_24K).build(), new RecordingAgentListener());
    assertThat(wide.inputFormat()).isEqualTo(AudioFormat.PCM16_24K);
    assertThat(
            fake.awaitCall(TIMEOUT).json().at("/medium/serverWebSocket/outputSampleRate").asInt())
        .isEqualTo(24000);
    AgentSession phone =
        open(streaming().audioFormat(AudioFormat.PCMU_8K).build(), new RecordingAgentListener());
    assertThat(phone.inputFormat()).isEqualTo(AudioFormat.PCM16_8K);
    assertThat(wide.id()).isNotEqualTo(phone.id());
  }

  @Test
  void anotherBadRequestIsNotRetried() throws Exception {
    start(
        FakeUltravox.builder(),
        b -> b.agentId("00000000-0000-0000-0000-000000000000")); // no such agent
    Throwable failure =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> open(streaming().build(), new RecordingAgentListener()));
    assertThat(failure).hasCauseInstanceOf(dev.switchboard.core.ProviderException.class);
    assertThat(((dev.switchboard.core.ProviderException) failure.getCause()).httpStatus())
        .isEqualTo(404);
    assertThat(failure.getCause().getMessage()).doesNotContain(fake.apiKey());
    assertThat(fake.requests()).filteredOn(r -> r.method().equals("POST")).hasSize(1);
    assertThat(runtime.toString()).doesNotContain(fake.apiKey());
  }

  /** The body of the (first) direct call creation: what the runtime asked for. */
  private JsonNode createBody() {
    return fake.awaitRequest(
            r -> r.method().equals("POST") && r.path().equals("/api/calls"), TIMEOUT)
        .json();
  }

  private List<FakeUltravox.RecordedRequest> creates() {
    return fake.requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().equals("/api/calls"))
        .toList();
  }

  @Test
  void toolInvocationsAreAnsweredWithResultsAndErrors() throws Exception {
    start(
        FakeUltravox.builder()
            .reply(
                AgentReply.say("Booked for two.", Duration.ofMillis(400))
                    .afterToolCall("book_table", "{\"people\":2}"))
            .reply(
                AgentReply.say("Sorry, that did not work.", Duration.ofMillis(400))
                    .afterToolCall("change_booking", "{\"people\":9}")));
    ToolDefinition book =
        ToolDefinition.of(
            "book_table",
            "Books a table",
            "{\"type\":\"object\",\"properties\":{\"people\":{\"type\":\"integer\","
                + "\"description\":\"how many\"}},\"required\":[\"people\"]}");
    ToolDefinition change =
        ToolDefinition.of(
            "change_booking",
            "Changes a booking",
            "{\"type\":\"object\",\"properties\":{\"people\":{\"type\":\"integer\"}}}");
    RecordingAgentListener listener = new RecordingAgentListener();
    AgentSession session = open(streaming().tool(book).tool(change).build(), listener);
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    call.awaitJoined(TIMEOUT);
    JsonNode tool = createBody().path("selectedTools").get(0).path("temporaryTool");
    assertThat(tool.path("modelToolName").asText()).isEqualTo("book_table");
    assertThat(tool.path("client").isObject()).isTrue();
    assertThat(tool.path("dynamicParameters").get(0).path("name").asText()).isEqualTo("people");
    assertThat(tool.path("dynamicParameters").get(0).path("location").asText())
        .isEqualTo("PARAMETER_LOCATION_BODY");
    assertThat(tool.path("dynamicParameters").get(0).path("required").asBoolean()).isTrue();

    assertThat(session.sendText("A table for two tonight")).isTrue();
    call.awaitReceived("user_text_message", m -> m.path("text").asText().contains("two"), TIMEOUT);
    ToolCall first = listener.awaitToolCall("book_table");
    assertThat(first.arguments().path("people").asInt()).isEqualTo(2);
    assertThat(session.sendToolResult(ToolResult.success(first.id(), "{\"booked\":true}")))
        .isTrue();
    listener.awaitTranscript(Speaker.AGENT, t -> t.equals("Booked for two."));

    assertThat(session.sendText("Make it nine")).isTrue();
    ToolCall nine = listener.awaitToolCall("change_booking");
    assertThat(nine.arguments().path("people").asInt()).isEqualTo(9);
    assertThat(session.sendToolResult(ToolResult.error(nine.id(), "no table for nine"))).isTrue();
    listener.awaitTranscript(Speaker.AGENT, t -> t.startsWith("Sorry"));

    List<JsonNode> results = call.toolResults();
    assertThat(results).hasSize(2);
    assertThat(results.get(0).path("invocationId").asText()).isEqualTo(first.id());
    assertThat(results.get(0).path("result").asText()).isEqualTo("{\"booked\":true}");
    assertThat(results.get(0).has("errorType")).isFalse();
    assertThat(results.get(1).path("invocationId").asText()).isEqualTo(nine.id());
    assertThat(results.get(1).path("errorType").asText()).isEqualTo("implementation-error");
    assertThat(results.get(1).path("errorMessage").asText()).contains("no table for nine");
    assertThat(results.get(1).has("result")).isFalse();
    assertThat(call.protocolErrors()).isEmpty();
  }

  @ParameterizedTest(name = "client buffer {0} ms")
  @ValueSource(ints = {60, 30_000})
  void aBargeInReportsSpeechAndAudioAfterTheClearIsANewResponse(int bufferMs) throws Exception {
    start(
        FakeUltravox.builder()
            .greeting(
                AgentReply.say(
                    "Welcome to the restaurant, let me tell you about tonight's menu.",
                    Duration.ofSeconds(3)))
            .userTranscript("Sorry, just a table")
            .reply(AgentReply.say("Go on.", Duration.ofMillis(400))),
        b -> b.clientBufferSize(Duration.ofMillis(bufferMs)));
    RecordingAgentListener listener = new RecordingAgentListener();
    AgentSession session =
        open(streaming().firstSpeaker(SessionOptions.FirstSpeaker.AGENT).build(), listener);
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    listener.awaitAudioBytes(200 * 16, TIMEOUT);
    String interrupted = audio(listener).get(0).audio().responseId();

    speak(session, Duration.ofMillis(600), Duration.ofMillis(800));
    FakeUltravoxCall.Clear clear = call.awaitClear(TIMEOUT);
    assertThat(clear.agentAudioPlayed()).isLessThan(clear.utterance());
    listener.awaitUserSpeechStarted();
    listener.awaitTranscript(Speaker.AGENT, t -> t.equals("Go on."));
    listener.awaitAudioBytes(bytesOf(listener, interrupted) + 400 * 16, TIMEOUT);

    List<Event> events = listener.events();
    int speechAt = indexOf(events, Event.UserSpeechStarted.class);
    int interruptedDoneAt = -1;
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i) instanceof Event.ResponseDone d && d.responseId().equals(interrupted)) {
        interruptedDoneAt = i;
      }
    }
    assertThat(interruptedDoneAt).as("the interrupted response is done").isNotNegative();
    List<Event.Audio> after =
        events.subList(speechAt, events.size()).stream()
            .filter(Event.Audio.class::isInstance)
            .map(Event.Audio.class::cast)
            .toList();
    assertThat(after).isNotEmpty();
    assertThat(after)
        .as("audio after the clear never carries the interrupted response's id")
        .allSatisfy(a -> assertThat(a.audio().responseId()).isNotEqualTo(interrupted));
    assertThat(bytesOf(listener, interrupted) / 16)
        .as("no more of the greeting than the fake sent before the clear")
        .isEqualTo((int) clear.agentAudioSent().toMillis());
    assertThat(session.truncate(interrupted + "-audio", Duration.ofMillis(100))).isTrue();
    assertThat(session.cancelResponse()).isTrue();
    assertThat(call.received()).noneMatch(m -> m.type().contains("truncate"));
    assertThat(call.protocolErrors()).isEmpty();
    listener.assertContractKept();
  }

  private static int indexOf(List<Event> events, Class<? extends Event> type) {
    for (int i = 0; i < events.size(); i++) {
      if (type.isInstance(events.get(i))) {
        return i;
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + events);
  }

  @Test
  void pingsAreSentAndAnswered() throws Exception {
    start(FakeUltravox.builder(), b -> b.pingInterval(Duration.ofMillis(200)));
    RecordingAgentListener listener = new RecordingAgentListener();
    open(streaming().build(), listener);
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    JsonNode ping = call.awaitReceived("ping", m -> m.path("timestamp").isNumber(), TIMEOUT);
    call.awaitSent(
        "pong", m -> m.path("timestamp").asDouble() == ping.path("timestamp").asDouble(), TIMEOUT);
    call.awaitReceived("ping", m -> m != ping && m.path("timestamp").isNumber(), TIMEOUT);
    assertThat(call.protocolErrors()).isEmpty();
    assertThat(listener.events()).noneMatch(Event.Error.class::isInstance);
  }

  @Test
  void anAbruptDisconnectClosesTheSessionOnceWithAnError() throws Exception {
    start(FakeUltravox.builder());
    RecordingAgentListener listener = new RecordingAgentListener();
    AgentSession session = open(streaming().build(), listener);
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    call.awaitJoined(TIMEOUT);

    call.disconnect();
    CloseReason reason = listener.awaitClosed();
    assertThat(reason.code()).isEqualTo(CloseReason.Code.CONNECTION_LOST);
    assertThat(reason.isError()).isTrue();
    assertThat(session.isOpen()).isFalse();
    assertThat(session.sendText("hello?")).isFalse();
    session.close().get(5, TimeUnit.SECONDS);
    assertThat(listener.closeCount()).isEqualTo(1);
    listener.assertContractKept();
  }

  @Test
  void theAgentHangingUpClosesTheSessionAsRemote() throws Exception {
    start(FakeUltravox.builder().reply(AgentReply.say("Goodbye!").thenHangUp()));
    RecordingAgentListener listener = new RecordingAgentListener();
    AgentSession session = open(streaming().build(), listener);
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    session.sendText("That's all, thanks");
    listener.awaitTranscript(Speaker.AGENT, t -> t.equals("Goodbye!"));
    CloseReason reason = listener.awaitClosed();
    assertThat(reason.code()).isEqualTo(CloseReason.Code.REMOTE);
    assertThat(reason.isError()).isFalse();
    assertThat(call.awaitEnded(TIMEOUT)).isEqualTo("agent_hangup");
    String goodbye = audio(listener).get(0).audio().responseId();
    assertThat(listener.events())
        .as("the goodbye's response is done before the session closes")
        .anySatisfy(e -> assertThat(e).isEqualTo(new Event.ResponseDone(goodbye)));
    listener.assertContractKept();
  }

  @Test
  void aDirectSessionGivesTheJoinUrlSendsTextOverRestAndHangsUpOnClose() throws Exception {
    start(FakeUltravox.builder());
    RecordingAgentListener listener = new RecordingAgentListener();
    ToolDefinition tool =
        ToolDefinition.of("look_up", "Looks up", "{\"type\":\"object\",\"properties\":{}}");
    AgentSession session =
        open(
            SessionOptions.builder(Capability.TELEPHONY_DIRECT)
                .instructions("You are Ada. The caller is {{name}}.")
                .context("name", "Bob")
                .callId("CA0123456789abcdef0123456789abcdef")
                .direction(CallDirection.OUTBOUND)
                .tool(tool)
                .build(),
            listener);
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    assertThat(session.id()).isEqualTo(call.callId());
    assertThat(session.mode()).isEqualTo(Capability.TELEPHONY_DIRECT);
    assertThat(session.joinUrl()).hasValue(java.net.URI.create(call.joinUrl()));
    assertThat(call.joinUrl()).contains("&");
    assertThat(call.medium()).isEqualTo("twilio");
    assertThat(call.json().path("firstSpeakerSettings").has("user"))
        .as("an outbound call's callee speaks first")
        .isTrue();
    assertThat(call.json().at("/metadata/switchboard_call_id").asText())
        .isEqualTo("CA0123456789abcdef0123456789abcdef");
    assertThat(call.systemPrompt()).hasValue("You are Ada. The caller is Bob.");
    assertThat(createBody().path("selectedTools")).hasSize(1);
    assertThat(createBody().at("/medium/twilio").isObject()).isTrue();
    assertThat(session.sendAudio(AudioChunk.wrap(AudioFormat.PCMU_8K, new byte[160]))).isFalse();
    assertThat(session.sendToolResult(ToolResult.success("x", "{}"))).isFalse();
    assertThat(session.truncate("item", Duration.ofMillis(10))).isTrue();

    assertThat(session.sendText("Hello?")).isTrue();
    FakeUltravox.RecordedRequest text =
        fake.awaitRequest(
            r ->
                r.path().endsWith("/send_data_message")
                    && r.json().path("type").asText().equals("user_text_message"),
            TIMEOUT);
    assertThat(text.path()).isEqualTo("/api/calls/" + call.callId() + "/send_data_message");
    assertThat(text.json().path("text").asText()).isEqualTo("Hello?");

    session.close().get(5, TimeUnit.SECONDS);
    assertThat(listener.awaitClosed().code()).isEqualTo(CloseReason.Code.NORMAL);
    FakeUltravox.RecordedRequest hangUp =
        fake.awaitRequest(
            r ->
                r.path().endsWith("/send_data_message")
                    && r.json().path("type").asText().equals("hang_up"),
            TIMEOUT);
    assertThat(hangUp.status()).as("the call was never joined: already over").isIn(204, 422);
    listener.assertContractKept();
  }

  @Test
  void anAgentSessionFillsTheAgentsTemplateWithTheContext() throws Exception {
    start(FakeUltravox.builder());
    UltravoxClient client =
        UltravoxClient.builder().apiKey(fake.apiKey()).baseUrl(fake.baseUrl()).build();
    try {
      dev.switchboard.agent.ultravox.model.Agent agent =
          client.createAgent(
              dev.switchboard.agent.ultravox.model.AgentSpec.builder()
                  .name("ada")
                  .callTemplate(
                      dev.switchboard.agent.ultravox.model.CallTemplate.builder()
                          .systemPrompt("You are Ada, helping {{name}}.")
                          .build())
                  .build());
      try (UltravoxAgentRuntime shared =
          UltravoxAgentRuntime.builder().client(client).agentId(agent.agentId()).build()) {
        RecordingAgentListener listener = new RecordingAgentListener();
        AgentSession session =
            shared
                .openSession(streaming().context("name", "Bob").callId("CA42").build(), listener)
                .get(10, TimeUnit.SECONDS);
        FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
        assertThat(call.agentId()).hasValue(agent.agentId());
        assertThat(call.systemPrompt()).hasValue("You are Ada, helping Bob.");
        assertThat(call.templateContext().path("name").asText()).isEqualTo("Bob");
        assertThat(call.json().at("/metadata/switchboard_call_id").asText()).isEqualTo("CA42");
        assertThat(
                fake.awaitRequest(
                        r -> r.method().equals("POST") && r.path().endsWith("/calls"), TIMEOUT)
                    .path())
            .isEqualTo("/api/agents/" + agent.agentId() + "/calls");
        session.close().get(5, TimeUnit.SECONDS);
      }
      // The shared client outlives the runtime.
      assertThat(client.getAgent(agent.agentId()).name()).isEqualTo("ada");
    } finally {
      client.close();
    }
  }

  @Test
  void theProviderIsFoundByName() throws Exception {
    start(FakeUltravox.builder());
    AgentRuntime found =
        ProviderCatalog.load()
            .agentRuntime(
                "ultravox",
                ProviderConfig.of(
                    Map.of(
                        "api-key", fake.apiKey(),
                        "base-url", fake.baseUrl().toString(),
                        "voice", "Mark",
                        "instructions", "Be nice.",
                        "sample-rate", "16000",
                        "client-buffer-size", "2s")));
    try {
      assertThat(found).isInstanceOf(UltravoxAgentRuntime.class);
      assertThat(found.name()).isEqualTo("ultravox");
      assertThat(found.capabilities())
          .containsExactlyInAnyOrder(Capability.AUDIO_STREAMING, Capability.TELEPHONY_DIRECT);
      AgentSession session =
          found
              .openSession(
                  SessionOptions.builder(Capability.AUDIO_STREAMING).build(),
                  new RecordingAgentListener())
              .get(10, TimeUnit.SECONDS);
      FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
      assertThat(call.json().path("voice").asText()).isEqualTo("Mark");
      assertThat(call.systemPrompt()).hasValue("Be nice.");
      assertThat(call.json().at("/medium/serverWebSocket/inputSampleRate").asInt())
          .isEqualTo(16000);
      assertThat(call.json().at("/medium/serverWebSocket/clientBufferSizeMs").asInt())
          .isEqualTo(2000);
      assertThat(session.inputFormat()).isEqualTo(AudioFormat.PCM16_16K);
      session.close().get(5, TimeUnit.SECONDS);
    } finally {
      found.close();
    }
  }

  @Test
  void nothingOfTheRuntimeOutlivesItsClose() throws Exception {
    start(FakeUltravox.builder());
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    UltravoxAgentRuntime rt = runtimeFor(fake).pingInterval(Duration.ofMillis(100)).build();
    List<RecordingAgentListener> listeners = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RecordingAgentListener l = new RecordingAgentListener();
      listeners.add(l);
      rt.openSession(streaming().build(), l).get(10, TimeUnit.SECONDS);
    }
    RecordingAgentListener direct = new RecordingAgentListener();
    listeners.add(direct);
    rt.openSession(SessionOptions.builder(Capability.TELEPHONY_DIRECT).build(), direct)
        .get(10, TimeUnit.SECONDS);
    rt.close();
    for (RecordingAgentListener l : listeners) {
      l.awaitClosed();
      l.assertContractKept();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Set<Thread> leaked;
    do {
      leaked =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> !before.contains(t) && t.isAlive())
              // OkHttp's and MockWebServer's shared task runners are process-wide and idle out
              .filter(t -> !t.getName().contains("TaskRunner"))
              .filter(t -> !t.getName().startsWith("MockWebServer"))
              .filter(t -> !t.getName().startsWith("fake-ultravox")) // the fake's own
              .collect(Collectors.toSet());
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
