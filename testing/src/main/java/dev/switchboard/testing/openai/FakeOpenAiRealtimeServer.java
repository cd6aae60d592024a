package dev.switchboard.testing.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * A fake of the OpenAI Realtime API (GA interface) over a real WebSocket, so an agent runtime or a
 * voice bridge can be tested end to end without the internet: it checks the API key, answers {@code
 * session.update}, detects speech in the appended input audio, streams scripted replies as
 * synthesized speech-like audio (or text, or function calls) at a configurable pace, cancels them
 * on barge-in, validates truncations, and records everything per connection.
 *
 * <pre>{@code
 * try (FakeOpenAiRealtimeServer fake = FakeOpenAiRealtimeServer.builder()
 *     .apiKey("sk-test")
 *     .reply(Reply.audio("Sure, a table for two at eight.", Duration.ofSeconds(3)))
 *     .reply(Reply.functionCall("book_table", "{\"people\":2}"))
 *     .userTranscript("I'd like a table for two")
 *     .pace(20)
 *     .build()) {
 *   fake.start();
 *   // point the runtime at fake.baseUrl() (http://127.0.0.1:PORT/v1) with API key "sk-test";
 *   // it connects to ws://127.0.0.1:PORT/v1/realtime?model=...
 *   SessionRecord session = fake.awaitSession(Duration.ofSeconds(5));
 *   session.awaitServerEvent("response.done", e -> true, Duration.ofSeconds(5));
 *   assertThat(session.truncates()).isEmpty();
 * }
 * }</pre>
 *
 * <p><b>Connecting.</b> {@code GET /v1/realtime} with {@code Upgrade: websocket} and {@code
 * Authorization: Bearer <key>} (or the browser-style subprotocol {@code
 * openai-insecure-api-key.<key>}, answered with subprotocol {@code realtime}). A missing or wrong
 * key is refused with HTTP 401 and OpenAI's error JSON ({@code invalid_api_key} for a wrong one);
 * another path with 404; a plain request without the upgrade with 400. Refusals are recorded
 * ({@link #refusals()}). The {@code model} query parameter is recorded and reported as the
 * session's model ({@value #DEFAULT_MODEL} if absent). A connection with {@code OpenAI-Beta:
 * realtime=v1} gets an {@code error} with code {@code beta_api_shape_disabled} and a close with
 * code 4000, as the retired beta interface reportedly does now (UNCERTAIN: the exact error event
 * and reason).
 *
 * <p><b>Session.</b> On connect: {@code session.created} with a {@code sess_…} id and the GA
 * defaults (input and output {@code audio/pcm} at 24 kHz, {@code output_modalities ["audio"]},
 * {@code server_vad} with {@code silence_duration_ms} 500 and {@code create_response}/{@code
 * interrupt_response} true — the last two UNCERTAIN defaults of the service). {@code
 * session.update} requires {@code session.type} = {@code "realtime"}; only present fields change
 * ({@code turn_detection: null} turns VAD off: manual turns), unknown fields are rejected with
 * {@code unknown_parameter} (so beta-shaped updates fail as they do on GA), and a rejected update
 * changes nothing; an accepted one is answered with {@code session.updated} carrying the whole
 * effective configuration. Formats: {@code audio/pcmu}, {@code audio/pcma}, {@code audio/pcm} (rate
 * 24000 only).
 *
 * <p><b>Turns.</b> Each {@code input_audio_buffer.append} is decoded (an {@code error} for invalid
 * base64 or an odd byte count in {@code audio/pcm}) and run through an energy detector: RMS of the
 * linear samples over 20 ms frames against {@link Builder#vadThreshold}. Speech starts after 60 ms
 * above it ({@code input_audio_buffer.speech_started} with {@code audio_start_ms} = the first loud
 * frame) and stops after {@code silence_duration_ms} below it ({@code speech_stopped} with {@code
 * audio_end_ms} = the end of the last loud frame), both on the input stream's clock (bytes
 * received, 20 ms granularity). Note that the service's values reportedly also include {@code
 * prefix_padding_ms} and the silence; this fake reports the detected speech itself. Speech stopped
 * is followed by {@code input_audio_buffer.committed}, {@code conversation.item.added} and {@code
 * .done} for the user item, and, if {@code audio.input.transcription} is set, a transcription
 * {@code delta} and {@code completed} carrying the next {@link Builder#userTranscript scripted
 * transcript} (one is consumed per user turn whether or not transcription is on; {@code ""} when
 * they run out); then, if {@code create_response}, a response (deferred until the current one ends
 * if one is in progress). Speech starting during a response with {@code interrupt_response} cancels
 * it: {@code response.output_audio.done} … {@code response.done} with status {@code cancelled},
 * {@code status_details.reason} {@code turn_detected}, and no more of its deltas. With manual turns
 * {@code input_audio_buffer.commit} commits (error {@code input_audio_buffer_commit_empty} under
 * 100 ms).
 *
 * <p><b>Responses.</b> Each response uses the next {@link Builder#reply scripted reply} (then the
 * {@link Builder#fallbackReply fallback}): {@code response.created}, {@code
 * response.output_item.added}, {@code conversation.item.added}, {@code
 * response.content_part.added}, then one {@code response.output_audio.delta} per {@link
 * Builder#deltaDuration} of audio (base64, in the session's output format; the audio is a
 * synthesized 200 Hz harmonic tone with syllable-like swells, exactly the reply's duration) every
 * {@code deltaDuration / pace} of wall time, interleaved with {@code
 * response.output_audio_transcript.delta} words, and finally {@code response.output_audio.done},
 * {@code response.output_audio_transcript.done}, {@code response.content_part.done}, {@code
 * response.output_item.done}, {@code conversation.item.done}, {@code response.done} (status {@code
 * completed}, output, usage with made-up token counts). Text responses stream {@code
 * response.output_text.delta} words instead; function calls send a {@code function_call} item with
 * a {@code call_…} id, {@code response.function_call_arguments.delta}s and {@code .done}. {@code
 * response.create} while a response is active answers {@code error} code {@code
 * conversation_already_has_active_response} (UNCERTAIN code); {@code response.cancel} without an
 * active response answers {@code response_cancel_not_active}. {@code conversation.item.truncate} is
 * answered with {@code conversation.item.truncated}, or an {@code error} if {@code audio_end_ms}
 * exceeds the audio already sent for the item ("Audio content of Xms is already shorter than Yms",
 * as the service words it) or the item is not assistant audio. Unknown event types, malformed JSON
 * and binary frames get an {@code error} event; the connection stays open.
 *
 * <p><b>Threading and lifecycle.</b> Thread-safe. {@link #start()} once; {@link #close()} is
 * idempotent, closes open sessions (code 1001), the listening socket and every thread the fake
 * started (MockWebServer's and one scheduler thread that runs all protocol logic and pacing).
 * Records stay readable after {@code close()}.
 */
public final class FakeOpenAiRealtimeServer implements AutoCloseable {
  /** The API key clients must present unless {@link Builder#apiKey} sets another. */
  public static final String DEFAULT_API_KEY = "sk-test";

  /** The model a session reports when the connection URL names none. */
  public static final String DEFAULT_MODEL = "gpt-realtime";

  /** The path clients connect to. */
  public static final String REALTIME_PATH = "/v1/realtime";

  private static final String KEYS_URL = "https://platform.openai.com/account/api-keys";

  /**
   * A request the fake refused to upgrade.
   *
   * @param status the HTTP status sent (401, 404 or 400)
   * @param target the request target (path and query)
   * @param message the error message sent
   * @param at when it arrived
   */
  public record Refusal(int status, String target, String message, Instant at) {
    /** Checks the components. */
    public Refusal {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(at, "at");
    }
  }

  private final String apiKey;
  private final Clock clock;
  private final double pace;
  private final Duration deltaDuration;
  private final double vadThreshold;
  private final Reply fallbackReply;

  private final Object lock = new Object();
  private final java.util.Queue<Thread> schedulerThreads =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  // Guarded by lock; notified when a session opens.
  private final ArrayDeque<Reply> replies;
  private final ArrayDeque<String> transcripts;
  private final List<RealtimeSession> sessions = new ArrayList<>();
  private final List<Refusal> refusals = new ArrayList<>();
  private int handedOut;
  private final dev.switchboard.testing.internal.TrackingServerSocketFactory sockets =
      new dev.switchboard.testing.internal.TrackingServerSocketFactory();
  private @Nullable MockWebServer server;
  private @Nullable ScheduledThreadPoolExecutor scheduler;
  private boolean closed;

  private FakeOpenAiRealtimeServer(Builder builder) {
    this.apiKey = builder.apiKey;
    this.clock = builder.clock;
    this.pace = builder.pace;
    this.deltaDuration = builder.deltaDuration;
    this.vadThreshold = builder.vadThreshold;
    this.fallbackReply = builder.fallbackReply;
    this.replies = new ArrayDeque<>(builder.replies);
    this.transcripts = new ArrayDeque<>(builder.transcripts);
  }

  /**
   * Returns a builder with the defaults: key {@value #DEFAULT_API_KEY}, no scripted replies, pace
   * 4, 100 ms deltas, VAD threshold 500.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts listening on {@code 127.0.0.1} at an ephemeral port.
   *
   * @throws IllegalStateException if already started or closed
   * @throws UncheckedIOException if the port cannot be opened
   */
  public void start() {
    synchronized (lock) {
      if (server != null || closed) {
        throw new IllegalStateException(
            "a FakeOpenAiRealtimeServer starts once; it is " + (closed ? "closed" : "started"));
      }
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread thread = new Thread(r, "fake-openai-realtime");
                thread.setDaemon(true);
                schedulerThreads.add(thread);
                return thread;
              });
      executor.setRemoveOnCancelPolicy(true);
      executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
      MockWebServer mock = new MockWebServer();
      mock.setDispatcher(new Handler());
      mock.setServerSocketFactory(sockets);
      try {
        mock.start(InetAddress.getByName("127.0.0.1"), 0);
      } catch (IOException e) {
        executor.shutdownNow();
        throw new UncheckedIOException("FakeOpenAiRealtimeServer could not listen on 127.0.0.1", e);
      }
      scheduler = executor;
      server = mock;
    }
  }

  /**
   * Returns the API base URL to give a client, e.g. {@code http://127.0.0.1:54321/v1}; clients
   * connect to {@code ws://127.0.0.1:54321/v1/realtime?model=...}.
   *
   * @return the base URL, without a trailing slash
   * @throws IllegalStateException before {@link #start()}
   */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + port() + "/v1");
  }

  /**
   * Returns the WebSocket URL for a model, {@code ws://127.0.0.1:PORT/v1/realtime?model=...}.
   *
   * @param model e.g. {@code gpt-realtime}
   * @return the URL
   * @throws IllegalStateException before {@link #start()}
   */
  public URI realtimeUrl(String model) {
    Objects.requireNonNull(model, "model");
    return URI.create(
        "ws://127.0.0.1:"
            + port()
            + REALTIME_PATH
            + "?model="
            + URLEncoder.encode(model, StandardCharsets.UTF_8));
  }

  /**
   * Returns the API key clients must present.
   *
   * @return the key
   */
  public String apiKey() {
    return apiKey;
  }

  /**
   * Returns every session (accepted WebSocket connection) so far, in the order they opened.
   *
   * @return a snapshot
   */
  public List<SessionRecord> sessions() {
    synchronized (lock) {
      return sessions.stream().map(s -> s.record).toList();
    }
  }

  /**
   * Waits for the next session this method has not returned yet: the first call returns the first
   * session, the second call the second, and so on, each as soon as it has opened.
   *
   * @param timeout how long to wait
   * @return the session
   * @throws AssertionError if it does not open in time
   */
  public SessionRecord awaitSession(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (sessions.size() <= handedOut) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "session #"
                  + (handedOut + 1)
                  + " did not open within "
                  + timeout
                  + "; refused handshakes: "
                  + refusals);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for a session", e);
        }
      }
      return sessions.get(handedOut++).record;
    }
  }

  /**
   * Returns the handshakes the fake refused (wrong key, wrong path, no upgrade), in order.
   *
   * @return a snapshot
   */
  public List<Refusal> refusals() {
    synchronized (lock) {
      return List.copyOf(refusals);
    }
  }

  /**
   * Adds a reply at the end of the script, for responses not yet created.
   *
   * @param reply the reply
   */
  public void addReply(Reply reply) {
    Objects.requireNonNull(reply, "reply");
    synchronized (lock) {
      replies.add(reply);
    }
  }

  /**
   * Adds a user transcript at the end of the script, for user turns not yet detected.
   *
   * @param transcript the transcript
   */
  public void addUserTranscript(String transcript) {
    Objects.requireNonNull(transcript, "transcript");
    synchronized (lock) {
      transcripts.add(transcript);
    }
  }

  /**
   * Returns how many scripted replies are still unused.
   *
   * @return the count
   */
  public int remainingReplies() {
    synchronized (lock) {
      return replies.size();
    }
  }

  /**
   * Closes open sessions (close code 1001), stops listening and stops every thread the fake
   * started. Idempotent.
   */
  @Override
  public void close() {
    MockWebServer mock;
    ScheduledThreadPoolExecutor executor;
    List<RealtimeSession> open;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      mock = server;
      executor = scheduler;
      open = List.copyOf(sessions);
    }
    if (executor != null) {
      try {
        executor.submit(() -> open.forEach(RealtimeSession::shutdown)).get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // best effort: closing the server below drops whatever is left
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (mock != null) {
      mock.close();
    }
    if (executor != null) {
      executor.shutdownNow();
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
        // a terminated pool's worker can still be unwinding; close() promises the thread is gone
        for (Thread thread : schedulerThreads) {
          thread.join(TimeUnit.SECONDS.toMillis(5));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "FakeOpenAiRealtimeServer{"
          + (server == null ? "not started" : "port " + server.getPort())
          + (closed ? ", closed" : "")
          + ", "
          + sessions.size()
          + " sessions}";
    }
  }

  // ------------------------------------------------------------------ for the sessions

  Clock clock() {
    return clock;
  }

  double pace() {
    return pace;
  }

  Duration deltaDuration() {
    return deltaDuration;
  }

  double vadThreshold() {
    return vadThreshold;
  }

  Reply nextReply() {
    synchronized (lock) {
      Reply next = replies.poll();
      return next != null ? next : fallbackReply;
    }
  }

  String nextUserTranscript() {
    synchronized (lock) {
      String next = transcripts.poll();
      return next != null ? next : "";
    }
  }

  void opened(RealtimeSession session) {
    synchronized (lock) {
      sessions.add(session);
      lock.notifyAll();
    }
  }

  void execute(Runnable task) {
    ScheduledThreadPoolExecutor executor = executor();
    if (executor == null) {
      return;
    }
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      // closing: nothing more happens
    }
  }

  <T> Future<T> submit(Callable<T> task) {
    ScheduledThreadPoolExecutor executor = executor();
    if (executor == null) {
      throw new RejectedExecutionException("not started");
    }
    return executor.submit(task);
  }

  @Nullable ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
    ScheduledThreadPoolExecutor executor = executor();
    try {
      return executor == null ? null : executor.schedule(task, delay, unit);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  @Nullable ScheduledFuture<?> scheduleAtFixedRate(
      Runnable task, long delay, long period, TimeUnit unit) {
    ScheduledThreadPoolExecutor executor = executor();
    try {
      return executor == null ? null : executor.scheduleAtFixedRate(task, delay, period, unit);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  private @Nullable ScheduledThreadPoolExecutor executor() {
    synchronized (lock) {
      return scheduler;
    }
  }

  private int port() {
    synchronized (lock) {
      if (server == null) {
        throw new IllegalStateException("call start() first");
      }
      return server.getPort();
    }
  }

  private static String mask(String key) {
    if (key.length() <= 8) {
      return key.substring(0, Math.min(2, key.length()))
          + "*".repeat(Math.max(0, key.length() - 2));
    }
    return key.substring(0, 3) + "*".repeat(key.length() - 7) + key.substring(key.length() - 4);
  }

  /** Answers each upgrade request: refuses it, or hands the connection to a new session. */
  private final class Handler extends Dispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      HttpUrl url = request.getUrl();
      Headers headers = request.getHeaders();
      String target =
          url.encodedPath() + (url.encodedQuery() == null ? "" : "?" + url.encodedQuery());
      if (!url.encodedPath().equals(REALTIME_PATH)) {
        return refuse(
            404,
            target,
            "Invalid URL (" + request.getMethod() + " " + url.encodedPath() + ")",
            null);
      }
      String key = null;
      boolean subprotocol = false;
      String authorization = headers.get("Authorization");
      if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        key = authorization.substring(7).trim();
      }
      String protocols = headers.get("Sec-WebSocket-Protocol");
      if (protocols != null) {
        for (String protocol : protocols.split(",")) {
          String p = protocol.trim();
          if (p.startsWith("openai-insecure-api-key.")) {
            subprotocol = true;
            if (key == null) {
              key = p.substring("openai-insecure-api-key.".length());
            }
          }
        }
      }
      if (key == null || key.isEmpty()) {
        return refuse(
            401,
            target,
            "You didn't provide an API key. You need to provide your API key in an Authorization"
                + " header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain"
                + " an API key from "
                + KEYS_URL
                + ".",
            null);
      }
      if (!key.equals(apiKey)) {
        return refuse(
            401,
            target,
            "Incorrect API key provided: "
                + mask(key)
                + ". You can find your API key at "
                + KEYS_URL
                + ".",
            "invalid_api_key");
      }
      String upgrade = headers.get("Upgrade");
      if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
        return refuse(
            400,
            target,
            "The Realtime API requires a WebSocket upgrade (Upgrade: websocket).",
            null);
      }
      Map<String, List<String>> query = new LinkedHashMap<>();
      for (String name : url.queryParameterNames()) {
        query.put(
            name,
            List.copyOf(
                url.queryParameterValues(name).stream().map(v -> v == null ? "" : v).toList()));
      }
      String model = url.queryParameter("model");
      String beta = headers.get("OpenAI-Beta");
      RealtimeSession session =
          new RealtimeSession(
              FakeOpenAiRealtimeServer.this,
              model == null ? "" : model,
              Map.copyOf(query),
              headers.toMultimap(),
              beta != null && beta.toLowerCase(Locale.ROOT).contains("realtime"),
              sockets.accepted(request.getConnectionIndex()));
      MockResponse.Builder response = new MockResponse.Builder().webSocketUpgrade(session);
      if (subprotocol) {
        response.setHeader("Sec-WebSocket-Protocol", "realtime");
      }
      return response.build();
    }

    private MockResponse refuse(int status, String target, String message, @Nullable String code) {
      synchronized (lock) {
        refusals.add(new Refusal(status, target, message, clock.instant()));
      }
      ObjectNode body = RealtimeSession.JSON.createObjectNode();
      ObjectNode error = body.putObject("error");
      error.put("message", message).put("type", "invalid_request_error");
      error.putNull("param").put("code", code);
      String json;
      try {
        json = RealtimeSession.JSON.writeValueAsString(body);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      return new MockResponse.Builder()
          .code(status)
          .setHeader("Content-Type", "application/json")
          .body(json)
          .build();
    }
  }

  /**
   * Configures a {@link FakeOpenAiRealtimeServer}. Not thread-safe; each {@link #build()} makes an
   * independent server with its own copy of the script.
   */
  public static final class Builder {
    private String apiKey = DEFAULT_API_KEY;
    private final List<Reply> replies = new ArrayList<>();
    private final List<String> transcripts = new ArrayList<>();
    private Reply fallbackReply = Reply.audio("Okay.", Duration.ofMillis(600));
    private double pace = 4.0;
    private Duration deltaDuration = Duration.ofMillis(100);
    private double vadThreshold = 500;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Sets the API key clients must send as {@code Authorization: Bearer <key>}.
     *
     * @param apiKey not blank; default {@value FakeOpenAiRealtimeServer#DEFAULT_API_KEY}
     * @return this builder
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      return this;
    }

    /**
     * Appends a reply to the script: responses use the script in order, one reply each, across all
     * sessions of the server.
     *
     * @param reply the reply
     * @return this builder
     */
    public Builder reply(Reply reply) {
      replies.add(Objects.requireNonNull(reply, "reply"));
      return this;
    }

    /**
     * Sets the reply used once the script is exhausted.
     *
     * @param reply the reply; default {@code Reply.audio("Okay.", Duration.ofMillis(600))}
     * @return this builder
     */
    public Builder fallbackReply(Reply reply) {
      this.fallbackReply = Objects.requireNonNull(reply, "reply");
      return this;
    }

    /**
     * Appends a transcript of what the user says: each user turn (speech stopped, or a manual
     * commit) consumes the next one, reported in {@code
     * conversation.item.input_audio_transcription.completed} if transcription is configured.
     *
     * @param transcript the transcript
     * @return this builder
     */
    public Builder userTranscript(String transcript) {
      transcripts.add(Objects.requireNonNull(transcript, "transcript"));
      return this;
    }

    /**
     * Sets how many times faster than real time audio deltas stream.
     *
     * @param pace above 0 and at most 1000; default 4
     * @return this builder
     */
    public Builder pace(double pace) {
      this.pace = pace;
      return this;
    }

    /**
     * Sets how much audio each {@code response.output_audio.delta} carries (the last may be
     * shorter); text deltas and function-call steps use the same period.
     *
     * @param duration from 10 ms to 1 s; default 100 ms
     * @return this builder
     */
    public Builder deltaDuration(Duration duration) {
      this.deltaDuration = Objects.requireNonNull(duration, "duration");
      return this;
    }

    /**
     * Sets the energy threshold of the speech detector: the RMS of a 20 ms frame of decoded input,
     * in linear 16-bit units (0 to 32767), above which the frame counts as speech. μ-law silence
     * ({@code 0xFF}) is 0; quiet line noise is around 100; speech is usually above 1000.
     *
     * @param threshold from 0 to 32767; default 500
     * @return this builder
     */
    public Builder vadThreshold(double threshold) {
      this.vadThreshold = threshold;
      return this;
    }

    /**
     * Sets the clock that timestamps records ({@code expires_at} too). Pacing always runs on real
     * time.
     *
     * @param clock the clock; default {@link Clock#systemUTC()}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the server, not yet started.
     *
     * @return a new server
     * @throws IllegalArgumentException naming the setting that is bad
     */
    public FakeOpenAiRealtimeServer build() {
      if (apiKey.isBlank()) {
        throw new IllegalArgumentException("apiKey must not be blank");
      }
      if (!(pace > 0 && pace <= 1000)) {
        throw new IllegalArgumentException("pace must be above 0 and at most 1000, got " + pace);
      }
      if (deltaDuration.compareTo(Duration.ofMillis(10)) < 0
          || deltaDuration.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException(
            "deltaDuration must be from 10 ms to 1 s, got " + deltaDuration);
      }
      if (!(vadThreshold >= 0 && vadThreshold <= 32767)) {
        throw new IllegalArgumentException(
            "vadThreshold must be from 0 to 32767, got " + vadThreshold);
      }
      return new FakeOpenAiRealtimeServer(this);
    }
  }
}
