package dev.switchboard.core.bridge;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.Transcoder;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.agent.AgentAudio;
import dev.switchboard.core.agent.AgentEvent;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.Tool;
import dev.switchboard.core.agent.ToolCall;
import dev.switchboard.core.agent.ToolResult;
import dev.switchboard.core.agent.Transcript;
import dev.switchboard.core.bridge.Scheduler.Cancellable;
import dev.switchboard.core.store.CallRecord;
import dev.switchboard.core.store.CallStore;
import dev.switchboard.core.store.TranscriptStore;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.core.voice.TransferTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge of one call. Thread-safe: the stream's and the session's callbacks arrive on different
 * threads, timers and tools on others; all mutable state is guarded by {@code lock}, which is never
 * held while calling out (stream, session, call, stores, event sink). {@code sendLock} only orders
 * audio, marks and clears sent to the phone from different threads; nothing else runs under it.
 */
final class CallBridge implements BridgedCall {
  private static final Logger log = LoggerFactory.getLogger(CallBridge.class);
  private static final Pattern DIGITS = Pattern.compile("[0-9*#w]{1,32}");
  private static final int INTERRUPTED_MEMORY = 8;
  private static final Duration CLIP_GRACE = Duration.ofSeconds(2);

  private final VoiceAgentBridge owner;
  private final Call call;
  private final String callId;
  private final Object lock = new Object();
  private final Object sendLock = new Object();
  private final CompletableFuture<AgentSession> sessionReady = new CompletableFuture<>();
  private final CompletableFuture<Void> sessionClosed = new CompletableFuture<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final AtomicLong framesToAgent = new AtomicLong();
  private final AtomicLong inboundDropped = new AtomicLong();
  private final AgentListener agentListener = new AgentListener();

  // Read without the lock on the hot paths; written under it.
  private volatile @Nullable AgentSession session;
  private volatile @Nullable MediaStream stream;
  private volatile @Nullable AudioFormat agentInput;
  private volatile boolean ended;
  private volatile boolean failing;

  // Guarded by lock.
  private final PlaybackLedger ledger = new PlaybackLedger();
  private final Map<String, PendingTool> tools = new HashMap<>(4);
  private @Nullable String activeResponse;
  private @Nullable String responseAtSpeechStop;
  private long speechStoppedAtMs = -1;
  private long framesToCaller;
  private long outboundDropped;
  private long bargeIns;
  private long toolCalls;
  private @Nullable Duration lastTurnLatency;
  private @Nullable Duration lastTimeToClear;
  private @Nullable Duration lastHeard;
  private boolean closedByUs;
  private boolean awaitingNewStream;
  private @Nullable PendingAction pendingAction;
  private boolean responseDoneSinceAction;
  private Cancellable actionTimer = Cancellable.NONE;
  // The settle window of an end_call or transfer: a follow-up response may still start.
  private boolean settling;
  private boolean settled;
  private int settleEpoch;
  private Cancellable settleTimer = Cancellable.NONE;
  private Cancellable streamWaitTimer = Cancellable.NONE;

  // Confined to the agent's callback thread.
  private final String[] interrupted = new String[INTERRUPTED_MEMORY];
  private int interruptedNext;
  private @Nullable Transcoder outTranscoder;
  private byte[] outBuffer = new byte[0];
  private CompletableFuture<?> storeTail = CompletableFuture.completedFuture(null);

  /**
   * What to do to the call once the agent's last words have played. {@code waitForResponseDone}
   * marks the agent's own tools (end_call, transfer_call): the agent is still talking, so the
   * action waits for a response.done and then for the settle window, in case a follow-up response
   * (often the goodbye, requested after the tool's output) starts. Hang-ups after the agent closed
   * or failed do not settle: no response can follow.
   */
  private record PendingAction(@Nullable TransferTarget transferTo, boolean waitForResponseDone) {}

  /** A user tool call in flight. */
  private static final class PendingTool {
    final ToolCall call;
    final long startedAtMs;
    @Nullable FutureTask<ToolResult> task;
    Cancellable timeout = Cancellable.NONE;
    Cancellable notice = Cancellable.NONE;
    boolean answered;

