package dev.switchboard.agent.ultravox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.agent.ultravox.model.WebhookSpec;
import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.agent.AgentEvent;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.agent.Tool;
import dev.switchboard.core.agent.ToolCall;
import dev.switchboard.core.agent.ToolDefinition;
import dev.switchboard.core.agent.ToolResult;
import dev.switchboard.core.agent.Transcript;
import dev.switchboard.core.bridge.BridgedCall;
import dev.switchboard.core.bridge.VoiceAgentBridge;
import dev.switchboard.core.event.SwitchboardEvent;
import dev.switchboard.core.store.CallRecord;
import dev.switchboard.core.store.CallStore;
import dev.switchboard.core.store.InMemoryCallStore;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallDirection;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallRequest;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.testing.Recorder;
import dev.switchboard.testing.RecordingAgentListener;
import dev.switchboard.testing.twilio.FakeCall;
import dev.switchboard.testing.twilio.FakeTwilioApi;
import dev.switchboard.testing.twilio.Pacing;
import dev.switchboard.testing.twilio.TwilioCallSimulator;
import dev.switchboard.testing.ultravox.AgentReply;
import dev.switchboard.testing.ultravox.FakeUltravox;
import dev.switchboard.testing.ultravox.FakeUltravoxCall;
import dev.switchboard.voice.twilio.InboundCallRouter;
import dev.switchboard.voice.twilio.InboundDecision;
import dev.switchboard.voice.twilio.TwilioVoiceBackend;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Phone calls end to end over real sockets: {@link TwilioCallSimulator} and {@link FakeTwilioApi} ↔
 * {@link TwilioVoiceBackend} on {@link SwitchboardServer} ↔ {@link UltravoxAgentRuntime} (and,
 * streaming, {@link VoiceAgentBridge}) ↔ {@link FakeUltravox}, in both integration modes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UltravoxEndToEndTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String AUTH_TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  private static final String WEBHOOK_SECRET = "uv-webhook-secret-for-tests-0123456789";
  private static final String AGENT_NUMBER = "+14155550100";
  private static final String CALLER_NUMBER = "+14155550123";
  private static final Pattern STREAM_URL = Pattern.compile("<Stream[^>]*\\surl=\"([^\"]+)\"");
  private static final Pattern PARAMETER =
      Pattern.compile("<Parameter name=\"([^\"]+)\" value=\"([^\"]*)\"");

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final Recorder<SwitchboardEvent> events = new Recorder<>();
  private final Recorder<CallRecord> saved = new Recorder<>();
  private final CallStore callStore = new RecordingCallStore(InMemoryCallStore.create(), saved);
  private final Map<String, CompletableFuture<BridgedCall>> bridged = new ConcurrentHashMap<>();
  private FakeTwilioApi twilioApi;
  private FakeUltravox fake;
  private SwitchboardServer server;
  private TwilioVoiceBackend twilio;
  private UltravoxWebhooks webhooks;
  private UltravoxAgentRuntime runtime;
  private VoiceAgentBridge bridge;

  /** What a test wires differently. */
  private record Setup(
      Consumer<FakeUltravox.Builder> script,
      InboundCallRouter router,
      List<Tool> tools,
      SessionOptions.Builder bridgeOptions) {}

  private void start(Setup setup) {
    twilioApi = FakeTwilioApi.builder().authToken(AUTH_TOKEN).build();
    twilioApi.start();
    toClose.add(twilioApi);

    FakeUltravox.Builder fb = FakeUltravox.builder();
    setup.script().accept(fb);
    fake = fb.build();
    fake.start();
    toClose.add(fake);

    webhooks = UltravoxWebhooks.builder().secret(WEBHOOK_SECRET).build();
    webhooks.addListener(events::accept);
    runtime =
        UltravoxAgentRuntime.builder()
            .apiKey(fake.apiKey())
            .baseUrl(fake.baseUrl())
            .webhooks(webhooks)
            .build();
    toClose.add(runtime);

    bridge =
        VoiceAgentBridge.builder()
            .runtime(runtime)
            .sessionOptions(setup.bridgeOptions().build())
            .tools(setup.tools())
            .callStore(callStore)
            .events(events::accept)
            .build();
    toClose.add(bridge);

    TwilioVoiceBackend[] backend = new TwilioVoiceBackend[1];
    SwitchboardServer.Builder sb =
        SwitchboardServer.builder()
            .httpAddress(new InetSocketAddress("127.0.0.1", 0))
            .webSocketAddress(new InetSocketAddress("127.0.0.1", 0));
    for (String path : List.of("/twilio/voice", "/twilio/status", "/twilio/stream-status")) {
      sb.webhook(path, request -> backend[0].webhookHandler().handle(request));
    }
    sb.webhook("/ultravox/webhooks", webhooks::handle);
    sb.webSocket(
        "/twilio/media", (channel, upgrade) -> backend[0].mediaHandler().onOpen(channel, upgrade));
    server = sb.build();
    server.start();
    toClose.add(() -> server.stop(Duration.ofSeconds(1)));

    twilio =
        TwilioVoiceBackend.builder()
            .accountSid(twilioApi.accountSid())
            .authToken(twilioApi.authToken())
            .defaultFrom(AGENT_NUMBER)
            .publicBaseUrl(URI.create("http://127.0.0.1:" + server.httpPort()))
            .mediaUrl(URI.create("ws://127.0.0.1:" + server.webSocketPort() + "/twilio/media"))
            .allowInsecureUrls(true)
            .apiBaseUrl(twilioApi.baseUrl())
            .router(setup.router())
            .streamHandler(this::onStream)
            .build();
    backend[0] = twilio;
    twilio.addListener(events::accept);
    twilio.start();
    toClose.add(() -> twilio.stop(Duration.ZERO).get(5, TimeUnit.SECONDS));

    // Ultravox tells us when calls end.
    runtime
        .client()
        .createWebhook(
            WebhookSpec.builder(
                    URI.create("http://127.0.0.1:" + server.httpPort() + "/ultravox/webhooks"))
                .events("call.ended")
                .secret(WEBHOOK_SECRET)
                .build());
  }

  /** A stream reaching our own media endpoint: bridged to a streaming Ultravox session. */
  private void onStream(MediaStream stream) {
    CompletableFuture<BridgedCall> target =
        bridged.computeIfAbsent(stream.callId(), id -> new CompletableFuture<>());
    Call call = twilio.call(stream.callId()).orElseThrow();
    bridge
        .attach(call, stream)
        .whenComplete(
            (b, e) -> {
              if (e != null) {
                target.completeExceptionally(e);
              } else {
                target.complete(b);
              }
            });
  }

  @AfterEach
  void stopAll() {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  private static Setup direct(Consumer<FakeUltravox.Builder> script, InboundCallRouter router) {
    return new Setup(script, router, List.of(), SessionOptions.builder(Capability.AUDIO_STREAMING));
  }

  private TwilioCallSimulator phone(URI url, String callSid, Caller caller, Map<String, String> p) {
    TwilioCallSimulator.Builder b =
        TwilioCallSimulator.builder(url)
            .accountSid(twilioApi.accountSid())
            .callSid(callSid)
            .callerAudio(caller.audio())
            .pacing(Pacing.REALTIME);
    p.forEach(b::customParameter);
    TwilioCallSimulator sim = b.build();
    toClose.add(sim::close);
    return sim;
  }

  private static String streamUrlIn(String twiml) {
    Matcher m = STREAM_URL.matcher(twiml);
    assertThat(m.find()).as("a <Stream> in %s", twiml).isTrue();
    return m.group(1);
  }

  private static String unescape(String xml) {
    return xml.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
  }

  @Test
  void directOutboundStreamsTwilioToTheJoinUrlAndTheCalleeSpeaksFirst() throws Exception {
    start(
        direct(
            f ->
                f.userTranscript("Hello?")
                    .reply(
                        AgentReply.say(
                            "Hi, this is Ada from the restaurant.", Duration.ofMillis(800))),
            InboundCallRouter.ACCEPT_ALL));
    RecordingAgentListener listener = new RecordingAgentListener();
    AgentSession session =
        runtime
            .openSession(
                SessionOptions.builder(Capability.TELEPHONY_DIRECT)
                    .instructions("You are Ada, calling to confirm a booking.")
                    .direction(CallDirection.OUTBOUND)
                    .build(),
                listener)
            .get(10, TimeUnit.SECONDS);
    URI joinUrl = session.joinUrl().orElseThrow();
    assertThat(joinUrl.toString()).contains("&");

    Call call =
        twilio
            .placeCall(CallRequest.builder(CALLER_NUMBER).streamUrl(joinUrl).build())
            .get(10, TimeUnit.SECONDS);
    FakeCall placed = twilioApi.call(call.id());
    String twiml = placed.lastTwiml().orElseThrow();
    String raw = streamUrlIn(twiml);
    assertThat(raw).as("the join URL is XML-escaped in the TwiML").contains("&amp;");
    assertThat(twiml).doesNotContain(joinUrl.toString());
    assertThat(unescape(raw)).isEqualTo(joinUrl.toString());

    // Twilio connects the callee's media to the join URL; the callee says hello first.
    Caller callee = new Caller();
    TwilioCallSimulator sim = phone(URI.create(unescape(raw)), call.id(), callee, Map.of());
    sim.connect();
    FakeUltravoxCall ultravox = fake.awaitCall(TIMEOUT);
    ultravox.awaitJoined(TIMEOUT);
    assertThat(ultravox.callId()).isEqualTo(session.id());
    assertThat(ultravox.medium()).isEqualTo("twilio");
    assertThat(ultravox.json().path("firstSpeakerSettings").has("user")).isTrue();
    JsonNode start = ultravox.awaitReceived("start", m -> true, TIMEOUT);
    assertThat(start.path("start").path("callSid").asText()).isEqualTo(call.id());
    assertThat(sim.heardDuration()).as("the agent waits for the callee").isZero();

    callee.say(Duration.ofMillis(400)).get(10, TimeUnit.SECONDS);
    byte[] heard = sim.awaitHeard(Duration.ofMillis(800), TIMEOUT);
    assertThat(heard).hasSize(800 * 8);
    ultravox.awaitMessage(
        m -> m.path("text").asText().equals("Hi, this is Ada from the restaurant."), TIMEOUT);

    // Closing the session hangs the Ultravox call up, which ends the media stream.
    session.close().get(5, TimeUnit.SECONDS);
    assertThat(listener.awaitClosed().code()).isEqualTo(CloseReason.Code.NORMAL);
    assertThat(ultravox.awaitEnded(TIMEOUT)).isEqualTo("agent_hangup");
    sim.awaitClosedByServer(TIMEOUT);
    assertThat(sim.protocolErrors()).isEmpty();
    assertThat(ultravox.protocolErrors()).isEmpty();
    listener.assertContractKept();
  }

  @Test
  void directInboundAcceptsOntoTheJoinUrlAndTheCallEndedWebhookClosesTheSession() throws Exception {
    Map<String, AgentSession> sessions = new ConcurrentHashMap<>();
    RecordingAgentListener listener = new RecordingAgentListener();
    start(
        direct(
            f ->
                f.greeting(
                        AgentReply.say("Thanks for calling, this is Ada.", Duration.ofSeconds(1)))
                    .userTranscript("A table for two")
                    .reply(AgentReply.say("Sure, for when?", Duration.ofMillis(600))),
            call -> {
              try {
                AgentSession s =
                    runtime
                        .openSession(
                            SessionOptions.builder(Capability.TELEPHONY_DIRECT)
                                .instructions("You are Ada.")
                                .callId(call.callSid())
                                .direction(CallDirection.INBOUND)
                                .build(),
                            listener)
                        .get(10, TimeUnit.SECONDS);
                sessions.put(call.callSid(), s);
                return InboundDecision.accept(Map.of("agent", "ada"), s.joinUrl().orElseThrow());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            }));
    URI voiceUrl = URI.create("http://127.0.0.1:" + server.httpPort() + "/twilio/voice");
    FakeTwilioApi.InboundCall inbound =
        twilioApi.placeInboundCall(voiceUrl, CALLER_NUMBER, AGENT_NUMBER);
    assertThat(inbound.response().successful()).isTrue();
    AgentSession session = sessions.get(inbound.callSid());
    assertThat(session).isNotNull();
    String twiml = inbound.response().body();
    String raw = streamUrlIn(twiml);
    assertThat(raw).contains("&amp;");
    assertThat(unescape(raw)).isEqualTo(session.joinUrl().orElseThrow().toString());
    Map<String, String> parameters = new java.util.LinkedHashMap<>();
    Matcher p = PARAMETER.matcher(twiml);
    while (p.find()) {
      parameters.put(unescape(p.group(1)), unescape(p.group(2)));
    }
    assertThat(parameters).containsEntry("agent", "ada");

    Caller caller = new Caller();
    TwilioCallSimulator sim =
        phone(URI.create(unescape(raw)), inbound.callSid(), caller, parameters);
    sim.connect();
    FakeUltravoxCall ultravox = fake.awaitCall(TIMEOUT);
    ultravox.awaitJoined(TIMEOUT);
    assertThat(ultravox.json().at("/metadata/switchboard_call_id").asText())
        .isEqualTo(inbound.callSid());
    assertThat(
            ultravox
                .awaitReceived("start", m -> true, TIMEOUT)
                .at("/start/customParameters/agent")
                .asText())
        .isEqualTo("ada");
    sim.awaitHeard(Duration.ofSeconds(1), TIMEOUT); // the greeting
    caller.say(Duration.ofMillis(400)).get(10, TimeUnit.SECONDS);
    sim.awaitHeard(Duration.ofMillis(1600), TIMEOUT);

    // The caller hangs up: Ultravox ends the call and says so by webhook, which closes the session.
    sim.stop();
    assertThat(ultravox.awaitEnded(TIMEOUT)).isEqualTo("hangup");
    CloseReason reason = listener.awaitClosed();
    assertThat(reason.code()).isEqualTo(CloseReason.Code.CALL_ENDED);
    CallEvent.AgentCallChanged ended =
        events.await(
            CallEvent.AgentCallChanged.class,
            e -> e.phase() == CallEvent.AgentCallPhase.ENDED,
            TIMEOUT);
    assertThat(ended.callId()).isEqualTo(inbound.callSid());
    assertThat(ended.agentCallId()).isEqualTo(session.id());
    assertThat(ended.detail()).isEqualTo("hangup");
    assertThat(fake.awaitDelivery(d -> d.event().equals("call.ended"), TIMEOUT).status())
        .isEqualTo(204);
    assertThat(session.isOpen()).isFalse();
    assertThat(fake.requests())
        .as("a call that ended is not hung up again")
        .noneMatch(r -> r.path().endsWith("/send_data_message"));
    listener.assertContractKept();
  }

  @Test
  void streamingThroughTheBridgeHasAGreetingABargeInAToolAndTranscripts() throws Exception {
    Recorder<ToolCall> toolCalls = new Recorder<>();
    Tool book =
        new Tool(
            ToolDefinition.of(
                "book_table",
                "Books a table.",
                "{\"type\":\"object\",\"properties\":{\"people\":{\"type\":\"integer\"}},"
                    + "\"required\":[\"people\"]}"),
            toolCall -> {
              toolCalls.accept(toolCall);
              return ToolResult.success(toolCall.id(), "{\"booked\":true}");
            });
    start(
        new Setup(
            f ->
                f.userTranscript("I'd like a table tonight")
                    .reply(
                        AgentReply.say(
                            "Tonight we have a tasting menu of seven courses and a vegetarian"
                                + " option for the whole table.",
                            Duration.ofSeconds(3)))
                    .userTranscript("Just book it for two")
                    .reply(
                        AgentReply.say("Booked for two.", Duration.ofMillis(800))
                            .afterToolCall("book_table", "{\"people\":2}")),
            InboundCallRouter.ACCEPT_ALL,
            List.of(book),
            SessionOptions.builder(Capability.AUDIO_STREAMING)
                .instructions("You are Ada, the booking line of a small restaurant.")
                .firstSpeaker(SessionOptions.FirstSpeaker.AGENT)
                .greeting("Hello, this is Ada.")));
    URI voiceUrl = URI.create("http://127.0.0.1:" + server.httpPort() + "/twilio/voice");
    FakeTwilioApi.InboundCall inbound =
        twilioApi.placeInboundCall(voiceUrl, CALLER_NUMBER, AGENT_NUMBER);
    String twiml = inbound.response().body();
    Map<String, String> parameters = new java.util.LinkedHashMap<>();
    Matcher p = PARAMETER.matcher(twiml);
    while (p.find()) {
      parameters.put(unescape(p.group(1)), unescape(p.group(2)));
    }
    String callSid = inbound.callSid();
    twilioApi.sendStatusCallback(callSid, "in-progress", statusUrl(), Map.of());
    Caller caller = new Caller();
    TwilioCallSimulator sim =
        phone(URI.create(unescape(streamUrlIn(twiml))), callSid, caller, parameters);
    sim.connect();
    BridgedCall call =
        bridged.computeIfAbsent(callSid, id -> new CompletableFuture<>()).get(10, TimeUnit.SECONDS);
    assertThat(call.session().inputFormat()).isEqualTo(AudioFormat.PCM16_8K);
    FakeUltravoxCall ultravox = fake.awaitCall(TIMEOUT);
    ultravox.awaitJoined(TIMEOUT);
    JsonNode created =
        fake.awaitRequest(r -> r.method().equals("POST") && r.path().equals("/api/calls"), TIMEOUT)
            .json();
    List<String> tools = new ArrayList<>();
    created
        .path("selectedTools")
        .forEach(t -> tools.add(t.at("/temporaryTool/modelToolName").asText()));
    assertThat(tools).contains("book_table", "end_call");
    assertThat(created.at("/metadata/switchboard_call_id").asText()).isEqualTo(callSid);

    // The greeting (4 words: 1.2 s in the fake) plays to the caller.
    sim.awaitHeard(Duration.ofMillis(1200), TIMEOUT);

    // The caller asks; the long answer starts playing; the caller interrupts it.
    caller.say(Duration.ofMillis(400));
    sim.awaitHeard(Duration.ofMillis(1200 + 600), TIMEOUT);
    caller.say(Duration.ofMillis(600));
    TwilioCallSimulator.Cleared cleared =
        sim.awaitEvent(TwilioCallSimulator.Cleared.class, c -> true, TIMEOUT);
    FakeUltravoxCall.Clear clear = ultravox.awaitClear(TIMEOUT);
    assertThat(clear.agentAudioPlayed()).isLessThan(clear.utterance());
    assertThat(cleared.droppedBytes()).as("unplayed audio was dropped").isPositive();

    // The answer to the interruption calls the tool, then is spoken.
    ToolCall toolCall = toolCalls.await(ToolCall.class, c -> true, TIMEOUT);
    assertThat(toolCall.arguments().path("people").asInt()).isEqualTo(2);
    JsonNode result =
        ultravox.awaitReceived(
            "client_tool_result",
            r -> r.path("invocationId").asText().equals(toolCall.id()),
            TIMEOUT);
    assertThat(result.path("result").asText()).contains("\"booked\":true");
    ultravox.awaitMessage(m -> m.path("text").asText().equals("Booked for two."), TIMEOUT);

    // After the clear, the phone received the tool answer's audio and nothing of the interrupted
    // answer: exactly 800 ms.
    List<TwilioCallSimulator.Event> snapshot = sim.events();
    int clearedAt = snapshot.indexOf(cleared);
    long heardBefore = received(snapshot, 0, clearedAt).length - cleared.droppedBytes();
    sim.awaitHeard(Duration.ofMillis((heardBefore + 800 * 8) / 8), TIMEOUT);
    List<TwilioCallSimulator.Event> after = sim.events();
    assertThat(received(after, clearedAt + 1, after.size())).hasSize(800 * 8);
    assertThat(call.metrics().bargeIns()).isEqualTo(1);
    events.await(CallEvent.BargeIn.class, e -> e.callId().equals(callSid), TIMEOUT);
    AgentEvent.ToolCalled called =
        events.await(AgentEvent.ToolCalled.class, e -> e.toolName().equals("book_table"), TIMEOUT);
    assertThat(called.succeeded()).isTrue();

    // The caller hangs up: the bridge closes the Ultravox socket, the call ends.
    sim.stop();
    twilioApi.sendStatusCallback(callSid, "completed", statusUrl(), Map.of());
    call.done().get(10, TimeUnit.SECONDS);
    assertThat(ultravox.awaitEnded(TIMEOUT)).isEqualTo("hangup");
    events.await(AgentEvent.SessionClosed.class, e -> callSid.equals(e.callId()), TIMEOUT);

    // Transcripts of both speakers are in the call's record.
    events.await(
        AgentEvent.TranscriptReceived.class,
        e -> e.transcript().text().equals("Booked for two."),
        TIMEOUT);
    CallRecord record = awaitRecord(callSid, "Booked for two.");
    List<String> user =
        record.transcript().stream()
            .filter(t -> t.speaker() == Speaker.USER)
            .map(Transcript::text)
            .toList();
    List<String> agent =
        record.transcript().stream()
            .filter(t -> t.speaker() == Speaker.AGENT)
            .map(Transcript::text)
            .toList();
    assertThat(user).containsExactly("I'd like a table tonight", "Just book it for two");
    assertThat(agent).first().isEqualTo("Hello, this is Ada.");
    assertThat(agent).last().isEqualTo("Booked for two.");
    assertThat(agent).hasSize(3); // the interrupted answer, as far as it was heard
    assertThat(record.transcript()).allMatch(Transcript::isFinal);

    // Nothing of the call is left.
    assertThat(bridge.activeCalls()).isZero();
    assertThat(runtime.toString()).contains("0 sessions");
    assertThat(sim.protocolErrors()).isEmpty();
    assertThat(ultravox.protocolErrors()).isEmpty();
    assertThat(twilio.activeCallCount()).isZero();
  }

  /** Waits until the bridge has stored the call's record with a transcript entry. */
  private CallRecord awaitRecord(String callSid, String lastAgentText) {
    return saved.await(
        CallRecord.class,
        r ->
            r.callId().equals(callSid)
                && r.transcript().stream().anyMatch(t -> t.text().equals(lastAgentText)),
        TIMEOUT);
  }

  /** A call store that also records every save, so a test can wait for one. */
  private record RecordingCallStore(CallStore delegate, Recorder<CallRecord> saves)
      implements CallStore {
    @Override
    public void save(CallRecord record) {
      delegate.save(record);
      saves.accept(record);
    }

    @Override
    public java.util.Optional<CallRecord> find(String callId) {
      return delegate.find(callId);
    }

    @Override
    public List<CallRecord> recent(int limit) {
      return delegate.recent(limit);
    }

    @Override
    public boolean delete(String callId) {
      return delegate.delete(callId);
    }
  }

  private URI statusUrl() {
    return URI.create("http://127.0.0.1:" + server.httpPort() + "/twilio/status");
  }

  /** The audio of every {@code media} message the phone received between two event indexes. */
  private static byte[] received(List<TwilioCallSimulator.Event> events, int from, int to) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = from; i < to; i++) {
      if (events.get(i) instanceof TwilioCallSimulator.Received r
          && r.json().contains("\"event\":\"media\"")) {
        int at = r.json().indexOf("\"payload\":\"");
        if (at >= 0) {
          int start = at + 11;
          out.writeBytes(
              Base64.getDecoder().decode(r.json().substring(start, r.json().indexOf('"', start))));
        }
      }
    }
    return out.toByteArray();
  }
}
