package dev.switchboard.testing.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.testing.internal.SpeechDetector;
import dev.switchboard.testing.internal.VoiceSynth;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * The protocol engine of one connection. OkHttp's reader thread records each client event and hands
 * it to the server's scheduler thread, where everything else happens: all fields below the
 * constructor are confined to that thread.
 */
final class RealtimeSession extends WebSocketListener {
  static final ObjectMapper JSON = new ObjectMapper();

  private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(10);
  private static final long MIN_COMMIT_MILLIS = 100;
  private static final List<String> CLIENT_EVENTS =
      List.of(
          "session.update",
          "input_audio_buffer.append",
          "input_audio_buffer.commit",
          "input_audio_buffer.clear",
          "conversation.item.create",
          "conversation.item.retrieve",
          "conversation.item.truncate",
          "conversation.item.delete",
          "response.create",
          "response.cancel");

  private final FakeOpenAiRealtimeServer server;
  private final boolean beta;
  private final @Nullable Socket rawSocket;
  final SessionRecord record;

  // Confined to the scheduler thread.
  private @Nullable WebSocket webSocket;
  private boolean open;
  private final SessionConfig config;
  private final SpeechDetector detector;
  private final Map<String, Item> items = new LinkedHashMap<>();
  private final String conversationId = Ids.next("conv");
  private @Nullable String lastItemId;
  private @Nullable Active active;
  private boolean responsePending;
  private double bufferedMillis;
  private @Nullable String speechItemId;

  /** An item of the conversation, as far as truncation and function calls need it. */
  private static final class Item {
    final String id;
    ObjectNode json;
    boolean assistantAudio;
    long audioBytes;
    AudioSpec spec = AudioSpec.PCM24K;

    Item(String id, ObjectNode json) {
      this.id = id;
      this.json = json;
    }
  }

  /** The response in progress. */
  private final class Active {
    final String id = Ids.next("resp");
    final Reply reply;
    final String modality;
    final Instant createdAt;
    final Item item;
    final @Nullable String previousItemId;
    final @Nullable String callId;
    final AudioSpec spec;
    final byte[] audio;
    final List<String> tokens;
    final StringBuilder said = new StringBuilder();
    int audioOffset;
    int tokensSent;
    @Nullable ScheduledFuture<?> ticker;

    Active(Reply reply, String modality) {
      this.reply = reply;
      this.modality = modality;
      this.createdAt = record.clock().instant();
      this.spec = config.outputFormat();
      this.previousItemId = lastItemId;
      String itemId = Ids.next("item");
      ObjectNode itemJson = JSON.createObjectNode();
      itemJson.put("id", itemId).put("object", "realtime.item");
      if (reply instanceof Reply.FunctionCall call) {
        callId = Ids.next("call");
        itemJson.put("type", "function_call").put("status", "in_progress");
        itemJson.put("name", call.name()).put("call_id", callId).put("arguments", "");
        tokens = List.of();
        audio = new byte[0];
      } else {
        callId = null;
        itemJson.put("type", "message").put("status", "in_progress").put("role", "assistant");
        itemJson.putArray("content");
        String text = reply instanceof Reply.Audio a ? a.transcript() : ((Reply.Text) reply).text();
        tokens = tokens(text);
        if (modality.equals("audio")) {
          Duration duration =
              reply instanceof Reply.Audio a
                  ? a.duration()
                  : Reply.Text.SPOKEN_MILLIS_PER_WORD.multipliedBy(Math.max(1, tokens.size()));
          audio = VoiceSynth.speech(spec.format, spec.bytesFor(duration));
        } else {
          audio = new byte[0];
        }
      }
      this.item = new Item(itemId, itemJson);
      item.assistantAudio = reply instanceof Reply.FunctionCall ? false : modality.equals("audio");
      item.spec = spec;
    }

    SessionRecord.ResponseRecord snapshot(String status, @Nullable String reason) {
      return new SessionRecord.ResponseRecord(
          id,
          reply,
          modality,
          status,
          reason,
          item.id,
          Duration.ofNanos(Math.round(audioOffset * 1e6 / spec.bytesPerMilli())),
          createdAt);
    }
  }