    PendingTool(ToolCall call, long startedAtMs) {
      this.call = call;
      this.startedAtMs = startedAtMs;
    }
  }

  CallBridge(VoiceAgentBridge owner, Call call, MediaStream stream) {
    this.owner = owner;
    this.call = call;
    this.callId = call.id();
    this.stream = stream;
  }

  CompletableFuture<BridgedCall> open(SessionOptions options) {
    MediaStream st = stream;
    if (st != null) {
      st.setListener(new StreamListener(st));
    }
    CompletableFuture<AgentSession> opening;
    try {
      opening = owner.runtime.openSession(options, agentListener);
    } catch (RuntimeException e) {
      opening = CompletableFuture.failedFuture(e);
    }
    return opening.handle(
        (s, error) -> {
          if (error != null) {
            sessionReady.completeExceptionally(error);
            openFailed(error);
            throw new java.util.concurrent.CompletionException(unwrap(error));
          }
          opened(s);
          return (BridgedCall) this;
        });
  }

  private void opened(AgentSession s) {
    boolean closeNow;
    synchronized (lock) {
      session = s;
      agentInput = s.inputFormat();
      closeNow = ended;
    }
    sessionReady.complete(s);
    if (closeNow) {
      s.close().whenComplete((v, e) -> sessionClosed.complete(null));
    }
  }

  private void openFailed(Throwable error) {
    log.warn("agent session for call {} could not be opened", callId, unwrap(error));
    owner.publish(
        new AgentEvent.AgentFailed(
            "none", callId, "agent session could not be opened: " + describe(error), now()));
    sessionClosed.complete(null);
    apologizeAndHangUp();
  }

  // ---------------------------------------------------------------- caller -> agent

  private final class StreamListener implements MediaStream.Listener {
    private final MediaStream source;
    // Confined to this stream's callback thread.
    private @Nullable Transcoder transcoder;
    private byte[] buffer = new byte[0];

    StreamListener(MediaStream source) {
      this.source = source;
    }

    @Override
    public void onAudio(AudioChunk audio) {
      AgentSession s = session;
      AudioFormat target = agentInput;
      if (s == null || target == null || ended || source != stream) {
        inboundDropped.incrementAndGet();
        owner.framesDropped.add(1, owner.toAgent);
        return;
      }
      AudioChunk out = audio.format().equals(target) ? audio : transcode(audio, target);
      if (out.size() > 0 && s.sendAudio(out)) {
        framesToAgent.incrementAndGet();
        owner.frames.add(1, owner.toAgent);
      } else if (out.size() > 0) {
        inboundDropped.incrementAndGet();
        owner.framesDropped.add(1, owner.toAgent);
      }
    }

    private AudioChunk transcode(AudioChunk audio, AudioFormat target) {
      Transcoder t = transcoder;
      if (t == null || !t.from().equals(audio.format()) || !t.to().equals(target)) {
        t = Transcoder.create(audio.format(), target);
        transcoder = t;
      }
      int len = audio.size();
      if (buffer.length < len) {
        buffer = new byte[len];
      }
      audio.copyTo(buffer, 0);
      byte[] out = new byte[t.outputLength(len)];
      int n = t.transcode(buffer, 0, len, out, 0);
      return AudioChunk.wrap(target, n == out.length ? out : Arrays.copyOf(out, n));
    }

    @Override
    public void onMark(String name) {
      if (source == stream) {
        markEchoed(name);
      }
    }

    @Override
    public void onClosed(CloseReason reason) {
      streamClosed(source, reason);
    }
  }

  // ---------------------------------------------------------------- agent -> caller

  private final class AgentListener implements AgentSession.Listener {
    @Override
    public void onAudio(AgentAudio audio) {
      agentAudio(audio);
    }

    @Override
    public void onUserSpeechStarted() {
      bargeIn();
    }

    @Override
    public void onUserSpeechStopped() {
      synchronized (lock) {
        speechStoppedAtMs = owner.clock.millis();
        responseAtSpeechStop = activeResponse;
      }
    }

    @Override
    public void onTranscript(Transcript transcript) {
      transcript(transcript);
    }

    @Override
    public void onToolCall(ToolCall toolCall) {
      toolCall(toolCall);
    }

