package dev.switchboard.agent.openai.realtime.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
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
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.agent.ToolCall;
import dev.switchboard.core.agent.ToolResult;
import dev.switchboard.core.agent.Transcript;
import dev.switchboard.core.internal.SerialExecutor;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not API. One OpenAI Realtime session over one WebSocket: sends {@code session.update} on open,
 * completes the open future on {@code session.updated}, turns server events into listener
 * callbacks, and keeps at most one response active (a {@code response.create} asked for while one
 * is active waits for its {@code response.done}). Thread-safe: state and sends are guarded by one
 * lock, listener callbacks run serially through a {@link SerialExecutor} and never under it.
 */
public final class RealtimeSession extends WebSocketListener implements AgentSession {
  private static final Logger log = LoggerFactory.getLogger(RealtimeSession.class);

  /** How long a close waits for the service's close frame before cancelling the socket. */
  static final Duration CLOSE_BOUND = Duration.ofSeconds(2);

  private static final int MAX_TRACKED_ITEMS = 64;

  /** Server events that need no handling; they are not counted as unknown. */
  private static final Set<String> IGNORED =
      Set.of(
          "conversation.created",
          "conversation.item.added",
          "conversation.item.created",
          "conversation.item.done",
          "conversation.item.retrieved",
          "conversation.item.deleted",
          "conversation.item.truncated",
          "conversation.item.input_audio_transcription.segment",
          "input_audio_buffer.committed",
          "input_audio_buffer.cleared",
          "input_audio_buffer.timeout_triggered",
          "response.output_item.added",
          "response.output_item.done",
          "response.content_part.added",
          "response.content_part.done",
          "response.output_audio.done",
          "response.function_call_arguments.delta",
          "rate_limits.updated");

  private enum State {
    CONNECTING,
    CONFIGURING,
    OPEN,
    CLOSING,
    CLOSED
  }

  private final RealtimeEngine engine;
  private final Settings settings;
  private final SessionOptions options;
  private final Listener listener;
  private final SerialExecutor events;
  private final Capability mode;
  private final AudioFormat format;
  private final CompletableFuture<AgentSession> opened = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final AtomicLong unknownEvents = new AtomicLong();
  private final AtomicLong malformedEvents = new AtomicLong();

  private final Object lock = new Object();
  private State state = State.CONNECTING; // guarded by lock
  private @Nullable WebSocket socket; // guarded by lock
  private boolean listenerOpen; // guarded by lock: the listener has been handed the session
  private boolean responseActive; // guarded by lock
  private @Nullable String activeResponseId; // guarded by lock
  private @Nullable ObjectNode inFlightCreate; // guarded by lock: our create not yet done
  private final ArrayDeque<ObjectNode> pendingCreates = new ArrayDeque<>(); // guarded by lock
  private final Set<String> outstandingCalls = new HashSet<>(); // guarded by lock
  private long createCounter; // guarded by lock
  private final Map<String, Long> itemAudioMicros = boundedMap(); // guarded by lock

  // Confined to the socket's reader thread (OkHttp delivers one message at a time).
  private final Map<String, StringBuilder> partials = boundedMap();

  private volatile String id;
  private volatile boolean terminalDelivered; // touched only by serial tasks

  RealtimeSession(
      RealtimeEngine engine, Settings settings, SessionOptions options, Listener listener) {
    this.engine = engine;
    this.settings = settings;
    this.options = options;
    this.listener = listener;
    this.events =
        new SerialExecutor(
            settings.eventExecutor() == null ? Runnable::run : settings.eventExecutor());
    this.mode = options.mode();
    this.format = sessionFormat(options.audioFormat());
    this.id = "local-" + UUID.randomUUID();
  }

  /**
   * Returns the format a session uses for a requested one: μ-law and A-law pass through, anything
   * else becomes 24 kHz PCM16 (the caller transcodes).
   */
  static AudioFormat sessionFormat(@Nullable AudioFormat requested) {
    if (requested == null || requested.equals(AudioFormat.PCMU_8K)) {
      return AudioFormat.PCMU_8K;
    }
    if (requested.equals(AudioFormat.PCMA_8K)) {
      return AudioFormat.PCMA_8K;
    }
    return AudioFormat.PCM16_24K;
  }

