package dev.switchboard.examples;

import static dev.switchboard.examples.Phone.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.agent.AgentEvent;
import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.agent.Tool;
import dev.switchboard.core.agent.ToolCall;
import dev.switchboard.core.agent.ToolDefinition;
import dev.switchboard.core.agent.ToolResult;
import dev.switchboard.core.bridge.BridgedCall;
import dev.switchboard.core.event.SwitchboardEvent;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallState;
import dev.switchboard.testing.Recorder;
import dev.switchboard.testing.openai.Reply;
import dev.switchboard.testing.openai.SessionRecord;
import dev.switchboard.testing.twilio.MarkEcho;
import dev.switchboard.testing.twilio.Pacing;
import dev.switchboard.testing.twilio.TwilioCallSimulator;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A phone call end to end over real sockets: {@link TwilioCallSimulator} ↔ {@code
 * SwitchboardServer} + {@code TwilioVoiceBackend} ↔ {@code VoiceAgentBridge} ↔ {@code
 * OpenAiRealtimeAgentRuntime} ↔ {@code FakeOpenAiRealtimeServer}, wired by {@link LocalPhoneAgent}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PhoneAgentEndToEndTest {
  /** A caller's voice loud enough for the fake's detector; the pitch says who is speaking. */
  private static byte[] voice(double hz, Duration duration) {
    return LiveCaller.tone(hz, 0.3, duration);
  }

  private final Recorder<SwitchboardEvent> events = new Recorder<>();
  private LocalPhoneAgent agent;

  private LocalPhoneAgent start(Consumer<LocalPhoneAgent.Builder> configure) {
    LocalPhoneAgent.Builder builder = LocalPhoneAgent.builder().onEvent(events);
    configure.accept(builder);
    agent = builder.build();
    return agent;
  }

  @AfterEach
  void closeAgent() {
    if (agent != null) {
      agent.close();
    }
  }

  @Test
  void aFullConversationIsHeardAndTranscribedOnBothSides() throws Exception {
    String answer = "Of course: a table for two tonight at eight.";
    start(
        b ->
            b.agent(
                f ->
                    f.userTranscript(PhoneAgentDemo.CALLER_1)
                        .reply(Reply.audio(answer, Duration.ofMillis(1200)))));
    LiveCaller caller = new LiveCaller();
    LocalPhoneAgent.LocalCall call = agent.placeCall(caller.audio(), Pacing.accelerated(4));
    BridgedCall bridged = call.bridged(TIMEOUT);
    SessionRecord session = agent.session(call.callSid(), TIMEOUT);
    caller.say(LiveCaller.clip("caller-1.wav"));

    JsonNode done = session.awaitServerEvent("response.done", e -> true, TIMEOUT);
    byte[] said = Phone.audioOf(session, done.path("response").path("id").asText());
    assertThat(said).hasSize(1200 * 8);
    byte[] heard = call.simulator().awaitHeard(Duration.ofMillis(1200), TIMEOUT);
    assertThat(heard).as("the caller heard exactly what the agent said").isEqualTo(said);
    call.simulator().awaitMark(lastMarkName(call.simulator()), TIMEOUT);

    AgentEvent.TranscriptReceived user =
        events.await(
            AgentEvent.TranscriptReceived.class,
            t -> t.transcript().speaker() == Speaker.USER,
            TIMEOUT);
    AgentEvent.TranscriptReceived agentSaid =
        events.await(
            AgentEvent.TranscriptReceived.class,
            t -> t.transcript().speaker() == Speaker.AGENT,
            TIMEOUT);
    assertThat(user.transcript().text()).isEqualTo(PhoneAgentDemo.CALLER_1);
    assertThat(user.callId()).isEqualTo(call.callSid());
    assertThat(agentSaid.transcript().text()).isEqualTo(answer);
    assertThat(user.timestamp()).isBeforeOrEqualTo(agentSaid.timestamp());

    call.hangUp();
    bridged.done().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(session.awaitClosed(TIMEOUT)).isNotNull();
    events.await(
        CallEvent.StateChanged.class,
        e -> e.callId().equals(call.callSid()) && e.current() == CallState.COMPLETED,
        TIMEOUT);
    assertThat(call.simulator().clearsReceived()).isZero();
    assertThat(call.simulator().protocolErrors()).isEmpty();
    assertThat(bridged.metrics().framesToAgent()).isPositive();
    assertThat(bridged.metrics().lastTurnLatency()).isNotNull();
    assertThat(bridged.metrics().bargeIns()).isZero();
  }

  @Test
  void anInterruption700MsIntoA3SecondAnswerTruncatesAtWhatWasHeardAndNothingMorePlays()
      throws Exception {
    interruptAndCheckPrecision(false);
  }

  @Test
  void anInterruptionAfterAGreetingIsJustAsPrecise() throws Exception {
    interruptAndCheckPrecision(true);
  }

  private void interruptAndCheckPrecision(boolean greeting) throws Exception {
    start(
        b -> {
          b.agent(
              f -> {
                if (greeting) {
                  f.reply(Reply.audio(PhoneAgentDemo.GREETING, Duration.ofMillis(1500)));
                }
                f.reply(Reply.audio(PhoneAgentDemo.ANSWER, Duration.ofSeconds(3)));
              });
          if (greeting) {
            b.greeting(PhoneAgentDemo.GREETING);
          }
        });
    LiveCaller caller = new LiveCaller();
    LocalPhoneAgent.LocalCall call = agent.placeCall(caller.audio(), Pacing.REALTIME);
    BridgedCall bridged = call.bridged(TIMEOUT);
    SessionRecord session = agent.session(call.callSid(), TIMEOUT);
    TwilioCallSimulator phone = call.simulator();
    int answerIndex = 0;
    long before = 0;
    if (greeting) {
      JsonNode done = session.awaitServerEvent("response.done", e -> true, TIMEOUT);
      before = Phone.audioOf(session, done.path("response").path("id").asText()).length;
      phone.awaitHeard(Duration.ofNanos(before * 125_000L), TIMEOUT);
      answerIndex = 1;
    }
    caller.say(voice(440, Duration.ofMillis(400)));

    // The answer plays; the fake's detector needs 60 ms of speech, so start talking at 640 ms.
    phone.awaitHeard(Duration.ofNanos(before * 125_000L).plusMillis(640), TIMEOUT);
    caller.say(voice(440, Duration.ofSeconds(20)));
    TwilioCallSimulator.Cleared cleared =
        phone.awaitEvent(TwilioCallSimulator.Cleared.class, c -> true, TIMEOUT);
    JsonNode truncate = session.awaitClientEvent("conversation.item.truncate", e -> true, TIMEOUT);

    List<TwilioCallSimulator.Event> snapshot = phone.events();
    int clearedAt = Phone.indexOf(snapshot, cleared);
    long heardBytes = Phone.received(snapshot, 0, clearedAt).length - cleared.droppedBytes();
    double heardMs = (heardBytes - before) / 8.0;
    SessionRecord.ResponseRecord answer = session.responses().get(answerIndex);
    assertThat(truncate.path("item_id").asText()).isEqualTo(answer.itemId());
    assertThat(heardMs).as("heard when the caller was detected").isBetween(640.0, 900.0);
    MarkEcho lastPlayed = null;
    for (TwilioCallSimulator.Event e : snapshot.subList(0, clearedAt)) {
      if (e instanceof MarkEcho echo && !echo.cleared()) {
        lastPlayed = echo;
      }
    }
    assertThat(truncate.path("audio_end_ms").asDouble())
        .as(
            "audio_end_ms against the %.1f ms of the answer the phone played; the phone's last"
                + " mark echo before the clear was %s, %d ms before the clear",
            heardMs,
            lastPlayed == null ? "none" : lastPlayed.name(),
            lastPlayed == null ? -1 : Duration.between(lastPlayed.at(), cleared.at()).toMillis())
        .isCloseTo(heardMs, within(20.0));
    assertThat(cleared.droppedBytes()).isPositive();

    // Nothing of the interrupted answer plays after the clear: the next audio to arrive is the
    // agent's next response, byte for byte.
    String next = session.startResponse(Reply.audio("Go on.", Duration.ofMillis(300)));
    session.awaitServerEvent(
        "response.done", e -> e.path("response").path("id").asText().equals(next), TIMEOUT);
    byte[] nextAudio = Phone.audioOf(session, next);
    phone.awaitHeard(Duration.ofNanos((heardBytes + nextAudio.length) * 125_000L), TIMEOUT);
    List<TwilioCallSimulator.Event> after = phone.events();
    assertThat(Phone.received(after, clearedAt + 1, after.size())).isEqualTo(nextAudio);
    assertThat(bridged.metrics().bargeIns()).isEqualTo(1);
    assertThat(bridged.metrics().lastHeard()).isNotNull();
    events.await(CallEvent.BargeIn.class, e -> e.callId().equals(call.callSid()), TIMEOUT);
  }

  @Test
  void anInterruptionBeforeTheFirstMarkStillTellsTheAgentWhatWasHeard() {
    // Half-second chunks: the first mark can only come back after 500 ms of playback.
    start(
        b ->
            b.agent(
                f ->
                    f.deltaDuration(Duration.ofMillis(500))
                        .reply(Reply.audio(PhoneAgentDemo.ANSWER, Duration.ofSeconds(3)))));
    LiveCaller caller = new LiveCaller();
    LocalPhoneAgent.LocalCall call = agent.placeCall(caller.audio(), Pacing.REALTIME);
    call.bridged(TIMEOUT);
    SessionRecord session = agent.session(call.callSid(), TIMEOUT);
    TwilioCallSimulator phone = call.simulator();
    caller.say(voice(440, Duration.ofMillis(400)));

    phone.awaitHeard(Duration.ofMillis(100), TIMEOUT);
    caller.say(voice(440, Duration.ofSeconds(20)));
    TwilioCallSimulator.Cleared cleared =
        phone.awaitEvent(TwilioCallSimulator.Cleared.class, c -> true, TIMEOUT);
    JsonNode truncate = session.awaitClientEvent("conversation.item.truncate", e -> true, TIMEOUT);

    List<TwilioCallSimulator.Event> snapshot = phone.events();
    int clearedAt = Phone.indexOf(snapshot, cleared);
    assertThat(snapshot.subList(0, clearedAt))
        .as("no mark was echoed as played before the clear")
        .noneMatch(e -> e instanceof MarkEcho echo && !echo.cleared());
    double heardMs = (Phone.received(snapshot, 0, clearedAt).length - cleared.droppedBytes()) / 8.0;
    assertThat(heardMs).isBetween(100.0, 400.0);
    assertThat(truncate.path("audio_end_ms").asLong()).isPositive();
    assertThat(truncate.path("audio_end_ms").asDouble()).isCloseTo(heardMs, within(20.0));
  }

  @Test
  void aToolCallIsAnsweredAndTheAgentSpeaksItsResult() throws Exception {
    Recorder<ToolCall> toolCalls = new Recorder<>();
    Tool availability =
        new Tool(
            ToolDefinition.of(
                "check_availability",
                "Tells whether a table is free.",
                "{\"type\":\"object\",\"properties\":{\"people\":{\"type\":\"integer\"}}}"),
            toolCall -> {
              toolCalls.accept(toolCall);
              return ToolResult.success(toolCall.id(), "{\"available\":true}");
            });
    start(
        b ->
            b.tool(availability)
                .agent(
                    f ->
                        f.reply(Reply.functionCall("check_availability", "{\"people\":2}"))
                            .reply(Reply.audio("Yes, we have a table.", Duration.ofMillis(800)))));
    LiveCaller caller = new LiveCaller();
    LocalPhoneAgent.LocalCall call = agent.placeCall(caller.audio(), Pacing.accelerated(4));
    call.bridged(TIMEOUT);
    SessionRecord session = agent.session(call.callSid(), TIMEOUT);
    caller.say(voice(440, Duration.ofMillis(400)));

    ToolCall toolCall = toolCalls.await(ToolCall.class, c -> true, TIMEOUT);
    assertThat(toolCall.name()).isEqualTo("check_availability");
    assertThat(toolCall.arguments().path("people").asInt()).isEqualTo(2);
    JsonNode output =
        session.awaitClientEvent(
            "conversation.item.create",
            e -> e.path("item").path("type").asText().equals("function_call_output"),
            TIMEOUT);
    assertThat(output.path("item").path("call_id").asText()).isEqualTo(toolCall.id());
    assertThat(output.path("item").path("output").asText()).contains("\"available\":true");
    JsonNode spoken =
        session.awaitServerEvent(
            "response.done",
            e -> e.path("response").path("output").path(0).path("type").asText().equals("message"),
            TIMEOUT);
    byte[] said = Phone.audioOf(session, spoken.path("response").path("id").asText());
    assertThat(call.simulator().awaitHeard(Duration.ofMillis(800), TIMEOUT)).isEqualTo(said);
    AgentEvent.ToolCalled called =
        events.await(
            AgentEvent.ToolCalled.class, e -> e.toolName().equals("check_availability"), TIMEOUT);
    assertThat(called.succeeded()).isTrue();
  }

  @Test
  void aSlowToolPlaysANoticeAndNeverBlocksTheAudio() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    Tool slow =
        new Tool(
            ToolDefinition.of(
                "search_bookings", "Searches bookings.", "{\"type\":\"object\",\"properties\":{}}"),
            toolCall -> {
              running.countDown();
              if (!release.await(20, TimeUnit.SECONDS)) {
                return ToolResult.error(toolCall.id(), "never released");
              }
              return ToolResult.success(toolCall.id(), "{\"found\":1}");
            });
    start(
        b ->
            b.tool(slow)
                .bridge(
                    bridge ->
                        bridge
                            .slowToolNotice(Duration.ofMillis(200))
                            .toolTimeout(Duration.ofSeconds(15)))
                .agent(
                    f ->
                        f.reply(Reply.functionCall("search_bookings", "{}"))
                            .reply(Reply.audio("I found your booking.", Duration.ofMillis(600)))));
    LiveCaller caller = new LiveCaller();
    LocalPhoneAgent.LocalCall call = agent.placeCall(caller.audio(), Pacing.accelerated(4));
    call.bridged(TIMEOUT);
    SessionRecord session = agent.session(call.callSid(), TIMEOUT);
    TwilioCallSimulator phone = call.simulator();
    caller.say(voice(440, Duration.ofMillis(400)));
    assertThat(running.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    // While the tool runs: the caller hears the notice, and the caller's audio keeps flowing.
    phone.awaitHeard(Duration.ofMillis(200), TIMEOUT);
    assertThat(Phone.allAudio(session)).as("the agent has said nothing yet").isEmpty();
    int before = session.inputAudio().remaining();
    session.awaitClientEvent(
        "input_audio_buffer.append",
        e -> session.inputAudio().remaining() >= before + 8000,
        TIMEOUT);
    assertThat(release.getCount()).as("the tool is still running").isEqualTo(1);

    release.countDown();
    JsonNode output =
        session.awaitClientEvent(
            "conversation.item.create",
            e -> e.path("item").path("type").asText().equals("function_call_output"),
            TIMEOUT);
    assertThat(output.path("item").path("output").asText()).contains("\"found\":1");
    JsonNode spoken =
        session.awaitServerEvent(
            "response.done",
            e -> e.path("response").path("output").path(0).path("type").asText().equals("message"),
            TIMEOUT);
    byte[] said = Phone.audioOf(session, spoken.path("response").path("id").asText());
    // Everything the phone received: the notice, then the answer, whole and last.
    phone.awaitEvent(
        TwilioCallSimulator.Received.class,
        r -> Phone.contains(receivedSoFar(phone), said),
        TIMEOUT);
    byte[] received = receivedSoFar(phone);
    assertThat(Arrays.copyOfRange(received, received.length - said.length, received.length))
        .isEqualTo(said);
    assertThat(received.length).as("the notice came first").isGreaterThan(said.length);
    byte[] heard = phone.awaitHeard(Duration.ofNanos(received.length * 125_000L), TIMEOUT);
    assertThat(heard).isEqualTo(received);
  }

  @Test
  void endCallHangsUpOnlyAfterTheGoodbyeHasPlayedToItsEnd() throws Exception {
    start(
        b ->
            b.agent(
                f ->
                    f.reply(Reply.audio("Goodbye, see you tonight!", Duration.ofMillis(1500)))
                        .fallbackReply(Reply.audio("", Duration.ofMillis(20)))));
    LiveCaller caller = new LiveCaller();
    LocalPhoneAgent.LocalCall call = agent.placeCall(caller.audio(), Pacing.accelerated(4));
    BridgedCall bridged = call.bridged(TIMEOUT);
    SessionRecord session = agent.session(call.callSid(), TIMEOUT);
    TwilioCallSimulator phone = call.simulator();
    caller.say(voice(440, Duration.ofMillis(400)));

    JsonNode done = session.awaitServerEvent("response.done", e -> true, TIMEOUT);
    byte[] goodbye = Phone.audioOf(session, done.path("response").path("id").asText());
    // The model calls end_call right after its goodbye, while the goodbye is still playing.
    session.startResponse(Reply.functionCall("end_call", "{\"reason\":\"done\"}"));
    assertThat(phone.heardDuration()).isLessThan(Duration.ofMillis(1500));

    phone.awaitClosedByServer(TIMEOUT);
    byte[] heard = phone.heard();
    assertThat(heard.length).isGreaterThanOrEqualTo(goodbye.length);
    assertThat(Arrays.copyOf(heard, goodbye.length))
        .as("the whole goodbye was heard")
        .isEqualTo(goodbye);
    assertThat(phone.clearsReceived()).isZero();
    List<MarkEcho> marks = phone.marks();
    assertThat(marks).isNotEmpty().noneMatch(MarkEcho::cleared);
    assertThat(agent.twilioApi().call(call.callSid()).status()).isEqualTo("completed");
    bridged.done().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    events.await(
        AgentEvent.ToolCalled.class,
        e -> e.toolName().equals("end_call") && e.succeeded(),
        TIMEOUT);
  }

  @Test
  void endCallBeforeTheGoodbyeHangsUpOnlyAfterTheFollowUpGoodbyeHasPlayed() throws Exception {
    // As OpenAI models often do: end_call first; the goodbye is the follow-up response that the
    // runtime requests once end_call is answered.
    start(
        b ->
            b.agent(
                f ->
                    f.reply(Reply.functionCall("end_call", "{\"reason\":\"done\"}"))
                        .reply(Reply.audio("Goodbye, see you tonight!", Duration.ofMillis(1500)))
                        .fallbackReply(Reply.audio("", Duration.ofMillis(20)))));
    LiveCaller caller = new LiveCaller();
    LocalPhoneAgent.LocalCall call = agent.placeCall(caller.audio(), Pacing.accelerated(4));
    BridgedCall bridged = call.bridged(TIMEOUT);
    SessionRecord session = agent.session(call.callSid(), TIMEOUT);
    TwilioCallSimulator phone = call.simulator();
    caller.say(voice(440, Duration.ofMillis(400)));

    JsonNode done =
        session.awaitServerEvent(
            "response.done",
            e -> e.path("response").path("output").path(0).path("type").asText().equals("message"),
            TIMEOUT);
    byte[] goodbye = Phone.audioOf(session, done.path("response").path("id").asText());
    assertThat(goodbye).isNotEmpty();

    phone.awaitClosedByServer(TIMEOUT);
    assertThat(Phone.contains(phone.heard(), goodbye)).as("the whole goodbye was heard").isTrue();
    assertThat(phone.clearsReceived()).isZero();
    assertThat(phone.marks()).isNotEmpty().noneMatch(MarkEcho::cleared);
    assertThat(agent.twilioApi().call(call.callSid()).status()).isEqualTo("completed");
    bridged.done().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void theAgentDroppingMidCallEndsTheCallWithAnApology() throws Exception {
    start(b -> b.agent(f -> f.reply(Reply.audio(PhoneAgentDemo.ANSWER, Duration.ofSeconds(3)))));
    LiveCaller caller = new LiveCaller();
    LocalPhoneAgent.LocalCall call = agent.placeCall(caller.audio(), Pacing.accelerated(4));
    BridgedCall bridged = call.bridged(TIMEOUT);
    SessionRecord session = agent.session(call.callSid(), TIMEOUT);
    TwilioCallSimulator phone = call.simulator();
    caller.say(voice(440, Duration.ofMillis(400)));
    session.awaitServerEvent("response.done", e -> true, TIMEOUT);
    phone.awaitHeard(Duration.ofMillis(300), TIMEOUT);

    session.disconnect();
    phone.awaitClosedByServer(Duration.ofSeconds(20));
    events.await(AgentEvent.AgentFailed.class, e -> e.callId().equals(call.callSid()), TIMEOUT);
    assertThat(agent.twilioApi().call(call.callSid()).status()).isEqualTo("completed");
    bridged.done().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    byte[] apology = apologyClip();
    byte[] middle = Arrays.copyOfRange(apology, apology.length / 4, apology.length / 2);
    assertThat(Phone.contains(phone.heard(), middle))
        .as("the caller heard the bridge's spoken apology before the line closed")
        .isTrue();
  }

  @Test
  void theCallerHangingUpMidAnswerEndsTheAgentSession() throws Exception {
    start(b -> b.agent(f -> f.reply(Reply.audio(PhoneAgentDemo.ANSWER, Duration.ofSeconds(3)))));
    LiveCaller caller = new LiveCaller();
    LocalPhoneAgent.LocalCall call = agent.placeCall(caller.audio(), Pacing.accelerated(4));
    BridgedCall bridged = call.bridged(TIMEOUT);
    SessionRecord session = agent.session(call.callSid(), TIMEOUT);
    caller.say(voice(440, Duration.ofMillis(400)));
    call.simulator().awaitHeard(Duration.ofMillis(500), TIMEOUT);

    call.hangUp();
    bridged.done().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    SessionRecord.Closure closure = session.awaitClosed(TIMEOUT);
    assertThat(closure.byServer()).as("the bridge closed the agent session").isFalse();
    events.await(
        CallEvent.StateChanged.class,
        e -> e.callId().equals(call.callSid()) && e.current() == CallState.COMPLETED,
        TIMEOUT);
    assertThat(call.simulator().heard().length).isLessThan(3000 * 8);
  }

  /** The apology the bridge plays when the agent fails, as the phone receives it. */
  private static byte[] apologyClip() throws java.io.IOException {
    try (java.io.InputStream in =
        dev.switchboard.core.bridge.VoiceAgentBridge.class.getResourceAsStream("apology.wav")) {
      assertThat(in).as("core's apology.wav").isNotNull();
      return dev.switchboard.codec.Wav.read(in).bytes();
    }
  }

  private static byte[] receivedSoFar(TwilioCallSimulator phone) {
    List<TwilioCallSimulator.Event> all = phone.events();
    return Phone.received(all, 0, all.size());
  }

  private static String lastMarkName(TwilioCallSimulator phone) {
    String name = null;
    for (TwilioCallSimulator.Received r : phone.events(TwilioCallSimulator.Received.class)) {
      int at = r.json().indexOf("\"name\":\"");
      if (r.json().contains("\"event\":\"mark\"") && at >= 0) {
        name = r.json().substring(at + 8, r.json().indexOf('"', at + 8));
      }
    }
    if (name == null) {
      throw new AssertionError("no mark was sent");
    }
    return name;
  }
}