    @Override
    public void onResponseDone(String responseId) {
      responseDone(responseId);
    }

    @Override
    public void onError(SwitchboardException error) {
      log.warn("agent session of call {} reported an error", callId, error);
      owner.publish(
          new AgentEvent.AgentFailed(
              sessionId(), callId, String.valueOf(error.getMessage()), now()));
    }

    @Override
    public void onClosed(CloseReason reason) {
      sessionEnded(reason);
    }
  }

  private void agentAudio(AgentAudio audio) {
    MediaStream st = stream;
    if (ended || failing || st == null || isInterrupted(audio.responseId())) {
      dropOutbound();
      return;
    }
    AudioChunk chunk = audio.audio();
    AudioFormat format = st.format();
    if (!chunk.format().equals(format)) {
      chunk = transcodeOut(chunk, format);
      if (chunk.size() == 0) {
        return;
      }
    }
    long durationUs = Clips.micros(chunk);
    long nowMs = owner.clock.millis();
    long latencyMs = -1;
    Cancellable staleSettle = Cancellable.NONE;
    synchronized (sendLock) {
      if (!st.sendAudio(chunk)) {
        dropOutbound();
        return;
      }
      String mark;
      synchronized (lock) {
        if (st != stream) {
          return;
        }
        PlaybackLedger.Item item = ledger.item(audio.responseId(), audio.itemId(), false);
        mark = ledger.sent(item, durationUs, nowMs);
        framesToCaller++;
        activeResponse = audio.responseId();
        if (pendingAction != null) {
          staleSettle = unsettle(); // a (follow-up) response is speaking: it plays first
        }
        if (speechStoppedAtMs >= 0 && !audio.responseId().equals(responseAtSpeechStop)) {
          latencyMs = nowMs - speechStoppedAtMs;
          lastTurnLatency = Duration.ofMillis(latencyMs);
          speechStoppedAtMs = -1;
        }
      }
      if (mark != null) {
        st.sendMark(mark);
      }
    }
    staleSettle.cancel();
    owner.frames.add(1, owner.toCaller);
    if (latencyMs >= 0) {
      owner.turnLatency.record(latencyMs);
    }
  }

  private void dropOutbound() {
    synchronized (lock) {
      outboundDropped++;
    }
    owner.framesDropped.add(1, owner.toCaller);
  }

  private AudioChunk transcodeOut(AudioChunk audio, AudioFormat target) {
    Transcoder t = outTranscoder;
    if (t == null || !t.from().equals(audio.format()) || !t.to().equals(target)) {
      t = Transcoder.create(audio.format(), target);
      outTranscoder = t;
    }
    int len = audio.size();
    if (outBuffer.length < len) {
      outBuffer = new byte[len];
    }
    audio.copyTo(outBuffer, 0);
    byte[] out = new byte[t.outputLength(len)];
    int n = t.transcode(outBuffer, 0, len, out, 0);
    return AudioChunk.wrap(target, n == out.length ? out : Arrays.copyOf(out, n));
  }

  private boolean isInterrupted(String responseId) {
    for (String id : interrupted) {
      if (id != null && id.equals(responseId)) {
        return true;
      }
    }
    return false;
  }

  private void rememberInterrupted(@Nullable String responseId) {
    if (responseId != null && !isInterrupted(responseId)) {
      interrupted[interruptedNext] = responseId;
      interruptedNext = (interruptedNext + 1) % INTERRUPTED_MEMORY;
    }
  }

  /** Plays a local clip as its own item, with a mark per chunk, so a barge-in clears it too. */
  private boolean playClip(String clip, boolean evenIfFailing) {
    MediaStream st = stream;
    if (st == null) {
      return false;
    }
    List<AudioChunk> chunks;
    try {
      chunks = owner.clips.get(clip, st.format());
    } catch (RuntimeException e) {
      log.warn("cannot play {} on call {}", clip, callId, e);
      return false;
    }
    String itemId = "local:" + clip;
    synchronized (sendLock) {
      for (AudioChunk chunk : chunks) {
        String mark;
        synchronized (lock) {
          if (ended || st != stream || failing && !evenIfFailing) {
            return false;
          }
        }
        if (!st.sendAudio(chunk)) {
          return false;
        }
        synchronized (lock) {
          PlaybackLedger.Item item = ledger.item(itemId, itemId, true);
          mark = ledger.sent(item, Clips.micros(chunk), owner.clock.millis());
          framesToCaller++;
        }
        if (mark != null) {
          st.sendMark(mark);
        }
      }
    }
    return true;
  }

