package dev.switchboard.examples.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallState;
import dev.switchboard.examples.agents.ServiceFixture.Reply;
import dev.switchboard.testing.twilio.CallerAudio;
import dev.switchboard.testing.twilio.FakeCall;
import dev.switchboard.testing.twilio.FakeTwilioApi;
import dev.switchboard.testing.twilio.TwilioCallSimulator;
import dev.switchboard.testing.ultravox.AgentReply;
import dev.switchboard.testing.ultravox.FakeUltravoxCall;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /calls/{agent_id}} end to end: the Ultravox call is created from the agent, the
 * Twilio call's TwiML streams to its join URL, and a simulated phone connected to that URL talks to
 * the fake agent; Ultravox's webhooks and Twilio's status callbacks come back as call events; a
 * failed Twilio call ends the Ultravox call.
 */
class CallsEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Pattern STREAM_URL = Pattern.compile("<Stream[^>]*\\surl=\"([^\"]+)\"");
  private static final String PHONE = "+14155550123";
  private static final String CONTEXT =
      "{\"phoneNumber\": \""
          + PHONE
          + "\", \"templateContext\": {\"name\": \"Ada\", \"day\": \"Tuesday\"}}";

  private ServiceFixture fx;
  private String agentId;

  @BeforeEach
  void start() {
    fx =
        new ServiceFixture(
            fake ->
                fake.userTranscript("Hello? Who is this?")
                    .reply(AgentReply.say("Hi Ada, about Tuesday.", Duration.ofMillis(600))),
            service -> {});
    fx.registerWebhook();
    agentId = fx.createAgent("reminder", "You call {{name}} about {{day}}. Be brief.");
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void aCallIsStartedFromTheAgentAndTwilioStreamsItToTheJoinUrl() {
    Reply reply =
        fx.send(
            "POST",
            "/calls/" + agentId,
            CONTEXT,
            "application/json",
            Map.of(RequestIds.HEADER, "call-req-1"));

    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    JsonNode body = reply.json();
    String callSid = body.path("callSid").asText();
    String ultravoxCallId = body.path("ultravoxCallId").asText();
    String joinUrl = body.path("joinUrl").asText();
    assertThat(callSid).startsWith("CA");
    assertThat(body.path("status").asText()).isEqualTo("queued");
    assertThat(body.path("agentId").asText()).isEqualTo(agentId);

    // Ultravox: from the agent, with the context, twilio medium, the callee first, our request id.
    FakeUltravoxCall uv = fx.ultravox.call(ultravoxCallId);
    assertThat(uv.agentId()).contains(agentId);
    assertThat(uv.medium()).isEqualTo("twilio");
    assertThat(uv.joinUrl()).isEqualTo(joinUrl);
    assertThat(uv.systemPrompt()).contains("You call Ada about Tuesday. Be brief.");
    assertThat(uv.templateContext().path("name").asText()).isEqualTo("Ada");
    JsonNode call = uv.json();
    assertThat(call.path("firstSpeakerSettings").has("user")).isTrue();
    assertThat(call.path("firstSpeakerSettings").has("agent")).isFalse();
    assertThat(call.path("metadata").path(AgentApi.REQUEST_ID_METADATA).asText())
        .isEqualTo("call-req-1");
    // It waits to be joined at least as long as the phone rings (30 s) plus a margin.
    assertThat(call.path("joinTimeout").asText()).isEqualTo("60s");

    // Twilio: the call to the number, its TwiML streaming to the join URL, XML-escaped.
    FakeCall twilioCall = fx.twilioApi.call(callSid);
    assertThat(twilioCall.to()).isEqualTo(PHONE);
    assertThat(twilioCall.from()).isEqualTo(ServiceFixture.FROM);
    assertThat(twilioCall.param("Timeout")).contains("30");
    String twiml = twilioCall.param("Twiml").orElseThrow();
    assertThat(joinUrl).contains("&");
    assertThat(twiml).contains("<Connect><Stream").contains(joinUrl.replace("&", "&amp;"));
    Matcher m = STREAM_URL.matcher(twiml);
    assertThat(m.find()).isTrue();
    URI streamUrl = URI.create(m.group(1).replace("&amp;", "&"));
    assertThat(streamUrl.toString()).isEqualTo(joinUrl);

    // The callee answers: Twilio connects to the join URL, the callee says hello, the agent talks.
    double step = 2 * Math.PI * 300 / 8000;
    try (TwilioCallSimulator phone =
        TwilioCallSimulator.builder(streamUrl)
            .callSid(callSid)
            .callerAudio(
                CallerAudio.generator(
                    i -> i < 4800 ? (short) Math.round(9000 * Math.sin(step * i)) : 0))
            .build()) {
      phone.connect();
      uv.awaitJoined(WAIT);
      JsonNode start = uv.awaitReceived("start", msg -> true, WAIT);
      assertThat(start.path("start").path("callSid").asText()).isEqualTo(callSid);
      byte[] heard = phone.awaitHeard(Duration.ofMillis(600), WAIT);
      assertThat(heard.length).isGreaterThanOrEqualTo(4800);
      uv.awaitMessage(msg -> msg.path("text").asText().contains("Hi Ada"), WAIT);
      phone.stop();
      assertThat(uv.awaitEnded(WAIT)).isEqualTo("hangup");
    }

    // Ultravox's webhooks came back, verified, as call events.
    CallEvent.AgentCallChanged ended =
        fx.events.await(
            CallEvent.AgentCallChanged.class,
            e -> e.phase() == CallEvent.AgentCallPhase.ENDED,
            WAIT);
    assertThat(ended.agentCallId()).isEqualTo(ultravoxCallId);
    assertThat(ended.detail()).isEqualTo("hangup");
    fx.events.await(
        CallEvent.AgentCallChanged.class,
        e -> e.phase() == CallEvent.AgentCallPhase.JOINED && e.agentCallId().equals(ultravoxCallId),
        WAIT);
  }

  @Test
  void twilioStatusCallbacksBecomeCallEvents() {
    Reply reply = fx.post("/calls/" + agentId, CONTEXT);
    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    String callSid = reply.json().path("callSid").asText();

    FakeTwilioApi.CallbackResponse ringing = fx.twilioApi.sendStatusCallback(callSid, "ringing");
    FakeTwilioApi.CallbackResponse forged =
        fx.twilioApi.sendForgedStatusCallback(callSid, "completed");

    assertThat(ringing.successful()).as(ringing.toString()).isTrue();
    assertThat(forged.status()).isEqualTo(403);
    fx.events.await(
        CallEvent.StateChanged.class,
        e -> e.callId().equals(callSid) && e.current() == CallState.RINGING,
        WAIT);
    assertThat(fx.events.all(CallEvent.StateChanged.class))
        .noneMatch(e -> e.current() == CallState.COMPLETED);
  }

  @Test
  void anAgentWithAFirstMessageSaysItIfTheCalleeStaysSilent() {
    Reply created =
        fx.post(
            "/agents",
            "{\"name\": \"greeter\", \"prompt\": \"Be kind.\", \"firstMessage\": \"Hello there!\"}");
    String id = created.json().path("id").asText();

    Reply reply = fx.post("/calls/" + id, "{\"phoneNumber\": \"" + PHONE + "\"}");

    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    JsonNode settings =
        fx.ultravox
            .call(reply.json().path("ultravoxCallId").asText())
            .json()
            .path("firstSpeakerSettings");
    assertThat(settings.path("user").path("fallback").path("text").asText())
        .isEqualTo("Hello there!");
    assertThat(settings.path("user").path("fallback").path("delay").asText()).isEqualTo("3s");
  }

  @Test
  void whenTwilioFailsTheUltravoxCallIsEndedAndTheErrorSaysSo() {
    fx.twilioApi.failNext("POST", fx.twilioApi.callsPath(), FakeTwilioApi.Fault.status(500));

    Reply reply = fx.post("/calls/" + agentId, CONTEXT);

    assertThat(reply.status()).as(reply.toString()).isEqualTo(502);
    JsonNode error = reply.error();
    assertThat(error.path("code").asText()).isEqualTo("twilio_unavailable");
    assertThat(error.path("requestId").asText()).isEqualTo(reply.header(RequestIds.HEADER));
    FakeUltravoxCall uv = fx.ultravox.calls().get(0);
    assertThat(error.path("message").asText()).contains(uv.callId());
    JsonNode hangUp =
        fx.ultravox
            .awaitRequest(
                r ->
                    r.method().equals("POST")
                        && r.path().equals("/api/calls/" + uv.callId() + "/send_data_message"),
                WAIT)
            .json();
    assertThat(hangUp.path("type").asText()).isEqualTo("hang_up");
    assertHangUpRefusedAndExplained(uv, error.path("message").asText());
    assertThat(fx.twilioApi.calls()).isEmpty();
  }

  @Test
  void aNumberTwilioRefusesIsA400NamingThePhoneNumber() {
    fx.twilioApi.failNext(
        "POST",
        fx.twilioApi.callsPath(),
        FakeTwilioApi.Fault.status(400).errorCode(21211).message("Invalid 'To' Phone Number"));

    Reply reply = fx.post("/calls/" + agentId, CONTEXT);

    assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
    JsonNode error = reply.error();
    assertThat(error.path("code").asText()).isEqualTo("twilio_rejected");
    assertThat(error.path("field").asText()).isEqualTo("phoneNumber");
    assertThat(error.path("message").asText()).contains("Invalid 'To' Phone Number");
    assertHangUpRefusedAndExplained(fx.ultravox.calls().get(0), error.path("message").asText());
  }

  @Test
  void whenUltravoxCannotStartTheCallNoPhoneRings() {
    fx.ultravox.failNext(
        "POST",
        "/api/agents/" + agentId + "/calls",
        dev.switchboard.testing.ultravox.FakeUltravox.Fault.status(503));

    Reply reply = fx.post("/calls/" + agentId, CONTEXT);

    assertThat(reply.status()).as(reply.toString()).isEqualTo(502);
    assertThat(reply.error().path("code").asText()).isEqualTo("ultravox_unavailable");
    assertThat(fx.twilioApi.callCount()).isZero();
  }

  /**
   * The Ultravox call was never joined, so Ultravox refuses the hang-up (422, not active): the
   * error says the call ends at its join timeout, and it is still unjoined (and not ended by us).
   */
  private static void assertHangUpRefusedAndExplained(FakeUltravoxCall uv, String message) {
    assertThat(message)
        .contains("could not be ended at once (Ultravox answered HTTP 422)")
        .contains("join timeout of 60 s");
    assertThat(uv.isJoined()).isFalse();
  }
}
