package dev.switchboard.testing.ultravox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.codec.AudioFormat;
import dev.switchboard.testing.internal.SpeechDetector;
import dev.switchboard.testing.internal.VoiceSynth;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conversation engine of one joined call, shared by both media: OkHttp's reader thread records
 * each message and hands it to the fake's scheduler thread, where everything else happens; all
 * mutable fields are confined to that thread. Subclasses speak the medium's wire protocol.
 */
abstract class CallSession extends WebSocketListener {
  static final Logger LOG = LoggerFactory.getLogger(FakeUltravox.class);
  static final long FRAME_NANOS = TimeUnit.MILLISECONDS.toNanos(SpeechDetector.FRAME_MILLIS);
  static final Duration DEFAULT_TURN_ENDPOINT_DELAY = Duration.ofMillis(384);

  final FakeUltravox fake;
  final FakeUltravoxCall call;
  private final @Nullable Socket rawSocket;
  private final int silenceMillis;

  // Confined to the scheduler thread.
  private @Nullable SpeechDetector detector;
  private @Nullable WebSocket webSocket;
  private boolean open;
  private boolean ended;
  private long joinedNanos;
  private int nextOrdinal;
  @Nullable Utterance current;
  @Nullable Utterance last;
  final Map<Integer, Utterance> utterances = new HashMap<>();
  private @Nullable PendingTool pendingTool;
  private boolean userTurnPending;
  private boolean userSpoke;
  private final ArrayDeque<Runnable> queued = new ArrayDeque<>();
  private String state = "";
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();

  /** One agent utterance being spoken (or spoken). */
  final class Utterance {
    final int ordinal;
    final String text;
    final List<String> tokens;
    final byte[] audio;
    final boolean uninterruptible;
    final @Nullable Runnable after;
    final long totalNanos;
    int offset;
    int tokensSent;
    long startNanos;
    boolean cleared;
    long playedMillis;
    @Nullable ScheduledFuture<?> ticker;

    Utterance(
        int ordinal,
        String text,
        Duration duration,
        boolean uninterruptible,
        @Nullable Runnable after) {
      this.ordinal = ordinal;
      this.text = text;
      this.tokens = tokens(text);
      AudioFormat format = outputFormat();
      long samples = Math.max(1, duration.toNanos() * format.sampleRate() / 1_000_000_000L);
      this.audio =
          VoiceSynth.speech(format, Math.toIntExact(samples * format.encoding().bytesPerSample()));
      this.uninterruptible = uninterruptible;
      this.after = after;
      this.totalNanos = nanosOf(audio.length);
    }

    long sentNanos() {
      return nanosOf(offset);
    }
  }

  private record PendingTool(String invocationId, AgentReply reply) {}

  CallSession(FakeUltravox fake, FakeUltravoxCall call, @Nullable Socket rawSocket) {
    this.fake = fake;
    this.call = call;
    this.rawSocket = rawSocket;
    JsonNode delay = call.json().at("/vadSettings/turnEndpointDelay");
    Duration silence = UltravoxApi.parseDuration(delay);
    this.silenceMillis = (int) (silence == null ? DEFAULT_TURN_ENDPOINT_DELAY : silence).toMillis();
  }

  // ------------------------------------------------------------------ the medium

  /** The format of the caller's audio. */
  abstract AudioFormat inputFormat();

  /** The format of the agent's audio. */
  abstract AudioFormat outputFormat();

  /** How far ahead of real-time playback agent audio may be sent. */
  abstract long leadNanos();

  /** The JSON field that names a message's type. */
  abstract String typeField();

  /** The socket opened and the call is joined. */
  abstract void onJoined();

  /** A text message arrived (recorded already). */
  abstract void onText(FakeUltravoxCall.DataMessage message);

  /** A binary frame arrived. */
  abstract void onBinary(byte[] bytes);

  /** Sends one chunk of an utterance's audio (its offset already includes the chunk). */
  abstract void sendAudio(Utterance u, byte[] chunk);

  /** Tells the client to drop unplayed agent audio. */
  abstract void sendClear();