  CompletableFuture<AgentSession> connect() {
    Request request =
        new Request.Builder()
            .url(engine.httpUrl())
            .header("Authorization", "Bearer " + settings.apiKey().reveal())
            .build();
    WebSocket ws = engine.client().newWebSocket(request, this);
    synchronized (lock) {
      socket = ws;
    }
    CompletableFuture.delayedExecutor(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .execute(this::openTimedOut);
    log.debug("OpenAI Realtime session {} connecting ({}, call {})", id, mode, options.callId());
    return opened;
  }

  // ---- AgentSession -------------------------------------------------------------------------

  @Override
  public String id() {
    return id;
  }

  @Override
  public Capability mode() {
    return mode;
  }

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
    return Optional.empty();
  }

  @Override
  public boolean sendAudio(AudioChunk audio) {
    Objects.requireNonNull(audio, "audio");
    if (!isOpen() || mode != Capability.AUDIO_STREAMING) {
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
    if (audio.size() == 0) {
      return true;
    }
    // base64() of a chunk made from base64 is the very text received: no decode, no re-encode.
    String json = ClientEvents.append(audio.base64());
    synchronized (lock) {
      return state == State.OPEN && sendLocked(json);
    }
  }

  @Override
  public boolean sendText(String text) {
    Objects.requireNonNull(text, "text");
    synchronized (lock) {
      if (state != State.OPEN) {
        return false;
      }
      return sendLocked(ClientEvents.userText(text)) && requestResponseLocked(null);
    }
  }

  @Override
  public boolean sendToolResult(ToolResult result) {
    Objects.requireNonNull(result, "result");
    synchronized (lock) {
      if (state != State.OPEN) {
        return false;
      }
      if (!sendLocked(ClientEvents.functionCallOutput(result.callId(), result.output()))) {
        return false;
      }
      outstandingCalls.remove(result.callId());
      // One response for all the calls of a turn: wait until every one has its output.
      return !outstandingCalls.isEmpty() || requestResponseLocked(null);
    }
  }

  @Override
  public boolean truncate(String itemId, Duration heard) {
    Objects.requireNonNull(itemId, "itemId");
    Objects.requireNonNull(heard, "heard");
    synchronized (lock) {
      if (state != State.OPEN) {
        return false;
      }
      if (mode != Capability.AUDIO_STREAMING) {
        return true;
      }
      long ms = Math.max(0, heard.toMillis());
      Long sentMicros = itemAudioMicros.get(itemId);
      if (sentMicros != null) {
        // The service refuses an end beyond the audio it produced.
        ms = Math.min(ms, sentMicros / 1000);
      }
      return sendLocked(ClientEvents.truncate(itemId, ms));
    }
  }

  @Override
  public boolean cancelResponse() {
    synchronized (lock) {
      if (state != State.OPEN) {
        return false;
      }
      if (!responseActive) {
        return true;
      }
      return sendLocked(ClientEvents.cancel(activeResponseId));
    }
  }

  @Override
  public boolean isOpen() {
    synchronized (lock) {
      return state == State.OPEN;
    }
  }

  @Override
  public CompletableFuture<Void> close() {
    WebSocket ws;
    State was;
    synchronized (lock) {
      was = state;
      ws = socket;
      if (was == State.OPEN) {
        state = State.CLOSING;
      }
    }
    switch (was) {
      case CONNECTING, CONFIGURING -> {
        failOpen(
            new SessionException("session " + id + " was closed before it opened", null, true));
      }
      case OPEN -> {
        log.debug("OpenAI Realtime session {} closing", id);
        if (ws == null || !ws.close(1000, "client closed")) {
          cancel(ws);
          finish(CloseReason.of(CloseReason.Code.NORMAL, "closed"));
        } else {
          CompletableFuture.delayedExecutor(CLOSE_BOUND.toMillis(), TimeUnit.MILLISECONDS)
              .execute(
                  () -> {
                    // Release the socket whatever happened: a peer that stopped reading would
                    // otherwise hold OkHttp's writer thread in the close frame's flush forever.
                    cancel(ws);
                    if (stateIs(State.CLOSING)) {
                      log.debug("session {}: no close answer in {}; cancelling", id, CLOSE_BOUND);
                      cancel(ws);
                      finish(
                          CloseReason.of(
                              CloseReason.Code.NORMAL,
                              "closed (OpenAI did not answer the close within 2 s)"));
                    }
                  });
        }
      }
      default -> {}
    }
    return closed;
  }

  // ---- WebSocketListener (OkHttp's reader thread) ------------------------------------------

  @Override
  public void onOpen(WebSocket webSocket, Response response) {
    String update =
        ClientEvents.sessionUpdate(
            settings.model(),
            mode == Capability.TEXT,
            instructions(),
            options.voice() != null ? options.voice() : settings.voice(),
            format,
            settings.turnDetection(),
            settings.inputTranscription(),
            options.tools());
    synchronized (lock) {
      if (state != State.CONNECTING) {
        return;
      }
      state = State.CONFIGURING;
      webSocket.send(update);
    }
  }

  @Override
  public void onMessage(WebSocket webSocket, String text) {
    if (audioDeltaFast(text)) {
      return;
    }
    JsonNode event;
    try {
      event = ClientEvents.JSON.readTree(text);
    } catch (Exception e) {
      malformed("not JSON");
      return;
    }
    String type = event.path("type").asText("");
    if (!event.isObject() || type.isEmpty()) {
      malformed("no type");
      return;
    }
    State now;
    synchronized (lock) {
      now = state;
    }
    if (now == State.CLOSED) {
      return;
    }
    try {
      handle(type, event, now);
    } catch (RuntimeException e) {
      malformed(type + ": " + e.getClass().getSimpleName());
    }
  }

  private void handle(String type, JsonNode event, State now) {
    switch (type) {
      case "session.created" -> {
        String sid = OpenAiErrors.text(event.path("session"), "id");
        if (sid != null && now == State.CONFIGURING) {
          id = sid;
        }
      }
      case "session.updated" -> configured();
      case "error" -> errorEvent(event.path("error"), now);
      case "response.created" -> {
        synchronized (lock) {
          responseActive = true;
          activeResponseId = OpenAiErrors.text(event.path("response"), "id");
        }
      }
      case "response.done" -> responseDone(event.path("response"));
      case "response.output_audio.delta" -> audioDelta(event);
      case "response.output_audio_transcript.delta", "response.output_text.delta" ->
          partial(Speaker.AGENT, event);
      case "response.output_audio_transcript.done" ->
          finalTranscript(Speaker.AGENT, event, "transcript");
      case "response.output_text.done" -> finalTranscript(Speaker.AGENT, event, "text");
      case "conversation.item.input_audio_transcription.delta" -> partial(Speaker.USER, event);
      case "conversation.item.input_audio_transcription.completed" ->
          finalTranscript(Speaker.USER, event, "transcript");
      case "conversation.item.input_audio_transcription.failed" ->
          deliver(l -> l.onError(OpenAiErrors.event(event.path("error"), id)));
      case "input_audio_buffer.speech_started" -> deliver(Listener::onUserSpeechStarted);
      case "input_audio_buffer.speech_stopped" -> deliver(Listener::onUserSpeechStopped);
      case "response.function_call_arguments.done" -> functionCall(event);
      default -> {
        if (!IGNORED.contains(type)) {
          long n = unknownEvents.incrementAndGet();
          log.debug("session {}: ignoring unknown event {} ({} so far)", id, type, n);
        }
      }
    }
  }

  private void configured() {
    synchronized (lock) {
      if (state != State.CONFIGURING) {
        return; // a later session.updated: nothing to do
      }
      state = State.OPEN;
      listenerOpen = true;
    }
    engine.recordSuccess();
    log.info("OpenAI Realtime session {} open ({}, call {})", id, mode, options.callId());
    events.execute(() -> opened.complete(this));
    String greeting = options.greeting();
    boolean agentFirst =
        mode == Capability.AUDIO_STREAMING
            ? options.firstSpeaker() == SessionOptions.FirstSpeaker.AGENT
            : greeting != null;
    if (agentFirst) {
      String instructions = null;
      if (greeting != null) {
        String base = instructions();
        instructions =
            (base == null ? "" : base + "\n\n") + "Greet the caller, saying: \"" + greeting + "\"";
      }
      synchronized (lock) {
        if (state == State.OPEN) {
          requestResponseLocked(instructions);
        }
      }
    }
  }

  private void errorEvent(JsonNode error, State now) {
    String code = OpenAiErrors.text(error, "code");
    ProviderException mapped = OpenAiErrors.event(error, id);
    if (now == State.CONNECTING || now == State.CONFIGURING) {
      // The service refused the configuration: the session cannot be used as configured.
      failOpen(
          new ProviderException(
              OpenAiErrors.PROVIDER,
              "OpenAI refused the session configuration: " + mapped.getMessage(),
              0,
              code,
              null,
              false,
              null));
      return;
    }
    if ("session_expired".equals(code)) {
      log.info("OpenAI Realtime session {} expired", id);
      closeSocket();
      finish(
          CloseReason.of(
              CloseReason.Code.REMOTE,
              "session expired (OpenAI's session time limit was reached); open a new session"));
      return;
    }
    if ("response_cancel_not_active".equals(code)) {
      log.debug("session {}: cancel arrived after the response ended", id);
      return;
    }
    String eventId = OpenAiErrors.text(error, "event_id");
    synchronized (lock) {
      ObjectNode ours = inFlightCreate;
      if (eventId != null && ours != null && eventId.equals(ours.path("event_id").asText())) {
        inFlightCreate = null;
        if ("conversation_already_has_active_response".equals(code)) {
          // The service started a response of its own (server VAD) as ours went out: ours waits
          // for that one to finish.
          log.debug("session {}: response.create raced a server response; queued", id);
          pendingCreates.addFirst(ours);
          if (!responseActive) {
            sendCreateLocked(Objects.requireNonNull(pendingCreates.poll()));
          }
          return;
        }
        responseActive = activeResponseId != null;
        if (!responseActive && !pendingCreates.isEmpty()) {
          sendCreateLocked(pendingCreates.poll());
        }
      }
    }
    log.warn("session {}: {}", id, mapped.getMessage());
    deliver(l -> l.onError(mapped));
  }

  private void responseDone(JsonNode response) {
    String responseId = response.path("id").asText("");
    synchronized (lock) {
      responseActive = false;
      activeResponseId = null;
      inFlightCreate = null;
      ObjectNode next = pendingCreates.poll();
      if (next != null && state == State.OPEN) {
        sendCreateLocked(next);
      }
    }
    if ("failed".equals(response.path("status").asText())) {
      ProviderException failure = OpenAiErrors.failedResponse(response, id);
      deliver(l -> l.onError(failure));
    }
    deliver(l -> l.onResponseDone(responseId));
  }

  /**
   * Handles a {@code response.output_audio.delta}, most of what a session receives, in one
   * streaming pass without a tree. Returns false, having done nothing, for any other event and for
   * anything that is not a complete JSON object: the tree path then reads (or reports) it. Same
   * semantics as the tree path: the last of duplicate fields wins, values read as {@code
   * asText("")}.
   */
  private boolean audioDeltaFast(String text) {
    String type = null;
    String delta = "";
    String responseId = "";
    String itemId = "";
    try (JsonParser p = ClientEvents.JSON.getFactory().createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "type" -> {
            type = text(p, value);
            if (!type.equals("response.output_audio.delta")) {
              return false; // not ours: stop reading at once
            }
          }
          case "delta" -> delta = text(p, value);
          case "response_id" -> responseId = text(p, value);
          case "item_id" -> itemId = text(p, value);
          default -> p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT || type == null) {
        return false;
      }
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
    State now;
    synchronized (lock) {
      now = state;
    }
    if (now != State.CLOSED) {
      audioDelta(delta, responseId, itemId);
    }
    return true;
  }

  /**
   * The current value as the tree's {@code asText("")}: scalars as text, null and structures "".
   */
  private static String text(JsonParser p, JsonToken value) throws java.io.IOException {
    String v = p.getValueAsString("");
    if (value.isStructStart()) {
      p.skipChildren();
    }
    return v;
  }

  private void audioDelta(JsonNode event) {
    audioDelta(
        event.path("delta").asText(""),
        event.path("response_id").asText(""),
        event.path("item_id").asText(""));
  }

  private void audioDelta(String delta, String responseId, String itemId) {
    AudioChunk chunk;
    try {
      chunk = AudioChunk.ofBase64(format, delta);
    } catch (CodecException e) {
      malformed("audio delta: " + e.getMessage());
      return;
    }
    long micros = chunk.duration().toNanos() / 1000;
    synchronized (lock) {
      itemAudioMicros.merge(itemId, micros, Long::sum);
    }
    AgentAudio audio = new AgentAudio(chunk, responseId, itemId);
    deliver(l -> l.onAudio(audio));
  }

  private void partial(Speaker speaker, JsonNode event) {
    String itemId = OpenAiErrors.text(event, "item_id");
    String delta = event.path("delta").asText("");
    String key = speaker + ":" + (itemId == null ? "" : itemId);
    StringBuilder so = partials.computeIfAbsent(key, k -> new StringBuilder());
    so.append(delta);
    Transcript t =
        new Transcript(speaker, so.toString(), false, itemId, settings.clock().instant());
    deliver(l -> l.onTranscript(t));
  }

  private void finalTranscript(Speaker speaker, JsonNode event, String field) {
    String itemId = OpenAiErrors.text(event, "item_id");
    String key = speaker + ":" + (itemId == null ? "" : itemId);
    StringBuilder so = partials.remove(key);
    JsonNode value = event.path(field);
    String text = value.isTextual() ? value.asText() : (so == null ? "" : so.toString());
    Transcript t = new Transcript(speaker, text, true, itemId, settings.clock().instant());
    deliver(l -> l.onTranscript(t));
  }

  private void functionCall(JsonNode event) {
    String callId = event.path("call_id").asText("");
    String name = event.path("name").asText("");
    ToolCall call;
    try {
      call = ToolCall.of(callId, name, event.path("arguments").asText(""));
    } catch (IllegalArgumentException e) {
      malformed("function call arguments of " + name + " are not JSON");
      call = ToolCall.of(callId, name, "{}");
    }
    synchronized (lock) {
      outstandingCalls.add(callId);
    }
    ToolCall c = call;
    deliver(l -> l.onToolCall(c));
  }

  @Override
  public void onClosing(WebSocket webSocket, int code, String reason) {
    webSocket.close(1000, null);
    // Bounded: if the server stops reading before our close frame is flushed, cancel the socket.
    CompletableFuture.delayedExecutor(CLOSE_BOUND.toMillis(), TimeUnit.MILLISECONDS)
        .execute(webSocket::cancel);
    State was;
    synchronized (lock) {
      was = state;
    }
    switch (was) {
      case CONNECTING, CONFIGURING ->
          failOpen(
              new ProviderException(
                  OpenAiErrors.PROVIDER,
                  "OpenAI closed the Realtime connection before the session opened (code "
                      + code
                      + (reason.isEmpty() ? "" : ", " + reason)
                      + ")",
                  0,
                  reason.isEmpty() ? null : reason,
                  null,
                  code != 1008 && code != 4000,
                  null));
      case OPEN -> {
        log.info("OpenAI closed session {} (code {})", id, code);
        boolean orderly = code == 1000 || code == 1001;
        finish(
            CloseReason.of(
                orderly ? CloseReason.Code.REMOTE : CloseReason.Code.ERROR,
                "OpenAI closed the session (code "
                    + code
                    + (reason.isEmpty() ? "" : ", " + reason)
                    + ")"));
      }
      case CLOSING -> finish(CloseReason.of(CloseReason.Code.NORMAL, "closed"));
      default -> {}
    }
  }

  @Override
  public void onClosed(WebSocket webSocket, int code, String reason) {
    if (stateIs(State.CLOSING)) {
      finish(CloseReason.of(CloseReason.Code.NORMAL, "closed"));
    } else {
      onClosing(webSocket, code, reason);
    }
  }

  @Override
  public void onFailure(WebSocket webSocket, Throwable t, @Nullable Response response) {
    State was;
    synchronized (lock) {
      was = state;
    }
    switch (was) {
      case CONNECTING -> {
        ProviderException e;
        if (response != null) {
          String body = "";
          try (ResponseBody b = response.body()) {
            body = b.string();
          } catch (Exception ignored) {
            // no body: the status says enough
          }
          e =
              OpenAiErrors.handshake(
                  response.code(), body, response.header("Retry-After"), engine.socketUrl());
          engine.recordFailure(response.code() == 401 || response.code() == 403, e.getMessage());
        } else {
          e = OpenAiErrors.connection(t, engine.socketUrl());
          engine.recordFailure(false, e.getMessage());
        }
        log.warn("OpenAI Realtime session {} failed to connect: {}", id, e.getMessage());
        failOpen(e);
      }
      case CONFIGURING -> {
        engine.recordFailure(false, "connection lost while configuring a session");
        failOpen(
            new ProviderException(
                OpenAiErrors.PROVIDER,
                "the connection to OpenAI Realtime was lost before the session was configured: "
                    + t.getClass().getSimpleName(),
                0,
                null,
                null,
                true,
                t));
      }
      case OPEN -> {
        engine.recordFailure(false, "connection lost");
        log.warn("OpenAI Realtime session {} lost its connection: {}", id, t.toString());
        finish(
            CloseReason.of(
                CloseReason.Code.CONNECTION_LOST,
                "connection to OpenAI lost: " + t.getClass().getSimpleName()));
      }
      case CLOSING -> finish(CloseReason.of(CloseReason.Code.NORMAL, "closed"));
      default -> {}
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  private @Nullable String instructions() {
    String base = options.instructions() != null ? options.instructions() : settings.instructions();
    if (base == null || options.context().isEmpty()) {
      return base;
    }
    String out = base;
    for (Map.Entry<String, String> e : options.context().entrySet()) {
      out = out.replace("{{" + e.getKey() + "}}", e.getValue());
    }
    return out;
  }

  /** Asks for a response: sent now if none is active, else queued (coalescing plain ones). */
  private boolean requestResponseLocked(@Nullable String instructions) {
    ObjectNode create = ClientEvents.responseCreate("sb_response_" + ++createCounter, instructions);
    if (!responseActive) {
      return sendCreateLocked(create);
    }
    if (instructions == null) {
      for (ObjectNode p : pendingCreates) {
        if (!p.has("response")) {
          return true; // an identical request is already waiting: one response answers both
        }
      }
    }
    pendingCreates.add(create);
    return true;
  }

  private boolean sendCreateLocked(ObjectNode create) {
    responseActive = true;
    inFlightCreate = create;
    return sendLocked(ClientEvents.write(create));
  }

  private boolean sendLocked(String json) {
    WebSocket ws = socket;
    return ws != null && ws.send(json);
  }

  private boolean stateIs(State s) {
    synchronized (lock) {
      return state == s;
    }
  }

  private void openTimedOut() {
    State s;
    synchronized (lock) {
      s = state;
    }
    if (s == State.CONNECTING || s == State.CONFIGURING) {
      engine.recordFailure(false, "session did not open in time");
      failOpen(
          new SessionException(
              "OpenAI Realtime session did not open within "
                  + settings.connectTimeout().toMillis()
                  + " ms ("
                  + (s == State.CONNECTING ? "no WebSocket handshake" : "no session.updated")
                  + ")",
              null,
              true));
    }
  }

  private void failOpen(SwitchboardException e) {
    synchronized (lock) {
      if (state != State.CONNECTING && state != State.CONFIGURING) {
        return;
      }
    }
    opened.completeExceptionally(e);
    WebSocket ws;
    synchronized (lock) {
      ws = socket;
    }
    cancel(ws);
    finish(CloseReason.of(CloseReason.Code.REJECTED, e.getMessage()));
  }

  private void closeSocket() {
    WebSocket ws;
    synchronized (lock) {
      ws = socket;
    }
    if (ws != null) {
      ws.close(1000, "session ended");
      CompletableFuture.delayedExecutor(CLOSE_BOUND.toMillis(), TimeUnit.MILLISECONDS)
          .execute(ws::cancel);
    }
  }

  private static void cancel(@Nullable WebSocket ws) {
    if (ws != null) {
      ws.cancel();
    }
  }

  /** Ends the session once: tells the listener (if it was handed the session), then completes. */
  private void finish(CloseReason reason) {
    boolean tell;
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      state = State.CLOSED;
      tell = listenerOpen;
      pendingCreates.clear();
    }
    engine.remove(this);
    if (!opened.isDone()) {
      opened.completeExceptionally(
          new SessionException("session " + id + " closed before it opened", null, true));
    }
    events.execute(
        () -> {
          if (tell && !terminalDelivered) {
            terminalDelivered = true;
            log.debug("session {} closed: {} {}", id, reason.code(), reason.detail());
            try {
              listener.onClosed(reason);
            } catch (RuntimeException e) {
              log.warn("listener of session {} failed in onClosed", id, e);
            }
          }
          closed.complete(null);
        });
  }

  private void deliver(Consumer<Listener> callback) {
    events.execute(
        () -> {
          if (terminalDelivered) {
            return;
          }
          try {
            callback.accept(listener);
          } catch (RuntimeException e) {
            log.warn("listener of session {} failed", id, e);
          }
        });
  }

  private void malformed(String what) {
    long n = malformedEvents.incrementAndGet();
    log.warn("session {}: malformed event from OpenAI ({}); {} so far", id, what, n);
  }

  /**
   * Returns how many server events of unknown types were ignored.
   *
   * @return the count
   */
  public long unknownEventCount() {
    return unknownEvents.get();
  }

  /**
   * Returns how many server events could not be read.
   *
   * @return the count
   */
  public long malformedEventCount() {
    return malformedEvents.get();
  }

  private static <V> Map<String, V> boundedMap() {
    return new LinkedHashMap<>() {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_TRACKED_ITEMS;
      }
    };
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "OpenAiRealtimeSession[" + id + ", " + mode + ", " + state + "]";
    }
  }
}
