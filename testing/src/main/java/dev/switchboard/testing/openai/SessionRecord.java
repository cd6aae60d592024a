package dev.switchboard.testing.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * One WebSocket connection to a {@link FakeOpenAiRealtimeServer}: what the client asked for (the
 * {@code model} query parameter, the upgrade headers, the session configuration), every event in
 * both directions with when it happened, the responses the fake created, and how the connection
 * ended; plus live controls with which a test plays the service's part (start a response, send an
 * error, expire the session, drop the connection).
 *
 * <pre>{@code
 * SessionRecord session = fake.awaitSession(Duration.ofSeconds(5));
 * session.awaitClientEvent("session.update", e -> true, Duration.ofSeconds(5));
 * assertThat(session.config().at("/audio/input/format/type").asText()).isEqualTo("audio/pcmu");
 * session.startResponse(Reply.audio("Hello, how can I help?", Duration.ofSeconds(2))); // agent speaks first
 * JsonNode truncate = session.awaitClientEvent("conversation.item.truncate", e -> true, Duration.ofSeconds(5));
 * session.expire();
 * session.awaitClosed(Duration.ofSeconds(5));
 * }</pre>
 *
 * <p><b>Records.</b> Client events are recorded when they arrive, before the fake acts on them,
 * including malformed ones (type {@code ""}); server events when they are handed to the socket.
 * Times come from the server's {@link FakeOpenAiRealtimeServer.Builder#clock clock}. The JSON nodes
 * handed out are the recorded ones: read them, do not modify them. The {@code await…} methods
 * return as soon as a matching record exists (from before or during the wait) and throw {@link
 * AssertionError} listing what was recorded if none appears in time.
 *
 * <p><b>Controls.</b> The control methods run on the server's scheduler thread, in order with the
 * client's events, and return once done (or throw {@link IllegalStateException} if the session has
 * ended or the server is closed).
 *
 * <p><b>Threading.</b> Thread-safe. Records stay readable after the connection and the server are
 * closed.
 */