  /** How much of an utterance has been played by now, as far as the fake can tell. */
  abstract long playedNanos(Utterance u, long now);

  /** Whether an utterance may still be playing on the client. */
  abstract boolean playing(Utterance u, long now);

  /** Runs an action once the last utterance has played out. */
  abstract void whenPlayedOut(Runnable action);

  /** Whether client tools can be invoked on this medium. */
  abstract boolean supportsClientTools();

  void onState(String state) {}

  void onAgentDelta(Utterance u, String delta) {}

  void onAgentFinal(Utterance u, String text) {}

  void onUserTranscript(int ordinal, String text, String medium) {}

  void sendToolInvocation(String toolName, String invocationId, String parametersJson) {}

  // ------------------------------------------------------------------ OkHttp callbacks

  @Override
  public void onOpen(WebSocket ws, Response response) {
    fake.execute(() -> opened(ws));
  }

  @Override
  public void onMessage(WebSocket ws, String text) {
    JsonNode json;
    try {
      json = FakeUltravox.JSON.readTree(text);
    } catch (JsonProcessingException e) {
      json = null;
    }
    if (json == null) {
      json = MissingNode.getInstance();
    }
    JsonNode type = json.path(typeField());
    FakeUltravoxCall.DataMessage message =
        new FakeUltravoxCall.DataMessage(
            type.isTextual() ? type.asText() : "", json, text, fake.clock.instant());
    call.received(message);
    fake.execute(
        () -> {
          if (open) {
            onText(message);
          }
        });
  }

  @Override
  public void onMessage(WebSocket ws, ByteString bytes) {
    byte[] copy = bytes.toByteArray();
    fake.execute(
        () -> {
          if (open) {
            onBinary(copy);
          }
        });
  }

  @Override
  public void onClosing(WebSocket ws, int code, String reason) {
    try {
      ws.close(1000, null);
    } catch (RuntimeException ignored) {
      // already closing
    }
    fake.execute(() -> end("hangup", false));
  }

  @Override
  public void onClosed(WebSocket ws, int code, String reason) {
    fake.execute(() -> end("hangup", false));
  }

  @Override
  public void onFailure(WebSocket ws, Throwable t, @Nullable Response response) {
    fake.execute(() -> end("connection_error", false));
  }

  // ------------------------------------------------------------------ lifecycle

  private void opened(WebSocket ws) {
    webSocket = ws;
    if (ended || call.endReason().isPresent()) {
      ended = true;
      ws.close(1000, "call ended");
      return;
    }
    open = true;
    joinedNanos = System.nanoTime();
    call.joined(fake.clock.instant());
    fake.emit("call.joined", call);
    timer(() -> endByFake("timeout"), call.maxDuration().toNanos());
    onJoined();
  }

  boolean isOpen() {
    return open;
  }

  /** Ends the call; with closeSocket the fake closes the WebSocket normally. */
  void end(String reason, boolean closeSocket) {
    if (ended) {
      return;
    }
    ended = true;
    boolean wasOpen = open;
    open = false;
    Utterance u = current;
    if (u != null) {
      cancel(u);
    }
    current = null;
    pendingTool = null;
    queued.clear();
    timers.forEach(t -> t.cancel(false));
    timers.clear();
    WebSocket ws = webSocket;
    if (closeSocket && wasOpen && ws != null) {
      ws.close(reason.equals("system_error") ? 1001 : 1000, "call ended: " + reason);
    }
    if (call.ended(reason, fake.clock.instant())) {
      fake.emit("call.ended", call);
      if (call.isJoined()) {
        call.billed();
        fake.emit("call.billed", call);
      }
    }
  }

  void endByFake(String reason) {
    end(reason, true);
  }

  /** The fake is closing. */
  void shutdown() {
    end("system_error", true);
  }

  /** Drops the connection without a close frame. */
  void disconnect() {
    if (!open) {
      return;
    }
    end("connection_error", false);
    Socket raw = rawSocket;
    WebSocket ws = webSocket;
    if (raw != null) {
      try {
        raw.close(); // no close frame: the client sees the connection break
      } catch (IOException ignored) {
        // already closed
      }
    } else if (ws != null) {
      ws.cancel();
    }
  }

