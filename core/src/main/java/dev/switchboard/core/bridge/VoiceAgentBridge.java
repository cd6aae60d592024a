package dev.switchboard.core.bridge;

import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.Tool;
import dev.switchboard.core.agent.ToolDefinition;
import dev.switchboard.core.event.SwitchboardEvent;
import dev.switchboard.core.store.CallStore;
import dev.switchboard.core.store.TranscriptStore;
import dev.switchboard.core.telemetry.Telemetry;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.core.voice.TransferTarget;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins phone calls to AI agents: for each call, one {@link MediaStream} to one agent session.
 * Thread-safe; one bridge serves any number of calls. Build it once with {@link #builder()}, then
 * {@link #attach} each call's stream.
 *
 * <pre>{@code
 * VoiceAgentBridge bridge = VoiceAgentBridge.builder()
 *     .runtime(openAi)
 *     .sessionOptions(call -> SessionOptions.builder(Capability.AUDIO_STREAMING)
 *         .instructions("You are the front desk of a dental clinic.")
 *         .context("caller", call.from())
 *         .build())
 *     .tools(List.of(lookupAppointment))
 *     .transferTarget("front_desk", TransferTarget.phoneNumber("+14155550100"))
 *     .events(eventBus::publish)
 *     .build();
 * BridgedCall bridged = bridge.attach(call, stream).join();
 * }</pre>
 *
 * <p>What the bridge does for each call:
 *
 * <ul>
 *   <li><b>Audio</b>: the session is opened in the stream's format (unless the options name
 *       another), so Twilio μ-law passes through to an agent speaking {@code audio/pcmu} without
 *       being decoded; otherwise each direction is transcoded.
 *   <li><b>Barge-in</b>: every chunk sent to the phone is followed by a mark; echoed marks tell how
 *       much has played. When the agent reports the caller speaking while audio is still queued or
 *       playing at the phone (even after the response is done), the bridge sends {@code clear} at
 *       once, ignores marks echoed because of it, drops late audio of the interrupted response,
 *       tells the agent how much of the item was heard ({@link
 *       dev.switchboard.core.agent.AgentSession#truncate}: never 0 for an item that started, within
 *       one chunk of the real playback and usually within milliseconds, see {@code
 *       PlaybackLedger}), cancels the response if it is still running and publishes {@code
 *       CallEvent.BargeIn}.
 *   <li><b>Tools</b>: user tools run on the tool executor with a timeout; if one is slow, a short
 *       "one moment" clip plays to the caller (only when nothing else is playing). Built-ins:
 *       {@code end_call} (hangs up once the goodbye has played, or after {@link
 *       Builder#endCallTimeout}), {@code transfer_call} (only to targets the application allowed,
 *       chosen by name; transfers once the agent's words have played), {@code send_dtmf} (the call
 *       then usually continues on a new stream: see {@link BridgedCall#replaceStream}). The goodbye
 *       may come before the tool call or after it, in the follow-up response the runtime requests
 *       once the tool is answered (OpenAI Realtime models often call {@code end_call} first): when
 *       the agent's response is done and everything sent has played, the bridge waits {@link
 *       Builder#endCallSettle} more; a response starting in that window is played to its end first,
 *       then the bridge settles again. {@code endCallTimeout} bounds the whole wait.
 *   <li><b>Transcripts</b>: final transcripts of both speakers are published as {@code
 *       AgentEvent.TranscriptReceived} and appended to the stores, on the tool executor, in order;
 *       partial transcripts are not published (they are superseded by the final text).
 *   <li><b>Lifecycle</b>: the call or stream ending closes the agent session; the agent session
 *       failing while the call is live plays a short apology and hangs up (an orderly close by the
 *       agent service hangs up once queued audio has played); no thread or timer of the call
 *       survives it.
 *   <li><b>Metrics</b> (OpenTelemetry, meter {@value Telemetry#SCOPE}): counters {@code
 *       switchboard.bridge.frames} (attribute {@code switchboard.direction}: {@code to_agent},
 *       {@code to_caller}), {@code switchboard.bridge.frames.dropped}, {@code
 *       switchboard.bridge.barge_ins}; histograms {@code switchboard.bridge.turn_latency} and
 *       {@code switchboard.bridge.time_to_clear} in milliseconds. Per call: {@link
 *       BridgedCall#metrics()}.
 * </ul>
 *
 * <p>Threading: media and agent callbacks only touch a small per-call state under a short lock and
 * never call out while holding it; tools and store writes run on the tool executor; timers run on
 * one scheduler thread shared by every call. {@link #close()} detaches every call and stops the
 * threads the bridge created (not executors the application supplied).
 */
public final class VoiceAgentBridge implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VoiceAgentBridge.class);

  static final String END_CALL = "end_call";
  static final String TRANSFER_CALL = "transfer_call";
  static final String SEND_DTMF = "send_dtmf";
  private static final Pattern TARGET_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final AttributeKey<String> DIRECTION =
      AttributeKey.stringKey("switchboard.direction");

  final AgentRuntime runtime;
  final Function<? super Call, SessionOptions> sessionOptions;
  final Map<String, Tool> tools;
  final List<ToolDefinition> toolDefinitions;
  final boolean endCall;
  final boolean sendDtmf;
  final Map<String, TransferTarget> transferTargets;
  final Executor toolExecutor;
  final Duration toolTimeout;
  final Duration slowToolNotice;
  final Duration endCallTimeout;
  final Duration endCallSettle;
  final @Nullable CallStore callStore;
  final @Nullable TranscriptStore transcriptStore;
  final Consumer<? super SwitchboardEvent> events;
  final Clock clock;
  final Scheduler scheduler;
  final Clips clips = new Clips();
  final LongCounter frames;
  final LongCounter framesDropped;
  final LongCounter bargeIns;
  final DoubleHistogram turnLatency;
  final DoubleHistogram timeToClear;
  final Attributes toAgent = Attributes.of(DIRECTION, "to_agent");
  final Attributes toCaller = Attributes.of(DIRECTION, "to_caller");

  private final @Nullable ExecutorService ownedExecutor;
  private final @Nullable ScheduledThreadPoolExecutor ownedScheduler;
  private final Set<CallBridge> active = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private VoiceAgentBridge(Builder b) {
    this.runtime = Objects.requireNonNull(b.runtime);
    this.sessionOptions = b.sessionOptions;
    this.endCall = b.endCall;
    this.sendDtmf = b.sendDtmf;
    this.transferTargets = Map.copyOf(b.transferTargets);
    this.toolTimeout = b.toolTimeout;
    this.slowToolNotice = b.slowToolNotice;
    this.endCallTimeout = b.endCallTimeout;
    this.endCallSettle = b.endCallSettle;
    this.callStore = b.callStore;
    this.transcriptStore = b.transcriptStore;
    this.events = b.events;
    this.clock = b.clock;
    Map<String, Tool> byName = new LinkedHashMap<>();
    List<ToolDefinition> definitions = new ArrayList<>();
    for (Tool tool : b.tools) {
      byName.put(tool.name(), tool);
      definitions.add(tool.definition());
    }
    definitions.addAll(builtInDefinitions());
    this.tools = Map.copyOf(byName);
    this.toolDefinitions = List.copyOf(definitions);
    if (b.toolExecutor != null) {
      this.toolExecutor = b.toolExecutor;
      this.ownedExecutor = null;
    } else {
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              16,
              16,
              30,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(1024),
              daemonThreads("switchboard-bridge-tool-"));
      pool.allowCoreThreadTimeOut(true);
      this.toolExecutor = pool;
      this.ownedExecutor = pool;
    }
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownedScheduler = null;
    } else {
      ScheduledThreadPoolExecutor timer =
          new ScheduledThreadPoolExecutor(1, daemonThreads("switchboard-bridge-timer-"));
      timer.setRemoveOnCancelPolicy(true);
      timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      this.scheduler = Scheduler.of(timer);
      this.ownedScheduler = timer;
    }
    Meter meter = b.telemetry.meter();
    this.frames =
        meter
            .counterBuilder("switchboard.bridge.frames")
            .setDescription("Audio frames forwarded by voice bridges")
            .setUnit("{frame}")
            .build();
    this.framesDropped =
        meter
            .counterBuilder("switchboard.bridge.frames.dropped")
            .setDescription("Audio frames dropped by voice bridges (interrupted or refused)")
            .setUnit("{frame}")
            .build();
    this.bargeIns =
        meter
            .counterBuilder("switchboard.bridge.barge_ins")
            .setDescription("Callers interrupting the agent's audio")
            .setUnit("{barge_in}")
            .build();
    this.turnLatency =
        meter
            .histogramBuilder("switchboard.bridge.turn_latency")
            .setDescription("From the caller's speech stopping to the agent's first audio sent")
            .setUnit("ms")
            .build();
    this.timeToClear =
        meter
            .histogramBuilder("switchboard.bridge.time_to_clear")
            .setDescription("From the caller's speech starting to the phone's buffer cleared")
            .setUnit("ms")
            .build();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private List<ToolDefinition> builtInDefinitions() {
    List<ToolDefinition> defs = new ArrayList<>(3);
    if (endCall) {
      defs.add(
          ToolDefinition.of(
              END_CALL,
              "Ends the phone call. Say goodbye first: the call hangs up once your goodbye has"
                  + " played to the caller.",
              "{\"type\":\"object\",\"properties\":{\"reason\":{\"type\":\"string\","
                  + "\"description\":\"Why the call ends, for the records\"}}}"));
    }
    if (!transferTargets.isEmpty()) {
      StringBuilder names = new StringBuilder();
      for (String name : new java.util.TreeSet<>(transferTargets.keySet())) {
        names.append(names.length() == 0 ? "" : ",").append('"').append(name).append('"');
      }
      defs.add(
          ToolDefinition.of(
              TRANSFER_CALL,
              "Transfers the caller to a person or department. Tell the caller first; the"
                  + " transfer happens once your words have played.",
              "{\"type\":\"object\",\"properties\":{\"target\":{\"type\":\"string\",\"enum\":["
                  + names
                  + "],\"description\":\"Where to transfer the call\"}},"
                  + "\"required\":[\"target\"]}"));
    }
    if (sendDtmf) {
      defs.add(
          ToolDefinition.of(
              SEND_DTMF,
              "Presses keys on the phone (DTMF tones), e.g. to navigate a phone menu.",
              "{\"type\":\"object\",\"properties\":{\"digits\":{\"type\":\"string\","
                  + "\"pattern\":\"^[0-9*#w]{1,32}$\",\"description\":\"Keys to press: 0-9, *, #,"
                  + " and w for a half-second pause\"}},\"required\":[\"digits\"]}"));
    }
    return defs;
  }

  /**
   * Starts building a bridge.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Joins a call's stream to a new agent session. The session is opened in {@link
   * Capability#AUDIO_STREAMING} mode with the configured options, the bridge's tools added and the
   * stream's audio format (unless the options name one). Caller audio that arrives before the
   * session is open is dropped. If the session cannot be opened, the caller hears the apology and
   * the call is hung up: the returned future then fails with the runtime's error.
   *
   * @param call the call
   * @param stream the call's media stream
   * @return the bridged call, once the agent session is open
   * @throws IllegalStateException if the bridge is closed
   */
  public CompletableFuture<BridgedCall> attach(Call call, MediaStream stream) {
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(stream, "stream");
    if (closed) {
      throw new IllegalStateException("the bridge is closed");
    }
    SessionOptions base = Objects.requireNonNull(sessionOptions.apply(call), "session options");
    List<ToolDefinition> defs = new ArrayList<>(base.tools());
    Set<String> present = new java.util.HashSet<>();
    base.tools().forEach(t -> present.add(t.name()));
    for (ToolDefinition def : toolDefinitions) {
      if (present.add(def.name())) {
        defs.add(def);
      }
    }
    SessionOptions options =
        new SessionOptions(
            Capability.AUDIO_STREAMING,
            base.instructions(),
            base.voice(),
            base.audioFormat() != null ? base.audioFormat() : stream.format(),
            base.firstSpeaker(),
            base.greeting(),
            defs,
            base.context(),
            call.id(),
            call.direction());
    CallBridge bridge = new CallBridge(this, call, stream);
    active.add(bridge);
    bridge.done().whenComplete((v, e) -> active.remove(bridge));
    return bridge.open(options);
  }

  /**
   * Returns how many calls are bridged right now.
   *
   * @return the number of calls whose bridge has not finished
   */
  public int activeCalls() {
    return active.size();
  }

  /**
   * Detaches every bridged call (closing their agent sessions, leaving the calls up) and stops the
   * threads the bridge created. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    for (CallBridge bridge : List.copyOf(active)) {
      bridge.close();
    }
    if (ownedScheduler != null) {
      ownedScheduler.shutdownNow();
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdownNow();
    }
  }

  /** Publishes an event, isolating the application's sink from the call. */
  void publish(SwitchboardEvent event) {
    try {
      events.accept(event);
    } catch (RuntimeException e) {
      log.warn("event sink failed on {}", event.getClass().getSimpleName(), e);
    }
  }

  /** Builds a {@link VoiceAgentBridge}. Not thread-safe. */
  public static final class Builder {
    private @Nullable AgentRuntime runtime;
    private Function<? super Call, SessionOptions> sessionOptions =
        call -> SessionOptions.builder(Capability.AUDIO_STREAMING).build();
    private final List<Tool> tools = new ArrayList<>();
    private boolean endCall = true;
    private boolean sendDtmf = true;
    private final Map<String, TransferTarget> transferTargets = new LinkedHashMap<>();
    private @Nullable Executor toolExecutor;
    private Duration toolTimeout = Duration.ofSeconds(10);
    private Duration slowToolNotice = Duration.ofMillis(1500);
    private Duration endCallTimeout = Duration.ofSeconds(10);
    private Duration endCallSettle = Duration.ofSeconds(1);
    private @Nullable CallStore callStore;
    private @Nullable TranscriptStore transcriptStore;
    private Consumer<? super SwitchboardEvent> events = e -> {};
    private Clock clock = Clock.systemUTC();
    private Telemetry telemetry = Telemetry.noop();
    private @Nullable Scheduler scheduler;

    private Builder() {}

    /**
     * Sets the agent runtime (required). It must support {@link Capability#AUDIO_STREAMING}.
     *
     * @param runtime the runtime
     * @return this builder
     */
    public Builder runtime(AgentRuntime runtime) {
      this.runtime = Objects.requireNonNull(runtime, "runtime");
      return this;
    }

    /**
     * Sets the options of every session (mode, audio format, tools and call id are set by the
     * bridge; an audio format given here is kept).
     *
     * @param options the options
     * @return this builder
     */
    public Builder sessionOptions(SessionOptions options) {
      Objects.requireNonNull(options, "options");
      this.sessionOptions = call -> options;
      return this;
    }

    /**
     * Sets a function that makes each call's session options, e.g. to put the caller's details in
     * the instructions or context. It runs in {@link #attach}.
     *
     * @param options makes the options of a call
     * @return this builder
     */
    public Builder sessionOptions(Function<? super Call, SessionOptions> options) {
      this.sessionOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * Sets the application's tools (replacing any set before). Their definitions are added to every
     * session; their handlers run on the tool executor.
     *
     * @param tools the tools
     * @return this builder
     */
    public Builder tools(List<Tool> tools) {
      Objects.requireNonNull(tools, "tools");
      this.tools.clear();
      for (Tool tool : tools) {
        this.tools.add(Objects.requireNonNull(tool, "tool"));
      }
      return this;
    }

    /**
     * Offers the agent the built-in {@code end_call} tool (default: on).
     *
     * @param enabled whether the agent may hang up
     * @return this builder
     */
    public Builder endCall(boolean enabled) {
      this.endCall = enabled;
      return this;
    }

    /**
     * Offers the agent the built-in {@code send_dtmf} tool (default: on).
     *
     * @param enabled whether the agent may press keys
     * @return this builder
     */
    public Builder sendDtmf(boolean enabled) {
      this.sendDtmf = enabled;
      return this;
    }

    /**
     * Allows transfers to one target, named {@code default}; enables the built-in {@code
     * transfer_call} tool.
     *
     * @param target where the agent may transfer calls
     * @return this builder
     */
    public Builder transferTarget(TransferTarget target) {
      return transferTarget("default", target);
    }

    /**
     * Allows transfers to a named target; enables the built-in {@code transfer_call} tool. The
     * model chooses among the names only: it can never transfer a call to an address the
     * application did not allow.
     *
     * @param name what the model calls the target, e.g. {@code billing}: 1-64 letters, digits,
     *     {@code _} or {@code -}
     * @param target the number or SIP URI
     * @return this builder
     */
    public Builder transferTarget(String name, TransferTarget target) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(target, "target");
      if (!TARGET_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "transfer target name must be 1-64 letters, digits, '_' or '-', got '" + name + "'");
      }
      transferTargets.put(name, target);
      return this;
    }

    /**
     * Sets the executor of tool handlers and store writes (default: a pool of 16 daemon threads
     * with a queue of 1024, owned and stopped by the bridge).
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder toolExecutor(Executor executor) {
      this.toolExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets how long a user tool may run before the agent is told it timed out (default 10 s).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder toolTimeout(Duration timeout) {
      this.toolTimeout = positive(timeout, "toolTimeout");
      return this;
    }

    /**
     * Sets after how long a running tool makes the caller hear "one moment" (default 1.5 s).
     *
     * @param delay positive
     * @return this builder
     */
    public Builder slowToolNotice(Duration delay) {
      this.slowToolNotice = positive(delay, "slowToolNotice");
      return this;
    }

    /**
     * Sets how long {@code end_call} and {@code transfer_call} (and the hang-up after an agent
     * failure) wait for the last words to play before acting anyway (default 10 s). It bounds the
     * whole wait, {@link #endCallSettle} windows included.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder endCallTimeout(Duration timeout) {
      this.endCallTimeout = positive(timeout, "endCallTimeout");
      return this;
    }

    /**
     * Sets how long {@code end_call} and {@code transfer_call} wait, once the agent's response is
     * done and everything sent has played, for a follow-up response to start (default 1 s). A
     * runtime may ask for one more response after the tool's output, and the model's goodbye is
     * often in it; if one starts (its audio arrives, or it completes) within the window, the bridge
     * waits for it to play to its end and settles again; if none does, it hangs up or transfers.
     * The hang-up after the agent session closed or failed does not wait: no response can follow.
     * Longer windows tolerate slower runtimes at the cost of silence before the hang-up.
     *
     * @param settle positive
     * @return this builder
     */
    public Builder endCallSettle(Duration settle) {
      this.endCallSettle = positive(settle, "endCallSettle");
      return this;
    }

    /**
     * Appends final transcripts to each call's record (created from the call if missing).
     *
     * @param store the store
     * @return this builder
     */
    public Builder callStore(CallStore store) {
      this.callStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Appends final transcripts to a transcript store.
     *
     * @param store the store
     * @return this builder
     */
    public Builder transcriptStore(TranscriptStore store) {
      this.transcriptStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Sets where events go, e.g. {@code eventBus::publish}. Called on media and agent threads: it
     * must not block. Its exceptions are logged and ignored.
     *
     * @param sink the sink
     * @return this builder
     */
    public Builder events(Consumer<? super SwitchboardEvent> sink) {
      this.events = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /**
     * Sets the clock of event timestamps, turn latency and playback interpolation.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets where metrics go (default: nowhere).
     *
     * @param telemetry the telemetry
     * @return this builder
     */
    public Builder telemetry(Telemetry telemetry) {
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      return this;
    }

    /** Sets the timer scheduler (tests drive time with it). */
    Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }

    /**
     * Builds the bridge.
     *
     * @return the bridge
     * @throws IllegalStateException if no runtime was set
     * @throws IllegalArgumentException if two tools share a name or a tool takes a built-in's name
     */
    public VoiceAgentBridge build() {
      if (runtime == null) {
        throw new IllegalStateException("VoiceAgentBridge needs a runtime: call runtime(...)");
      }
      Set<String> names = new java.util.HashSet<>();
      for (Tool tool : tools) {
        String name = tool.name();
        boolean builtIn =
            END_CALL.equals(name) && endCall
                || SEND_DTMF.equals(name) && sendDtmf
                || TRANSFER_CALL.equals(name) && !transferTargets.isEmpty();
        if (builtIn) {
          throw new IllegalArgumentException(
              "tool '" + name + "' clashes with the built-in tool of that name; disable it first");
        }
        if (!names.add(name)) {
          throw new IllegalArgumentException("two tools are named '" + name + "'");
        }
      }
      return new VoiceAgentBridge(this);
    }
  }
}
