package dev.switchboard.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.agent.openai.realtime.OpenAiRealtimeAgentRuntime;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.Tool;
import dev.switchboard.core.bridge.BridgedCall;
import dev.switchboard.core.bridge.VoiceAgentBridge;
import dev.switchboard.core.event.EventBus;
import dev.switchboard.core.event.SwitchboardEvent;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.testing.openai.FakeOpenAiRealtimeServer;
import dev.switchboard.testing.openai.SessionRecord;
import dev.switchboard.testing.twilio.CallerAudio;
import dev.switchboard.testing.twilio.FakeTwilioApi;
import dev.switchboard.testing.twilio.Pacing;
import dev.switchboard.testing.twilio.TwilioCallSimulator;
import dev.switchboard.voice.twilio.InboundCallRouter;
import dev.switchboard.voice.twilio.TwilioVoiceBackend;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A complete phone agent running on this machine with nothing remote: the real {@link
 * SwitchboardServer}, {@link TwilioVoiceBackend}, {@link OpenAiRealtimeAgentRuntime} and {@link
 * VoiceAgentBridge}, wired exactly as in production, talking over real sockets to a {@link
 * FakeTwilioApi} (Twilio's REST API and webhooks) and a {@link FakeOpenAiRealtimeServer} (a
 * scripted realtime agent). Calls come in as {@link TwilioCallSimulator}s, which play Twilio's side
 * of the media stream: they speak a {@link CallerAudio} and play the agent's audio at real speed,
 * echoing marks and honouring {@code clear}.
 *
 * <pre>{@code
 * try (LocalPhoneAgent agent = LocalPhoneAgent.builder()
 *     .agent(fake -> fake.reply(Reply.audio("Hello!", Duration.ofSeconds(1))))
 *     .build()) {
 *   LocalPhoneAgent.LocalCall call = agent.placeCall(CallerAudio.wav(hello), Pacing.REALTIME);
 *   call.simulator().awaitHeard(Duration.ofSeconds(1), Duration.ofSeconds(10));
 *   call.hangUp();
 * }
 * }</pre>
 *
 * <p>Used by {@link PhoneAgentDemo}, the end-to-end tests and the load harness. {@link
 * RealPhoneAgent} is the same program with the fakes replaced by Twilio and OpenAI.
 *
 * <p>Thread-safe. {@link #close()} ends every call and stops everything it started; it is
 * idempotent.
 */
public final class LocalPhoneAgent implements AutoCloseable {
  /** The caller's number on simulated inbound calls. */
  public static final String CALLER_NUMBER = "+14155550123";

  /** The agent's number (the "Twilio number" called). */
  public static final String AGENT_NUMBER = "+14155550100";

  // The backend accepts only real-looking auth tokens (32 hex digits); the fake signs with it.
  private static final String AUTH_TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  private static final String API_KEY = "sk-test-local-phone-agent";
  private static final Duration STOP_GRACE = Duration.ofSeconds(2);
  private static final Pattern STREAM_URL = Pattern.compile("<Stream[^>]*\\surl=\"([^\"]+)\"");
  private static final Pattern CALL_IN_INSTRUCTIONS =
      Pattern.compile("\\(Call (CA[0-9a-fA-F]+)\\.\\)");
  private static final Pattern PARAMETER =
      Pattern.compile("<Parameter name=\"([^\"]+)\" value=\"([^\"]*)\"");

  private final FakeTwilioApi twilioApi;
  private final FakeOpenAiRealtimeServer openAi;
  private final SwitchboardServer server;
  private final TwilioVoiceBackend twilio;
  private final OpenAiRealtimeAgentRuntime runtime;
  private final VoiceAgentBridge bridge;
  private final EventBus events;
  private final Map<String, CompletableFuture<BridgedCall>> bridged = new ConcurrentHashMap<>();
  private final List<LocalCall> calls = new ArrayList<>(); // guarded by itself
  private final Object lock = new Object();
  private final Object sessionLock = new Object();
  private final Map<String, SessionRecord> sessionsByCall =
      new HashMap<>(); // guarded by sessionLock
  private boolean closed; // guarded by lock

  private LocalPhoneAgent(Builder b) {
    List<AutoCloseable> started = new ArrayList<>();
    try {
      events = EventBus.create();
      started.add(() -> events.shutdown(Duration.ofSeconds(1)).join());
      b.eventSinks.forEach(sink -> events.subscribe(SwitchboardEvent.class, sink));

      twilioApi = FakeTwilioApi.builder().authToken(AUTH_TOKEN).build();
      twilioApi.start();
      started.add(twilioApi);

      FakeOpenAiRealtimeServer.Builder fake = FakeOpenAiRealtimeServer.builder().apiKey(API_KEY);
      if (b.pace > 0) {
        fake.pace(b.pace);
      }
      b.agentScript.accept(fake);
      openAi = fake.build();
      openAi.start();
      started.add(openAi);

      OpenAiRealtimeAgentRuntime.Builder rb =
          OpenAiRealtimeAgentRuntime.builder()
              .apiKey(API_KEY)
              .baseUrl(URI.create(openAi.baseUrl().toString()));
      b.runtimeOptions.accept(rb);
      runtime = rb.build();
      started.add(runtime);

      String instructions = b.instructions;
      String greeting = b.greeting;
      VoiceAgentBridge.Builder bb =
          VoiceAgentBridge.builder()
              .runtime(runtime)
              .sessionOptions(call -> sessionOptions(call, instructions, greeting))
              .tools(b.tools)
              .events(events::publish);
      b.bridgeOptions.accept(bb);
      bridge = bb.build();
      started.add(bridge);

      // The host first (its ports are chosen now), then the backend that needs its URLs.
      SwitchboardServer[] hostRef = new SwitchboardServer[1];
      TwilioVoiceBackend[] twilioRef = new TwilioVoiceBackend[1];
      SwitchboardServer.Builder sb =
          SwitchboardServer.builder()
              .httpAddress(new InetSocketAddress("127.0.0.1", 0))
              .webSocketAddress(new InetSocketAddress("127.0.0.1", 0))
              // the media handler and the bridge never block: skip a thread hand-off per frame
              .inlineWebSocketCallbacks(true);
      for (String path :
          List.of("/twilio/voice", "/twilio/status", "/twilio/stream-status", "/twilio/amd")) {
        sb.webhook(path, request -> twilioRef[0].webhookHandler().handle(request));
      }
      sb.webSocket(
          "/twilio/media",
          (channel, upgrade) -> twilioRef[0].mediaHandler().onOpen(channel, upgrade));
      hostRef[0] = sb.build();
      server = hostRef[0];
      server.start();
      started.add(() -> server.stop(STOP_GRACE));

      URI publicUrl = URI.create("http://127.0.0.1:" + server.httpPort());
      twilio =
          TwilioVoiceBackend.builder()
              .accountSid(twilioApi.accountSid())
              .authToken(twilioApi.authToken())
              .defaultFrom(AGENT_NUMBER)
              .publicBaseUrl(publicUrl)
              .mediaUrl(URI.create("ws://127.0.0.1:" + server.webSocketPort() + "/twilio/media"))
              .allowInsecureUrls(true)
              .apiBaseUrl(twilioApi.baseUrl())
              .router(InboundCallRouter.ACCEPT_ALL)
              .streamHandler(this::onStream)
              .build();
      twilioRef[0] = twilio;
      twilio.addListener(events::publish);
      twilio.start();
      started.add(() -> twilio.stop(Duration.ZERO).get(5, TimeUnit.SECONDS));
    } catch (RuntimeException | Error e) {
      for (int i = started.size() - 1; i >= 0; i--) {
        try {
          started.get(i).close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /**
   * The options of each call's session. The call's SID goes into the instructions, which the fake
   * records, so that {@link #session} can find the session of a call among many.
   */
  private static SessionOptions sessionOptions(
      Call call, String instructions, @Nullable String greeting) {
    SessionOptions.Builder options =
        SessionOptions.builder(Capability.AUDIO_STREAMING)
            .instructions(instructions + "\n(Call " + call.id() + ".)");
    if (greeting != null) {
      options.firstSpeaker(SessionOptions.FirstSpeaker.AGENT).greeting(greeting);
    } else {
      options.firstSpeaker(SessionOptions.FirstSpeaker.USER);
    }
    return options.build();
  }

  /**
   * Finds the fake agent's record of a call's session. (This agent takes the fake's sessions with
   * {@link FakeOpenAiRealtimeServer#awaitSession} to do so: use this method rather than that one.)
   *
   * @param callSid the call
   * @param timeout how long to wait for the session to appear
   * @return the session's record
   * @throws AssertionError if no session of that call appears in time
   */
  public SessionRecord session(String callSid, Duration timeout) {
    Objects.requireNonNull(callSid, "callSid");
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (sessionLock) {
      while (true) {
        SessionRecord found = sessionsByCall.get(callSid);
        if (found != null) {
          return found;
        }
        Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
        SessionRecord next = openAi.awaitSession(left);
        JsonNode update =
            next.awaitClientEvent(
                "session.update",
                e -> e.path("session").has("instructions"),
                Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        Matcher sid =
            CALL_IN_INSTRUCTIONS.matcher(update.path("session").path("instructions").asText());
        if (sid.find()) {
          sessionsByCall.put(sid.group(1), next);
        }
      }
    }
  }

  /**
   * Starts configuring a local phone agent.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Every media stream the backend accepts: a new call is bridged; a call's next stream replaces
   * its current one.
   */
  private void onStream(MediaStream stream) {
    String callSid = stream.callId();
    CompletableFuture<BridgedCall> existing = bridged.get(callSid);
    if (existing != null
        && existing.isDone()
        && !existing.isCompletedExceptionally()
        && !existing.join().done().isDone()) {
      // DTMF continues a call on a new stream: keep the agent session, move the audio.
      existing.join().replaceStream(stream);
      return;
    }
    CompletableFuture<BridgedCall> result = new CompletableFuture<>();
    CompletableFuture<BridgedCall> waiting = bridged.putIfAbsent(callSid, result);
    if (waiting != null && !waiting.isDone()) {
      result = waiting; // placeCall registered it: complete the future its LocalCall holds
    } else if (waiting != null) {
      bridged.put(callSid, result);
    }
    CompletableFuture<BridgedCall> target = result;
    Call call = twilio.call(callSid).orElse(null);
    if (call == null) {
      target.completeExceptionally(
          new IllegalStateException("the backend does not know call " + callSid));
      bridged.remove(callSid, target);
      stream.close();
      return;
    }
    bridge
        .attach(call, stream)
        .whenComplete(
            (bridgedCall, error) -> {
              if (error != null) {
                bridged.remove(callSid, target);
                target.completeExceptionally(error);
                return;
              }
              // Forget the call once its bridge has finished, so that long runs do not grow.
              bridgedCall.done().thenRun(() -> bridged.remove(callSid, target));
              target.complete(bridgedCall);
            });
  }

  /**
   * Simulates a phone call to the agent: Twilio's inbound webhook (signed, as Twilio sends it),
   * then the media stream its TwiML asks for, with the caller saying {@code callerAudio}. Returns
   * once the media stream is connected; {@link LocalCall#bridged(Duration)} waits for the agent.
   *
   * @param callerAudio what the caller says
   * @param pacing how fast the caller's audio is sent (playback of the agent's audio is always real
   *     time)
   * @return the call
   * @throws IllegalStateException if the webhook is refused or the stream cannot connect
   */
  public LocalCall placeCall(CallerAudio callerAudio, Pacing pacing) {
    Objects.requireNonNull(callerAudio, "callerAudio");
    Objects.requireNonNull(pacing, "pacing");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("this LocalPhoneAgent is closed");
      }
    }
    URI voiceUrl = URI.create("http://127.0.0.1:" + server.httpPort() + "/twilio/voice");
    FakeTwilioApi.InboundCall inbound =
        twilioApi.placeInboundCall(voiceUrl, CALLER_NUMBER, AGENT_NUMBER);
    String twiml = inbound.response().body();
    if (!inbound.response().successful()) {
      throw new IllegalStateException(
          "the voice webhook answered " + inbound.response().status() + ": " + twiml);
    }
    Matcher url = STREAM_URL.matcher(twiml);
    if (!url.find()) {
      throw new IllegalStateException("the voice webhook did not connect a stream: " + twiml);
    }
    CompletableFuture<BridgedCall> future =
        bridged.computeIfAbsent(inbound.callSid(), id -> new CompletableFuture<>());
    TwilioCallSimulator.Builder sim =
        TwilioCallSimulator.builder(URI.create(unescape(url.group(1))))
            .accountSid(twilioApi.accountSid())
            .callSid(inbound.callSid())
            .callerAudio(callerAudio)
            .pacing(pacing);
    Matcher parameter = PARAMETER.matcher(twiml.substring(url.start()));
    while (parameter.find()) {
      sim.customParameter(unescape(parameter.group(1)), unescape(parameter.group(2)));
    }
    // Twilio tells the application the call was answered, then opens the stream.
    twilioApi.sendStatusCallback(inbound.callSid(), "in-progress", statusUrl(), Map.of());
    TwilioCallSimulator simulator = sim.build();
    LocalCall call = new LocalCall(inbound.callSid(), simulator, future);
    synchronized (calls) {
      calls.add(call);
    }
    simulator.connect();
    return call;
  }

  private URI statusUrl() {
    return URI.create("http://127.0.0.1:" + server.httpPort() + "/twilio/status");
  }

  private static String unescape(String xml) {
    return xml.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
  }

  /**
   * Returns the bus every event goes to: call lifecycle events of the backend and the bridge's
   * transcripts, tool calls, barge-ins and metrics.
   *
   * @return the bus
   */
  public EventBus events() {
    return events;
  }

  /**
   * Returns the fake realtime agent, to inspect its sessions and what the bridge sent it.
   *
   * @return the fake
   */
  public FakeOpenAiRealtimeServer openAi() {
    return openAi;
  }

  /**
   * Returns the fake Twilio REST API, to inspect calls.
   *
   * @return the fake
   */
  public FakeTwilioApi twilioApi() {
    return twilioApi;
  }

  /**
   * Returns the Twilio backend under test.
   *
   * @return the backend
   */
  public TwilioVoiceBackend twilio() {
    return twilio;
  }

  /**
   * Returns the bridge under test.
   *
   * @return the bridge
   */
  public VoiceAgentBridge bridge() {
    return bridge;
  }

  /**
   * Returns the host.
   *
   * @return the server
   */
  public SwitchboardServer server() {
    return server;
  }

  /** Ends every call, then stops the backend, the bridge, the runtime, the host and the fakes. */
  @Override
  public void close() {
    List<LocalCall> toClose;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    synchronized (calls) {
      toClose = new ArrayList<>(calls);
    }
    toClose.forEach(LocalCall::close);
    RuntimeException failure = null;
    List<AutoCloseable> steps =
        List.of(
            () -> twilio.stop(Duration.ZERO).get(5, TimeUnit.SECONDS),
            bridge,
            runtime,
            () -> server.stop(STOP_GRACE),
            openAi,
            twilioApi,
            () -> events.shutdown(Duration.ofSeconds(1)).get(2, TimeUnit.SECONDS));
    for (AutoCloseable step : steps) {
      try {
        step.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing the local phone agent failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * One simulated inbound call: its SID, the simulated phone, and the bridge's handle once the
   * agent session is up. Thread-safe.
   */
  public final class LocalCall implements AutoCloseable {
    private final String callSid;
    private final TwilioCallSimulator simulator;
    private final CompletableFuture<BridgedCall> bridgedCall;

    private LocalCall(
        String callSid, TwilioCallSimulator simulator, CompletableFuture<BridgedCall> bridgedCall) {
      this.callSid = callSid;
      this.simulator = simulator;
      this.bridgedCall = bridgedCall;
    }

    /**
     * Returns the call's SID.
     *
     * @return {@code CA...}
     */
    public String callSid() {
      return callSid;
    }

    /**
     * Returns the simulated phone.
     *
     * @return the simulator, connected
     */
    public TwilioCallSimulator simulator() {
      return simulator;
    }

    /**
     * Returns the bridge's handle, completed when the call is joined to an agent session.
     *
     * @return the future
     */
    public CompletableFuture<BridgedCall> bridgedFuture() {
      return bridgedCall;
    }

    /**
     * Waits until the call is joined to an agent session.
     *
     * @param timeout how long to wait
     * @return the bridged call
     * @throws IllegalStateException if bridging failed or did not finish in time
     */
    public BridgedCall bridged(Duration timeout) {
      try {
        return bridgedCall.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        throw new IllegalStateException(
            "call " + callSid + " was not bridged: " + e.getCause(), e.getCause());
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            "call " + callSid + " was not bridged within " + timeout, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    /**
     * Hangs up like the caller: the phone sends {@code stop} and closes the stream, and Twilio
     * reports the call {@code completed}.
     */
    public void hangUp() {
      simulator.stop();
      if (!twilioApi.call(callSid).ended()) {
        twilioApi.sendStatusCallback(callSid, "completed", statusUrl(), Map.of());
      }
    }

    /** Closes the simulated phone's connection (without {@code stop}). Idempotent. */
    @Override
    public void close() {
      simulator.close();
    }
  }

  /** Configures a {@link LocalPhoneAgent}. Not thread-safe. */
  public static final class Builder {
    private Consumer<FakeOpenAiRealtimeServer.Builder> agentScript = fake -> {};
    private Consumer<OpenAiRealtimeAgentRuntime.Builder> runtimeOptions = runtime -> {};
    private Consumer<VoiceAgentBridge.Builder> bridgeOptions = bridge -> {};
    private final List<Tool> tools = new ArrayList<>();
    private final List<Consumer<SwitchboardEvent>> eventSinks = new ArrayList<>();
    private String instructions =
        "You are the booking line of a small restaurant. Be brief and friendly.";
    private @Nullable String greeting;
    private double pace;

    private Builder() {}

    /**
     * Scripts the fake realtime agent: its replies, transcripts, pace.
     *
     * @param script applied to the fake's builder (whose API key is already set)
     * @return this builder
     */
    public Builder agent(Consumer<FakeOpenAiRealtimeServer.Builder> script) {
      this.agentScript = Objects.requireNonNull(script, "script");
      return this;
    }

    /**
     * Adjusts the realtime runtime (model, voice, turn detection...).
     *
     * @param options applied to the runtime's builder (API key and base URL already set)
     * @return this builder
     */
    public Builder runtime(Consumer<OpenAiRealtimeAgentRuntime.Builder> options) {
      this.runtimeOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * Adjusts the bridge (tool timeout, slow-tool notice, end-call timeout, stores, clock...).
     *
     * @param options applied to the bridge's builder (runtime, session options, tools and events
     *     already set)
     * @return this builder
     */
    public Builder bridge(Consumer<VoiceAgentBridge.Builder> options) {
      this.bridgeOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * Adds a tool the agent may call (besides the bridge's built-in {@code end_call}, {@code
     * transfer_call} and {@code send_dtmf}).
     *
     * @param tool the tool
     * @return this builder
     */
    public Builder tool(Tool tool) {
      tools.add(Objects.requireNonNull(tool, "tool"));
      return this;
    }

    /**
     * Sets the agent's instructions.
     *
     * @param instructions the system prompt
     * @return this builder
     */
    public Builder instructions(String instructions) {
      this.instructions = Objects.requireNonNull(instructions, "instructions");
      return this;
    }

    /**
     * Sets how fast the fake agent produces its audio relative to real time (the phone always plays
     * it in real time).
     *
     * @param pace e.g. 4 (the fake's default): audio is produced four times faster than it plays
     * @return this builder
     */
    public Builder pace(double pace) {
      if (!(pace > 0 && pace <= 1000)) {
        throw new IllegalArgumentException("pace must be above 0 and at most 1000, got " + pace);
      }
      this.pace = pace;
      return this;
    }

    /**
     * Makes the agent speak first, with this greeting (default: the caller speaks first).
     *
     * @param greeting what the agent says when the call connects
     * @return this builder
     */
    public Builder greeting(String greeting) {
      this.greeting = Objects.requireNonNull(greeting, "greeting");
      return this;
    }

    /**
     * Subscribes to every event (isolated, on the event bus's threads).
     *
     * @param sink the subscriber
     * @return this builder
     */
    public Builder onEvent(Consumer<SwitchboardEvent> sink) {
      eventSinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /**
     * Starts everything.
     *
     * @return the running agent
     */
    public LocalPhoneAgent build() {
      return new LocalPhoneAgent(this);
    }
  }
}