  void protocolError(String problem) {
    protocolError(problem, "");
  }

  /** Records a problem with an excerpt of the input; only the problem is logged, not content. */
  void protocolError(String problem, String excerpt) {
    call.protocolError(excerpt.isEmpty() ? problem : problem + ": " + excerpt);
    LOG.warn("FakeUltravox call {}: protocol error: {}", call.callId(), problem);
  }

  void timer(Runnable action, long delayNanos) {
    ScheduledFuture<?> timer =
        fake.schedule(
            () -> {
              if (!ended) {
                action.run();
              }
            },
            Math.max(0, delayNanos),
            TimeUnit.NANOSECONDS);
    if (timer != null) {
      timers.add(timer);
    }
  }

  void sendText(ObjectNode message) {
    send(message, true);
  }

  /** Sends agent audio as a text message (twilio medium), counted but not recorded. */
  void sendMedia(ObjectNode message) {
    send(message, false);
  }

  private void send(ObjectNode message, boolean recorded) {
    WebSocket ws = webSocket;
    if (!open || ws == null) {
      return;
    }
    String text;
    try {
      text = FakeUltravox.JSON.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    if (recorded) {
      call.sent(
          new FakeUltravoxCall.DataMessage(
              message.path(typeField()).asText(""), message, text, fake.clock.instant()));
    }
    ws.send(text);
  }

  void sendBinary(byte[] bytes) {
    WebSocket ws = webSocket;
    if (open && ws != null) {
      ws.send(ByteString.of(bytes));
    }
  }

  long nanosOf(long bytes) {
    AudioFormat format = outputFormat();
    return bytes
        * 1_000_000_000L
        / ((long) format.sampleRate() * format.encoding().bytesPerSample());
  }

  // ------------------------------------------------------------------ the conversation

  /** Starts the conversation: the agent greets, or waits for the user. */
  void begin() {
    JsonNode settings = call.json().path("firstSpeakerSettings");
    if (settings.has("user")) {
      setState("listening");
      JsonNode fallback = settings.path("user").path("fallback");
      if (fallback.isObject()) {
        Duration delay = UltravoxApi.parseDuration(fallback.path("delay"));
        String text = fallback.path("text").isTextual() ? fallback.path("text").asText() : null;
        timer(
            () -> {
              if (!userSpoke && last == null && current == null && pendingTool == null) {
                greet(text, false);
              }
            },
            delay == null ? 0 : delay.toNanos());
      }
      return;
    }
    JsonNode agent = settings.path("agent");
    String text = agent.path("text").isTextual() ? agent.path("text").asText() : null;
    boolean uninterruptible = agent.path("uninterruptible").asBoolean(false);
    Duration delay = UltravoxApi.parseDuration(agent.path("delay"));
    if (delay != null && !delay.isZero()) {
      setState("listening");
      timer(() -> greet(text, uninterruptible), delay.toNanos());
    } else {
      greet(text, uninterruptible);
    }
  }

  private void greet(@Nullable String text, boolean uninterruptible) {
    if (text == null || text.isBlank()) {
      speak(fake.greeting.text(), fake.greeting.duration(), uninterruptible, null);
    } else {
      speak(text, wordsDuration(text), uninterruptible, null);
    }
  }

  static Duration wordsDuration(String text) {
    return AgentReply.MILLIS_PER_WORD.multipliedBy(Math.max(1, text.trim().split("\\s+").length));
  }

  void setState(String next) {
    if (!next.equals(state)) {
      state = next;
      onState(next);
    }
  }

  /** Speaks now, or after the current utterance. */
  void speak(String text, Duration duration, boolean uninterruptible, @Nullable Runnable after) {
    if (ended) {
      return;
    }
    if (current != null) {
      queued.add(() -> speak(text, duration, uninterruptible, after));
      return;
    }
    Utterance u = new Utterance(nextOrdinal++, text, duration, uninterruptible, after);
    utterances.put(u.ordinal, u);
    current = u;
    setState("speaking");
    u.startNanos = System.nanoTime();
    u.ticker = fake.scheduleAtFixedRate(() -> tick(u), 0, FRAME_NANOS, TimeUnit.NANOSECONDS);
  }

  private void tick(Utterance u) {
    if (current != u || ended) {
      cancel(u);
      return;
    }
    long allowed = System.nanoTime() - u.startNanos + leadNanos();
    int frame = SpeechDetector.frameBytes(outputFormat());
    while (u.offset < u.audio.length && u.sentNanos() < allowed) {
      int n = Math.min(frame, u.audio.length - u.offset);
      byte[] chunk = Arrays.copyOfRange(u.audio, u.offset, u.offset + n);
      u.offset += n;
      call.agentAudio(nanosOf(n));
      sendAudio(u, chunk);
      if (current != u) {
        return; // the medium ended the call
      }
    }
    int due =
        u.tokens.isEmpty()
            ? 0
            : (int) Math.ceil(u.tokens.size() * (double) u.offset / u.audio.length);
    while (u.tokensSent < due) {
      onAgentDelta(u, u.tokens.get(u.tokensSent++));
    }
    if (u.offset >= u.audio.length) {
      finish(u);
    }
  }

  private void cancel(Utterance u) {
    ScheduledFuture<?> ticker = u.ticker;
    if (ticker != null) {
      ticker.cancel(false);
    }
  }

  private void finish(Utterance u) {
    cancel(u);
    current = null;
    last = u;
    onAgentFinal(u, u.text);
    agentMessage(u, u.text);
    afterSpeech(u.after);
  }

  private void afterSpeech(@Nullable Runnable after) {
    if (ended) {
      return;
    }
    if (after != null) {
      after.run();
      return;
    }
    Runnable next = queued.poll();
    if (next != null) {
      next.run();
      return;
    }
    if (pendingTool != null) {
      setState("thinking");
      return;
    }
    if (userTurnPending) {
      respond();
      return;
    }
    setState("listening");
  }

  /** Barge-in: clear the client's buffer and stop (or account for) the utterance. */
  void interrupt(Utterance u) {
    long now = System.nanoTime();
    long played = Math.min(playedNanos(u, now), u.totalNanos);
    sendClear();
    u.cleared = true;
    call.clear(
        new FakeUltravoxCall.Clear(
            u.ordinal,
            Duration.ofNanos(u.sentNanos()),
            Duration.ofNanos(played),
            Duration.ofNanos(u.totalNanos),
            fake.clock.instant()));
    queued.clear();
    if (current == u) {
      cancel(u);
      current = null;
      last = u;
      int heard =
          u.tokens.isEmpty()
              ? 0
              : (int) Math.floor(u.tokens.size() * (double) played / u.totalNanos);
      String partial = String.join("", u.tokens.subList(0, heard)).strip();
      onAgentFinal(u, partial);
      agentMessage(u, partial);
      setState("listening");
    }
  }

  /** Received caller audio, already validated. */
  void userAudio(byte[] bytes) {
    AudioFormat format = inputFormat();
    SpeechDetector detector = this.detector;
    if (detector == null) {
      detector = new SpeechDetector(format);
      this.detector = detector;
    }
    call.audioReceived(
        bytes.length
            * 1_000_000_000L
            / ((long) format.sampleRate() * format.encoding().bytesPerSample()));
    detector.feed(
        bytes,
        true,
        fake.vadThreshold,
        silenceMillis,
        new SpeechDetector.Events() {
          @Override
          public void speechStarted(long audioStartMs) {
            onSpeechStarted();
          }

          @Override
          public void speechStopped(long audioEndMs) {
            userTurn(fake.nextUserTranscript(), "voice");
          }
        });
  }

  private void onSpeechStarted() {
    if (ended) {
      return;
    }
    userSpoke = true;
    Utterance u = current;
    if (u != null) {
      if (!u.uninterruptible) {
        interrupt(u);
      }
      return;
    }
    Utterance previous = last;
    if (previous != null
        && !previous.cleared
        && !previous.uninterruptible
        && playing(previous, System.nanoTime())) {
      interrupt(previous);
    }
  }

  /** A complete user turn: transcript, then the agent's answer when it is free. */
  void userTurn(String text, String medium) {
    if (ended) {
      return;
    }
    userSpoke = true;
    int ordinal = nextOrdinal++;
    onUserTranscript(ordinal, text, medium);
    ObjectNode message = FakeUltravox.JSON.createObjectNode();
    message.put("role", "MESSAGE_ROLE_USER").put("text", text);
    message.put("medium", medium.equals("text") ? "MESSAGE_MEDIUM_TEXT" : "MESSAGE_MEDIUM_VOICE");
    timespan(message, System.nanoTime());
    call.message(message);
    if (current != null || pendingTool != null) {
      userTurnPending = true;
      return;
    }
    setState("thinking");
    respond();
  }

  private void respond() {
    userTurnPending = false;
    run(fake.nextReply());
  }

  /** Does what a reply says: a tool call first, then speech, then maybe a hang-up. */
  void run(AgentReply reply) {
    if (ended) {
      return;
    }
    String toolName = reply.toolName();
    String parameters = reply.toolParameters();
    if (toolName == null || parameters == null) {
      speakReply(reply);
      return;
    }
    String invocationId = UUID.randomUUID().toString();
    ObjectNode toolCall = FakeUltravox.JSON.createObjectNode();
    toolCall.put("role", "MESSAGE_ROLE_TOOL_CALL").put("text", parameters);
    toolCall.put("invocationId", invocationId).put("toolName", toolName);
    toolCall.put("medium", "MESSAGE_MEDIUM_TEXT");
    timespan(toolCall, System.nanoTime());
    call.message(toolCall);
    if (!supportsClientTools()) {
      String failure =
          "client tool "
              + toolName
              + " cannot be invoked: the "
              + call.medium()
              + " medium has no"
              + " data messages";
      ObjectNode result = FakeUltravox.JSON.createObjectNode();
      result.put("role", "MESSAGE_ROLE_TOOL_RESULT").put("text", failure);
      result.put("invocationId", invocationId).put("toolName", toolName);
      result.put("errorDetails", failure).put("medium", "MESSAGE_MEDIUM_TEXT");
      timespan(result, System.nanoTime());
      call.message(result);
      speakReply(reply);
      return;
    }
    pendingTool = new PendingTool(invocationId, reply);
    if (current == null) {
      setState("thinking");
    }
    sendToolInvocation(toolName, invocationId, parameters);
  }

  private void speakReply(AgentReply reply) {
    Runnable after = reply.hangUp() ? () -> whenPlayedOut(() -> endByFake("agent_hangup")) : null;
    if (reply.text().isEmpty()) {
      if (reply.hangUp()) {
        whenPlayedOut(() -> endByFake("agent_hangup"));
      } else {
        afterSpeech(null);
      }
      return;
    }
    speak(reply.text(), reply.duration(), false, after);
  }

  /** A {@code client_tool_result} (already recorded as received). */
  void toolResult(JsonNode message) {
    JsonNode id = message.path("invocationId");
    PendingTool pending = pendingTool;
    if (pending == null || !id.isTextual() || !id.asText().equals(pending.invocationId())) {
      protocolError(
          "client_tool_result for invocationId "
              + id
              + (pending == null
                  ? ", but no tool invocation is pending"
                  : ", but the pending one is " + pending.invocationId()));
      return;
    }
    pendingTool = null;
    boolean failed = message.has("errorType") || !message.has("result");
    if (!message.has("result") && !message.has("errorType")) {
      protocolError("client_tool_result " + id.asText() + " has neither result nor errorType");
    }
    String text =
        failed
            ? message.path("errorMessage").asText(message.path("errorType").asText("error"))
            : message.path("result").isTextual()
                ? message.path("result").asText()
                : message.path("result").toString();
    ObjectNode result = FakeUltravox.JSON.createObjectNode();
    result.put("role", "MESSAGE_ROLE_TOOL_RESULT").put("text", text);
    result.put("invocationId", pending.invocationId());
    result.put("toolName", pending.reply().toolName());
    result.put("medium", "MESSAGE_MEDIUM_TEXT");
    if (failed) {
      result.put("errorDetails", message.path("errorType").asText("") + ": " + text);
    }
    timespan(result, System.nanoTime());
    call.message(result);
    String responseType = message.path("responseType").asText("tool-response");
    if (responseType.equals("hang-up")) {
      endByFake("agent_hangup");
      return;
    }
    if (message.path("agentReaction").asText("speaks").equals("listens")) {
      if (current == null) {
        afterSpeech(null);
      }
      return;
    }
    speakReply(pending.reply());
  }

  /** A {@code forced_agent_message}, from the socket or REST. */
  void forcedAgentMessage(JsonNode message) {
    JsonNode content = message.path("content");
    if (!content.isTextual() || content.asText().isBlank()) {
      protocolError("forced_agent_message without content", message.toString());
      return;
    }
    Utterance u = current;
    if (u != null && message.path("urgency").asText("").equals("immediate") && !u.uninterruptible) {
      interrupt(u);
    }
    speak(
        content.asText(),
        wordsDuration(content.asText()),
        message.path("uninterruptible").asBoolean(false),
        null);
  }

  /** A {@code user_text_message}, from the socket or REST. */
  void userTextMessage(JsonNode message) {
    JsonNode text = message.path("text");
    if (!text.isTextual()) {
      protocolError("user_text_message without text", message.toString());
      return;
    }
    Utterance u = current;
    if (u != null && message.path("urgency").asText("").equals("immediate") && !u.uninterruptible) {
      interrupt(u);
    }
    userTurn(text.asText(), "text");
  }

  /** A {@code hang_up}: the agent says the farewell, if any, then the call ends. */
  void hangUp(JsonNode message, String reason) {
    String farewell = message.path("message").asText("");
    Utterance u = current;
    if (u != null) {
      interrupt(u);
    }
    queued.clear();
    pendingTool = null;
    if (farewell.isBlank()) {
      endByFake(reason);
      return;
    }
    speak(farewell, wordsDuration(farewell), true, () -> whenPlayedOut(() -> endByFake(reason)));
  }

  /** A data message sent over REST; false if the call is not live. */
  boolean deliver(JsonNode message) {
    if (!open || ended) {
      return false;
    }
    switch (message.path("type").asText()) {
      case "forced_agent_message" -> forcedAgentMessage(message);
      case "hang_up" -> hangUp(message, "agent_hangup");
      case "user_text_message" -> userTextMessage(message);
      default -> throw new IllegalArgumentException("unsupported type " + message.path("type"));
    }
    return true;
  }

  /** The test's {@link FakeUltravoxCall#speak} control. */
  void speakNow(AgentReply reply) {
    if (!open || ended) {
      throw new IllegalStateException("call " + call.callId() + " is not live");
    }
    run(reply);
  }

  private void agentMessage(Utterance u, String text) {
    ObjectNode message = FakeUltravox.JSON.createObjectNode();
    message.put("role", "MESSAGE_ROLE_AGENT").put("text", text);
    message.put("medium", "MESSAGE_MEDIUM_VOICE");
    ObjectNode span = message.putObject("timespan");
    span.put(
        "start", UltravoxApi.duration(Duration.ofNanos(Math.max(0, u.startNanos - joinedNanos))));
    span.put(
        "end",
        UltravoxApi.duration(Duration.ofNanos(Math.max(0, System.nanoTime() - joinedNanos))));
    call.message(message);
  }

  private void timespan(ObjectNode message, long now) {
    String at = UltravoxApi.duration(Duration.ofNanos(Math.max(0, now - joinedNanos)));
    message.putObject("timespan").put("start", at).put("end", at);
  }

  static List<String> tokens(String text) {
    List<String> tokens = new ArrayList<>();
    for (String token : text.split("(?<=\\S)(?=\\s)")) {
      if (!token.isEmpty()) {
        tokens.add(token);
      }
    }
    return tokens;
  }
}
