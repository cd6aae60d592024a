package dev.switchboard.testing.twilio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * Plays Twilio's side of a bidirectional Media Streams call ({@code <Connect><Stream>}) against a
 * real media endpoint over a real WebSocket, so a test can exercise the endpoint as Twilio would:
 * it sends {@code connected}, {@code start}, a steady flow of the caller's {@code media}, {@code
 * dtmf} and {@code stop}, and it plays what the endpoint sends back ({@code media}, {@code mark},
 * {@code clear}) at wall-clock speed, echoing marks when their audio has played.
 *
 * <pre>{@code
 * URI mediaUrl = URI.create("ws://127.0.0.1:8081/twilio/media");
 * try (TwilioCallSimulator sim = TwilioCallSimulator.builder(mediaUrl)
 *     .customParameter("switchboard_token", token)
 *     .signHandshake(authToken)
 *     .callerAudio(CallerAudio.wav(Path.of("src/test/resources/hello.wav")))
 *     .build()) {
 *   sim.connect();
 *   sim.awaitHeard(Duration.ofSeconds(1), Duration.ofSeconds(10)); // the agent's greeting
 *   sim.sendDtmf("5");
 *   sim.stop(); // the caller hangs up
 * }
 * }</pre>
 *
 * <p><b>What it sends.</b> {@link #connect()} opens the WebSocket (with the {@link Builder#header
 * extra headers} and, if asked, an {@code X-Twilio-Signature} computed as Twilio does), then sends
 * {@code connected} and {@code start} (one track {@code "inbound"}, {@code audio/x-mulaw} at 8000
 * Hz mono, the {@link Builder#customParameter custom parameters}), then the caller's audio as
 * {@code media} messages of 160 bytes (20 ms) each, at the {@link Pacing}'s rate. Every message
 * after {@code connected} carries a {@code sequenceNumber} string counting from "1"; {@code
 * media.chunk} counts from "1" and {@code media.timestamp} is the frame's position in the caller's
 * audio in milliseconds ("0", "20", "40", ...), whatever the pacing.
 *
 * <p><b>What it plays.</b> Like Twilio, it accepts only text JSON messages {@code media}, {@code
 * mark} and {@code clear} carrying this stream's {@code streamSid}. Anything else (a binary frame,
 * malformed JSON, an unknown event, a missing or wrong {@code streamSid}, a payload that is not
 * base64) is recorded as a {@link ProtocolError} and otherwise ignored; it never ends the call.
 * Received audio goes into a playback buffer that plays at 8 bytes per millisecond of real time
 * (measured with {@link System#nanoTime()}): a chunk starts playing when the one before it ends, or
 * when it arrives if nothing is playing. A {@code mark} is echoed once all audio received before it
 * has played (at once if nothing is buffered). A {@code clear} drops every byte not yet played (the
 * played part of a chunk counts as heard) and echoes every pending mark at once, recorded with
 * {@link MarkEcho#cleared()} true. When the call ends, whatever is still buffered is never heard
 * and pending marks are never echoed.
 *
 * <p><b>What it records.</b> Every message sent and received, every mark echo, clear, protocol
 * error and the close, each timestamped with the {@link Builder#clock clock} ({@link #events()}).
 * The {@code await…} methods wait for a condition with a timeout and fail with an {@link
 * AssertionError} describing what happened instead; they give up early when the call has ended and
 * the condition can no longer come true.
 *
 * <p><b>Threading.</b> Thread-safe: any method may be called from any thread. Pacing and playback
 * run on one daemon thread per simulator (started by {@link #connect()}, stopped when the call
 * ends); OkHttp's threads deliver what the endpoint sends. A {@link CallerAudio.SampleGenerator} is
 * called on those threads, one call at a time.
 *
 * <p><b>Lifecycle.</b> {@link #connect()} once. The call ends with {@link #stop()} (a hang-up:
 * {@code stop}, then a normal close), {@link #close()} (a normal close without {@code stop}),
 * {@link #drop()} (the connection is cut), or when the endpoint closes the connection ({@link
 * #awaitClosedByServer}). Ending is idempotent; recorded state stays readable afterwards. Always
 * close a simulator, e.g. with try-with-resources, so its thread and socket go away.
 */
public final class TwilioCallSimulator implements AutoCloseable {
  /** The account SID used unless {@link Builder#accountSid} sets one. */
  public static final String DEFAULT_ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long NANOS_PER_BYTE = 125_000L; // 8000 μ-law bytes per second
  private static final int FRAME_MILLIS = 20;
  private static final String DTMF_DIGITS = "0123456789*#";
  private static final String SIGNATURE_HEADER = "X-Twilio-Signature";
  private static final int EXCERPT_CHARS = 120;

  private enum State {
    NEW,
    CONNECTING,
    OPEN,
    CLOSED
  }

  /**
   * Something the simulator sent, received or did, with when it happened by the simulator's clock.
   * Immutable.
   */
  public sealed interface Event
      permits Sent,
          SentBinary,
          Received,
          ReceivedBinary,
          ProtocolError,
          MarkEcho,
          Cleared,
          Closed,
          ClosedBySimulator,
          CallerAudioFailed {
    /**
     * Returns when it happened.
     *
     * @return the instant, by the simulator's clock
     */
    Instant at();
  }

  /**
   * A text frame the simulator sent: a message such as {@code start}, {@code media}, a mark echo,
   * or whatever {@link #sendRaw(String)} sent.
   *
   * @param json the frame's text
   * @param at when it was sent
   */
  public record Sent(String json, Instant at) implements Event {}

  /**
   * A binary frame the simulator sent with {@link #sendBinary(byte[])}.
   *
   * @param bytes the frame's bytes (a read-only copy)
   * @param at when it was sent
   */
  public record SentBinary(ByteBuffer bytes, Instant at) implements Event {
    /** Copies the bytes. */
    public SentBinary {
      bytes = readOnlyCopy(bytes);
    }

    @Override
    public ByteBuffer bytes() {
      return bytes.duplicate();
    }
  }

  /**
   * A text frame the endpoint sent, valid or not.
   *
   * @param json the frame's text
   * @param at when it arrived
   */
  public record Received(String json, Instant at) implements Event {}

  /**
   * A binary frame the endpoint sent (always also a {@link ProtocolError}).
   *
   * @param bytes the frame's bytes (a read-only copy)
   * @param at when it arrived
   */
  public record ReceivedBinary(ByteBuffer bytes, Instant at) implements Event {
    /** Copies the bytes. */
    public ReceivedBinary {
      bytes = readOnlyCopy(bytes);
    }

    @Override
    public ByteBuffer bytes() {
      return bytes.duplicate();
    }
  }

  /**
   * Something the endpoint sent that Twilio would reject (it would report error 31924, or warning
   * 31950 for a binary frame); the simulator ignored it.
   *
   * @param problem what was wrong, with an excerpt of the frame
   * @param at when it arrived
   */
  public record ProtocolError(String problem, Instant at) implements Event {}

  /**
   * The endpoint sent {@code clear}: buffered audio was dropped and pending marks were echoed
   * (recorded as {@link MarkEcho}s with {@code cleared} true, right after this).
   *
   * @param droppedBytes how many μ-law bytes were dropped unheard
   * @param marks the names of the pending marks echoed because of the clear, in order
   * @param at when the clear arrived
   */
  public record Cleared(int droppedBytes, List<String> marks, Instant at) implements Event {
    /** Copies the list. */
    public Cleared {
      marks = List.copyOf(marks);
    }

    /**
     * Returns how much audio was dropped.
     *
     * @return the duration of the dropped bytes
     */
    public Duration dropped() {
      return Duration.ofNanos(droppedBytes * NANOS_PER_BYTE);
    }
  }

  /**
   * The endpoint ended the call: it closed the WebSocket (with its code and reason) or the
   * connection failed (code 1006, the reason says why).
   *
   * @param code the close code
   * @param reason the reason, possibly empty
   * @param at when the close arrived
   */
  public record Closed(int code, String reason, Instant at) implements Event {}

  /**
   * The simulator ended the call: {@link #stop()}, {@link #close()} or {@link #drop()} (code 1006).
   *
   * @param code the close code sent
   * @param reason the reason sent
   * @param at when it closed
   */
  public record ClosedBySimulator(int code, String reason, Instant at) implements Event {}

  /**
   * The {@link CallerAudio} threw while producing a paced frame; pacing stopped.
   *
   * @param error the exception, as text
   * @param at when it happened
   */
  public record CallerAudioFailed(String error, Instant at) implements Event {}

  /** Audio waiting to play, or a mark waiting for the audio before it. */
  private sealed interface Queued permits QueuedAudio, QueuedMark {}

  private record QueuedAudio(byte[] ulaw) implements Queued {}

  private record QueuedMark(String name) implements Queued {}

  private final URI mediaUrl;
  private final String accountSid;
  private final String callSid;
  private final String streamSid;
  private final Map<String, String> customParameters;
  private final Headers headers;
  private final CallerAudio callerAudio;
  private final Pacing pacing;
  private final Clock clock;
  private final Duration connectTimeout;

  // Lock order: sendLock, then lock. sendLock keeps sequence numbers in wire order and covers
  // OkHttp's send(), which only enqueues; lock guards everything else and is never held while
  // sending.
  private final Object sendLock = new Object();
  private final Object lock = new Object();

  // Guarded by sendLock.
  private long sequenceNumber;
  private long chunk;
  private CallerAudio.@Nullable Cursor cursor;
  private final byte[] frame = new byte[CallerAudio.FRAME_BYTES];

  // Guarded by lock.
  private State state = State.NEW;
  private @Nullable WebSocket webSocket;
  private @Nullable ScheduledExecutorService scheduler;
  private @Nullable ScheduledFuture<?> pacer;
  private @Nullable ScheduledFuture<?> tick;
  private long tickAt;
  private final List<Event> events = new ArrayList<>();
  private final ArrayDeque<Queued> playback = new ArrayDeque<>();
  private long headStart; // System.nanoTime() when the first queued chunk started playing
  private final ByteArrayOutputStream heard = new ByteArrayOutputStream();
  private int clears;
  private int framesSent;

  private TwilioCallSimulator(Builder b, String callSid, String streamSid, Headers headers) {
    this.mediaUrl = b.mediaUrl;
    this.accountSid = b.accountSid;
    this.callSid = callSid;
    this.streamSid = streamSid;
    this.customParameters = new LinkedHashMap<>(b.customParameters);
    this.headers = headers;
    this.callerAudio = b.callerAudio;
    this.pacing = b.pacing;
    this.clock = b.clock;
    this.connectTimeout = b.connectTimeout;
  }

  /**
   * Starts configuring a simulated call to a media endpoint.
   *
   * @param mediaUrl the endpoint's {@code ws://} or {@code wss://} URL, as Twilio would be given it
   *     in {@code <Stream url="...">}
   * @return a builder
   */
  public static Builder builder(URI mediaUrl) {
    return new Builder(mediaUrl);
  }

  /**
   * Opens the WebSocket and starts the call: sends {@code connected} and {@code start}, then starts
   * sending the caller's audio at the {@link Pacing}'s rate (nothing until {@link #sendMedia(int)}
   * with {@link Pacing#MANUAL}). Returns once the socket is open and {@code start} has been sent.
   *
   * @throws IllegalStateException if the handshake fails (the message gives the HTTP status the
   *     endpoint answered with, or why the connection failed), does not finish within the {@link
   *     Builder#connectTimeout connect timeout}, or if {@code connect()} was called before; the
   *     simulator is then closed
   */
  public void connect() {
    CompletableFuture<Void> opened = new CompletableFuture<>();
    synchronized (lock) {
      if (state != State.NEW) {
        throw new IllegalStateException("connect() can be called once; this simulator is " + state);
      }
      state = State.CONNECTING;
      scheduler = newScheduler();
    }
    Request request = new Request.Builder().url(mediaUrl.toString()).headers(headers).build();
    OkHttpClient client =
        Http.CLIENT
            .newBuilder()
            .connectTimeout(connectTimeout)
            .readTimeout(connectTimeout)
            .writeTimeout(connectTimeout)
            .build();
    WebSocket ws = client.newWebSocket(request, new Listener(opened));
    try {
      opened.get(connectTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      ws.cancel();
      endLocally(1006, "connect failed", false);
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(cause.getMessage(), cause);
    } catch (TimeoutException e) {
      ws.cancel();
      endLocally(1006, "connect timed out", false);
      throw new IllegalStateException(
          "the WebSocket handshake with " + mediaUrl + " did not finish within " + connectTimeout,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ws.cancel();
      endLocally(1006, "interrupted while connecting", false);
      throw new IllegalStateException("interrupted while connecting to " + mediaUrl, e);
    }
  }

  /**
   * Sends the next frames of the caller's audio now, one {@code media} message per 20 ms frame.
   * Meant for {@link Pacing#MANUAL}; with a timer the frames interleave with the timer's.
   *
   * @param frames how many frames, at least 0
   * @return true if all were sent; false if the call has ended
   * @throws IllegalStateException if {@link #connect()} has not succeeded
   */
  public boolean sendMedia(int frames) {
    if (frames < 0) {
      throw new IllegalArgumentException("frames must not be negative, got " + frames);
    }
    requireConnected("sendMedia");
    synchronized (sendLock) {
      return sendFrames(frames);
    }
  }

  /**
   * Sends a {@code dtmf} message per digit, as when the caller presses keys.
   *
   * @param digits one or more of {@code 0-9}, {@code *} and {@code #}, e.g. {@code "5"}
   * @return true if all were sent; false if the call has ended
   * @throws IllegalArgumentException if a digit is not one of those
   * @throws IllegalStateException if {@link #connect()} has not succeeded
   */
  public boolean sendDtmf(String digits) {
    Objects.requireNonNull(digits, "digits");
    if (digits.isEmpty()) {
      throw new IllegalArgumentException("digits must not be empty");
    }
    for (char c : digits.toCharArray()) {
      if (DTMF_DIGITS.indexOf(c) < 0) {
        throw new IllegalArgumentException(
            "'" + c + "' is not a DTMF digit; use 0-9, * or #, got \"" + digits + "\"");
      }
    }
    requireConnected("sendDtmf");
    synchronized (sendLock) {
      for (char c : digits.toCharArray()) {
        ObjectNode dtmf = JSON.createObjectNode();
        dtmf.put("track", "inbound_track");
        dtmf.put("digit", String.valueOf(c));
        if (sendMessage("dtmf", dtmf) == null) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Sends a text frame as is, without a sequence number, e.g. to test how the endpoint handles bad
   * input.
   *
   * @param text the frame
   * @return true if sent; false if the call has ended
   * @throws IllegalStateException if {@link #connect()} has not succeeded
   */
  public boolean sendRaw(String text) {
    Objects.requireNonNull(text, "text");
    requireConnected("sendRaw");
    synchronized (sendLock) {
      return sendText(text) != null;
    }
  }

  /**
   * Sends a binary frame (Twilio never does), e.g. to test that the endpoint refuses it.
   *
   * @param bytes the frame, copied
   * @return true if sent; false if the call has ended
   * @throws IllegalStateException if {@link #connect()} has not succeeded
   */
  public boolean sendBinary(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    requireConnected("sendBinary");
    synchronized (sendLock) {
      WebSocket ws;
      synchronized (lock) {
        if (state != State.OPEN || webSocket == null) {
          return false;
        }
        ws = webSocket;
        record(new SentBinary(ByteBuffer.wrap(bytes), clock.instant()));
      }
      return ws.send(ByteString.of(bytes));
    }
  }

  /**
   * Hangs up like the caller: sends {@code stop} and closes the WebSocket normally (1000). Does
   * nothing if the call has already ended.
   */
  public void stop() {
    synchronized (sendLock) {
      synchronized (lock) {
        if (state != State.OPEN) {
          endLocally(1000, "call ended", false);
          return;
        }
      }
      ObjectNode stop = JSON.createObjectNode();
      stop.put("accountSid", accountSid);
      stop.put("callSid", callSid);
      sendMessage("stop", stop);
      endLocally(1000, "call ended", false);
    }
  }

  /**
   * Closes the WebSocket normally (1000) without sending {@code stop}, and stops the simulator's
   * thread. Returns at once: the closing handshake finishes in the background (OkHttp cuts the
   * connection if the endpoint never answers, after 60 s). Idempotent; what was recorded stays
   * readable.
   */
  @Override
  public void close() {
    synchronized (sendLock) {
      endLocally(1000, "simulator closed", false);
    }
  }

  /**
   * Cuts the connection without a close frame, like a network failure. Idempotent, and does nothing
   * once the call has ended.
   */
  public void drop() {
    synchronized (sendLock) {
      endLocally(1006, "connection dropped by the simulator", true);
    }
  }

  /**
   * Returns the audio the caller has heard so far: the μ-law bytes played from the buffer, in
   * order, including the played part of a chunk cut short by {@code clear}.
   *
   * @return a copy
   */
  public byte[] heard() {
    synchronized (lock) {
      return heardLocked(System.nanoTime());
    }
  }

  /**
   * Returns how much audio the caller has heard so far.
   *
   * @return the duration of {@link #heard()}
   */
  public Duration heardDuration() {
    synchronized (lock) {
      return Duration.ofNanos(heardCount(System.nanoTime()) * NANOS_PER_BYTE);
    }
  }

  /**
   * Waits until the caller has heard at least {@code audio} of the endpoint's audio.
   *
   * @param audio how much audio
   * @param timeout how long to wait
   * @return what had been heard when the wait ended (see {@link #heard()})
   * @throws AssertionError if not enough is heard in time, or the call ends first
   */
  public byte[] awaitHeard(Duration audio, Duration timeout) {
    Objects.requireNonNull(audio, "audio");
    Objects.requireNonNull(timeout, "timeout");
    long target = (audio.toNanos() + NANOS_PER_BYTE - 1) / NANOS_PER_BYTE;
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        long now = System.nanoTime();
        long count = heardCount(now);
        if (count >= target) {
          return heardLocked(now);
        }
        if (state == State.CLOSED) {
          throw new AssertionError(
              "the call ended after "
                  + count / 8
                  + " ms of audio were heard, waiting for "
                  + audio.toMillis()
                  + " ms; "
                  + summary());
        }
        long left = deadline - now;
        if (left <= 0) {
          throw new AssertionError(
              "only "
                  + count / 8
                  + " ms of audio were heard within "
                  + timeout
                  + ", waiting for "
                  + audio.toMillis()
                  + " ms; "
                  + summary());
        }
        // Buffered audio plays without notifications: wake up when it will have reached the target.
        long untilTarget = nanosUntilHeard(now, target);
        waitOn(untilTarget > 0 ? Math.min(left, untilTarget) : left);
      }
    }
  }

  /**
   * Waits until the mark of that name has been echoed (the first echo, if the name was used twice).
   *
   * @param name the mark's name
   * @param timeout how long to wait
   * @return the echo
   * @throws AssertionError if it is not echoed in time, or the call ends first
   */
  public MarkEcho awaitMark(String name, Duration timeout) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        for (Event event : events) {
          if (event instanceof MarkEcho echo && echo.name().equals(name)) {
            return echo;
          }
        }
        if (state == State.CLOSED) {
          throw new AssertionError(
              "the call ended before mark \"" + name + "\" was echoed; " + summary());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "mark \"" + name + "\" was not echoed within " + timeout + "; " + summary());
        }
        waitOn(left);
      }
    }
  }

  /**
   * Returns every mark echoed so far, in order.
   *
   * @return a snapshot
   */
  public List<MarkEcho> marks() {
    return events(MarkEcho.class);
  }

  /**
   * Returns how many valid {@code clear} messages the endpoint has sent.
   *
   * @return the count
   */
  public int clearsReceived() {
    synchronized (lock) {
      return clears;
    }
  }

  /**
   * Returns how many {@code media} frames of the caller's audio have been sent.
   *
   * @return the count
   */
  public int mediaFramesSent() {
    synchronized (lock) {
      return framesSent;
    }
  }

  /**
   * Waits until the endpoint ends the call: it closes the WebSocket, or the connection fails.
   *
   * @param timeout how long to wait
   * @return the close
   * @throws AssertionError if that does not happen in time, or the simulator ended the call itself
   */
  public Closed awaitClosedByServer(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        for (Event event : events) {
          if (event instanceof Closed closed) {
            return closed;
          }
          if (event instanceof ClosedBySimulator local) {
            throw new AssertionError(
                "the simulator ended the call itself (" + local + "); the server did not close it");
          }
        }
        if (state == State.CLOSED) {
          throw new AssertionError("the connection never opened; " + summary());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "the server did not close the connection within " + timeout + "; " + summary());
        }
        waitOn(left);
      }
    }
  }

  /**
   * Waits for the first recorded event of a type that matches a condition, e.g. a {@link
   * ProtocolError} or a {@link Received} {@code media} message.
   *
   * @param type the event type
   * @param condition the condition
   * @param timeout how long to wait
   * @param <T> the event type
   * @return the first matching event, recorded before or during the wait
   * @throws AssertionError if none is recorded in time
   */
  public <T extends Event> T awaitEvent(
      Class<T> type, Predicate<? super T> condition, Duration timeout) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      int checked = 0;
      while (true) {
        for (; checked < events.size(); checked++) {
          Event event = events.get(checked);
          if (type.isInstance(event) && condition.test(type.cast(event))) {
            return type.cast(event);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "no "
                  + type.getSimpleName()
                  + " matching the condition was recorded within "
                  + timeout
                  + "; "
                  + summary());
        }
        waitOn(left);
      }
    }
  }

  /**
   * Returns everything recorded so far, in order.
   *
   * @return a snapshot
   */
  public List<Event> events() {
    synchronized (lock) {
      return List.copyOf(events);
    }
  }

  /**
   * Returns what was recorded of one type, in order.
   *
   * @param type the event type
   * @param <T> the event type
   * @return a snapshot
   */
  public <T extends Event> List<T> events(Class<T> type) {
    Objects.requireNonNull(type, "type");
    List<T> matching = new ArrayList<>();
    for (Event event : events()) {
      if (type.isInstance(event)) {
        matching.add(type.cast(event));
      }
    }
    return List.copyOf(matching);
  }

  /**
   * Returns the protocol errors recorded so far, in order.
   *
   * @return a snapshot
   */
  public List<ProtocolError> protocolErrors() {
    return events(ProtocolError.class);
  }

  /**
   * Tells whether the call is in progress: connected and not yet ended by either side.
   *
   * @return true while the WebSocket is open
   */
  public boolean isOpen() {
    synchronized (lock) {
      return state == State.OPEN;
    }
  }

  /**
   * Returns the call's SID, sent in {@code start.callSid} and {@code stop.callSid}.
   *
   * @return {@code CA...}
   */
  public String callSid() {
    return callSid;
  }

  /**
   * Returns the stream's SID, sent in every message's {@code streamSid}.
   *
   * @return {@code MZ...}
   */
  public String streamSid() {
    return streamSid;
  }

  /**
   * Returns the account's SID, sent in {@code start.accountSid} and {@code stop.accountSid}.
   *
   * @return {@code AC...}
   */
  public String accountSid() {
    return accountSid;
  }

  /**
   * Returns the endpoint's URL.
   *
   * @return the URL given to {@link #builder(URI)}
   */
  public URI mediaUrl() {
    return mediaUrl;
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "TwilioCallSimulator[" + mediaUrl + ", " + callSid + ", " + state + "]";
    }
  }

  // ---- sending (callers hold sendLock) ----

  private void requireConnected(String method) {
    synchronized (lock) {
      if (state == State.NEW || state == State.CONNECTING) {
        throw new IllegalStateException(method + "() needs a connected simulator; call connect()");
      }
    }
  }

  /** Sends a text frame and records it; returns when it was sent, or null if the call ended. */
  private @Nullable Instant sendText(String text) {
    WebSocket ws;
    Sent sent;
    synchronized (lock) {
      if (state != State.OPEN || webSocket == null) {
        return null;
      }
      ws = webSocket;
      sent = new Sent(text, clock.instant());
      record(sent);
    }
    if (ws.send(text)) {
      return sent.at();
    }
    synchronized (lock) {
      events.removeIf(event -> event == sent);
    }
    return null;
  }

  /** Sends a message with the next sequence number; returns when, or null if the call ended. */
  private @Nullable Instant sendMessage(String event, ObjectNode body) {
    long next = sequenceNumber + 1;
    ObjectNode message = JSON.createObjectNode();
    message.put("event", event);
    message.put("sequenceNumber", Long.toString(next));
    message.put("streamSid", streamSid);
    message.set(event, body);
    Instant at = sendText(message.toString());
    if (at != null) {
      sequenceNumber = next;
    }
    return at;
  }

  private boolean sendFrames(int frames) {
    CallerAudio.Cursor source = Objects.requireNonNull(cursor, "cursor");
    for (int i = 0; i < frames; i++) {
      source.next(frame);
      long number = chunk + 1;
      ObjectNode media = JSON.createObjectNode();
      media.put("track", "inbound");
      media.put("chunk", Long.toString(number));
      media.put("timestamp", Long.toString((number - 1) * FRAME_MILLIS));
      media.put("payload", Base64.getEncoder().encodeToString(frame));
      // Counted before the send, so that a frame the endpoint has received is always counted.
      synchronized (lock) {
        framesSent++;
      }
      if (sendMessage("media", media) == null) {
        synchronized (lock) {
          framesSent--;
        }
        return false;
      }
      chunk = number;
    }
    return true;
  }

  private void sendStart() {
    ObjectNode connected = JSON.createObjectNode();
    connected.put("event", "connected");
    connected.put("protocol", "Call");
    connected.put("version", "1.0.0");
    sendText(connected.toString());

    ObjectNode start = JSON.createObjectNode();
    start.put("accountSid", accountSid);
    start.put("streamSid", streamSid);
    start.put("callSid", callSid);
    start.putArray("tracks").add("inbound");
    ObjectNode mediaFormat = start.putObject("mediaFormat");
    mediaFormat.put("encoding", "audio/x-mulaw");
    mediaFormat.put("sampleRate", 8000);
    mediaFormat.put("channels", 1);
    ObjectNode parameters = start.putObject("customParameters");
    customParameters.forEach(parameters::put);
    sendMessage("start", start);
  }

  private void echo(List<String> names, boolean cleared) {
    for (String name : names) {
      ObjectNode mark = JSON.createObjectNode();
      mark.put("name", name);
      Instant at = sendMessage("mark", mark);
      if (at != null) {
        synchronized (lock) {
          record(new MarkEcho(name, at, cleared));
        }
      }
    }
  }

  private void pace() {
    try {
      synchronized (sendLock) {
        sendFrames(1);
      }
    } catch (RuntimeException e) {
      synchronized (lock) {
        if (pacer != null) {
          pacer.cancel(false);
        }
        record(new CallerAudioFailed(e.toString(), clock.instant()));
      }
    }
  }

  // ---- receiving (OkHttp's reader thread, one frame at a time) ----

  private void receivedText(String text) {
    Instant at = clock.instant();
    synchronized (lock) {
      if (state != State.OPEN) {
        return;
      }
      record(new Received(text, at));
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      problem("malformed JSON (" + e.getOriginalMessage() + ")", text, at);
      return;
    }
    if (root == null || !root.isObject()) {
      problem("not a JSON object", text, at);
      return;
    }
    JsonNode event = root.get("event");
    if (event == null || !event.isTextual()) {
      problem("no \"event\" string", text, at);
      return;
    }
    String name = event.asText();
    if (!name.equals("media") && !name.equals("mark") && !name.equals("clear")) {
      problem(
          "unknown event \"" + name + "\"; Twilio accepts only media, mark and clear", text, at);
      return;
    }
    JsonNode sid = root.get("streamSid");
    if (sid == null || !sid.isTextual()) {
      problem(name + " without a \"streamSid\" string", text, at);
      return;
    }
    if (!sid.asText().equals(streamSid)) {
      problem(
          name + " for streamSid \"" + sid.asText() + "\", not this stream's " + streamSid,
          text,
          at);
      return;
    }
    switch (name) {
      case "media" -> receivedMedia(root, text, at);
      case "mark" -> receivedMark(root, text, at);
      default -> receivedClear(at);
    }
  }

  private void receivedBinary(ByteString bytes) {
    Instant at = clock.instant();
    synchronized (lock) {
      if (state != State.OPEN) {
        return;
      }
      record(new ReceivedBinary(bytes.asByteBuffer(), at));
      record(
          new ProtocolError(
              "binary frame of "
                  + bytes.size()
                  + " bytes; Twilio accepts only text JSON (warning 31950)",
              at));
    }
  }

  private void receivedMedia(JsonNode root, String text, Instant at) {
    JsonNode payload = root.path("media").path("payload");
    if (!payload.isTextual()) {
      problem("media without a \"media.payload\" string", text, at);
      return;
    }
    byte[] audio;
    try {
      audio = Base64.getDecoder().decode(payload.asText());
    } catch (IllegalArgumentException e) {
      problem("media.payload is not valid base64 (" + e.getMessage() + ")", text, at);
      return;
    }
    if (audio.length == 0) {
      return;
    }
    synchronized (sendLock) {
      List<String> due;
      synchronized (lock) {
        if (state != State.OPEN) {
          return;
        }
        long now = System.nanoTime();
        due = advance(now);
        if (playback.isEmpty()) {
          headStart = now;
        }
        playback.add(new QueuedAudio(audio));
        scheduleTick();
        lock.notifyAll();
      }
      echo(due, false);
    }
  }

  private void receivedMark(JsonNode root, String text, Instant at) {
    JsonNode name = root.path("mark").path("name");
    if (!name.isTextual()) {
      problem("mark without a \"mark.name\" string", text, at);
      return;
    }
    synchronized (sendLock) {
      List<String> due;
      synchronized (lock) {
        if (state != State.OPEN) {
          return;
        }
        long now = System.nanoTime();
        due = advance(now);
        playback.add(new QueuedMark(name.asText()));
        due.addAll(advance(now)); // echoed at once when nothing is buffered
        scheduleTick();
      }
      echo(due, false);
    }
  }

  private void receivedClear(Instant at) {
    synchronized (sendLock) {
      List<String> played;
      List<String> cleared = new ArrayList<>();
      synchronized (lock) {
        if (state != State.OPEN) {
          return;
        }
        long now = System.nanoTime();
        played = advance(now);
        int dropped = 0;
        boolean head = true;
        for (Queued queued : playback) {
          if (queued instanceof QueuedAudio audio) {
            int playedBytes = head ? playedOfHead(audio, now) : 0;
            heard.write(audio.ulaw(), 0, playedBytes);
            dropped += audio.ulaw().length - playedBytes;
            head = false;
          } else if (queued instanceof QueuedMark mark) {
            cleared.add(mark.name());
          }
        }
        playback.clear();
        cancelTick();
        clears++;
        record(new Cleared(dropped, cleared, at));
      }
      echo(played, false);
      echo(cleared, true);
    }
  }

  private void problem(String what, String text, Instant at) {
    String excerpt =
        text.length() <= EXCERPT_CHARS ? text : text.substring(0, EXCERPT_CHARS) + "...";
    synchronized (lock) {
      record(new ProtocolError(what + ": " + excerpt, at));
    }
  }

  // ---- playback (callers hold lock) ----

  /** Plays what has finished by {@code now}: moves it to {@code heard}, returns marks now due. */
  private List<String> advance(long now) {
    List<String> due = new ArrayList<>();
    while (!playback.isEmpty()) {
      Queued head = playback.peekFirst();
      if (head instanceof QueuedMark mark) {
        playback.pollFirst();
        due.add(mark.name());
        continue;
      }
      byte[] ulaw = ((QueuedAudio) head).ulaw();
      long end = headStart + ulaw.length * NANOS_PER_BYTE;
      if (end - now > 0) {
        break;
      }
      heard.write(ulaw, 0, ulaw.length);
      playback.pollFirst();
      headStart = end; // the next chunk starts where this one ended
    }
    return due;
  }

  private int playedOfHead(QueuedAudio head, long now) {
    long played = Math.max(0, (now - headStart) / NANOS_PER_BYTE);
    return (int) Math.min(head.ulaw().length, played);
  }

  private long heardCount(long now) {
    long count = heard.size();
    long start = headStart;
    for (Queued queued : playback) {
      if (queued instanceof QueuedAudio audio) {
        long end = start + audio.ulaw().length * NANOS_PER_BYTE;
        if (end - now > 0) {
          return count + Math.max(0, (now - start) / NANOS_PER_BYTE);
        }
        count += audio.ulaw().length;
        start = end;
      }
    }
    return count;
  }

  private byte[] heardLocked(long now) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(heard.toByteArray());
    long start = headStart;
    for (Queued queued : playback) {
      if (queued instanceof QueuedAudio audio) {
        byte[] ulaw = audio.ulaw();
        long end = start + ulaw.length * NANOS_PER_BYTE;
        if (end - now > 0) {
          out.write(
              ulaw, 0, (int) Math.min(ulaw.length, Math.max(0, (now - start) / NANOS_PER_BYTE)));
          break;
        }
        out.write(ulaw, 0, ulaw.length);
        start = end;
      }
    }
    return out.toByteArray();
  }

  /** Returns when buffered audio will have reached {@code target} heard bytes, or 0 if it won't. */
  private long nanosUntilHeard(long now, long target) {
    long count = heard.size();
    long start = headStart;
    for (Queued queued : playback) {
      if (queued instanceof QueuedAudio audio) {
        int length = audio.ulaw().length;
        if (count + length >= target) {
          return Math.max(1, start + (target - count) * NANOS_PER_BYTE - now);
        }
        count += length;
        start += length * NANOS_PER_BYTE;
      }
    }
    return 0;
  }

  /** Arranges a tick for when the audio before the first pending mark will have played. */
  private void scheduleTick() {
    long due = headStart;
    boolean markPending = false;
    for (Queued queued : playback) {
      if (queued instanceof QueuedMark) {
        markPending = true;
        break;
      }
      due += ((QueuedAudio) queued).ulaw().length * NANOS_PER_BYTE;
    }
    if (!markPending || scheduler == null) {
      cancelTick();
      return;
    }
    if (tick != null && tickAt == due) {
      return;
    }
    cancelTick();
    tickAt = due;
    // schedule() only enqueues; it never runs the task on this thread.
    tick =
        scheduler.schedule(
            this::onTick, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void cancelTick() {
    if (tick != null) {
      tick.cancel(false);
      tick = null;
    }
  }

  private void onTick() {
    synchronized (sendLock) {
      List<String> due;
      synchronized (lock) {
        if (state != State.OPEN) {
          return;
        }
        tick = null;
        due = advance(System.nanoTime());
        scheduleTick();
      }
      echo(due, false);
    }
  }

  // ---- lifecycle ----

  /** Ends the call from this side (callers hold sendLock). */
  private void endLocally(int code, String reason, boolean abrupt) {
    WebSocket ws;
    ScheduledExecutorService executor;
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      boolean wasOpen = state == State.OPEN;
      finish();
      if (wasOpen) {
        record(new ClosedBySimulator(code, reason, clock.instant()));
      }
      ws = webSocket;
      executor = scheduler;
    }
    if (ws != null) {
      if (abrupt) {
        ws.cancel();
      } else {
        ws.close(code, reason);
      }
    }
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  /** Ends the call because the endpoint closed it or the connection failed. */
  private void endRemotely(int code, String reason) {
    ScheduledExecutorService executor;
    synchronized (lock) {
      if (state != State.OPEN) {
        return;
      }
      finish();
      record(new Closed(code, reason, clock.instant()));
      executor = scheduler;
    }
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  /** Freezes playback at this moment: the played part counts as heard, the rest never plays. */
  private void finish() {
    long now = System.nanoTime();
    if (state == State.OPEN) {
      advance(now);
      Queued head = playback.peekFirst();
      if (head instanceof QueuedAudio audio) {
        heard.write(audio.ulaw(), 0, playedOfHead(audio, now));
      }
    }
    playback.clear();
    cancelTick();
    if (pacer != null) {
      pacer.cancel(false);
    }
    state = State.CLOSED;
    lock.notifyAll();
  }

  private void record(Event event) {
    events.add(event);
    lock.notifyAll();
  }

  private void waitOn(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(lock, nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }

  /** A short description of the call for failure messages (not every media frame). */
  private String summary() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Event event : events) {
      counts.merge(event.getClass().getSimpleName(), 1, Integer::sum);
    }
    List<String> notable = new ArrayList<>();
    for (Event event : events) {
      if (!(event instanceof Sent) && !(event instanceof Received)) {
        notable.add(event.toString());
      }
    }
    return "state "
        + state
        + ", heard "
        + heardCount(System.nanoTime()) / 8
        + " ms, events "
        + counts
        + ", notable "
        + (notable.size() <= 20 ? notable : notable.subList(notable.size() - 20, notable.size()));
  }

  private ScheduledExecutorService newScheduler() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread thread = new Thread(r, "twilio-call-simulator-" + callSid);
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return executor;
  }

  private static ByteBuffer readOnlyCopy(ByteBuffer bytes) {
    ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
    copy.put(bytes.duplicate()).flip();
    return copy.asReadOnlyBuffer();
  }

  /** OkHttp's callbacks; all on one reader thread per connection, in order. */
  private final class Listener extends WebSocketListener {
    private final CompletableFuture<Void> opened;

    Listener(CompletableFuture<Void> opened) {
      this.opened = opened;
    }

    @Override
    public void onOpen(WebSocket ws, Response response) {
      // Runs before OkHttp reads the first frame, so connected and start precede any echo.
      synchronized (sendLock) {
        synchronized (lock) {
          if (state != State.CONNECTING) {
            ws.cancel();
            opened.completeExceptionally(
                new IllegalStateException("the simulator was closed while connecting"));
            return;
          }
          state = State.OPEN;
          webSocket = ws;
        }
        cursor = callerAudio.cursor();
        sendStart();
      }
      synchronized (lock) {
        if (state == State.OPEN && !pacing.isManual() && scheduler != null) {
          pacer =
              scheduler.scheduleAtFixedRate(
                  TwilioCallSimulator.this::pace,
                  0,
                  pacing.framePeriod().toNanos(),
                  TimeUnit.NANOSECONDS);
        }
      }
      opened.complete(null);
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
      receivedText(text);
    }

    @Override
    public void onMessage(WebSocket ws, ByteString bytes) {
      receivedBinary(bytes);
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
      endRemotely(code, reason);
      ws.close(1000, null); // completes the closing handshake; a no-op if we closed first
    }

    @Override
    public void onClosed(WebSocket ws, int code, String reason) {
      endRemotely(code, reason);
    }

    @Override
    public void onFailure(WebSocket ws, Throwable t, @Nullable Response response) {
      boolean connecting;
      ScheduledExecutorService executor = null;
      synchronized (lock) {
        connecting = state != State.OPEN && !opened.isDone();
        if (connecting) {
          finish();
          executor = scheduler;
        }
      }
      if (connecting) {
        if (executor != null) {
          executor.shutdownNow();
        }
        String message =
            response != null
                ? "the WebSocket handshake with "
                    + mediaUrl
                    + " failed: the endpoint answered HTTP "
                    + response.code()
                    + (response.message().isEmpty() ? "" : " " + response.message())
                    + " instead of 101 Switching Protocols (Twilio would report error 31920)"
                : "cannot connect to " + mediaUrl + ": " + t;
        opened.completeExceptionally(new IllegalStateException(message, t));
        return;
      }
      endRemotely(1006, "connection failed: " + t);
    }
  }

  /** The HTTP client every simulator derives its own from, sharing threads and connections. */
  private static final class Http {
    static final OkHttpClient CLIENT = create();

    private static OkHttpClient create() {
      AtomicInteger count = new AtomicInteger();
      // Daemon threads, so a forgotten simulator never keeps a test JVM alive; no limit per host,
      // since an open WebSocket holds its dispatcher slot for as long as it lives.
      ThreadPoolExecutor executor =
          new ThreadPoolExecutor(
              0,
              Integer.MAX_VALUE,
              60,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              r -> {
                Thread thread =
                    new Thread(r, "twilio-call-simulator-okhttp-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
              });
      Dispatcher dispatcher = new Dispatcher(executor);
      dispatcher.setMaxRequests(Integer.MAX_VALUE);
      dispatcher.setMaxRequestsPerHost(Integer.MAX_VALUE);
      // No idle connections: a connection whose upgrade was refused must never carry the next
      // handshake (a server may answer it with 101 and then drop its frames).
      ConnectionPool pool = new ConnectionPool(0, 1, TimeUnit.SECONDS);
      return new OkHttpClient.Builder()
          .dispatcher(dispatcher)
          .connectionPool(pool)
          .socketFactory(new dev.switchboard.core.internal.NoDelaySocketFactory())
          .build();
    }
  }

  /**
   * Configures a {@link TwilioCallSimulator}. Not thread-safe; {@link #build()} may be called more
   * than once, each simulator getting new random SIDs unless they were set.
   */
  public static final class Builder {
    private final URI mediaUrl;
    private String accountSid = DEFAULT_ACCOUNT_SID;
    private @Nullable String callSid;
    private @Nullable String streamSid;
    private final Map<String, String> customParameters = new LinkedHashMap<>();
    private final List<String[]> headers = new ArrayList<>();
    private @Nullable String authToken;
    private CallerAudio callerAudio = CallerAudio.silence();
    private Pacing pacing = Pacing.REALTIME;
    private Clock clock = Clock.systemUTC();
    private Duration connectTimeout = Duration.ofSeconds(10);

    private Builder(URI mediaUrl) {
      this.mediaUrl = Objects.requireNonNull(mediaUrl, "mediaUrl");
    }

    /**
     * Sets the account SID sent in {@code start} and {@code stop}.
     *
     * @param accountSid e.g. {@code AC...}; default {@link TwilioCallSimulator#DEFAULT_ACCOUNT_SID}
     * @return this builder
     */
    public Builder accountSid(String accountSid) {
      this.accountSid = Objects.requireNonNull(accountSid, "accountSid");
      return this;
    }

    /**
     * Sets the call SID sent in {@code start} and {@code stop}.
     *
     * @param callSid e.g. {@code CA...}; default a random {@code "CA"} + 32 lowercase hex digits
     * @return this builder
     */
    public Builder callSid(String callSid) {
      this.callSid = Objects.requireNonNull(callSid, "callSid");
      return this;
    }

    /**
     * Sets the stream SID sent in every message.
     *
     * @param streamSid e.g. {@code MZ...}; default a random {@code "MZ"} + 32 lowercase hex digits
     * @return this builder
     */
    public Builder streamSid(String streamSid) {
      this.streamSid = Objects.requireNonNull(streamSid, "streamSid");
      return this;
    }

    /**
     * Adds a parameter to {@code start.customParameters}, as a {@code <Parameter>} of {@code
     * <Stream>} would. Repeatable; a second value for a name replaces the first.
     *
     * @param name the name
     * @param value the value
     * @return this builder
     */
    public Builder customParameter(String name, String value) {
      customParameters.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Adds a header to the WebSocket upgrade request. Repeatable.
     *
     * @param name the header name
     * @param value its value
     * @return this builder
     */
    public Builder header(String name, String value) {
      headers.add(
          new String[] {
            Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value")
          });
      return this;
    }

    /**
     * Signs the upgrade request as Twilio does: adds {@code X-Twilio-Signature} = base64 of
     * HMAC-SHA1, keyed with the auth token, over the media URL exactly as given to {@link
     * TwilioCallSimulator#builder(URI)} (no parameters appended).
     *
     * @param authToken the account's auth token
     * @return this builder
     */
    public Builder signHandshake(String authToken) {
      this.authToken = Objects.requireNonNull(authToken, "authToken");
      return this;
    }

    /**
     * Sets what the caller says.
     *
     * @param callerAudio the audio; default {@link CallerAudio#silence()}
     * @return this builder
     */
    public Builder callerAudio(CallerAudio callerAudio) {
      this.callerAudio = Objects.requireNonNull(callerAudio, "callerAudio");
      return this;
    }

    /**
     * Sets how fast the caller's audio is sent.
     *
     * @param pacing the pacing; default {@link Pacing#REALTIME}
     * @return this builder
     */
    public Builder pacing(Pacing pacing) {
      this.pacing = Objects.requireNonNull(pacing, "pacing");
      return this;
    }

    /**
     * Sets the clock that timestamps events. Playback and pacing always run on real time.
     *
     * @param clock the clock; default {@link Clock#systemUTC()}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how long {@link TwilioCallSimulator#connect()} waits for the handshake.
     *
     * @param timeout a positive duration; default 10 seconds
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "connectTimeout");
      return this;
    }

    /**
     * Builds the simulator, not yet connected.
     *
     * @return a new simulator
     * @throws IllegalArgumentException naming the setting that is missing or bad
     */
    public TwilioCallSimulator build() {
      String scheme =
          mediaUrl.getScheme() == null ? "" : mediaUrl.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("ws") && !scheme.equals("wss") || mediaUrl.getHost() == null) {
        throw new IllegalArgumentException(
            "mediaUrl must be an absolute ws:// or wss:// URL with a host, got " + mediaUrl);
      }
      requireNotBlank("accountSid", accountSid);
      String call = callSid != null ? callSid : randomSid("CA");
      String stream = streamSid != null ? streamSid : randomSid("MZ");
      requireNotBlank("callSid", call);
      requireNotBlank("streamSid", stream);
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new IllegalArgumentException(
            "connectTimeout must be positive, got " + connectTimeout);
      }
      Headers.Builder upgradeHeaders = new Headers.Builder();
      for (String[] header : headers) {
        try {
          upgradeHeaders.add(header[0], header[1]);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("header \"" + header[0] + "\": " + e.getMessage(), e);
        }
      }
      if (authToken != null) {
        if (upgradeHeaders.get(SIGNATURE_HEADER) != null) {
          throw new IllegalArgumentException(
              "signHandshake and header(\""
                  + SIGNATURE_HEADER
                  + "\", ...) both set the signature;"
                  + " use one");
        }
        upgradeHeaders.add(
            SIGNATURE_HEADER,
            TwilioSignatures.signSingle(authToken, mediaUrl.toString(), Map.of()));
      }
      return new TwilioCallSimulator(this, call, stream, upgradeHeaders.build());
    }

    private static void requireNotBlank(String setting, String value) {
      if (value.isBlank()) {
        throw new IllegalArgumentException(setting + " must not be blank");
      }
    }

    private static String randomSid(String prefix) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      return prefix
          + String.format(Locale.ROOT, "%016x%016x", random.nextLong(), random.nextLong());
    }
  }
}
