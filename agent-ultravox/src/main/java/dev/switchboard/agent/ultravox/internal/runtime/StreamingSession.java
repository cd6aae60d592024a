package dev.switchboard.agent.ultravox.internal.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.CodecException;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.SessionException;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.agent.AgentAudio;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.agent.ToolCall;
import dev.switchboard.core.agent.ToolResult;
import dev.switchboard.core.agent.Transcript;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not API. An {@code AUDIO_STREAMING} session: an Ultravox call with the {@code serverWebSocket}
 * medium and one OkHttp WebSocket to its join URL. Binary frames are PCM16LE mono audio both ways;
 * text frames are JSON data messages (protocols.md §5.7). Thread-safe: state is guarded by one
 * lock, listener callbacks run one at a time in order, never under it, and the response bookkeeping
 * is confined to the socket's reader thread (OkHttp delivers one frame at a time).
 *
 * <p>Ultravox has no response ids; the bridge needs them (it drops late audio of an interrupted
 * response by id), so they are synthesised. A response starts with the first audio after the
 * session opened, after a {@code playback_clear_buffer}, or after the agent stopped speaking (its
 * {@code state} left {@code speaking}, or its transcript went final and audio then resumed); it is
 * done when the state leaves {@code speaking}, when a clear interrupts it, when the next response
 * starts, or when the socket ends. A turn in which the agent thought and went back to listening
 * without audio (a tool's result acknowledged silently) is reported as an empty response, so that
 * the bridge's end_call and transfer_call, which wait for the agent's turn to end, do not wait for
 * their timeout.
 */
final class StreamingSession extends UltravoxSession {
  private static final Logger log = LoggerFactory.getLogger(StreamingSession.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long a close waits for Ultravox's close frame before cancelling the socket. */
  static final Duration CLOSE_BOUND = Duration.ofSeconds(2);

  /**
   * Caller audio queued on the socket beyond this is refused (sendAudio returns false) rather than
   * queued: about 8 s at 16 kHz. OkHttp's own limit (16 MiB) would close the socket instead.
   */
  static final long MAX_AUDIO_QUEUE = 256 * 1024;

  private static final int MAX_TRACKED_UTTERANCES = 64;

  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();
  private final AtomicLong refusedAudio = new AtomicLong();

  private volatile AudioFormat format = AudioFormat.PCM16_8K;
  private volatile @Nullable URI joinUrl;
  private volatile @Nullable Duration lastRoundTrip;

  private @Nullable WebSocket socket; // guarded by lock
  private Runnable pings = () -> {}; // guarded by lock
  private Runnable connectTimer = () -> {}; // guarded by lock
  private Runnable closeTimer = () -> {}; // guarded by lock

  // Confined to the socket's reader thread.
  private @Nullable String currentResponse;
  private int responses;
  private boolean boundary; // the agent's transcript went final: the next audio is a new response
  private boolean spokeSinceThinking;
  private String agentState = "";
  private int pendingByte = -1;
  private final Map<String, StringBuilder> partials = boundedMap();
  private final Map<Speaker, Integer> ordinals = new LinkedHashMap<>();

  private final Reader reader = new Reader();

  StreamingSession(UltravoxEngine engine, SessionOptions options, Listener listener) {
    super(engine, options, listener);
  }

  @Override
  CompletableFuture<AgentSession> open() {
    try {
      engine.blocking().execute(this::create);
    } catch (RejectedExecutionException e) {
      failOpen(new SessionException("the Ultravox runtime is closed", null, false));
    }
    return opened;
  }

  private void create() {
    UltravoxEngine.StreamingCall created;
    try {
      created = engine.createStreamingCall(options);
    } catch (SwitchboardException e) {
      log.warn("Ultravox refused a streaming call: {}", e.getMessage());
      failOpen(e);
      return;
    } catch (RuntimeException e) {
      failOpen(new SessionException("creating the Ultravox call failed: " + e, e, false));
      return;
    }
    id = created.call().callId();
    format = AudioFormat.of(AudioFormat.Encoding.PCM16LE, created.sampleRate(), 1);
    URI url = created.call().joinUrl();
    if (url == null) {
      failOpen(
          new ProviderException(
              UltravoxEngine.NAME,
              "Ultravox created call " + id + " without a joinUrl",
              0,
              null,
              null,
              false,
              null));
      return;
    }
    joinUrl = url;
    Request request;
    try {
      request = new Request.Builder().url(url.toString()).build();
    } catch (IllegalArgumentException e) {
      failOpen(
          new ProviderException(
              UltravoxEngine.NAME,
              "Ultravox returned a joinUrl that is not a ws(s) URL for call " + id,
              0,
              null,
              null,
              false,
              e));
      return;
    }
    synchronized (lock) {
      if (state != State.OPENING) {
        return; // closed while the call was created; it ends unjoined
      }
      socket = engine.sockets().newWebSocket(request, reader);
      connectTimer = engine.schedule(engine.settings().connectTimeout(), this::connectTimedOut);
    }
    log.debug("Ultravox call {} created at {} Hz; connecting", id, created.sampleRate());
  }

  private void connectTimedOut() {
    if (stateIs(State.OPENING)) {
      cancelSocket();
      failOpen(
          new SessionException(
              "the socket of Ultravox call "
                  + id
                  + " did not open within "
                  + engine.settings().connectTimeout().toMillis()
                  + " ms",
              null,
              true));
    }
  }

  // ---- AgentSession -------------------------------------------------------------------------

  @Override
  public AudioFormat inputFormat() {
    return format;
  }

  @Override
  public AudioFormat outputFormat() {
    return format;
  }

  @Override
  public Optional<URI> joinUrl() {
    return Optional.empty(); // the join URL is this session's own socket, not for a phone
  }

  @Override
  public boolean sendAudio(AudioChunk audio) {
    Objects.requireNonNull(audio, "audio");
    WebSocket ws = openSocket();
    if (ws == null) {
      return false;
    }
    if (!audio.format().equals(format)) {
      throw new CodecException(
          "session "
              + id
              + " takes "
              + format
              + " audio, got "
              + audio.format()
              + ": transcode to inputFormat() first");
    }
    int size = audio.size();
    if (size == 0) {
      return true;
    }
    if (ws.queueSize() + size > MAX_AUDIO_QUEUE) {
      long n = refusedAudio.incrementAndGet();
      if (n == 1 || n % 500 == 0) {
        log.warn("Ultravox call {}: the socket is backed up; {} audio chunks refused", id, n);
      }
      return false;
    }
    byte[] bytes = new byte[size];
    audio.copyTo(bytes, 0);
    return ws.send(ByteString.of(bytes));
  }

  @Override
  public boolean sendText(String text) {
    Objects.requireNonNull(text, "text");
    ObjectNode m = JSON.createObjectNode();
    m.put("type", "user_text_message");
    m.put("text", text);
    return sendJson(m);
  }

  @Override
  public boolean sendToolResult(ToolResult result) {
    Objects.requireNonNull(result, "result");
    ObjectNode m = JSON.createObjectNode();
    m.put("type", "client_tool_result");
    m.put("invocationId", result.callId());
    if (result.isError()) {
      m.put("errorType", "implementation-error");
      m.put("errorMessage", result.output());
    } else {
      m.put("result", result.output());
    }
    return sendJson(m);
  }

  /** Sends nothing: Ultravox tracks what was played itself (it asked for the clear). */
  @Override
  public boolean truncate(String itemId, Duration heard) {
    Objects.requireNonNull(itemId, "itemId");
    Objects.requireNonNull(heard, "heard");
    return isOpen();
  }

  /** Sends nothing: Ultravox stopped the response itself when the caller barged in. */
  @Override
  public boolean cancelResponse() {
    return isOpen();
  }

  private boolean sendJson(ObjectNode message) {
    WebSocket ws = openSocket();
    return ws != null && ws.send(message.toString());
  }

  private @Nullable WebSocket openSocket() {
    synchronized (lock) {
      return state == State.OPEN ? socket : null;
    }
  }

  @Override
  public CompletableFuture<Void> close() {
    State was;
    WebSocket ws;
    synchronized (lock) {
      was = state;
      ws = socket;
      if (was == State.OPEN) {
        state = State.CLOSING;
      }
    }
    switch (was) {
      case OPENING -> {
        cancelSocket();
        failOpen(new SessionException("session was closed before it opened", null, true));
      }
      case OPEN -> {
        log.debug("Ultravox session {} closing", id);
        if (ws == null || !ws.close(1000, "client closed")) {
          cancelSocket();
          finish(CloseReason.of(CloseReason.Code.NORMAL, "closed"));
        } else {
          Runnable bound =
              engine.schedule(
                  CLOSE_BOUND,
                  () -> {
                    finish(
                        CloseReason.of(
                            CloseReason.Code.NORMAL,
                            "closed (Ultravox did not answer the close within 2 s)"));
                    // Release the socket whatever happened: a peer that stopped reading would
                    // otherwise hold OkHttp's writer in the close frame's flush.
                    ws.cancel();
                  });
          synchronized (lock) {
            closeTimer = bound;
          }
        }
      }
      default -> {}
    }
    return closed;
  }

  private void cancelSocket() {
    WebSocket ws;
    synchronized (lock) {
      ws = socket;
    }
    if (ws != null) {
      ws.cancel();
    }
  }

  @Override
  void released() {
    Runnable p;
    Runnable c;
    Runnable t;
    synchronized (lock) {
      p = pings;
      c = connectTimer;
      t = closeTimer;
      pings = () -> {};
      connectTimer = () -> {};
      closeTimer = () -> {};
    }
    p.run();
    c.run();
    t.run();
  }

  private void ping() {
    WebSocket ws = openSocket();
    if (ws != null) {
      ObjectNode m = JSON.createObjectNode();
      m.put("type", "ping");
      m.put("timestamp", engine.settings().clock().millis() / 1000.0);
      ws.send(m.toString());
    }
  }

  // ---- socket events (OkHttp's reader thread) ----------------------------------------------

  private final class Reader extends WebSocketListener {
    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      Runnable timer;
      synchronized (lock) {
        timer = connectTimer;
        connectTimer = () -> {};
      }
      timer.run();
      if (!markOpen()) {
        webSocket.cancel();
        return;
      }
      Runnable p = engine.every(engine.settings().pingInterval(), StreamingSession.this::ping);
      boolean stale;
      synchronized (lock) {
        stale = state == State.CLOSED;
        pings = p;
      }
      if (stale) {
        p.run();
      }
      log.info(
          "Ultravox session {} open ({} Hz, call {})", id, format.sampleRate(), options.callId());
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
      if (!stateIs(State.OPEN) && !stateIs(State.CLOSING)) {
        return;
      }
      audio(bytes);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      JsonNode message;
      try {
        message = JSON.readTree(text);
      } catch (Exception e) {
        malformed("not JSON");
        return;
      }
      String type = message == null ? "" : message.path("type").asText("");
      if (message == null || !message.isObject() || type.isEmpty()) {
        malformed("no type");
        return;
      }
      if (stateIs(State.CLOSED)) {
        return;
      }
      try {
        handle(type, message);
      } catch (RuntimeException e) {
        malformed(type + ": " + e.getClass().getSimpleName());
      }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      webSocket.close(1000, null);
      // Bounded: if Ultravox stops reading before our close frame is flushed, cancel the socket.
      engine.schedule(CLOSE_BOUND, webSocket::cancel);
      ended(code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      ended(code, reason);
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, @Nullable Response response) {
      State was;
      synchronized (lock) {
        was = state;
      }
      switch (was) {
        case OPENING -> {
          String detail =
              response != null
                  ? "the join URL answered HTTP " + response.code()
                  : t.getClass().getSimpleName();
          if (response != null) {
            response.close();
          }
          log.warn("Ultravox session {} failed to connect: {}", id, detail);
          failOpen(
              new ProviderException(
                  UltravoxEngine.NAME,
                  "could not connect to the socket of Ultravox call " + id + ": " + detail,
                  response != null ? response.code() : 0,
                  null,
                  null,
                  true,
                  t));
        }
        case OPEN -> {
          log.warn("Ultravox session {} lost its connection: {}", id, t.toString());
          responseOver();
          finish(
              CloseReason.of(
                  CloseReason.Code.CONNECTION_LOST,
                  "connection to Ultravox lost: " + t.getClass().getSimpleName()));
        }
        case CLOSING -> {
          responseOver();
          finish(CloseReason.of(CloseReason.Code.NORMAL, "closed"));
        }
        default -> {}
      }
    }
  }

  private void ended(int code, String reason) {
    State was;
    synchronized (lock) {
      was = state;
    }
    switch (was) {
      case OPENING ->
          failOpen(
              new ProviderException(
                  UltravoxEngine.NAME,
                  "Ultravox closed the socket of call "
                      + id
                      + " before it opened (code "
                      + code
                      + ")",
                  0,
                  null,
                  null,
                  false,
                  null));
      case OPEN -> {
        log.info("Ultravox closed session {} (code {})", id, code);
        responseOver();
        boolean orderly = code == 1000 || code == 1001;
        finish(
            CloseReason.of(
                orderly ? CloseReason.Code.REMOTE : CloseReason.Code.ERROR,
                "Ultravox closed the call (code "
                    + code
                    + (reason.isEmpty() ? "" : ", " + reason)
                    + ")"));
      }
      case CLOSING -> {
        responseOver();
        finish(CloseReason.of(CloseReason.Code.NORMAL, "closed"));
      }
      default -> {}
    }
  }

  // ---- data messages (reader thread) --------------------------------------------------------

  private void handle(String type, JsonNode message) {
    switch (type) {
      case "state" -> state(message.path("state").asText(""));
      case "transcript" -> transcript(message);
      case "playback_clear_buffer" -> clearBuffer();
      case "client_tool_invocation" -> toolInvocation(message);
      case "pong" -> pong(message);
      case "call_started" -> log.debug("Ultravox session {}: call started", id);
      case "debug" -> log.debug("Ultravox session {} debug: {}", id, message.path("message"));
      default -> {
        long n = unknown.incrementAndGet();
        log.debug("Ultravox session {}: ignoring message type {} ({} so far)", id, type, n);
      }
    }
  }

  private void audio(ByteString bytes) {
    int size = bytes.size();
    int carried = pendingByte >= 0 ? 1 : 0;
    int whole = (carried + size) & ~1;
    if (whole == 0) {
      if (size == 1) {
        pendingByte = bytes.getByte(0) & 0xff;
      }
      return;
    }
    byte[] data = new byte[whole];
    int at = 0;
    if (carried == 1) {
      data[at++] = (byte) pendingByte;
    }
    int take = whole - at;
    bytes.substring(0, take).copyInto(0, data, at, take);
    pendingByte = take < size ? bytes.getByte(size - 1) & 0xff : -1;
    AudioChunk chunk = AudioChunk.wrap(format, data);
    String response = startResponseIfNeeded();
    AgentAudio audio = new AgentAudio(chunk, response, response + "-audio");
    deliver(l -> l.onAudio(audio));
  }

  private String startResponseIfNeeded() {
    String current = currentResponse;
    if (current != null && !boundary) {
      return current;
    }
    if (current != null) {
      deliver(l -> l.onResponseDone(current));
    }
    String next = "response-" + ++responses;
    currentResponse = next;
    boundary = false;
    spokeSinceThinking = true;
    return next;
  }

  /** The current response is over: done, and the next audio starts another. */
  private void responseOver() {
    String current = currentResponse;
    currentResponse = null;
    boundary = false;
    if (current != null) {
      deliver(l -> l.onResponseDone(current));
    }
  }

  private void state(String next) {
    String previous = agentState;
    agentState = next;
    if (previous.equals("speaking") && !next.equals("speaking")) {
      responseOver();
    }
    if (next.equals("thinking") && !previous.equals("thinking")) {
      spokeSinceThinking = false;
      if (previous.equals("listening")) {
        deliver(Listener::onUserSpeechStopped); // the caller's turn ended
      }
    } else if (previous.equals("thinking")
        && (next.equals("listening") || next.equals("idle"))
        && !spokeSinceThinking) {
      // A turn without audio (often a tool result acknowledged silently): still a response.
      String empty = "response-" + ++responses;
      deliver(l -> l.onResponseDone(empty));
    }
  }

  private void clearBuffer() {
    // The caller barged in: the bridge clears the phone's buffer at once; audio after this is a
    // new response (the bridge drops any further audio of the interrupted one).
    deliver(Listener::onUserSpeechStarted);
    responseOver();
  }

  private void transcript(JsonNode message) {
    String role = message.path("role").asText("").toLowerCase(Locale.ROOT);
    Speaker speaker =
        role.contains("agent") ? Speaker.AGENT : role.contains("user") ? Speaker.USER : null;
    if (speaker == null) {
      malformed("transcript with role '" + role + "'");
      return;
    }
    // Without an ordinal (tolerated), a speaker's utterances are numbered in order of their finals.
    boolean given = message.path("ordinal").canConvertToInt();
    int ordinal = given ? message.path("ordinal").asInt() : ordinals.getOrDefault(speaker, 0);
    String itemId = key(speaker, ordinal);
    StringBuilder text = partials.computeIfAbsent(itemId, k -> new StringBuilder());
    JsonNode full = message.get("text");
    JsonNode delta = message.get("delta");
    if (full != null && full.isTextual()) {
      text.setLength(0);
      text.append(full.asText());
    } else if (delta != null && delta.isTextual()) {
      text.append(delta.asText());
    }
    boolean isFinal = message.path("final").asBoolean(false);
    Transcript t =
        new Transcript(
            speaker, text.toString(), isFinal, itemId, engine.settings().clock().instant());
    if (isFinal) {
      partials.remove(itemId);
      if (!given) {
        ordinals.put(speaker, ordinal + 1);
      }
      if (speaker == Speaker.AGENT && currentResponse != null) {
        boundary = true; // audio after this starts the agent's next response
      }
    }
    deliver(l -> l.onTranscript(t));
  }

  private static String key(Speaker speaker, int ordinal) {
    return (speaker == Speaker.AGENT ? "agent-" : "user-") + ordinal;
  }

  private void toolInvocation(JsonNode message) {
    String invocationId = message.path("invocationId").asText("");
    String toolName = message.path("toolName").asText("");
    if (invocationId.isEmpty() || toolName.isEmpty()) {
      malformed("client_tool_invocation without invocationId or toolName");
      return;
    }
    JsonNode parameters = message.path("parameters");
    ToolCall call;
    if (parameters.isObject()) {
      call = new ToolCall(invocationId, toolName, parameters);
    } else if (parameters.isTextual()) {
      try {
        call = ToolCall.of(invocationId, toolName, parameters.asText());
      } catch (IllegalArgumentException e) {
        malformed("parameters of " + toolName + " are not JSON");
        call = ToolCall.of(invocationId, toolName, "{}");
      }
    } else {
      call = ToolCall.of(invocationId, toolName, "{}");
    }
    ToolCall c = call;
    deliver(l -> l.onToolCall(c));
  }

  private void pong(JsonNode message) {
    JsonNode ts = message.path("timestamp");
    if (ts.isNumber()) {
      long sentMs = (long) (ts.asDouble() * 1000);
      long rtt = engine.settings().clock().millis() - sentMs;
      if (rtt >= 0) {
        lastRoundTrip = Duration.ofMillis(rtt);
        log.debug("Ultravox session {}: pong after {} ms", id, rtt);
      }
    }
  }

  private void malformed(String what) {
    long n = malformed.incrementAndGet();
    log.warn("Ultravox session {}: malformed message ({}); {} so far", id, what, n);
    ProviderException e =
        new ProviderException(
            UltravoxEngine.NAME,
            "Ultravox session " + id + " sent a malformed message: " + what,
            0,
            null,
            null,
            false,
            null);
    deliver(l -> l.onError(e));
  }

  /**
   * Returns the round trip of the last ping answered.
   *
   * @return the time between the ping and its pong, if one was answered
   */
  Optional<Duration> lastRoundTrip() {
    return Optional.ofNullable(lastRoundTrip);
  }

  private static <V> Map<String, V> boundedMap() {
    return new LinkedHashMap<>() {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_TRACKED_UTTERANCES;
      }
    };
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "UltravoxStreamingSession[" + id + ", " + format.sampleRate() + " Hz, " + state + "]";
    }
  }
}