  private void markEchoed(String name) {
    Runnable next;
    synchronized (lock) {
      if (ended || !ledger.echoed(name, owner.clock.millis()) || pendingAction == null) {
        return;
      }
      next = nextStep();
    }
    if (next != null) {
      next.run();
    }
  }

  // ---------------------------------------------------------------- barge-in

  private void bargeIn() {
    long startNanos = System.nanoTime();
    long nowMs = owner.clock.millis();
    MediaStream st;
    List<PlaybackLedger.Heard> heard;
    boolean cancel;
    String active;
    synchronized (lock) {
      st = stream;
      active = activeResponse;
      if (ended || st == null || ledger.idle()) {
        return; // nothing queued or playing at the phone: not a barge-in
      }
      heard = ledger.interrupt(nowMs);
      cancel = activeResponse != null;
      bargeIns++;
    }
    synchronized (sendLock) {
      st.clear();
    }
    long clearNanos = System.nanoTime() - startNanos;
    rememberInterrupted(active);
    long headHeardUs = 0;
    List<PlaybackLedger.Heard> truncations = new ArrayList<>(heard.size());
    for (PlaybackLedger.Heard h : heard) {
      if (!h.item().local) {
        rememberInterrupted(h.item().responseId);
        truncations.add(h);
        headHeardUs = Math.max(headHeardUs, h.heardUs());
      }
    }
    Duration heardDuration = Duration.ofMillis(headHeardUs / 1000);
    synchronized (lock) {
      lastTimeToClear = Duration.ofNanos(clearNanos);
      lastHeard = heardDuration;
      activeResponse = null;
    }
    owner.timeToClear.record(clearNanos / 1_000_000.0);
    owner.bargeIns.add(1);
    AgentSession s = session;
    if (s != null) {
      for (PlaybackLedger.Heard h : truncations) {
        s.truncate(h.item().itemId, Duration.ofMillis(h.heardUs() / 1000));
      }
      if (cancel) {
        s.cancelResponse();
      }
    }
    owner.publish(new CallEvent.BargeIn(callId, heardDuration, now()));
  }

  // ---------------------------------------------------------------- responses and actions

  private void responseDone(String responseId) {
    Runnable next = null;
    Cancellable staleSettle = Cancellable.NONE;
    MediaStream st;
    String doneMark = null;
    synchronized (sendLock) {
      synchronized (lock) {
        st = stream;
        if (responseId.equals(activeResponse)) {
          activeResponse = null;
        }
        if (ledger.needsDoneMark()) {
          doneMark = ledger.doneMark();
        }
        if (pendingAction != null) {
          if (settling || settled) {
            staleSettle = unsettle(); // a response (with no audio) ran in the window: again
          }
          responseDoneSinceAction = true;
          next = nextStep();
        }
      }
      if (doneMark != null && st != null) {
        st.sendMark(doneMark);
      }
    }
    staleSettle.cancel();
    if (next != null) {
      next.run();
    }
  }

  /** Schedules an action for when everything has played and runs what is due now, if anything. */
  private void scheduleAction(PendingAction action, Duration timeout) {
    Cancellable timer = owner.scheduler.schedule(timeout, this::actionTimedOut);
    Runnable next;
    synchronized (lock) {
      if (ended || pendingAction != null) {
        next = timer::cancel;
      } else {
        pendingAction = action;
        responseDoneSinceAction = false;
        settling = false;
        settled = false;
        actionTimer = timer;
        next = nextStep();
      }
    }
    if (next != null) {
      next.run();
    }
  }