  RealtimeSession(
      FakeOpenAiRealtimeServer server,
      String model,
      Map<String, List<String>> query,
      Map<String, List<String>> headers,
      boolean beta,
      @Nullable Socket socket) {
    this.server = server;
    this.beta = beta;
    this.rawSocket = socket;
    String id = Ids.next("sess");
    this.config =
        SessionConfig.defaults(
            id,
            model.isEmpty() ? FakeOpenAiRealtimeServer.DEFAULT_MODEL : model,
            server.clock().instant().plus(Duration.ofMinutes(60)));
    this.detector = new SpeechDetector(config.inputFormat().format);
    this.record = new SessionRecord(id, model, query, headers, config.json(), server.clock(), this);
  }

  // ------------------------------------------------------------------ OkHttp callbacks

  @Override
  public void onOpen(WebSocket ws, Response response) {
    server.opened(this);
    server.execute(() -> opened(ws));
  }

  @Override
  public void onMessage(WebSocket ws, String text) {
    JsonNode json;
    try {
      json = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      json = MissingNode.getInstance();
    }
    if (json == null) {
      json = MissingNode.getInstance();
    }
    String type = json.path("type").isTextual() ? json.path("type").asText() : "";
    SessionRecord.ClientEvent event = record.clientEvent(type, json, text);
    server.execute(() -> handle(event));
  }

  @Override
  public void onMessage(WebSocket ws, ByteString bytes) {
    record.clientEvent("", MissingNode.getInstance(), "<binary " + bytes.size() + " bytes>");
    server.execute(
        () -> {
          if (open) {
            sendError(
                "invalid_request_error",
                "invalid_json",
                "Binary frames are not supported; send JSON text frames.",
                null,
                null);
          }
        });
  }

  @Override
  public void onClosing(WebSocket ws, int code, String reason) {
    record.closed(code, reason, false);
    try {
      ws.close(1000, null);
    } catch (RuntimeException ignored) {
      // already closing
    }
    server.execute(this::ended);
  }

  @Override
  public void onClosed(WebSocket ws, int code, String reason) {
    record.closed(code, reason, false);
    server.execute(this::ended);
  }

  @Override
  public void onFailure(WebSocket ws, Throwable t, @Nullable Response response) {
    record.closed(1006, "connection failed: " + t, false);
    server.execute(this::ended);
  }

  // ------------------------------------------------------------------ lifecycle

  private void opened(WebSocket ws) {
    webSocket = ws;
    if (!record.isOpen()) {
      return;
    }
    open = true;
    if (beta) {
      sendError(
          "invalid_request_error",
          "beta_api_shape_disabled",
          "The Realtime API beta interface (OpenAI-Beta: realtime=v1) is no longer available;"
              + " connect without the OpenAI-Beta header to use the GA interface.",
          null,
          null);
      closeByServer(4000, "beta_api_shape_disabled");
      return;
    }
    ObjectNode created = event("session.created");
    created.set("session", config.json());
    send(created);
  }

  private void ended() {
    open = false;
    Active current = active;
    if (current != null) {
      stopTicker(current);
      record.response(current.snapshot("cancelled", "session_ended"));
      active = null;
    }
  }

  void requireOpen() {
    if (!open) {
      throw new IllegalStateException("session " + record.id() + " has ended");
    }
  }