public final class SessionRecord {
  /**
   * An event the client sent.
   *
   * @param type its {@code type}, or {@code ""} if it was not a JSON object with a string type
   * @param json the parsed event ({@code MissingNode} if it was not JSON)
   * @param raw the frame's text (for a binary frame, {@code "<binary N bytes>"})
   * @param at when it arrived
   */
  public record ClientEvent(String type, JsonNode json, String raw, Instant at) {
    /** Checks the components. */
    public ClientEvent {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(json, "json");
      Objects.requireNonNull(raw, "raw");
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * An event the fake sent.
   *
   * @param type its {@code type} ({@code ""} for a {@link #sendRaw raw} frame without one)
   * @param json the event ({@code MissingNode} for a raw frame that is not JSON)
   * @param at when it was sent
   */
  public record ServerEvent(String type, JsonNode json, Instant at) {
    /** Checks the components. */
    public ServerEvent {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(json, "json");
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * A response the fake created, as it is now.
   *
   * @param id {@code resp_…}
   * @param reply the scripted reply it delivers
   * @param modality {@code "audio"} or {@code "text"}
   * @param status {@code in_progress}, {@code completed} or {@code cancelled}
   * @param reason why it was cancelled ({@code turn_detected}, {@code client_cancelled}, {@code
   *     session_ended}), else null
   * @param itemId the id of its output item
   * @param audioSent how much audio it has streamed so far
   * @param createdAt when {@code response.created} was sent
   */
  public record ResponseRecord(
      String id,
      Reply reply,
      String modality,
      String status,
      @Nullable String reason,
      String itemId,
      Duration audioSent,
      Instant createdAt) {
    /** Checks the components. */
    public ResponseRecord {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(reply, "reply");
      Objects.requireNonNull(modality, "modality");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(itemId, "itemId");
      Objects.requireNonNull(audioSent, "audioSent");
      Objects.requireNonNull(createdAt, "createdAt");
    }
  }

  /**
   * How the connection ended.
   *
   * @param code the close code (1006 when the connection broke or was {@link #disconnect()
   *     dropped})
   * @param reason the close reason or what went wrong
   * @param byServer whether the fake ended it ({@link #close}, {@link #disconnect}, {@link
   *     #expire}, or the server closing)
   * @param at when it ended
   */
  public record Closure(int code, String reason, boolean byServer, Instant at) {
    /** Checks the components. */
    public Closure {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(at, "at");
    }
  }

  private final String id;
  private final String model;
  private final Map<String, List<String>> query;
  private final Map<String, List<String>> headers;
  private final Instant openedAt;
  private final Clock clock;
  private final RealtimeSession engine;

  private final Object lock = new Object();
  // Guarded by lock; notified on every change.
  private final List<ClientEvent> clientEvents = new ArrayList<>();
  private final List<ServerEvent> serverEvents = new ArrayList<>();
  private final List<ResponseRecord> responses = new ArrayList<>();
  private final List<JsonNode> sessionUpdates = new ArrayList<>();
  private final ByteArrayOutputStream inputAudio = new ByteArrayOutputStream();
  private ObjectNode config;
  private @Nullable Closure closure;

  SessionRecord(
      String id,
      String model,
      Map<String, List<String>> query,
      Map<String, List<String>> headers,
      ObjectNode config,
      Clock clock,
      RealtimeSession engine) {
    this.id = id;
    this.model = model;
    this.query = query;
    Map<String, List<String>> caseless = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> caseless.put(name, List.copyOf(values)));
    this.headers = Collections.unmodifiableMap(caseless);
    this.config = config;
    this.clock = clock;
    this.openedAt = clock.instant();
    this.engine = engine;
  }

  // ------------------------------------------------------------------ what the client asked for

  /**
   * Returns the session's id, as sent in {@code session.created}.
   *
   * @return {@code sess_…}
   */
  public String id() {
    return id;
  }

  /**
   * Returns the {@code model} query parameter of the connection URL.
   *
   * @return the model, or {@code ""} if the URL had none (the session then reports {@code
   *     gpt-realtime})
   */
  public String model() {
    return model;
  }

  /**
   * Returns the query parameters of the connection URL, decoded.
   *
   * @return an immutable map
   */
  public Map<String, List<String>> query() {
    return query;
  }

  /**
   * Returns the headers of the WebSocket upgrade request, names case-insensitive.
   *
   * @return an immutable map
   */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /**
   * Returns the first value of an upgrade request header.
   *
   * @param name the name, case-insensitive
   * @return the value, or empty if absent
   */
  public Optional<String> header(String name) {
    List<String> values = headers.get(Objects.requireNonNull(name, "name"));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * Returns when the WebSocket opened.
   *
   * @return the instant, by the server's clock
   */
  public Instant openedAt() {
    return openedAt;
  }

  /**
   * Returns the effective session configuration: the defaults of {@code session.created} merged
   * with every accepted {@code session.update}, as last sent in {@code session.updated}.
   *
   * @return a copy
   */
  public JsonNode config() {
    synchronized (lock) {
      return config.deepCopy();
    }
  }

  /**
   * Returns the {@code session} object of the last accepted {@code session.update}, as the client
   * sent it.
   *
   * @return the object, or empty if no update was accepted yet
   */
  public Optional<JsonNode> lastSessionUpdate() {
    synchronized (lock) {
      return sessionUpdates.isEmpty()
          ? Optional.empty()
          : Optional.of(sessionUpdates.get(sessionUpdates.size() - 1));
    }
  }

  /**
   * Returns the {@code session} objects of every accepted {@code session.update}, in order.
   *
   * @return a snapshot
   */
  public List<JsonNode> sessionUpdates() {
    synchronized (lock) {
      return List.copyOf(sessionUpdates);
    }
  }

  /**
   * Returns the input audio received so far, concatenated, in the input format in force when each
   * chunk arrived (invalid appends excluded).
   *
   * @return a read-only copy
   */
  public ByteBuffer inputAudio() {
    synchronized (lock) {
      return ByteBuffer.wrap(inputAudio.toByteArray()).asReadOnlyBuffer();
    }
  }

  // ------------------------------------------------------------------ events

  /**
   * Returns every client event received so far, in arrival order.
   *
   * @return a snapshot
   */
  public List<ClientEvent> clientEvents() {
    synchronized (lock) {
      return List.copyOf(clientEvents);
    }
  }

  /**
   * Returns the client events of one type received so far, in arrival order.
   *
   * @param type e.g. {@code "input_audio_buffer.append"}
   * @return a snapshot of the parsed events
   */
  public List<JsonNode> clientEvents(String type) {
    Objects.requireNonNull(type, "type");
    synchronized (lock) {
      return clientEvents.stream().filter(e -> e.type().equals(type)).map(e -> e.json()).toList();
    }
  }

  /**
   * Waits for a client event of a type that matches a condition.
   *
   * @param type the event type
   * @param condition tested on the parsed event
   * @param timeout how long to wait
   * @return the first matching event
   * @throws AssertionError if none arrives in time
   */
  public JsonNode awaitClientEvent(String type, Predicate<JsonNode> condition, Duration timeout) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(condition, "condition");
    return await(
            clientEvents,
            e -> e.type().equals(type) && condition.test(e.json()),
            "client event " + type,
            timeout)
        .json();
  }

  /**
   * Waits for a client event of a type.
   *
   * @param type the event type
   * @param timeout how long to wait
   * @return the first event of that type
   * @throws AssertionError if none arrives in time
   */
  public JsonNode awaitClientEvent(String type, Duration timeout) {
    return awaitClientEvent(type, e -> true, timeout);
  }

  /**
   * Returns every event the fake sent so far, in order.
   *
   * @return a snapshot
   */
  public List<ServerEvent> serverEvents() {
    synchronized (lock) {
      return List.copyOf(serverEvents);
    }
  }

  /**
   * Returns the events of one type the fake sent so far, in order.
   *
   * @param type e.g. {@code "response.output_audio.delta"}
   * @return a snapshot
   */
  public List<JsonNode> serverEvents(String type) {
    Objects.requireNonNull(type, "type");
    synchronized (lock) {
      return serverEvents.stream().filter(e -> e.type().equals(type)).map(e -> e.json()).toList();
    }
  }

  /**
   * Waits until the fake has sent an event of a type that matches a condition.
   *
   * @param type the event type
   * @param condition tested on the event
   * @param timeout how long to wait
   * @return the first matching event
   * @throws AssertionError if none is sent in time
   */
  public JsonNode awaitServerEvent(String type, Predicate<JsonNode> condition, Duration timeout) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(condition, "condition");
    return await(
            serverEvents,
            e -> e.type().equals(type) && condition.test(e.json()),
            "server event " + type,
            timeout)
        .json();
  }

  /**
   * Returns the {@code conversation.item.truncate} events received, valid or not.
   *
   * @return a snapshot
   */
  public List<JsonNode> truncates() {
    return clientEvents("conversation.item.truncate");
  }

  /**
   * Returns the {@code response.cancel} events received, valid or not.
   *
   * @return a snapshot
   */
  public List<JsonNode> cancels() {
    return clientEvents("response.cancel");
  }

  /**
   * Returns the {@code function_call_output} items the client created, as sent.
   *
   * @return a snapshot
   */
  public List<JsonNode> functionCallOutputs() {
    return clientEvents("conversation.item.create").stream()
        .map(e -> e.path("item"))
        .filter(item -> item.path("type").asText().equals("function_call_output"))
        .toList();
  }

  /**
   * Returns how many responses the fake created in this session (each used one scripted reply).
   *
   * @return the count
   */
  public int responsesCreated() {
    synchronized (lock) {
      return responses.size();
    }
  }

  /**
   * Returns the responses the fake created, in order, each as it is now.
   *
   * @return a snapshot
   */
  public List<ResponseRecord> responses() {
    synchronized (lock) {
      return List.copyOf(responses);
    }
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Tells whether the connection is still open.
   *
   * @return false once either side closed it or it broke
   */
  public boolean isOpen() {
    synchronized (lock) {
      return closure == null;
    }
  }

  /**
   * Returns how the connection ended.
   *
   * @return the closure, or empty while open
   */
  public Optional<Closure> closure() {
    synchronized (lock) {
      return Optional.ofNullable(closure);
    }
  }

  /**
   * Waits until the connection has ended.
   *
   * @param timeout how long to wait
   * @return how it ended
   * @throws AssertionError if it is still open after the timeout
   */
  public Closure awaitClosed(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (closure == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("session " + id + " still open after " + timeout);
        }
        waitOn(left);
      }
      return closure;
    }
  }

  // ------------------------------------------------------------------ live controls

  /**
   * Creates a response now with the given reply (not a scripted one), as if the model decided to
   * speak, e.g. to have the agent speak first. Its events stream as for any response.
   *
   * @param reply what the model says
   * @return the new response's id
   * @throws IllegalStateException if a response is in progress or the session has ended
   */
  public String startResponse(Reply reply) {
    Objects.requireNonNull(reply, "reply");
    return engine.control(() -> engine.startResponseNow(reply));
  }

  /**
   * Sends an {@code error} event of type {@code invalid_request_error}.
   *
   * @param code the error code, e.g. {@code "rate_limit_exceeded"}
   * @param message the message
   * @throws IllegalStateException if the session has ended
   */
  public void sendError(String code, String message) {
    sendError("invalid_request_error", code, message);
  }

  /**
   * Sends an {@code error} event.
   *
   * @param type the error type, e.g. {@code "server_error"}
   * @param code the error code
   * @param message the message
   * @throws IllegalStateException if the session has ended
   */
  public void sendError(String type, String code, String message) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    engine.control(
        () -> {
          engine.requireOpen();
          engine.sendError(type, code, message, null, null);
          return null;
        });
  }

  /**
   * Sends a text frame as is, e.g. an event the fake does not model or a malformed one.
   *
   * @param json the frame's text
   * @throws IllegalStateException if the session has ended
   */
  public void sendRaw(String json) {
    Objects.requireNonNull(json, "json");
    engine.control(
        () -> {
          engine.sendRaw(json);
          return null;
        });
  }

  /**
   * Sends the error the service sends when a session reaches its maximum duration, then closes the
   * connection normally (code 1000): {@code
   * {"type":"invalid_request_error","code":"session_expired", "message":"Your session hit the
   * maximum duration of 60 minutes."}}. UNCERTAIN: the code, message and close code are this fake's
   * best guess, not confirmed against the service.
   *
   * @throws IllegalStateException if the session has ended
   */
  public void expire() {
    engine.control(
        () -> {
          engine.expire();
          return null;
        });
  }

  /**
   * Drops the connection abruptly: the socket is closed without a close frame, so the client sees a
   * failure (as when the network breaks). A response in progress stops. Does nothing if the session
   * has already ended.
   */
  public void disconnect() {
    engine.controlIfRunning(engine::disconnect);
  }

  /**
   * Closes the connection with a close frame. A response in progress stops without further events.
   * Does nothing if the session has already ended.
   *
   * @param code a valid WebSocket close code, e.g. 1000 or 4000
   * @param reason the reason, at most 123 bytes of UTF-8
   */
  public void close(int code, String reason) {
    Objects.requireNonNull(reason, "reason");
    engine.controlIfRunning(() -> engine.closeByServer(code, reason));
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "SessionRecord{"
          + id
          + ", model="
          + model
          + ", "
          + clientEvents.size()
          + " client events, "
          + serverEvents.size()
          + " server events, "
          + (closure == null ? "open" : "closed " + closure.code())
          + "}";
    }
  }

