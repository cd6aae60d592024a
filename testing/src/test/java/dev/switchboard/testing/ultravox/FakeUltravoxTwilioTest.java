package dev.switchboard.testing.ultravox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.twilio.CallerAudio;
import dev.switchboard.testing.twilio.MarkEcho;
import dev.switchboard.testing.twilio.TwilioCallSimulator;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeUltravoxTwilioTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private FakeUltravox fake;
  private Rest rest;

  @BeforeEach
  void start() {
    fake =
        FakeUltravox.builder()
            .greeting(
                AgentReply.say(
                    "Thanks for calling, this is Ada from the restaurant, how can I help?",
                    Duration.ofSeconds(5)))
            .userTranscript("I need a table")
            .reply(AgentReply.say("Sure thing.", Duration.ofMillis(500)))
            .build();
    fake.start();
    rest = new Rest(fake);
  }

  @AfterEach
  void close() {
    fake.close();
  }

  /** The caller is silent, then speaks from {@code fromMs} for {@code lengthMs}. */
  private static CallerAudio speechAt(long fromMs, long lengthMs) {
    long from = fromMs * 8;
    long to = from + lengthMs * 8;
    return CallerAudio.generator(
        i ->
            i >= from && i < to
                ? (short) Math.round(8000 * Math.sin(2 * Math.PI * 440 * i / 8000.0))
                : 0);
  }

  @Test
  void theCallSimulatorTalksToTheJoinUrlWithBargeInMarksAndDtmf() {
    String agentId =
        rest.created(
                "/api/agents",
                "{\"name\":\"ada\",\"callTemplate\":{\"systemPrompt\":\"You are Ada; the caller is {{caller.name}}.\"}}")
            .path("agentId")
            .asText();
    JsonNode created =
        rest.created(
            "/api/agents/" + agentId + "/calls",
            "{\"medium\":{\"twilio\":{}},\"templateContext\":{\"caller\":{\"name\":\"Bob\"}}}");
    String joinUrl = created.path("joinUrl").asText();
    assertThat(joinUrl).contains("&");

    try (TwilioCallSimulator sim =
        TwilioCallSimulator.builder(URI.create(joinUrl))
            .customParameter("caller", "+15550100")
            .callerAudio(speechAt(2000, 400))
            .build()) {
      sim.connect();
      FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
      call.awaitJoined(TIMEOUT);
      assertThat(call.systemPrompt()).contains("You are Ada; the caller is Bob.");
      assertThat(call.medium()).isEqualTo("twilio");

      sim.awaitHeard(Duration.ofMillis(1000), TIMEOUT); // the greeting plays
      JsonNode start = call.twilioStart().orElseThrow();
      assertThat(start.at("/start/streamSid").asText()).isEqualTo(sim.streamSid());
      assertThat(start.at("/start/callSid").asText()).isEqualTo(sim.callSid());
      assertThat(start.at("/start/customParameters/caller").asText()).isEqualTo("+15550100");

      // the caller speaks at 2 s, during the 5 s greeting
      FakeUltravoxCall.Clear clear = call.awaitClear(TIMEOUT);
      sim.awaitEvent(TwilioCallSimulator.Cleared.class, c -> true, TIMEOUT);
      assertThat(clear.ordinal()).isZero();
      assertThat(clear.agentAudioSent()).isLessThan(Duration.ofSeconds(5));
      assertThat(clear.agentAudioPlayed()).isLessThanOrEqualTo(clear.agentAudioSent());

      // the user turn is answered, and its end mark is echoed once it has played
      call.awaitMessage(m -> m.path("text").asText().equals("I need a table"), TIMEOUT);
      MarkEcho end = sim.awaitMark("uv:2:500", TIMEOUT);
      assertThat(end.cleared()).isFalse();
      assertThat(
              call.awaitMessage(m -> m.path("text").asText().equals("Sure thing."), TIMEOUT)
                  .path("role")
                  .asText())
          .isEqualTo("MESSAGE_ROLE_AGENT");

      sim.sendDtmf("42");
      JsonNode digits = call.awaitMessage(m -> m.path("text").asText().equals("42"), TIMEOUT);
      assertThat(digits.path("medium").asText()).isEqualTo("MESSAGE_MEDIUM_TEXT");
      call.awaitMessage(m -> m.path("text").asText().equals("Okay."), TIMEOUT);

      sim.stop();
      assertThat(call.awaitEnded(TIMEOUT)).isEqualTo("hangup");
      assertThat(sim.protocolErrors()).isEmpty();
      assertThat(call.protocolErrors()).isEmpty();
      assertThat(call.sent("clear")).hasSize(1);
      assertThat(call.sent("mark")).isNotEmpty();
      assertThat(call.audioReceived()).isPositive();
    }
  }

  @Test
  void aScriptedHangUpWaitsForTheGoodbyeToPlayAndAToolCallFailsForLackOfADataChannel() {
    fake.addUserTranscript("That's all");
    fake.addReply(
        AgentReply.say("Goodbye.", Duration.ofMillis(400))
            .afterToolCall("log_call", "{}")
            .thenHangUp());
    JsonNode created =
        rest.created(
            "/api/calls",
            "{\"medium\":{\"twilio\":{}},\"firstSpeakerSettings\":{\"agent\":{\"text\":\"Hi.\"}}}");
    try (TwilioCallSimulator sim =
        TwilioCallSimulator.builder(URI.create(created.path("joinUrl").asText()))
            .callerAudio(speechAt(1500, 300))
            .build()) {
      sim.connect();
      FakeUltravoxCall call = fake.awaitCall(TIMEOUT);
      // the first reply is "Sure thing."; the second one ends the call
      call.awaitMessage(m -> m.path("text").asText().equals("Sure thing."), TIMEOUT);
      sim.sendDtmf("1");
      TwilioCallSimulator.Closed closed = sim.awaitClosedByServer(TIMEOUT);
      assertThat(closed.code()).isEqualTo(1000);
      assertThat(call.awaitEnded(TIMEOUT)).isEqualTo("agent_hangup");
      // the fake hung up only after the goodbye's last mark came back: it had played to its end
      assertThat(call.received("mark"))
          .extracting(m -> m.at("/mark/name").asText())
          .contains("uv:4:400");
      assertThat(call.sent("clear")).isEmpty();
      assertThat(call.messages())
          .anySatisfy(
              m -> {
                assertThat(m.path("role").asText()).isEqualTo("MESSAGE_ROLE_TOOL_RESULT");
                assertThat(m.path("errorDetails").asText())
                    .contains("twilio medium has no data messages");
              });
      assertThat(call.messages().get(0).path("text").asText()).isEqualTo("Hi.");
    }
  }

  @Test
  void aWrongTokenOrAServerWebSocketCallCannotBeJoinedAsTwilio() {
    JsonNode created = rest.created("/api/calls", "{\"medium\":{\"twilio\":{}}}");
    String forged = created.path("joinUrl").asText().replaceAll("token=[0-9a-f]+", "token=bad");
    try (TwilioCallSimulator sim = TwilioCallSimulator.builder(URI.create(forged)).build()) {
      assertThatThrownBy(sim::connect)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("403");
    }
    JsonNode other =
        rest.created("/api/calls", "{\"medium\":{\"serverWebSocket\":{\"inputSampleRate\":8000}}}");
    String asTwilio =
        other.path("joinUrl").asText().replace("/server_web_socket", "/twilio?token=x");
    try (TwilioCallSimulator sim = TwilioCallSimulator.builder(URI.create(asTwilio)).build()) {
      assertThatThrownBy(sim::connect).hasMessageContaining("404");
    }
    assertThat(fake.call(created.path("callId").asText()).isJoined()).isFalse();
  }
}
