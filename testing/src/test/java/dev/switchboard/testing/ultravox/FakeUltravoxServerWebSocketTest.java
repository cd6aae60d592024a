package dev.switchboard.testing.ultravox;

import static dev.switchboard.testing.ultravox.VoiceClient.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FakeUltravoxServerWebSocketTest {
  private static final String MEDIUM =
      "\"medium\":{\"serverWebSocket\":{\"inputSampleRate\":16000,\"outputSampleRate\":24000}}";

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private FakeUltravox start(FakeUltravox.Builder builder) {
    FakeUltravox fake = builder.build();
    closeables.add(fake);
    fake.start();
    return fake;
  }

  private VoiceClient join(FakeUltravox fake, String extraFields) {
    JsonNode call =
        new Rest(fake)
            .created("/api/calls", "{\"systemPrompt\":\"Be brief.\"," + MEDIUM + extraFields + "}");
    VoiceClient client = VoiceClient.connect(call.path("joinUrl").asText());
    closeables.add(client);
    return client;
  }

  @Test
  void theAgentGreetsWithStateTranscriptDeltasAFinalTranscriptAndAudioAtTheOutputRate() {
    FakeUltravox fake =
        start(
            FakeUltravox.builder()
                .greeting(AgentReply.say("Hello there, how can I help?", Duration.ofMillis(600))));
    VoiceClient client = join(fake, "");
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    call.awaitJoined(TIMEOUT);

    assertThat(client.await("call_started").path("callId").asText()).isEqualTo(call.callId());
    client.await("state", s -> s.path("state").asText().equals("speaking"));
    JsonNode last = client.await("transcript", t -> t.path("final").asBoolean());
    assertThat(last.path("role").asText()).isEqualTo("agent");
    assertThat(last.path("medium").asText()).isEqualTo("voice");
    assertThat(last.path("text").asText()).isEqualTo("Hello there, how can I help?");
    assertThat(last.path("delta").isNull()).isTrue();
    assertThat(last.path("ordinal").asInt()).isZero();
    String deltas =
        client.texts("transcript").stream()
            .filter(t -> !t.path("final").asBoolean())
            .map(t -> t.path("delta").asText())
            .collect(Collectors.joining());
    assertThat(deltas).isEqualTo("Hello there, how can I help?");
    client.await("state", s -> s.path("state").asText().equals("listening"));
    client.awaitAudioBytes(600 * 48); // 600 ms of PCM16 at 24 kHz
    assertThat(client.audioBytes()).isEqualTo(600 * 48);
    assertThat(call.agentAudioSent()).isEqualTo(Duration.ofMillis(600));
    assertThat(
            call.awaitMessage(m -> m.path("role").asText().equals("MESSAGE_ROLE_AGENT"), TIMEOUT)
                .path("text")
                .asText())
        .isEqualTo("Hello there, how can I help?");
    assertThat(call.json().path("joined").isTextual()).isTrue();
    assertThat(call.isJoined()).isTrue();
  }

  @Test
  void callerSpeechDuringTheGreetingClearsThePlaybackBufferThenTheUserTurnIsAnswered() {
    String greeting =
        "Welcome to the restaurant, we have many tables free tonight and a fine menu.";
    FakeUltravox fake =
        start(
            FakeUltravox.builder()
                .greeting(AgentReply.say(greeting, Duration.ofSeconds(5)))
                .userTranscript("Stop, please")
                .reply(AgentReply.say("Sure, stopping.", Duration.ofMillis(400))));
    VoiceClient client = join(fake, "");
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    client.awaitAudioBytes(300 * 48);

    client.sendAudio(VoiceClient.speech(16000, 0, 200, 600));

    client.await("playback_clear_buffer");
    FakeUltravoxCall.Clear clear = call.awaitClear(TIMEOUT);
    assertThat(clear.ordinal()).isZero();
    assertThat(clear.utterance()).isEqualTo(Duration.ofSeconds(5));
    assertThat(clear.agentAudioSent()).isLessThan(Duration.ofSeconds(5)).isPositive();
    assertThat(clear.agentAudioPlayed()).isLessThanOrEqualTo(clear.agentAudioSent());
    JsonNode cut =
        client.await(
            "transcript", t -> t.path("final").asBoolean() && t.path("ordinal").asInt() == 0);
    assertThat(greeting).startsWith(cut.path("text").asText());
    assertThat(cut.path("text").asText()).isNotEqualTo(greeting);

    JsonNode user = client.await("transcript", t -> t.path("role").asText().equals("user"));
    assertThat(user.path("text").asText()).isEqualTo("Stop, please");
    assertThat(user.path("final").asBoolean()).isTrue();
    assertThat(user.path("ordinal").asInt()).isEqualTo(1);
    JsonNode reply =
        client.await(
            "transcript", t -> t.path("final").asBoolean() && t.path("ordinal").asInt() == 2);
    assertThat(reply.path("text").asText()).isEqualTo("Sure, stopping.");

    call.awaitMessage(m -> m.path("text").asText().equals("Sure, stopping."), TIMEOUT);
    assertThat(call.messages())
        .extracting(m -> m.path("role").asText())
        .containsExactly("MESSAGE_ROLE_AGENT", "MESSAGE_ROLE_USER", "MESSAGE_ROLE_AGENT");
    call.awaitAudioReceived(Duration.ofMillis(800), TIMEOUT);
    assertThat(call.audioReceived()).isEqualTo(Duration.ofMillis(800));

    // the transcript over REST, one message per page
    Rest rest = new Rest(fake);
    List<String> texts = new ArrayList<>();
    String url = "/api/calls/" + call.callId() + "/messages?pageSize=1";
    while (url != null) {
      JsonNode page = rest.get(url).json();
      assertThat(page.path("total").asInt()).isEqualTo(3);
      page.path("results").forEach(m -> texts.add(m.path("text").asText()));
      url = page.path("next").isNull() ? null : page.path("next").asText();
    }
    assertThat(texts).containsExactly(cut.path("text").asText(), "Stop, please", "Sure, stopping.");
  }

  @Test
  void aToolInvocationWaitsForItsResultThenTheAgentSpeaks() {
    FakeUltravox fake =
        start(
            FakeUltravox.builder()
                .greeting(AgentReply.say("Hi.", Duration.ofMillis(200)))
                .userTranscript("Book a table for two")
                .reply(
                    AgentReply.say("Your table is booked.", Duration.ofMillis(300))
                        .afterToolCall("book_table", "{\"people\":2}")));
    VoiceClient client = join(fake, "");
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    client.await("transcript", t -> t.path("final").asBoolean());

    client.sendAudio(VoiceClient.speech(16000, 100, 200, 600));

    JsonNode invocation = client.await("client_tool_invocation");
    assertThat(invocation.path("toolName").asText()).isEqualTo("book_table");
    assertThat(invocation.at("/parameters/people").asInt()).isEqualTo(2);
    String invocationId = invocation.path("invocationId").asText();
    client.await("state", s -> s.path("state").asText().equals("thinking"));

    client.send(
        "{\"type\":\"client_tool_result\",\"invocationId\":\"someone-else\",\"result\":\"{}\"}");
    assertThat(call.awaitProtocolError(p -> p.contains("someone-else"), TIMEOUT))
        .contains("pending");
    client.send(
        "{\"type\":\"client_tool_result\",\"invocationId\":\""
            + invocationId
            + "\",\"result\":\"{\\\"confirmation\\\":\\\"A7\\\"}\"}");

    JsonNode spoken =
        client.await(
            "transcript",
            t ->
                t.path("final").asBoolean()
                    && t.path("text").asText().equals("Your table is booked."));
    assertThat(spoken.path("role").asText()).isEqualTo("agent");
    assertThat(call.toolResults()).hasSize(2);
    JsonNode toolResult =
        call.awaitMessage(m -> m.path("role").asText().equals("MESSAGE_ROLE_TOOL_RESULT"), TIMEOUT);
    assertThat(toolResult.path("invocationId").asText()).isEqualTo(invocationId);
    assertThat(toolResult.path("toolName").asText()).isEqualTo("book_table");
    assertThat(toolResult.path("text").asText()).isEqualTo("{\"confirmation\":\"A7\"}");
    JsonNode toolCall =
        call.awaitMessage(m -> m.path("role").asText().equals("MESSAGE_ROLE_TOOL_CALL"), TIMEOUT);
    assertThat(toolCall.path("text").asText()).isEqualTo("{\"people\":2}");
  }

  @Test
  void aToolResultWithResponseTypeHangUpEndsTheCallAsAnAgentHangUp() {
    FakeUltravox fake =
        start(
            FakeUltravox.builder()
                .greeting(AgentReply.say("Hi.", Duration.ofMillis(200)))
                .reply(
                    AgentReply.say("unused", Duration.ofMillis(200)).afterToolCall("end", "{}")));
    VoiceClient client = join(fake, "");
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    client.await("transcript", t -> t.path("final").asBoolean());
    client.send("{\"type\":\"user_text_message\",\"text\":\"Goodbye\"}");
    String id = client.await("client_tool_invocation").path("invocationId").asText();
    client.send(
        "{\"type\":\"client_tool_result\",\"invocationId\":\""
            + id
            + "\",\"errorType\":\"implementation-error\",\"errorMessage\":\"boom\",\"responseType\":\"hang-up\"}");
    assertThat(client.awaitEnded().code()).isEqualTo(1000);
    assertThat(call.awaitEnded(TIMEOUT)).isEqualTo("agent_hangup");
    assertThat(call.json().path("endReason").asText()).isEqualTo("agent_hangup");
    assertThat(call.messages())
        .anySatisfy(
            m -> {
              assertThat(m.path("role").asText()).isEqualTo("MESSAGE_ROLE_TOOL_RESULT");
              assertThat(m.path("errorDetails").asText()).contains("implementation-error");
            });
  }

  @Test
  void pingIsAnsweredWithPongAndBadMessagesAreRecordedAsProtocolErrors() {
    FakeUltravox fake =
        start(FakeUltravox.builder().greeting(AgentReply.say("Hi.", Duration.ofMillis(100))));
    VoiceClient client = join(fake, "");
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);

    client.send("{\"type\":\"ping\",\"timestamp\":1712345678.25}");
    assertThat(client.await("pong").path("timestamp").asDouble()).isEqualTo(1712345678.25);

    client.send("not json at all");
    client.send("{\"type\":\"dance\"}");
    client.send("{\"no\":\"type\"}");
    client.sendBinary(new byte[] {1, 2, 3});
    call.awaitProtocolError(p -> p.contains("not a JSON object"), TIMEOUT);
    call.awaitProtocolError(p -> p.contains("unknown data message type dance"), TIMEOUT);
    call.awaitProtocolError(p -> p.contains("without a string type"), TIMEOUT);
    call.awaitProtocolError(p -> p.contains("3 bytes"), TIMEOUT);

    client.send("{\"type\":\"ping\",\"timestamp\":2}");
    client.await("pong", p -> p.path("timestamp").asInt() == 2);
    assertThat(call.endReason()).isEmpty();
    assertThat(call.received("ping")).hasSize(2);
  }

  @Test
  void hangUpWithAFarewellSpeaksItThenClosesTheSocket() {
    FakeUltravox fake =
        start(FakeUltravox.builder().greeting(AgentReply.say("Hi.", Duration.ofMillis(100))));
    VoiceClient client = join(fake, "");
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    client.await("transcript", t -> t.path("final").asBoolean());

    client.send("{\"type\":\"hang_up\",\"message\":\"Goodbye now\"}");

    JsonNode farewell =
        client.await("transcript", t -> t.path("text").asText().equals("Goodbye now"));
    assertThat(farewell.path("final").asBoolean()).isTrue();
    VoiceClient.Ended ended = client.awaitEnded();
    assertThat(ended.code()).isEqualTo(1000);
    assertThat(call.awaitEnded(TIMEOUT)).isEqualTo("hangup");
    assertThat(call.json().path("billedDuration").asText()).endsWith("s");
  }

  @Test
  void dataMessagesOverRestReachTheLiveCallAndA422FollowsTheEnd() {
    FakeUltravox fake =
        start(
            FakeUltravox.builder()
                .greeting(AgentReply.say("Hi.", Duration.ofMillis(100)))
                .reply(AgentReply.say("You said something.", Duration.ofMillis(200))));
    VoiceClient client = join(fake, "");
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    call.awaitJoined(TIMEOUT);
    Rest rest = new Rest(fake);
    String path = "/api/calls/" + call.callId() + "/send_data_message";

    assertThat(
            rest.post(path, "{\"type\":\"forced_agent_message\",\"content\":\"Please hold.\"}")
                .status())
        .isEqualTo(204);
    client.await(
        "transcript",
        t -> t.path("final").asBoolean() && t.path("text").asText().equals("Please hold."));

    assertThat(
            rest.post(path, "{\"type\":\"user_text_message\",\"text\":\"Are you there?\"}")
                .status())
        .isEqualTo(204);
    JsonNode user = client.await("transcript", t -> t.path("role").asText().equals("user"));
    assertThat(user.path("medium").asText()).isEqualTo("text");
    assertThat(user.path("text").asText()).isEqualTo("Are you there?");
    client.await("transcript", t -> t.path("text").asText().equals("You said something."));

    assertThat(rest.post(path, "{\"type\":\"hang_up\",\"message\":\"Bye.\"}").status())
        .isEqualTo(204);
    client.await("transcript", t -> t.path("text").asText().equals("Bye."));
    assertThat(client.awaitEnded().code()).isEqualTo(1000);
    assertThat(call.awaitEnded(TIMEOUT)).isEqualTo("agent_hangup");
    assertThat(rest.post(path, "{\"type\":\"user_text_message\",\"text\":\"hello?\"}").status())
        .isEqualTo(422);
    assertThatThrownBy(() -> call.speak(AgentReply.say("late")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theUserSpeaksFirstAndTheFallbackGreetingFollowsSilence() {
    FakeUltravox fake = start(FakeUltravox.builder());
    VoiceClient client =
        join(
            fake,
            ",\"firstSpeakerSettings\":{\"user\":{\"fallback\":{\"delay\":\"0.2s\",\"text\":\"Are you there?\"}}}");
    client.await("state", s -> s.path("state").asText().equals("listening"));
    JsonNode fallback = client.await("transcript", t -> t.path("final").asBoolean());
    assertThat(fallback.path("text").asText()).isEqualTo("Are you there?");
  }

  @Test
  void aClientCloseIsAHangupAndADroppedConnectionAConnectionError() {
    FakeUltravox fake =
        start(FakeUltravox.builder().greeting(AgentReply.say("Hi.", Duration.ofMillis(100))));
    VoiceClient first = join(fake, "");
    FakeUltravoxCall firstCall = fake.awaitCall(TIMEOUT);
    firstCall.awaitJoined(TIMEOUT);
    first.closeNormally();
    assertThat(firstCall.awaitEnded(TIMEOUT)).isEqualTo("hangup");
    assertThat(VoiceClient.attempt(firstCall.joinUrl()).awaitEnded().httpStatus()).isEqualTo(409);

    VoiceClient second = join(fake, "");
    FakeUltravoxCall secondCall = fake.awaitCall(TIMEOUT);
    secondCall.awaitJoined(TIMEOUT);
    secondCall.disconnect();
    assertThat(second.awaitEnded().code()).isEqualTo(-1);
    assertThat(secondCall.awaitEnded(TIMEOUT)).isEqualTo("connection_error");
  }

  @Test
  void aCallNotJoinedInTimeEndsUnjoined() {
    FakeUltravox fake = start(FakeUltravox.builder());
    new Rest(fake).created("/api/calls", "{" + MEDIUM + ",\"joinTimeout\":\"0.1s\"}");
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    assertThat(call.awaitEnded(TIMEOUT)).isEqualTo("unjoined");
    assertThatThrownBy(() -> call.awaitJoined(TIMEOUT)).hasMessageContaining("unjoined");
    assertThat(VoiceClient.attempt(call.joinUrl()).awaitEnded().httpStatus()).isEqualTo(409);
  }

  @Test
  void closeEndsLiveCallsAndLeavesNoThreadOfTheFakeAlive() {
    FakeUltravox fake =
        start(FakeUltravox.builder().greeting(AgentReply.say("Hi there, one moment.")));
    new Rest(fake)
        .created(
            "/api/webhooks",
            "{\"url\":\"http://127.0.0.1:9/unreachable\",\"events\":[\"call.started\"]}");
    VoiceClient client = join(fake, "");
    FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
    call.awaitJoined(TIMEOUT);
    fake.awaitDelivery(d -> d.event().equals("call.started"), TIMEOUT);

    fake.close();
    fake.close();

    assertThat(client.awaitEnded().code()).isIn(1001, -1);
    assertThat(call.endReason()).contains("system_error");
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("fake-ultravox") && t.isAlive());
    assertThat(fake.calls()).hasSize(1);
  }
}