  // ------------------------------------------------------------------ recording (package-private)

  Clock clock() {
    return clock;
  }

  ClientEvent clientEvent(String type, JsonNode json, String raw) {
    ClientEvent event = new ClientEvent(type, json, raw, clock.instant());
    synchronized (lock) {
      clientEvents.add(event);
      lock.notifyAll();
    }
    return event;
  }

  void serverEvent(String type, JsonNode json) {
    ServerEvent event = new ServerEvent(type, json, clock.instant());
    synchronized (lock) {
      serverEvents.add(event);
      lock.notifyAll();
    }
  }

  void sessionUpdated(JsonNode update, ObjectNode effective) {
    synchronized (lock) {
      sessionUpdates.add(update);
      config = effective;
      lock.notifyAll();
    }
  }

  void inputAudio(byte[] bytes) {
    synchronized (lock) {
      inputAudio.write(bytes, 0, bytes.length);
    }
  }

  void response(ResponseRecord response) {
    synchronized (lock) {
      for (int i = 0; i < responses.size(); i++) {
        if (responses.get(i).id().equals(response.id())) {
          responses.set(i, response);
          lock.notifyAll();
          return;
        }
      }
      responses.add(response);
      lock.notifyAll();
    }
  }

  /** Records the end; the first report wins. Returns whether this one was the first. */
  boolean closed(int code, String reason, boolean byServer) {
    synchronized (lock) {
      if (closure != null) {
        return false;
      }
      closure = new Closure(code, reason, byServer, clock.instant());
      lock.notifyAll();
      return true;
    }
  }

  private <T> T await(List<T> list, Predicate<T> condition, String what, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      int checked = 0;
      while (true) {
        for (; checked < list.size(); checked++) {
          T item = list.get(checked);
          if (condition.test(item)) {
            return item;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "no matching "
                  + what
                  + " within "
                  + timeout
                  + " in session "
                  + id
                  + "; recorded: "
                  + summary(list));
        }
        waitOn(left);
      }
    }
  }

  /** The last events, briefly: raw text of client events, the type of server events. */
  private static <T> String summary(List<T> list) {
    int from = Math.max(0, list.size() - 40);
    StringBuilder out = new StringBuilder(from > 0 ? "[… " + from + " earlier, " : "[");
    for (T item : list.subList(from, list.size())) {
      String text =
          item instanceof ClientEvent c
              ? c.raw()
              : item instanceof ServerEvent s ? s.type() : String.valueOf(item);
      if (text.length() > 160) {
        text = text.substring(0, 160) + "…";
      }
      out.append(out.length() > 1 && out.charAt(out.length() - 1) != ' ' ? ", " : "").append(text);
    }
    return out.append(']').toString();
  }

  private void waitOn(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(lock, nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }
}