  /**
   * Returns what the pending action needs once the lock is released: to be performed (its
   * conditions hold and, for the agent's tools, the settle window passed quietly), a settle window
   * to be started (its conditions hold for the first time), or nothing. Call under the lock.
   */
  private @Nullable Runnable nextStep() {
    PendingAction a = pendingAction;
    if (a == null
        || a.waitForResponseDone() && !responseDoneSinceAction
        || activeResponse != null && !failing
        || !ledger.idle()) {
      return null;
    }
    if (a.waitForResponseDone() && !settled) {
      if (settling) {
        return null;
      }
      settling = true;
      int epoch = ++settleEpoch;
      return () -> startSettle(epoch);
    }
    pendingAction = null;
    settling = false;
    settled = false;
    Cancellable timer = actionTimer;
    Cancellable settle = settleTimer;
    actionTimer = Cancellable.NONE;
    settleTimer = Cancellable.NONE;
    return () -> {
      timer.cancel();
      settle.cancel();
      perform(a);
    };
  }

  /**
   * Ends the settle window because a response started (or ran) in it; the action waits for that
   * response to play, then settles again. Returns the window's timer, to cancel outside the lock.
   * Call under the lock.
   */
  private Cancellable unsettle() {
    settled = false;
    if (!settling) {
      return Cancellable.NONE;
    }
    settling = false;
    settleEpoch++;
    Cancellable timer = settleTimer;
    settleTimer = Cancellable.NONE;
    return timer;
  }

  private void startSettle(int epoch) {
    Cancellable timer = owner.scheduler.schedule(owner.endCallSettle, () -> settleElapsed(epoch));
    synchronized (lock) {
      if (!ended && settling && epoch == settleEpoch) {
        settleTimer = timer;
        return;
      }
    }
    timer.cancel(); // the window ended (or already elapsed) before its timer was installed
  }

  private void settleElapsed(int epoch) {
    Runnable next;
    synchronized (lock) {
      if (ended || !settling || epoch != settleEpoch) {
        return;
      }
      settling = false;
      settled = true;
      settleTimer = Cancellable.NONE;
      next = nextStep();
    }
    if (next != null) {
      next.run();
    }
  }

  private void actionTimedOut() {
    PendingAction a;
    Cancellable settle;
    synchronized (lock) {
      a = pendingAction;
      pendingAction = null;
      actionTimer = Cancellable.NONE;
      settle = settleTimer;
      settleTimer = Cancellable.NONE;
      settling = false;
      settled = false;
      if (ended || a == null) {
        return;
      }
    }
    settle.cancel();
    log.info("call {}: last words did not finish playing in time; acting anyway", callId);
    perform(a);
  }

