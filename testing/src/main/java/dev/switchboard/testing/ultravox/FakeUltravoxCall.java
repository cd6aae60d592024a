package dev.switchboard.testing.ultravox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One call of a {@link FakeUltravox}: the Call object as the API returns it, what the agent was
 * told (the system prompt after template substitution), and everything that happened on the live
 * call — audio received, data messages in both directions, tool results, clear-buffer events with
 * how much agent audio had been sent and played, the transcript, protocol errors, how it ended —
 * plus controls with which a test plays the agent's part (speak now, drop the connection).
 *
 * <pre>{@code
 * FakeUltravoxCall call = fake.awaitCall(Duration.ofSeconds(5));
 * call.awaitJoined(Duration.ofSeconds(5));
 * FakeUltravoxCall.Clear clear = call.awaitClear(Duration.ofSeconds(10)); // the caller barged in
 * assertThat(clear.agentAudioPlayed()).isLessThan(clear.utterance());
 * assertThat(call.awaitEnded(Duration.ofSeconds(5))).isEqualTo("hangup");
 * }</pre>
 *
 * <p><b>The live call.</b> Over {@code serverWebSocket} the fake sends {@code call_started} and
 * {@code state} messages ({@code listening}, {@code thinking}, {@code speaking}), speaks replies as
 * binary PCM16LE at {@code outputSampleRate} in 20 ms frames, never more than {@code
 * clientBufferSizeMs} (default 60) ahead of real-time playback from the utterance's start
 * (UNCERTAIN: Ultravox's exact pacing), with agent {@code transcript} deltas as the audio goes out
 * and a final one ({@code text}, {@code final: true}); {@code ordinal} grows by one per utterance
 * of either speaker. Received binary frames are the caller's PCM16LE at {@code inputSampleRate} (an
 * odd length is a protocol error) and go through an energy speech detector (20 ms frames, three
 * loud frames start speech, silence of {@code vadSettings.turnEndpointDelay}, default 0.384 s, ends
 * it). Speech starting while the agent speaks, or while its audio may still be playing (until the
 * utterance's length has elapsed since it started), makes the fake send {@code
 * playback_clear_buffer} at once, stop the utterance, finish its transcript with the words played
 * so far, and record a {@link Clear} — unless the utterance is uninterruptible (a hang-up farewell,
 * or a greeting with {@code firstSpeakerSettings.agent.uninterruptible}). Speech stopping makes a
 * user turn: a final user {@code transcript} with the next scripted user transcript, then the next
 * {@link AgentReply}. A reply with a tool first sends {@code client_tool_invocation} ({@code
 * toolName}, {@code invocationId}, {@code parameters}) and waits for the {@code client_tool_result}
 * with that id; {@code responseType} {@code hang-up} then ends the call ({@code agent_hangup}),
 * {@code agentReaction} {@code listens} leaves the agent silent, anything else (an error result
 * too) makes it speak the reply. Client messages: {@code ping} (answered with {@code pong} echoing
 * {@code timestamp}), {@code user_text_message} (a user turn; {@code urgency} {@code immediate}
 * interrupts the agent), {@code forced_agent_message} (the agent says {@code content} after what it
 * is saying, or at once with {@code urgency} {@code immediate}), {@code hang_up} (the agent says
 * {@code message}, if any, then the fake closes the socket: {@code hangup}), {@code
 * set_output_medium} (recorded; output stays voice in this fake). Malformed JSON, unknown types and
 * bad fields are recorded as {@link #protocolErrors()} and logged; the call goes on (UNCERTAIN:
 * what Ultravox does).
 *
 * <p>Over {@code twilio} the fake plays Ultravox's side of Twilio Media Streams: after {@code
 * start} (recorded, {@link #twilioStart()}) it answers with {@code media} messages of 20 ms of
 * base64 μ-law carrying the stream's {@code streamSid}, paced like the WebSocket medium with a 60
 * ms lead, a {@code mark} after every 100 ms of audio and at the end of each utterance (echoed
 * marks tell it what has been played), and {@code clear} on barge-in; an utterance counts as
 * playing until its last mark is echoed. Caller {@code media} goes through the speech detector;
 * {@code dtmf} digits (batched while they keep coming within 300 ms) become a user text turn, as
 * Ultravox's default DTMF handling does; {@code stop} ends the call ({@code hangup}). There are no
 * data messages on this medium: client tool invocations cannot be delivered, so a reply's tool call
 * is recorded as failed and the agent speaks the reply.
 *
 * <p><b>Records.</b> Received messages are recorded as they arrive, before the fake acts on them,
 * and sent ones as they are handed to the socket; audio frames are counted, not kept as messages
 * ({@code media} messages of the twilio medium are recorded as received, not as sent). The JSON
 * handed out is the recorded one: read it, do not modify it. The {@code await…} methods return as
 * soon as the condition holds and throw {@link AssertionError} describing what was recorded if it
 * does not in time.
 *
 * <p><b>Threading.</b> Thread-safe. Controls run on the fake's call thread and return once done.
 */
public final class FakeUltravoxCall {
  /**
   * A JSON text message, received from the client or sent by the fake.
   *
   * @param type its {@code type} (for the twilio medium its {@code event}); {@code ""} if it had
   *     none or was not JSON
   * @param json the parsed message, or a missing node if it was not JSON
   * @param raw the frame's text
   * @param at when it was received or sent
   */
  public record DataMessage(String type, JsonNode json, String raw, Instant at) {
    /** Checks the components. */
    public DataMessage {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(json, "json");
      Objects.requireNonNull(raw, "raw");
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * The fake told the client to drop unplayed agent audio ({@code playback_clear_buffer}, or Twilio
   * {@code clear}): the caller barged in, or an immediate message or a hang-up cut the agent short.
   *
   * @param ordinal the interrupted utterance's transcript ordinal
   * @param agentAudioSent how much of the utterance's audio had been sent
   * @param agentAudioPlayed how much of it had been played by then, as the fake estimates it (real
   *     time since the utterance started, capped at what was sent; for the twilio medium, up to the
   *     last echoed mark)
   * @param utterance the utterance's full length
   * @param at when the clear was sent
   */
  public record Clear(
      int ordinal,
      Duration agentAudioSent,
      Duration agentAudioPlayed,
      Duration utterance,
      Instant at) {
    /** Checks the components. */
    public Clear {
      Objects.requireNonNull(agentAudioSent, "agentAudioSent");
      Objects.requireNonNull(agentAudioPlayed, "agentAudioPlayed");
      Objects.requireNonNull(utterance, "utterance");
      Objects.requireNonNull(at, "at");
    }
  }

  private final FakeUltravox fake;
  private final String callId;
  private final String medium;
  private final @Nullable String agentId;
  private final @Nullable String systemPrompt;
  private final JsonNode templateContext;
  private final String joinUrl;
  private final @Nullable String twilioToken;
  private final Duration joinTimeout;
  private final Duration maxDuration;
  private final String stageId = UUID.randomUUID().toString();
  final long sequence;

  private final Object lock = new Object();
  // Guarded by lock; notified on every change.
  private final ObjectNode json;
  private final List<DataMessage> received = new ArrayList<>();
  private final List<DataMessage> sent = new ArrayList<>();
  private final List<Clear> clears = new ArrayList<>();
  private final List<ObjectNode> messages = new ArrayList<>();
  private final List<String> protocolErrors = new ArrayList<>();
  private @Nullable JsonNode twilioStart;
  private @Nullable Instant joinedAt;
  private @Nullable String endReason;
  private long audioReceivedNanos;
  private long agentAudioNanos;
  private @Nullable CallSession session;

  FakeUltravoxCall(
      FakeUltravox fake,
      long sequence,
      ObjectNode json,
      @Nullable String agentId,
      JsonNode templateContext,
      @Nullable String twilioToken,
      Duration joinTimeout,
      Duration maxDuration) {
    this.fake = fake;
    this.sequence = sequence;
    this.json = json;
    this.callId = json.path("callId").asText();
    this.joinUrl = json.path("joinUrl").asText();
    JsonNode mediumJson = json.path("medium");
    this.medium = mediumJson.fieldNames().hasNext() ? mediumJson.fieldNames().next() : "webRtc";
    this.agentId = agentId;
    JsonNode prompt = json.path("systemPrompt");
    this.systemPrompt = prompt.isTextual() ? prompt.asText() : null;
    this.templateContext = templateContext;
    this.twilioToken = twilioToken;
    this.joinTimeout = joinTimeout;
    this.maxDuration = maxDuration;
  }

  // ------------------------------------------------------------------ what was created

  /**
   * Returns the call's id.
   *
   * @return a UUID
   */
  public String callId() {
    return callId;
  }

  /**
   * Returns the call's medium: the one key of its {@code medium} object.
   *
   * @return {@code serverWebSocket}, {@code twilio}, {@code webRtc} (the default), ...
   */
  public String medium() {
    return medium;
  }

  /**
   * Returns the agent the call was started from.
   *
   * @return the agent's id, or empty for a call created with {@code POST /api/calls}
   */
  public Optional<String> agentId() {
    return Optional.ofNullable(agentId);
  }

  /**
   * Returns what the agent was told: the system prompt after {@code templateContext} was
   * substituted into the agent's template (or as given to {@code POST /api/calls}).
   *
   * @return the prompt, or empty if the call has none
   */
  public Optional<String> systemPrompt() {
    return Optional.ofNullable(systemPrompt);
  }

  /**
   * Returns the {@code templateContext} the call was started with.
   *
   * @return a copy; an empty object if none was given
   */
  public JsonNode templateContext() {
    return templateContext.deepCopy();
  }

  /**
   * Returns the call's join URL.
   *
   * @return the URL, as in the Call object
   */
  public String joinUrl() {
    return joinUrl;
  }

  /**
   * Returns the Call object as {@code GET /api/calls/{id}} would now.
   *
   * @return a copy
   */
  public JsonNode json() {
    synchronized (lock) {
      return json.deepCopy();
    }
  }

  // ------------------------------------------------------------------ the live call

  /**
   * Tells whether a client has joined the call (connected to its join URL).
   *
   * @return true once joined, also after the call ended
   */
  public boolean isJoined() {
    synchronized (lock) {
      return joinedAt != null;
    }
  }

  /**
   * Waits until a client joins the call.
   *
   * @param timeout how long to wait
   * @throws AssertionError if nobody joins in time, or the call ends unjoined
   */
  public void awaitJoined(Duration timeout) {
    await(
        () -> joinedAt != null ? Boolean.TRUE : endReason != null ? Boolean.FALSE : null,
        "the call to be joined",
        timeout);
    synchronized (lock) {
      if (joinedAt == null) {
        throw new AssertionError("call " + callId + " ended unjoined: " + endReason);
      }
    }
  }

  /**
   * Returns how much caller audio has been received.
   *
   * @return the duration of the audio received so far
   */
  public Duration audioReceived() {
    synchronized (lock) {
      return Duration.ofNanos(audioReceivedNanos);
    }
  }

  /**
   * Waits until at least this much caller audio has been received.
   *
   * @param audio how much
   * @param timeout how long to wait
   * @throws AssertionError if not enough arrives in time
   */
  public void awaitAudioReceived(Duration audio, Duration timeout) {
    Objects.requireNonNull(audio, "audio");
    await(
        () -> audioReceivedNanos >= audio.toNanos() ? Boolean.TRUE : null,
        audio.toMillis() + " ms of caller audio",
        timeout);
  }

  /**
   * Returns how much agent audio the fake has sent.
   *
   * @return the duration of the audio sent so far
   */
  public Duration agentAudioSent() {
    synchronized (lock) {
      return Duration.ofNanos(agentAudioNanos);
    }
  }

  /**
   * Returns every text message received from the client, in order.
   *
   * @return a snapshot
   */
  public List<DataMessage> received() {
    synchronized (lock) {
      return List.copyOf(received);
    }
  }

  /**
   * Returns the received messages of a type, in order.
   *
   * @param type e.g. {@code client_tool_result}, or a Twilio event such as {@code start}
   * @return the parsed messages
   */
  public List<JsonNode> received(String type) {
    Objects.requireNonNull(type, "type");
    synchronized (lock) {
      return received.stream().filter(m -> m.type().equals(type)).map(m -> m.json()).toList();
    }
  }

  /**
   * Waits for a received message of a type that matches a condition.
   *
   * @param type the type
   * @param condition tested on the parsed message
   * @param timeout how long to wait
   * @return the first matching message
   * @throws AssertionError if none arrives in time
   */
  public JsonNode awaitReceived(String type, Predicate<JsonNode> condition, Duration timeout) {
    return awaitMessage(received, type, condition, "received", timeout);
  }

  /**
   * Returns every text message the fake sent, in order (audio excepted).
   *
   * @return a snapshot
   */
  public List<DataMessage> sent() {
    synchronized (lock) {
      return List.copyOf(sent);
    }
  }

  /**
   * Returns the sent messages of a type, in order.
   *
   * @param type e.g. {@code transcript}, {@code state}, or a Twilio event such as {@code mark}
   * @return the messages
   */
  public List<JsonNode> sent(String type) {
    Objects.requireNonNull(type, "type");
    synchronized (lock) {
      return sent.stream().filter(m -> m.type().equals(type)).map(m -> m.json()).toList();
    }
  }

  /**
   * Waits until the fake has sent a message of a type that matches a condition.
   *
   * @param type the type
   * @param condition tested on the message
   * @param timeout how long to wait
   * @return the first matching message
   * @throws AssertionError if none is sent in time
   */
  public JsonNode awaitSent(String type, Predicate<JsonNode> condition, Duration timeout) {
    return awaitMessage(sent, type, condition, "sent", timeout);
  }

  /**
   * Returns the {@code client_tool_result} messages received, valid or not.
   *
   * @return a snapshot
   */
  public List<JsonNode> toolResults() {
    return received("client_tool_result");
  }

  /**
   * Returns the clear-buffer events so far.
   *
   * @return a snapshot
   */
  public List<Clear> clears() {
    synchronized (lock) {
      return List.copyOf(clears);
    }
  }

  /**
   * Waits for the first clear-buffer event.
   *
   * @param timeout how long to wait
   * @return the clear
   * @throws AssertionError if none happens in time
   */
  public Clear awaitClear(Duration timeout) {
    return await(() -> clears.isEmpty() ? null : clears.get(0), "a clear", timeout);
  }

  /**
   * Returns the call's transcript as {@code GET /api/calls/{id}/messages} lists it: user and agent
   * messages ({@code role} {@code MESSAGE_ROLE_USER}/{@code MESSAGE_ROLE_AGENT}, {@code text},
   * {@code medium} {@code MESSAGE_MEDIUM_VOICE} or {@code _TEXT}), tool calls and tool results
   * ({@code MESSAGE_ROLE_TOOL_CALL}/{@code _TOOL_RESULT} with {@code toolName} and {@code
   * invocationId}), in order. An interrupted agent message holds the words played.
   *
   * @return copies
   */
  public List<JsonNode> messages() {
    synchronized (lock) {
      List<JsonNode> copy = new ArrayList<>();
      messages.forEach(m -> copy.add(m.deepCopy()));
      return copy;
    }
  }

  /**
   * Waits for a transcript message that matches a condition.
   *
   * @param condition tested on each message
   * @param timeout how long to wait
   * @return the first match
   * @throws AssertionError if none is recorded in time
   */
  public JsonNode awaitMessage(Predicate<JsonNode> condition, Duration timeout) {
    Objects.requireNonNull(condition, "condition");
    JsonNode match =
        await(
            () -> {
              for (ObjectNode m : messages) {
                if (condition.test(m)) {
                  return m;
                }
              }
              return null;
            },
            "a matching transcript message",
            timeout);
    return match.deepCopy();
  }

  /**
   * Returns the Twilio {@code start} message of a twilio-medium call.
   *
   * @return the message as received, or empty before it (or for another medium)
   */
  public Optional<JsonNode> twilioStart() {
    synchronized (lock) {
      return Optional.ofNullable(twilioStart);
    }
  }

  /**
   * Returns the protocol errors: messages the fake could not accept, each described.
   *
   * @return a snapshot
   */
  public List<String> protocolErrors() {
    synchronized (lock) {
      return List.copyOf(protocolErrors);
    }
  }

  /**
   * Waits for a protocol error whose description matches.
   *
   * @param condition tested on each description
   * @param timeout how long to wait
   * @return the first matching description
   * @throws AssertionError if none is recorded in time
   */
  public String awaitProtocolError(Predicate<String> condition, Duration timeout) {
    Objects.requireNonNull(condition, "condition");
    return await(
        () -> protocolErrors.stream().filter(condition).findFirst().orElse(null),
        "a matching protocol error",
        timeout);
  }

  /**
   * Returns why the call ended.
   *
   * @return {@code hangup}, {@code agent_hangup}, {@code timeout}, {@code unjoined}, {@code
   *     connection_error} or {@code system_error}; empty while the call lasts
   */
  public Optional<String> endReason() {
    synchronized (lock) {
      return Optional.ofNullable(endReason);
    }
  }

  /**
   * Waits until the call ends.
   *
   * @param timeout how long to wait
   * @return the end reason
   * @throws AssertionError if it has not ended in time
   */
  public String awaitEnded(Duration timeout) {
    return await(() -> endReason, "the call to end", timeout);
  }

  // ------------------------------------------------------------------ controls

  /**
   * Makes the agent speak now (after what it is saying, if anything), as if the model decided to; a
   * tool call or hang-up in the reply happens as scripted.
   *
   * @param reply what the agent does
   * @throws IllegalStateException if the call is not live
   */
  public void speak(AgentReply reply) {
    Objects.requireNonNull(reply, "reply");
    CallSession live = requireSession();
    fake.control(
        () -> {
          live.speakNow(reply);
          return null;
        });
  }

  /**
   * Drops the call's connection abruptly: the socket is closed without a close frame, so the client
   * sees a failure; the call ends with {@code connection_error}. Does nothing if the call is not
   * live.
   */
  public void disconnect() {
    CallSession live;
    synchronized (lock) {
      live = session;
    }
    if (live != null && !fake.isClosed()) {
      fake.control(
          () -> {
            live.disconnect();
            return null;
          });
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "FakeUltravoxCall{"
          + callId
          + ", "
          + medium
          + (joinedAt == null ? "" : ", joined")
          + (endReason == null ? "" : ", ended " + endReason)
          + "}";
    }
  }

  // ------------------------------------------------------------------ for the fake
  // (package-private)

  @Nullable String twilioToken() {
    return twilioToken;
  }

  Duration joinTimeout() {
    return joinTimeout;
  }

  Duration maxDuration() {
    return maxDuration;
  }

  @Nullable CallSession session() {
    synchronized (lock) {
      return session;
    }
  }

  private CallSession requireSession() {
    synchronized (lock) {
      if (session == null || endReason != null) {
        throw new IllegalStateException("call " + callId + " is not live");
      }
      return session;
    }
  }

  /** Whether the call can be joined now: not joined before and not ended. */
  boolean joinable() {
    synchronized (lock) {
      return joinedAt == null && endReason == null && session == null;
    }
  }

  /** Claims the call for a connecting session; false if someone else got it first. */
  boolean attach(CallSession candidate) {
    synchronized (lock) {
      if (session != null || endReason != null) {
        return false;
      }
      session = candidate;
      return true;
    }
  }

  boolean isLive() {
    synchronized (lock) {
      return joinedAt != null && endReason == null;
    }
  }

  void joined(Instant at) {
    synchronized (lock) {
      joinedAt = at;
      json.put("joined", UltravoxApi.timestamp(at));
      lock.notifyAll();
    }
  }

  /** Records the end; the first report wins. Returns whether this one was the first. */
  boolean ended(String reason, Instant at) {
    synchronized (lock) {
      if (endReason != null) {
        return false;
      }
      endReason = reason;
      json.put("ended", UltravoxApi.timestamp(at));
      json.put("endReason", reason);
      if (joinedAt != null) {
        Duration billed = Duration.between(joinedAt, at);
        if (billed.isNegative()) {
          billed = Duration.ZERO;
        }
        json.put("billedDuration", UltravoxApi.duration(billed));
      }
      lock.notifyAll();
      return true;
    }
  }

  void billed() {
    synchronized (lock) {
      // UNCERTAIN: the billingStatus values other than BILLING_STATUS_PENDING
      json.put("billingStatus", "BILLING_STATUS_BILLED");
      lock.notifyAll();
    }
  }

  void audioReceived(long nanos) {
    synchronized (lock) {
      audioReceivedNanos += nanos;
      lock.notifyAll();
    }
  }

  void agentAudio(long nanos) {
    synchronized (lock) {
      agentAudioNanos += nanos;
    }
  }

  void received(DataMessage message) {
    synchronized (lock) {
      received.add(message);
      lock.notifyAll();
    }
  }

  void sent(DataMessage message) {
    synchronized (lock) {
      sent.add(message);
      lock.notifyAll();
    }
  }

  void clear(Clear clear) {
    synchronized (lock) {
      clears.add(clear);
      lock.notifyAll();
    }
  }

  void twilioStart(JsonNode start) {
    synchronized (lock) {
      twilioStart = start;
      lock.notifyAll();
    }
  }

  void protocolError(String problem) {
    synchronized (lock) {
      protocolErrors.add(problem);
      lock.notifyAll();
    }
  }

  /** Adds a transcript message, numbering it; returns its index. */
  void message(ObjectNode message) {
    synchronized (lock) {
      message.put("callStageMessageIndex", messages.size());
      message.put("callStageId", stageId);
      messages.add(message);
      lock.notifyAll();
    }
  }

  List<ObjectNode> messagesForApi() {
    synchronized (lock) {
      List<ObjectNode> copy = new ArrayList<>();
      messages.forEach(m -> copy.add(m.deepCopy()));
      return copy;
    }
  }

  @Nullable Instant joinedAt() {
    synchronized (lock) {
      return joinedAt;
    }
  }

  private JsonNode awaitMessage(
      List<DataMessage> list,
      String type,
      Predicate<JsonNode> condition,
      String direction,
      Duration timeout) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(condition, "condition");
    return await(
        () -> {
          for (DataMessage m : list) {
            if (m.type().equals(type) && condition.test(m.json())) {
              return m.json();
            }
          }
          return null;
        },
        "a matching " + direction + " message of type " + type,
        timeout);
  }

  private <T> T await(Supplier<@Nullable T> probe, String what, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        T value = probe.get();
        if (value != null) {
          return value;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "no "
                  + what
                  + " within "
                  + timeout
                  + " on call "
                  + callId
                  + " ("
                  + (endReason == null ? "live" : "ended " + endReason)
                  + "); sent: "
                  + summary(sent)
                  + "; received: "
                  + summary(received)
                  + "; protocol errors: "
                  + protocolErrors);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting", e);
        }
      }
    }
  }

  private static String summary(List<DataMessage> list) {
    List<DataMessage> tail = list.stream().filter(m -> !m.type().equals("media")).toList();
    int from = Math.max(0, tail.size() - 30);
    StringBuilder out = new StringBuilder(from > 0 ? "[… " + from + " earlier, " : "[");
    for (DataMessage m : tail.subList(from, tail.size())) {
      String text = m.raw().length() > 120 ? m.raw().substring(0, 120) + "…" : m.raw();
      out.append(out.length() > 1 && out.charAt(out.length() - 1) != ' ' ? ", " : "").append(text);
    }
    return out.append(']').toString();
  }
}