  /** Runs a control on the scheduler thread and waits for it. */
  <T> T control(Callable<T> action) {
    Future<T> future;
    try {
      future = server.submit(action);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("the FakeOpenAiRealtimeServer is closed", e);
    }
    try {
      return future.get(CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(cause);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the fake did not run the control within " + CONTROL_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Runs a control that is a no-op on an ended session or a closed server. */
  void controlIfRunning(Runnable action) {
    try {
      control(
          () -> {
            action.run();
            return null;
          });
    } catch (IllegalStateException e) {
      if (!(e.getCause() instanceof RejectedExecutionException)) {
        throw e;
      }
    }
  }

  String startResponseNow(Reply reply) {
    requireOpen();
    Active current = active;
    if (current != null) {
      throw new IllegalStateException("response " + current.id + " is still in progress");
    }
    return startResponse(reply, config.outputModality());
  }

  void sendRaw(String text) {
    requireOpen();
    JsonNode json;
    try {
      json = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      json = MissingNode.getInstance();
    }
    if (json == null) {
      json = MissingNode.getInstance();
    }
    record.serverEvent(json.path("type").isTextual() ? json.path("type").asText() : "", json);
    socket().send(text);
  }

  void expire() {
    requireOpen();
    sendError(
        "invalid_request_error",
        "session_expired",
        "Your session hit the maximum duration of 60 minutes.",
        null,
        null);
    closeByServer(1000, "");
  }

  void disconnect() {
    if (!open) {
      return;
    }
    record.closed(1006, "disconnected by the fake", true);
    ended();
    Socket raw = rawSocket;
    if (raw != null) {
      try {
        raw.close(); // no close frame: the client sees the connection break
      } catch (IOException ignored) {
        // already closed
      }
    } else {
      socket().close(1001, "disconnected");
    }
  }

  void closeByServer(int code, String reason) {
    if (!open) {
      return;
    }
    record.closed(code, reason, true);
    ended();
    socket().close(code, reason.isEmpty() ? null : reason);
  }

  /** Called when the server closes: a polite going-away close. */
  void shutdown() {
    closeByServer(1001, "server shutting down");
  }

  private WebSocket socket() {
    WebSocket ws = webSocket;
    if (ws == null) {
      throw new IllegalStateException("session " + record.id() + " is not open yet");
    }
    return ws;
  }

  // ------------------------------------------------------------------ client events

  private void handle(SessionRecord.ClientEvent event) {
    if (!open) {
      return;
    }
    JsonNode json = event.json();
    if (!json.isObject()) {
      sendError(
          "invalid_request_error",
          "invalid_json",
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't"
              + " using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
          null,
          null);
      return;
    }
    String eventId = json.path("event_id").isTextual() ? json.path("event_id").asText() : null;
    String type = event.type();
    if (type.isEmpty()) {
      missing("type", eventId);
      return;
    }
    switch (type) {
      case "session.update" -> sessionUpdate(json, eventId);
      case "input_audio_buffer.append" -> append(json, eventId);
      case "input_audio_buffer.commit" -> commit(eventId);
      case "input_audio_buffer.clear" -> {
        bufferedMillis = 0;
        detector.resetSpeech();
        speechItemId = null;
        send(event("input_audio_buffer.cleared"));
      }
      case "conversation.item.create" -> createItem(json, eventId);
      case "conversation.item.retrieve" -> retrieveItem(json, eventId);
      case "conversation.item.delete" -> deleteItem(json, eventId);
      case "conversation.item.truncate" -> truncate(json, eventId);
      case "response.create" -> responseCreate(json, eventId);
      case "response.cancel" -> responseCancel(json, eventId);
      default ->
          sendError(
              "invalid_request_error",
              "invalid_value",
              "Invalid value: '"
                  + type
                  + "'. Supported values are: '"
                  + String.join("', '", CLIENT_EVENTS)
                  + "'.",
              "type",
              eventId);
    }
  }

  private void sessionUpdate(JsonNode json, @Nullable String eventId) {
    JsonNode update = json.get("session");
    if (update == null || update.isNull()) {
      missing("session", eventId);
      return;
    }
    try {
      config.apply(update);
    } catch (SessionConfig.Invalid e) {
      sendError("invalid_request_error", e.code, e.getMessage(), e.param, eventId);
      return;
    }
    AudioSpec input = config.inputFormat();
    detector.format(input.format);
    if (config.turnDetection() == null) {
      detector.resetSpeech();
    }
    ObjectNode effective = config.json();
    record.sessionUpdated(update, effective);
    ObjectNode updated = event("session.updated");
    updated.set("session", config.json());
    send(updated);
  }

  private void append(JsonNode json, @Nullable String eventId) {
    JsonNode audio = json.get("audio");
    if (audio == null || !audio.isTextual()) {
      missing("audio", eventId);
      return;
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(audio.asText());
    } catch (IllegalArgumentException e) {
      sendError(
          "invalid_request_error",
          "invalid_value",
          "Invalid 'audio'. Expected base64-encoded audio bytes: " + e.getMessage(),
          "audio",
          eventId);
      return;
    }
    AudioSpec spec = config.inputFormat();
    if (bytes.length % spec.bytesPerSample != 0) {
      sendError(
          "invalid_request_error",
          "invalid_value",
          "Invalid 'audio'. audio/pcm audio must be whole 16-bit little-endian samples, but "
              + bytes.length
              + " bytes were given.",
          "audio",
          eventId);
      return;
    }
    record.inputAudio(bytes);
    bufferedMillis += bytes.length / (double) spec.bytesPerMilli();
    detector.feed(
        bytes,
        config.turnDetection() != null,
        server.vadThreshold(),
        config.silenceMillis(),
        new SpeechDetector.Events() {
          @Override
          public void speechStarted(long audioStartMs) {
            onSpeechStarted(audioStartMs);
          }

          @Override
          public void speechStopped(long audioEndMs) {
            onSpeechStopped(audioEndMs);
          }
        });
  }

  private void onSpeechStarted(long audioStartMs) {
    if (!open) {
      return;
    }
    String itemId = Ids.next("item");
    speechItemId = itemId;
    ObjectNode started = event("input_audio_buffer.speech_started");
    started.put("audio_start_ms", audioStartMs).put("item_id", itemId);
    send(started);
    Active current = active;
    if (current != null && config.interruptResponse()) {
      finish(current, "cancelled", "turn_detected");
    }
  }

  private void onSpeechStopped(long audioEndMs) {
    if (!open) {
      return;
    }
    String itemId = speechItemId != null ? speechItemId : Ids.next("item");
    speechItemId = null;
    ObjectNode stopped = event("input_audio_buffer.speech_stopped");
    stopped.put("audio_end_ms", audioEndMs).put("item_id", itemId);
    send(stopped);
    commitUserTurn(itemId);
    if (config.createResponse()) {
      if (active == null) {
        startResponse(server.nextReply(), config.outputModality());
      } else {
        responsePending = true;
      }
    }
  }

  private void commit(@Nullable String eventId) {
    if (bufferedMillis < MIN_COMMIT_MILLIS) {
      sendError(
          "invalid_request_error",
          "input_audio_buffer_commit_empty",
          String.format(
              Locale.ROOT,
              "Error committing input audio buffer: buffer too small. Expected at least 100ms of"
                  + " audio, but buffer only has %.2fms of audio.",
              bufferedMillis),
          null,
          eventId);
      return;
    }
    String itemId = speechItemId != null ? speechItemId : Ids.next("item");
    speechItemId = null;
    detector.resetSpeech();
    commitUserTurn(itemId);
  }

  private void commitUserTurn(String itemId) {
    double seconds = bufferedMillis / 1000.0;
    bufferedMillis = 0;
    String previous = lastItemId;
    ObjectNode committed = event("input_audio_buffer.committed");
    committed.put("previous_item_id", previous).put("item_id", itemId);
    send(committed);
    ObjectNode item = JSON.createObjectNode();
    item.put("id", itemId).put("object", "realtime.item").put("type", "message");
    item.put("status", "completed").put("role", "user");
    item.putArray("content").addObject().put("type", "input_audio").putNull("transcript");
    addItem(new Item(itemId, item));
    sendItemEvents(previous, item);
    String transcript = server.nextUserTranscript();
    if (config.transcriptionEnabled()) {
      if (!transcript.isEmpty()) {
        ObjectNode delta = event("conversation.item.input_audio_transcription.delta");
        delta.put("item_id", itemId).put("content_index", 0).put("delta", transcript);
        send(delta);
      }
      ObjectNode completed = event("conversation.item.input_audio_transcription.completed");
      completed.put("item_id", itemId).put("content_index", 0).put("transcript", transcript);
      completed.putObject("usage").put("type", "duration").put("seconds", Math.ceil(seconds));
      send(completed);
    }
  }

  private void createItem(JsonNode json, @Nullable String eventId) {
    JsonNode item = json.get("item");
    if (item == null || !item.isObject()) {
      missing("item", eventId);
      return;
    }
    String type = item.path("type").asText("");
    switch (type) {
      case "message" -> {
        String role = item.path("role").asText("");
        if (!List.of("user", "system", "assistant").contains(role)) {
          sendError(
              "invalid_request_error",
              "invalid_value",
              "Invalid value: '"
                  + role
                  + "'. Supported values are: 'user', 'system', and 'assistant'.",
              "item.role",
              eventId);
          return;
        }
        if (!item.path("content").isArray()) {
          missing("item.content", eventId);
          return;
        }
      }
      case "function_call_output" -> {
        if (!item.path("call_id").isTextual()) {
          missing("item.call_id", eventId);
          return;
        }
        if (!item.path("output").isTextual()) {
          missing("item.output", eventId);
          return;
        }
        String callId = item.path("call_id").asText();
        boolean known =
            items.values().stream()
                .anyMatch(
                    i ->
                        i.json.path("type").asText().equals("function_call")
                            && i.json.path("call_id").asText().equals(callId));
        if (!known) {
          sendError(
              "invalid_request_error",
              "invalid_value",
              "Tool call ID '" + callId + "' not found in conversation.",
              "item.call_id",
              eventId);
          return;
        }
      }
      case "function_call" -> {
        for (String field : List.of("call_id", "name", "arguments")) {
          if (!item.path(field).isTextual()) {
            missing("item." + field, eventId);
            return;
          }
        }
      }
      default -> {
        sendError(
            "invalid_request_error",
            "invalid_value",
            "Invalid value: '"
                + type
                + "'. Supported values are: 'message', 'function_call', and"
                + " 'function_call_output'.",
            "item.type",
            eventId);
        return;
      }
    }
    ObjectNode stored = ((ObjectNode) item).deepCopy();
    String id = stored.path("id").isTextual() ? stored.path("id").asText() : Ids.next("item");
    if (items.containsKey(id)) {
      sendError(
          "invalid_request_error",
          "invalid_value",
          "Item with id '" + id + "' already exists.",
          "item.id",
          eventId);
      return;
    }
    ObjectNode full = JSON.createObjectNode().put("id", id).put("object", "realtime.item");
    full.setAll(stored);
    full.put("id", id);
    if (!full.has("status")) {
      full.put("status", "completed");
    }
    String previous = lastItemId;
    addItem(new Item(id, full));
    sendItemEvents(previous, full);
  }

  private void retrieveItem(JsonNode json, @Nullable String eventId) {
    Item item = item(json, eventId);
    if (item != null) {
      ObjectNode retrieved = event("conversation.item.retrieved");
      retrieved.set("item", item.json.deepCopy());
      send(retrieved);
    }
  }

  private void deleteItem(JsonNode json, @Nullable String eventId) {
    Item item = item(json, eventId);
    if (item != null) {
      items.remove(item.id);
      if (item.id.equals(lastItemId)) {
        lastItemId = items.isEmpty() ? null : new ArrayList<>(items.keySet()).get(items.size() - 1);
      }
      ObjectNode deleted = event("conversation.item.deleted");
      deleted.put("item_id", item.id);
      send(deleted);
    }
  }

  private @Nullable Item item(JsonNode json, @Nullable String eventId) {
    JsonNode id = json.get("item_id");
    if (id == null || !id.isTextual()) {
      missing("item_id", eventId);
      return null;
    }
    Item item = items.get(id.asText());
    if (item == null) {
      sendError(
          "invalid_request_error",
          "invalid_value",
          "Item with item_id '" + id.asText() + "' not found.",
          "item_id",
          eventId);
    }
    return item;
  }

  private void truncate(JsonNode json, @Nullable String eventId) {
    JsonNode end = json.get("audio_end_ms");
    if (end == null || end.isNull()) {
      missing("audio_end_ms", eventId);
      return;
    }
    if (!end.isIntegralNumber() || end.asLong() < 0) {
      sendError(
          "invalid_request_error",
          "invalid_value",
          "Invalid 'audio_end_ms': expected a non-negative integer, got " + end + ".",
          "audio_end_ms",
          eventId);
      return;
    }
    JsonNode contentIndex = json.path("content_index");
    if (!contentIndex.isMissingNode() && contentIndex.asInt(-1) != 0) {
      sendError(
          "invalid_request_error",
          "invalid_value",
          "Invalid 'content_index': " + contentIndex + ". Audio is content 0.",
          "content_index",
          eventId);
      return;
    }
    Item item = item(json, eventId);
    if (item == null) {
      return;
    }
    if (!item.assistantAudio || item.audioBytes == 0) {
      sendError(
          "invalid_request_error",
          "unsupported_content_type",
          "Only model output audio messages can be truncated",
          "item_id",
          eventId);
      return;
    }
    long audioMillis = item.spec.millisOf(item.audioBytes);
    long audioEnd = end.asLong();
    if (audioEnd > audioMillis) {
      sendError(
          "invalid_request_error",
          "invalid_value",
          "Audio content of " + audioMillis + "ms is already shorter than " + audioEnd + "ms",
          "audio_end_ms",
          eventId);
      return;
    }
    ObjectNode truncated = event("conversation.item.truncated");
    truncated.put("item_id", item.id).put("content_index", 0).put("audio_end_ms", audioEnd);
    send(truncated);
  }

  private void responseCreate(JsonNode json, @Nullable String eventId) {
    Active current = active;
    if (current != null) {
      sendError(
          "invalid_request_error",
          "conversation_already_has_active_response",
          "Conversation already has an active response in progress: "
              + current.id
              + ". Wait until the response is finished before creating a new one.",
          null,
          eventId);
      return;
    }
    String modality = config.outputModality();
    JsonNode options = json.path("response");
    if (options.has("output_modalities")) {
      try {
        modality =
            SessionConfig.modalities(options.get("output_modalities"), "response.output_modalities")
                .get(0)
                .asText();
      } catch (SessionConfig.Invalid e) {
        sendError("invalid_request_error", e.code, e.getMessage(), e.param, eventId);
        return;
      }
    }
    startResponse(server.nextReply(), modality);
  }

  private void responseCancel(JsonNode json, @Nullable String eventId) {
    Active current = active;
    JsonNode responseId = json.path("response_id");
    if (current == null || responseId.isTextual() && !responseId.asText().equals(current.id)) {
      sendError(
          "invalid_request_error",
          "response_cancel_not_active",
          "Cancellation failed: no active response found",
          null,
          eventId);
      return;
    }
    finish(current, "cancelled", "client_cancelled");
  }

  // ------------------------------------------------------------------ responses

  private String startResponse(Reply reply, String modality) {
    Active r = new Active(reply, modality);
    active = r;
    record.response(r.snapshot("in_progress", null));
    ObjectNode created = event("response.created");
    created.set("response", responseJson(r, "in_progress", null, JSON.createArrayNode()));
    send(created);
    ObjectNode added = event("response.output_item.added");
    added.put("response_id", r.id).put("output_index", 0);
    added.set("item", r.item.json.deepCopy());
    send(added);
    addItem(r.item);
    ObjectNode itemAdded = event("conversation.item.added");
    itemAdded.put("previous_item_id", r.previousItemId);
    itemAdded.set("item", r.item.json.deepCopy());
    send(itemAdded);
    long period = Math.max(100_000L, Math.round(server.deltaDuration().toNanos() / server.pace()));
    if (reply instanceof Reply.FunctionCall) {
      r.ticker = server.schedule(() -> functionCallTick(r), period, TimeUnit.NANOSECONDS);
      return r.id;
    }
    ObjectNode partAdded = contentEvent("response.content_part.added", r);
    partAdded.set("part", part(r, ""));
    send(partAdded);
    r.ticker = server.scheduleAtFixedRate(() -> tick(r), 0, period, TimeUnit.NANOSECONDS);
    return r.id;
  }

  private void tick(Active r) {
    if (active != r || !open) {
      stopTicker(r);
      return;
    }
    if (r.modality.equals("audio")) {
      int deltaBytes = Math.max(r.spec.bytesPerSample, r.spec.bytesFor(server.deltaDuration()));
      int n = Math.min(deltaBytes, r.audio.length - r.audioOffset);
      if (n > 0) {
        byte[] chunk = Arrays.copyOfRange(r.audio, r.audioOffset, r.audioOffset + n);
        r.audioOffset += n;
        r.item.audioBytes = r.audioOffset;
        ObjectNode delta = contentEvent("response.output_audio.delta", r);
        delta.put("delta", Base64.getEncoder().encodeToString(chunk));
        send(delta);
      }
      int due =
          r.audio.length == 0
              ? r.tokens.size()
              : (int) Math.ceil(r.tokens.size() * (double) r.audioOffset / r.audio.length);
      while (r.tokensSent < due) {
        sendToken(r, "response.output_audio_transcript.delta");
      }
      if (r.audioOffset >= r.audio.length) {
        finish(r, "completed", null);
      }
    } else {
      if (r.tokensSent < r.tokens.size()) {
        sendToken(r, "response.output_text.delta");
      }
      if (r.tokensSent >= r.tokens.size()) {
        finish(r, "completed", null);
      }
    }
  }

  private void sendToken(Active r, String type) {
    String token = r.tokens.get(r.tokensSent++);
    r.said.append(token);
    ObjectNode delta = contentEvent(type, r);
    delta.put("delta", token);
    send(delta);
  }

  private void functionCallTick(Active r) {
    if (active != r || !open) {
      return;
    }
    Reply.FunctionCall call = (Reply.FunctionCall) r.reply;
    String arguments = call.arguments();
    int chunk = Math.max(1, (arguments.length() + 2) / 3);
    for (int i = 0; i < arguments.length(); i += chunk) {
      ObjectNode delta = functionEvent("response.function_call_arguments.delta", r);
      delta.put("delta", arguments.substring(i, Math.min(arguments.length(), i + chunk)));
      send(delta);
    }
    ObjectNode done = functionEvent("response.function_call_arguments.done", r);
    done.put("name", call.name()).put("arguments", arguments);
    send(done);
    r.item.json.put("arguments", arguments);
    finish(r, "completed", null);
  }

  /** Ends a response: the closing events of its item, then {@code response.done}. */
  private void finish(Active r, String status, @Nullable String reason) {
    stopTicker(r);
    active = null;
    boolean completed = status.equals("completed");
    if (r.callId == null) {
      String said = r.said.toString();
      if (r.modality.equals("audio")) {
        send(contentEvent("response.output_audio.done", r));
        ObjectNode transcriptDone = contentEvent("response.output_audio_transcript.done", r);
        transcriptDone.put("transcript", said);
        send(transcriptDone);
      } else {
        ObjectNode textDone = contentEvent("response.output_text.done", r);
        textDone.put("text", said);
        send(textDone);
      }
      ObjectNode partDone = contentEvent("response.content_part.done", r);
      partDone.set("part", part(r, said));
      send(partDone);
      ArrayNode content = r.item.json.putArray("content");
      if (r.modality.equals("audio")) {
        content.addObject().put("type", "output_audio").put("transcript", said);
      } else {
        content.addObject().put("type", "output_text").put("text", said);
      }
    }
    r.item.json.put("status", completed ? "completed" : "incomplete");
    ObjectNode itemDone = event("response.output_item.done");
    itemDone.put("response_id", r.id).put("output_index", 0);
    itemDone.set("item", r.item.json.deepCopy());
    send(itemDone);
    ObjectNode conversationDone = event("conversation.item.done");
    conversationDone.put("previous_item_id", r.previousItemId);
    conversationDone.set("item", r.item.json.deepCopy());
    send(conversationDone);
    ArrayNode output = JSON.createArrayNode();
    output.add(r.item.json.deepCopy());
    ObjectNode done = event("response.done");
    done.set("response", responseJson(r, status, reason, output));
    send(done);
    record.response(r.snapshot(status, reason));
    if (responsePending && open) {
      responsePending = false;
      startResponse(server.nextReply(), config.outputModality());
    }
  }

  private void stopTicker(Active r) {
    ScheduledFuture<?> ticker = r.ticker;
    if (ticker != null) {
      ticker.cancel(false);
    }
  }

  private ObjectNode responseJson(
      Active r, String status, @Nullable String reason, ArrayNode output) {
    ObjectNode response = JSON.createObjectNode();
    response.put("object", "realtime.response").put("id", r.id).put("status", status);
    if (reason == null) {
      response.putNull("status_details");
    } else {
      response.putObject("status_details").put("type", status).put("reason", reason);
    }
    response.set("output", output);
    response.put("conversation_id", conversationId);
    response.putArray("output_modalities").add(r.modality);
    response.put("max_output_tokens", "inf");
    ObjectNode audioOutput = response.putObject("audio").putObject("output");
    audioOutput.set("format", r.spec.json());
    audioOutput.put("voice", config.voice());
    if (status.equals("in_progress")) {
      response.putNull("usage");
    } else {
      int textTokens = r.tokensSent;
      int audioTokens = (int) (r.spec.millisOf(r.audioOffset) / 50);
      int inputTokens = 100 + 10 * items.size();
      ObjectNode usage = response.putObject("usage");
      usage.put("total_tokens", inputTokens + textTokens + audioTokens);
      usage.put("input_tokens", inputTokens).put("output_tokens", textTokens + audioTokens);
      ObjectNode in = usage.putObject("input_token_details");
      in.put("text_tokens", inputTokens).put("audio_tokens", 0).put("image_tokens", 0);
      in.put("cached_tokens", 0);
      in.putObject("cached_tokens_details")
          .put("text_tokens", 0)
          .put("audio_tokens", 0)
          .put("image_tokens", 0);
      usage
          .putObject("output_token_details")
          .put("text_tokens", textTokens)
          .put("audio_tokens", audioTokens);
    }
    response.putNull("metadata");
    return response;
  }

  private ObjectNode part(Active r, String said) {
    ObjectNode part = JSON.createObjectNode();
    if (r.modality.equals("audio")) {
      part.put("type", "audio").put("transcript", said);
    } else {
      part.put("type", "text").put("text", said);
    }
    return part;
  }

  private ObjectNode contentEvent(String type, Active r) {
    ObjectNode event = event(type);
    event.put("response_id", r.id).put("item_id", r.item.id);
    event.put("output_index", 0).put("content_index", 0);
    return event;
  }

  private ObjectNode functionEvent(String type, Active r) {
    ObjectNode event = event(type);
    event.put("response_id", r.id).put("item_id", r.item.id);
    event.put("output_index", 0).put("call_id", r.callId);
    return event;
  }

  // ------------------------------------------------------------------ helpers

  private void addItem(Item item) {
    items.put(item.id, item);
    lastItemId = item.id;
  }

  private void sendItemEvents(@Nullable String previous, ObjectNode item) {
    ObjectNode added = event("conversation.item.added");
    added.put("previous_item_id", previous);
    added.set("item", item.deepCopy());
    send(added);
    ObjectNode done = event("conversation.item.done");
    done.put("previous_item_id", previous);
    done.set("item", item.deepCopy());
    send(done);
  }

  private static List<String> tokens(String text) {
    List<String> tokens = new ArrayList<>();
    for (String token : text.split("(?<=\\S)(?=\\s)")) {
      if (!token.isEmpty()) {
        tokens.add(token);
      }
    }
    return tokens;
  }

  private void missing(String param, @Nullable String eventId) {
    sendError(
        "invalid_request_error",
        "missing_required_parameter",
        "Missing required parameter: '" + param + "'.",
        param,
        eventId);
  }

  void sendError(
      String type, String code, String message, @Nullable String param, @Nullable String eventId) {
    ObjectNode error = event("error");
    ObjectNode body = error.putObject("error");
    body.put("type", type).put("code", code).put("message", message);
    body.put("param", param).put("event_id", eventId);
    send(error);
  }

  private static ObjectNode event(String type) {
    ObjectNode event = JSON.createObjectNode();
    event.put("type", type).put("event_id", Ids.next("event"));
    return event;
  }

  private void send(ObjectNode event) {
    if (!open) {
      return;
    }
    String text;
    try {
      text = JSON.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    record.serverEvent(event.path("type").asText(), event);
    socket().send(text);
  }
}