  private void perform(PendingAction action) {
    TransferTarget target = action.transferTo();
    if (target == null) {
      call.hangUp()
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  log.warn("hang-up of call {} failed", callId, e);
                }
              });
      finish();
    } else {
      call.transfer(target)
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  log.warn("transfer of call {} failed", callId, e);
                  owner.publish(
                      new AgentEvent.AgentFailed(
                          sessionId(), callId, "transfer failed: " + describe(e), now()));
                }
              });
    }
  }

  // ---------------------------------------------------------------- tools

  private void toolCall(ToolCall toolCall) {
    synchronized (lock) {
      if (ended) {
        return;
      }
      toolCalls++;
    }
    String name = toolCall.name();
    if (VoiceAgentBridge.END_CALL.equals(name) && owner.endCall) {
      endCall(toolCall);
    } else if (VoiceAgentBridge.TRANSFER_CALL.equals(name) && !owner.transferTargets.isEmpty()) {
      transfer(toolCall);
    } else if (VoiceAgentBridge.SEND_DTMF.equals(name) && owner.sendDtmf) {
      sendDtmf(toolCall);
    } else {
      Tool tool = owner.tools.get(name);
      if (tool == null) {
        reply(ToolResult.error(toolCall.id(), "unknown tool '" + name + "'"));
        toolCalled(name, 0, false);
      } else {
        runUserTool(tool, toolCall);
      }
    }
  }

  private void endCall(ToolCall toolCall) {
    reply(ToolResult.success(toolCall.id(), "{\"status\":\"ending\"}"));
    toolCalled(toolCall.name(), 0, true);
    scheduleAction(new PendingAction(null, true), owner.endCallTimeout);
  }

  private void transfer(ToolCall toolCall) {
    String name = toolCall.arguments().path("target").asText("");
    TransferTarget target = owner.transferTargets.get(name);
    if (target == null && owner.transferTargets.size() == 1 && name.isEmpty()) {
      target = owner.transferTargets.values().iterator().next();
    }
    if (target == null) {
      reply(
          ToolResult.error(
              toolCall.id(),
              "unknown transfer target '"
                  + name
                  + "'; allowed: "
                  + new java.util.TreeSet<>(owner.transferTargets.keySet())));
      toolCalled(toolCall.name(), 0, false);
      return;
    }
    reply(ToolResult.success(toolCall.id(), "{\"status\":\"transferring\"}"));
    toolCalled(toolCall.name(), 0, true);
    scheduleAction(new PendingAction(target, true), owner.endCallTimeout);
  }

  private void sendDtmf(ToolCall toolCall) {
    String digits = toolCall.arguments().path("digits").asText("");
    if (!DIGITS.matcher(digits).matches()) {
      reply(
          ToolResult.error(
              toolCall.id(), "digits must be 1-32 of 0-9, *, # and w, got '" + digits + "'"));
      toolCalled(toolCall.name(), 0, false);
      return;
    }
    long started = owner.clock.millis();
    synchronized (lock) {
      awaitingNewStream = true;
    }
    CompletableFuture<Void> sent;
    try {
      sent = call.sendDtmf(digits);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete(
        (v, e) -> {
          if (e == null) {
            reply(ToolResult.success(toolCall.id(), "{\"status\":\"sent\"}"));
          } else {
            synchronized (lock) {
              awaitingNewStream = false;
            }
            reply(ToolResult.error(toolCall.id(), "sending DTMF failed: " + describe(e)));
          }
          toolCalled(toolCall.name(), owner.clock.millis() - started, e == null);
        });
  }

  private void runUserTool(Tool tool, ToolCall toolCall) {
    PendingTool p = new PendingTool(toolCall, owner.clock.millis());
    FutureTask<ToolResult> task =
        new FutureTask<>(() -> tool.handler().handle(toolCall)) {
          @Override
          protected void done() {
            toolFinished(p, this);
          }
        };
    p.task = task;
    synchronized (lock) {
      if (ended) {
        return;
      }
      tools.put(toolCall.id(), p);
    }
    Cancellable timeout = owner.scheduler.schedule(owner.toolTimeout, () -> toolTimedOut(p));
    Cancellable notice = owner.scheduler.schedule(owner.slowToolNotice, () -> toolSlow(p));
    boolean answered;
    synchronized (lock) {
      p.timeout = timeout;
      p.notice = notice;
      answered = p.answered;
    }
    if (answered) {
      timeout.cancel();
      notice.cancel();
      return;
    }
    try {
      owner.toolExecutor.execute(task);
    } catch (RejectedExecutionException e) {
      answer(p, ToolResult.error(toolCall.id(), "the tool could not be started: too busy"), false);
    }
  }

  private void toolFinished(PendingTool p, FutureTask<ToolResult> task) {
    if (task.isCancelled()) {
      return;
    }
    ToolResult result;
    boolean ok;
    try {
      ToolResult r = task.get();
      if (r == null) {
        result = ToolResult.error(p.call.id(), "the tool returned no result");
        ok = false;
      } else {
        result = new ToolResult(p.call.id(), r.output(), r.isError());
        ok = !r.isError();
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      log.warn("tool {} failed on call {}", p.call.name(), callId, cause);
      result = ToolResult.error(p.call.id(), "the tool failed: " + cause.getClass().getName());
      ok = false;
    } catch (InterruptedException | CancellationException e) {
      return;
    }
    answer(p, result, ok);
  }

  private void toolTimedOut(PendingTool p) {
    answer(
        p,
        ToolResult.error(p.call.id(), "timed out after " + owner.toolTimeout.toMillis() + " ms"),
        false);
    FutureTask<ToolResult> task = p.task;
    if (task != null) {
      task.cancel(true);
    }
  }

  private void toolSlow(PendingTool p) {
    synchronized (lock) {
      if (p.answered || ended || !ledger.idle()) {
        return; // done, or the caller is hearing something already
      }
    }
    playClip(Clips.ONE_MOMENT, false);
  }

  private void answer(PendingTool p, ToolResult result, boolean succeeded) {
    synchronized (lock) {
      if (p.answered) {
        return;
      }
      p.answered = true;
      tools.remove(p.call.id());
      if (ended) {
        return;
      }
    }
    p.timeout.cancel();
    p.notice.cancel();
    reply(result);
    toolCalled(p.call.name(), owner.clock.millis() - p.startedAtMs, succeeded);
  }

  private void reply(ToolResult result) {
    withSession(s -> s.sendToolResult(result));
  }

  private void toolCalled(String name, long tookMs, boolean succeeded) {
    owner.publish(
        new AgentEvent.ToolCalled(
            sessionId(), callId, name, Duration.ofMillis(Math.max(0, tookMs)), succeeded, now()));
  }

  // ---------------------------------------------------------------- transcripts

  private void transcript(Transcript transcript) {
    if (!transcript.isFinal()) {
      return; // partials are superseded by the final text; not published
    }
    owner.publish(new AgentEvent.TranscriptReceived(sessionId(), callId, transcript, now()));
    CallStore calls = owner.callStore;
    TranscriptStore transcripts = owner.transcriptStore;
    if (calls == null && transcripts == null) {
      return;
    }
    storeTail =
        storeTail
            .thenRunAsync(() -> store(calls, transcripts, transcript), owner.toolExecutor)
            .exceptionally(
                e -> {
                  log.warn("storing a transcript of call {} failed", callId, e);
                  return null;
                });
  }

  private void store(
      @Nullable CallStore calls, @Nullable TranscriptStore transcripts, Transcript transcript) {
    if (transcripts != null) {
      transcripts.append(callId, transcript);
    }
    if (calls != null) {
      CallRecord record =
          calls
              .find(callId)
              .orElseGet(
                  () ->
                      CallRecord.of(
                          callId,
                          call.direction(),
                          call.from(),
                          call.to(),
                          call.state(),
                          call.createdAt()));
      calls.save(record.withTranscriptEntry(transcript));
    }
  }

  // ---------------------------------------------------------------- lifecycle

  private void streamClosed(MediaStream source, CloseReason reason) {
    synchronized (lock) {
      if (ended || source != stream) {
        return;
      }
      if (awaitingNewStream
          && reason.code() != CloseReason.Code.CALL_ENDED
          && !call.state().isTerminal()) {
        // DTMF ends the stream; the call goes on with a new one (replaceStream).
        stream = null;
        ledger.reset();
        streamWaitTimer = owner.scheduler.schedule(owner.endCallTimeout, this::finish);
        return;
      }
    }
    finish();
  }

  private void sessionEnded(CloseReason reason) {
    owner.publish(new AgentEvent.SessionClosed(sessionId(), callId, reason, now()));
    sessionClosed.complete(null);
    boolean error = reason.isError() || reason.code() == CloseReason.Code.SHUTDOWN;
    synchronized (lock) {
      if (ended || closedByUs) {
        return;
      }
      if (stream == null) {
        error = false; // no one to speak to
      }
    }
    if (error) {
      owner.publish(
          new AgentEvent.AgentFailed(
              sessionId(), callId, "agent session failed: " + reason.code(), now()));
      apologizeAndHangUp();
    } else {
      synchronized (lock) {
        if (stream == null) {
          error = true; // reuse as "finish now"
        }
        failing = true;
        activeResponse = null;
      }
      if (error) {
        finish();
        return;
      }
      // The agent ended the conversation: let queued audio play, then hang up.
      scheduleAction(new PendingAction(null, false), owner.endCallTimeout);
    }
  }

  /** Clears what the dead agent left at the phone, plays the apology, then hangs up. */
  private void apologizeAndHangUp() {
    MediaStream st;
    boolean clear;
    synchronized (lock) {
      if (ended) {
        return;
      }
      failing = true;
      activeResponse = null;
      st = stream;
      clear = st != null && !ledger.idle();
      ledger.reset();
    }
    if (st == null) {
      call.hangUp();
      finish();
      return;
    }
    if (clear) {
      synchronized (sendLock) {
        st.clear();
      }
    }
    long clipMs = 0;
    try {
      clipMs = Clips.durationMs(owner.clips.get(Clips.APOLOGY, st.format()));
    } catch (RuntimeException e) {
      log.warn("apology clip unavailable", e);
    }
    playClip(Clips.APOLOGY, true);
    Duration wait = Duration.ofMillis(clipMs).plus(CLIP_GRACE);
    if (wait.compareTo(owner.endCallTimeout) < 0) {
      wait = owner.endCallTimeout;
    }
    scheduleAction(new PendingAction(null, false), wait);
  }

  /** Stops the bridge once: cancels timers and tools, detaches, closes the agent session. */
  private void finish() {
    List<Cancellable> timers = new ArrayList<>();
    List<FutureTask<ToolResult>> running = new ArrayList<>();
    MediaStream st;
    synchronized (lock) {
      if (ended) {
        return;
      }
      ended = true;
      timers.add(actionTimer);
      timers.add(settleTimer);
      timers.add(streamWaitTimer);
      actionTimer = Cancellable.NONE;
      settleTimer = Cancellable.NONE;
      streamWaitTimer = Cancellable.NONE;
      pendingAction = null;
      settling = false;
      for (PendingTool p : tools.values()) {
        p.answered = true;
        timers.add(p.timeout);
        timers.add(p.notice);
        if (p.task != null) {
          running.add(p.task);
        }
      }
      tools.clear();
      ledger.reset();
      st = stream;
    }
    for (Cancellable c : timers) {
      c.cancel();
    }
    for (FutureTask<ToolResult> task : running) {
      task.cancel(true);
    }
    if (st != null) {
      st.setListener(MediaStream.Listener.NONE);
    }
    sessionReady.whenComplete(
        (s, e) -> {
          if (s == null) {
            sessionClosed.complete(null);
          } else {
            s.close().whenComplete((v, x) -> sessionClosed.complete(null));
          }
        });
    sessionClosed.whenComplete((v, e) -> done.complete(null));
  }

  // ---------------------------------------------------------------- BridgedCall

  @Override
  public Call call() {
    return call;
  }

  @Override
  public AgentSession session() {
    AgentSession s = session;
    if (s == null) {
      throw new IllegalStateException("the agent session is not open");
    }
    return s;
  }

  @Override
  public BridgeMetrics metrics() {
    synchronized (lock) {
      return new BridgeMetrics(
          framesToAgent.get(),
          framesToCaller,
          outboundDropped + inboundDropped.get(),
          bargeIns,
          toolCalls,
          lastTurnLatency,
          lastTimeToClear,
          lastHeard);
    }
  }

  @Override
  public void replaceStream(MediaStream newStream) {
    java.util.Objects.requireNonNull(newStream, "stream");
    MediaStream old;
    Cancellable wait;
    synchronized (lock) {
      if (ended) {
        throw new IllegalStateException("the bridge of call " + callId + " has stopped");
      }
      old = stream;
      stream = newStream;
      ledger.reset();
      awaitingNewStream = false;
      wait = streamWaitTimer;
      streamWaitTimer = Cancellable.NONE;
    }
    wait.cancel();
    if (old != null && old != newStream) {
      old.setListener(MediaStream.Listener.NONE);
    }
    newStream.setListener(new StreamListener(newStream));
  }

  @Override
  public CompletableFuture<Void> close() {
    synchronized (lock) {
      closedByUs = true;
    }
    finish();
    return done;
  }

  @Override
  public CompletableFuture<Void> done() {
    return done;
  }

  // ---------------------------------------------------------------- helpers

  private void withSession(Consumer<AgentSession> action) {
    AgentSession s = session;
    if (s != null) {
      action.accept(s);
    } else {
      sessionReady.thenAccept(action);
    }
  }

  private String sessionId() {
    AgentSession s = session;
    return s != null ? s.id() : "none";
  }

  private java.time.Instant now() {
    return owner.clock.instant();
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof java.util.concurrent.CompletionException
            || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static String describe(Throwable e) {
    Throwable t = unwrap(e);
    return t instanceof SwitchboardException && t.getMessage() != null
        ? t.getMessage()
        : t.getClass().getName();
  }

  @Override
  public String toString() {
    return "BridgedCall[" + callId + "]";
  }
}
