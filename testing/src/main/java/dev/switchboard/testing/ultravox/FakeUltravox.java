package dev.switchboard.testing.ultravox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.testing.Recorder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mockwebserver3.MockWebServer;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * A fake of Ultravox over real sockets, for tests: the REST API (agents, calls, messages, data
 * messages, webhooks) with Ultravox's JSON, the {@code serverWebSocket} medium (binary PCM16 both
 * ways plus JSON data messages) and the {@code twilio} medium (Twilio Media Streams spoken by the
 * fake as Ultravox does when Twilio streams to it), with a scriptable agent: speech detection on
 * received audio, scripted replies spoken as synthetic audio with transcripts, barge-in with {@code
 * playback_clear_buffer} (or Twilio {@code clear}), client tool invocations, hang-ups, and signed
 * webhooks.
 *
 * <pre>{@code
 * try (FakeUltravox fake = FakeUltravox.builder()
 *     .greeting(AgentReply.say("Hello, how can I help?", Duration.ofMillis(800)))
 *     .userTranscript("A table for two, please")
 *     .reply(AgentReply.say("Booked.", Duration.ofMillis(600)).afterToolCall("book", "{\"n\":2}"))
 *     .build()) {
 *   fake.start();
 *   // point the client at fake.baseUrl() (where https://api.ultravox.ai goes) with fake.apiKey()
 *   FakeUltravoxCall call = fake.awaitCall(Duration.ofSeconds(5));
 *   call.awaitJoined(Duration.ofSeconds(5));
 *   call.awaitReceived("client_tool_result", r -> true, Duration.ofSeconds(10));
 *   assertThat(call.systemPrompt()).contains("You are Ada, helping Bob.");
 * }
 * }</pre>
 *
 * <p><b>REST.</b> Every request under {@code /api} needs the header {@code X-API-Key} (name
 * case-insensitive) with {@link #apiKey()}; a missing or wrong key answers 403 {@code {"detail":
 * "..."}}. Errors follow Django REST framework's shapes, which Ultravox's API appears to use
 * (UNCERTAIN: the exact bodies are not documented): {@code {"detail": "Not found."}} for unknown
 * resources (also for ids that are not UUIDs), {@code {"field": ["message", ...]}} for validation
 * errors (400), {@code {"detail": "Method \"PUT\" not allowed."}} (405). Supported:
 *
 * <ul>
 *   <li>{@code POST/GET /api/agents}, {@code GET/PATCH/DELETE /api/agents/{agent_id}}, {@code
 *       POST/GET /api/agents/{agent_id}/calls}. {@code name} is required, at most 64 characters;
 *       {@code callTemplate} is optional and kept as sent (its own unknown fields included, so
 *       template fields this fake does not model round-trip), with {@code created}/{@code updated}
 *       added; unknown top-level agent fields are ignored, as Django REST framework does. PATCH
 *       replaces {@code name} and merges {@code callTemplate} field by field (a field given
 *       replaces the stored one whole, e.g. {@code medium}).
 *   <li>{@code POST/GET /api/calls}, {@code GET /api/calls/{call_id}}, {@code GET
 *       /api/calls/{call_id}/messages}, {@code POST /api/calls/{call_id}/send_data_message}.
 *   <li>{@code GET/POST /api/webhooks}, {@code GET/DELETE /api/webhooks/{webhook_id}}.
 * </ul>
 *
 * <p>Lists use cursor pagination: {@code cursor}, {@code pageSize} (default {@value
 * #DEFAULT_PAGE_SIZE}; above {@value #MAX_PAGE_SIZE} it is capped, and a value that is not a
 * positive integer falls back to the default, as Django REST framework's cursor pagination does —
 * UNCERTAIN: Ultravox's own limits are not documented), {@code search} on agents (name contains,
 * case-insensitive); the answer is {@code {"results": [...], "next": url|null, "previous":
 * url|null, "total": n}} where {@code next}/{@code previous} are full URLs carrying an opaque
 * {@code cursor}. Agents, calls and webhooks list newest first; messages list in conversation
 * order. An invalid cursor answers 404 {@code {"detail": "Invalid cursor"}}.
 *
 * <p><b>Calls.</b> A call from an agent takes the agent's {@code callTemplate} and overrides it
 * with the request's fields; its {@code systemPrompt} is rendered with {@code templateContext}
 * (mustache {@code {{name}}} and {@code {{a.b}}}; a variable the context lacks is a 400 naming it —
 * UNCERTAIN, Ultravox validates the context against a schema generated from the variables used).
 * Metadata keys starting with {@code ultravox.} and values that are not strings answer 400. {@code
 * medium} holds at most one key; {@code serverWebSocket} needs {@code inputSampleRate} and both
 * rates must be among the {@link Builder#acceptedSampleRates accepted rates} (else a 400 naming the
 * field); no medium means {@code webRtc}. The call answered (201) has Ultravox's Call fields with
 * {@code joined}, {@code ended} and {@code endReason} null, {@code maxDuration} {@code "3600s"} and
 * {@code joinTimeout} {@code "30s"} unless given, and a {@code joinUrl}:
 *
 * <ul>
 *   <li>{@code serverWebSocket}: {@code ws://127.0.0.1:PORT/calls/{callId}/server_web_socket};
 *   <li>{@code twilio}: {@code ws://127.0.0.1:PORT/calls/{callId}/twilio?token=...&v=1} — a query
 *       string with {@code &} on purpose, so that code embedding it in TwiML must XML-escape it
 *       (UNCERTAIN: the real path);
 *   <li>{@code webRtc} and the other media: {@code ws://127.0.0.1:PORT/calls/{callId}/web_rtc},
 *       which this fake refuses to serve (HTTP 501): it does not implement WebRTC.
 * </ul>
 *
 * <p>A join URL can be joined once; joining an unknown, ended or already joined call is refused
 * (404 or 409). A call not joined within its {@code joinTimeout} ends with {@code unjoined}; a
 * joined call ends after {@code maxDuration} with {@code timeout}; otherwise it ends when its
 * socket closes: {@code hangup} if the client closed it (or sent a {@code hang_up} data message or
 * Twilio {@code stop}), {@code agent_hangup} if the agent hung up (a scripted {@link
 * AgentReply#thenHangUp()}, a tool result with {@code responseType} {@code hang-up}, or {@code
 * hang_up} sent over REST), {@code connection_error} if the connection broke. What happens on the
 * live call is in {@link FakeUltravoxCall}.
 *
 * <p><b>Webhooks.</b> When a call is created, joined, ends, and (if it was joined) is billed, the
 * fake POSTs {@code {"event": "call.started|call.joined|call.ended|call.billed", "call": {...}}} to
 * every registered webhook whose {@code events} include it (and whose {@code agentId}, if set, is
 * the call's), with {@code X-Ultravox-Webhook-Timestamp} (ISO-8601 UTC with microseconds and {@code
 * +00:00}; UNCERTAIN: the exact format) and {@code X-Ultravox-Webhook-Signature}: the lowercase hex
 * HMAC-SHA256, keyed with each of the webhook's secrets, of the body bytes followed by the
 * timestamp bytes, comma-separated. Deliveries run in order on one thread of the fake and are
 * recorded with the status answered ({@link #deliveries()}); a failed one is not retried (Ultravox
 * retries after about 30 s), but a test can {@link #redeliver} any delivery (duplicates happen) or
 * {@link #forge} one (a wrong signature).
 *
 * <p><b>Faults.</b> {@link #failNext(String, String, Fault)} makes the next matching request fail
 * (a status with optional {@code Retry-After}, no answer, or a dropped connection after acting).
 * Every request is recorded ({@link #requests()}), the API key header excepted.
 *
 * <p><b>Threading and lifecycle.</b> Thread-safe. {@link #start()} once; {@link #close()} is
 * idempotent: it ends live calls (close code 1001), stops listening, and stops and joins every
 * thread the fake started (one {@code fake-ultravox} thread runs all call logic and pacing, one
 * {@code fake-ultravox-webhooks} thread sends webhooks) before it returns. Records stay readable
 * after {@code close()}. Secrets (the API key, webhook secrets) never appear in {@code toString},
 * logs or error messages.
 */
public final class FakeUltravox implements AutoCloseable {
  /** The API key unless {@link Builder#apiKey} sets another: 8 characters, a dot, 32 characters. */
  public static final String DEFAULT_API_KEY = "fAkEuLtR.0123456789abcdefFAKEKEY012345678";

  /** The sample rates the {@code serverWebSocket} medium accepts unless told otherwise. */
  public static final List<Integer> DEFAULT_SAMPLE_RATES =
      List.of(8000, 16000, 24000, 44100, 48000);

  /** What the user is transcribed as saying once the scripted transcripts run out. */
  public static final String DEFAULT_USER_TRANSCRIPT = "(the caller speaks)";

  /** Results per page when a list request names no {@code pageSize}. */
  public static final int DEFAULT_PAGE_SIZE = 100;

  /** The largest page; bigger {@code pageSize} values are capped. */
  public static final int MAX_PAGE_SIZE = 1000;

  /** The webhook events this fake sends. */
  public static final Set<String> EVENTS =
      Set.of("call.started", "call.joined", "call.ended", "call.billed");

  static final ObjectMapper JSON = new ObjectMapper();

  /** ISO-8601 as Python's {@code datetime.isoformat()} writes UTC: microseconds and +00:00. */
  static final DateTimeFormatter WEBHOOK_TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(10);
  private static final MediaType JSON_TYPE = MediaType.get("application/json");

  final String apiKey;
  final Clock clock;
  final Set<Integer> sampleRates;
  final double vadThreshold;
  final AgentReply greeting;
  private final AgentReply fallbackReply;
  private final Duration webhookTimeout;

  /** Guards everything below that is not thread-safe by itself; notified on new calls. */
  final Object lock = new Object();

  final Map<String, StoredAgent> agents = new LinkedHashMap<>();
  final Map<String, FakeUltravoxCall> calls = new LinkedHashMap<>();
  final Map<String, StoredWebhook> webhooks = new LinkedHashMap<>();
  private long sequence;
  private int callsHandedOut;
  private final ArrayDeque<AgentReply> replies;
  private final ArrayDeque<String> transcripts;
  private final ArrayDeque<PendingFault> faults = new ArrayDeque<>();
  private final Recorder<RecordedRequest> requests = new Recorder<>();
  private final Recorder<WebhookDelivery> deliveries = new Recorder<>();
  final dev.switchboard.testing.internal.TrackingServerSocketFactory sockets =
      new dev.switchboard.testing.internal.TrackingServerSocketFactory();
  private final ConcurrentLinkedQueue<Thread> threads = new ConcurrentLinkedQueue<>();
  private @Nullable MockWebServer server;
  private @Nullable ScheduledThreadPoolExecutor scheduler;
  private @Nullable ThreadPoolExecutor webhookExecutor;
  private @Nullable OkHttpClient webhookClient;
  private boolean closed;

  /** An agent as stored: its JSON and its place in creation order. */
  static final class StoredAgent {
    final long sequence;
    ObjectNode json;

    StoredAgent(long sequence, ObjectNode json) {
      this.sequence = sequence;
      this.json = json;
    }
  }

  /** A webhook as stored. */
  static final class StoredWebhook {
    final long sequence;
    final ObjectNode json;

    StoredWebhook(long sequence, ObjectNode json) {
      this.sequence = sequence;
      this.json = json;
    }

    String id() {
      return json.path("webhookId").asText();
    }

    String url() {
      return json.path("url").asText();
    }

    List<String> secrets() {
      List<String> secrets = new ArrayList<>();
      json.path("secrets").forEach(s -> secrets.add(s.asText()));
      return secrets;
    }
  }

  private record PendingFault(@Nullable String method, @Nullable String pathPrefix, Fault fault) {}

  private FakeUltravox(Builder builder) {
    this.apiKey = builder.apiKey;
    this.clock = builder.clock;
    this.sampleRates = Collections.unmodifiableSet(new TreeSet<>(builder.sampleRates));
    this.vadThreshold = builder.vadThreshold;
    this.greeting = builder.greeting;
    this.fallbackReply = builder.fallbackReply;
    this.webhookTimeout = builder.webhookTimeout;
    this.replies = new ArrayDeque<>(builder.replies);
    this.transcripts = new ArrayDeque<>(builder.transcripts);
  }

  /**
   * Returns a builder with the defaults: key {@link #DEFAULT_API_KEY}, sample rates {@link
   * #DEFAULT_SAMPLE_RATES}, no scripted replies, VAD threshold 500, system clock.
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
            "a FakeUltravox starts once; it is " + (closed ? "closed" : "started"));
      }
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(1, r -> thread(r, "fake-ultravox"));
      executor.setRemoveOnCancelPolicy(true);
      executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
      ThreadPoolExecutor hooks =
          new ThreadPoolExecutor(
              1,
              1,
              0,
              TimeUnit.MILLISECONDS,
              new LinkedBlockingQueue<>(),
              r -> thread(r, "fake-ultravox-webhooks"));
      MockWebServer mock = new MockWebServer();
      mock.setDispatcher(new UltravoxApi(this));
      mock.setServerSocketFactory(sockets);
      try {
        mock.start(InetAddress.getByName("127.0.0.1"), 0);
      } catch (IOException e) {
        executor.shutdownNow();
        hooks.shutdownNow();
        throw new UncheckedIOException("FakeUltravox could not listen on 127.0.0.1", e);
      }
      webhookClient =
          new OkHttpClient.Builder()
              .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
              .retryOnConnectionFailure(false)
              .callTimeout(webhookTimeout)
              .build();
      scheduler = executor;
      webhookExecutor = hooks;
      server = mock;
    }
  }

  private Thread thread(Runnable r, String name) {
    Thread thread = new Thread(r, name);
    thread.setDaemon(true);
    threads.add(thread);
    return thread;
  }

  /**
   * Returns where clients send requests instead of {@code https://api.ultravox.ai}, e.g. {@code
   * http://127.0.0.1:54321}; the API is under {@code /api}.
   *
   * @return the base URL, without a trailing slash
   * @throws IllegalStateException before {@link #start()}
   */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /**
   * Returns the API key clients must send in {@code X-API-Key}.
   *
   * @return the key
   */
  public String apiKey() {
    return apiKey;
  }

  // ------------------------------------------------------------------ calls and resources

  /**
   * Returns every call created so far, in creation order.
   *
   * @return a snapshot
   */
  public List<FakeUltravoxCall> calls() {
    synchronized (lock) {
      return List.copyOf(calls.values());
    }
  }

  /**
   * Returns a call.
   *
   * @param callId the call's id
   * @return the call
   * @throws IllegalArgumentException if there is no such call
   */
  public FakeUltravoxCall call(String callId) {
    Objects.requireNonNull(callId, "callId");
    synchronized (lock) {
      FakeUltravoxCall call = calls.get(callId);
      if (call == null) {
        throw new IllegalArgumentException(
            "the fake has no call " + callId + "; it has " + calls.keySet());
      }
      return call;
    }
  }

  /**
   * Waits for the next call this method has not returned yet: the first invocation returns the
   * first call created, the second the second, and so on.
   *
   * @param timeout how long to wait
   * @return the call, as soon as it has been created
   * @throws AssertionError if it is not created in time
   */
  public FakeUltravoxCall awaitCall(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (calls.size() <= callsHandedOut) {
        waitOn(deadline, () -> "call #" + (callsHandedOut + 1) + " was not created in " + timeout);
      }
      return new ArrayList<>(calls.values()).get(callsHandedOut++);
    }
  }

  /**
   * Waits until some call satisfies a condition.
   *
   * @param condition tested on each call whenever a call is created
   * @param timeout how long to wait
   * @return the first call, in creation order, that satisfies it
   * @throws AssertionError if none does in time
   */
  public FakeUltravoxCall awaitCall(
      Predicate<? super FakeUltravoxCall> condition, Duration timeout) {
    Objects.requireNonNull(condition, "condition");
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        for (FakeUltravoxCall call : calls.values()) {
          if (condition.test(call)) {
            return call;
          }
        }
        waitOn(deadline, () -> "no call satisfied the condition in " + timeout + ": " + calls);
      }
    }
  }

  /**
   * Returns the agents that exist now, newest first, as the API would return them.
   *
   * @return copies of their JSON
   */
  public List<JsonNode> agents() {
    synchronized (lock) {
      List<JsonNode> list = new ArrayList<>();
      agents.values().forEach(a -> list.add(0, a.json.deepCopy()));
      return list;
    }
  }

  /**
   * Returns the webhooks registered now, newest first, secrets included.
   *
   * @return copies of their JSON
   */
  public List<JsonNode> webhooks() {
    synchronized (lock) {
      List<JsonNode> list = new ArrayList<>();
      webhooks.values().forEach(w -> list.add(0, w.json.deepCopy()));
      return list;
    }
  }

  // ------------------------------------------------------------------ script

  /**
   * Adds a reply at the end of the script.
   *
   * @param reply the reply
   */
  public void addReply(AgentReply reply) {
    Objects.requireNonNull(reply, "reply");
    synchronized (lock) {
      replies.add(reply);
    }
  }

  /**
   * Adds a user transcript at the end of the script.
   *
   * @param transcript what the user is transcribed as saying in a coming turn
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

  AgentReply nextReply() {
    synchronized (lock) {
      AgentReply next = replies.poll();
      return next != null ? next : fallbackReply;
    }
  }

  String nextUserTranscript() {
    synchronized (lock) {
      String next = transcripts.poll();
      return next != null ? next : DEFAULT_USER_TRANSCRIPT;
    }
  }

  // ------------------------------------------------------------------ requests and faults

  /**
   * Returns every HTTP request received so far (REST and WebSocket upgrades), in arrival order. A
   * request is recorded once acted on, before its response is written.
   *
   * @return a snapshot
   */
  public List<RecordedRequest> requests() {
    return requests.all();
  }

  /**
   * Waits for a request that matches, returning at once if one already arrived.
   *
   * @param condition e.g. {@code r -> r.method().equals("POST") && r.path().equals("/api/calls")}
   * @param timeout how long to wait
   * @return the first matching request
   * @throws AssertionError if none arrives in time
   */
  public RecordedRequest awaitRequest(
      Predicate<? super RecordedRequest> condition, Duration timeout) {
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(timeout, "timeout");
    return requests.await(RecordedRequest.class, condition, timeout);
  }

  /**
   * Queues a fault for the next request, whatever it is.
   *
   * @param fault what to do to it
   */
  public void failNext(Fault fault) {
    Objects.requireNonNull(fault, "fault");
    synchronized (lock) {
      faults.add(new PendingFault(null, null, fault));
    }
  }

  /**
   * Queues a fault for the next request with this method whose path starts with a prefix, e.g.
   * {@code failNext("POST", "/api/agents", Fault.status(429).retryAfter(Duration.ofSeconds(1)))};
   * other requests pass it by. Queued faults are used in order, each once.
   *
   * @param method the HTTP method, case-insensitive
   * @param pathPrefix the start of the path
   * @param fault what to do to it
   */
  public void failNext(String method, String pathPrefix, Fault fault) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    Objects.requireNonNull(fault, "fault");
    synchronized (lock) {
      faults.add(new PendingFault(method.toUpperCase(Locale.ROOT), pathPrefix, fault));
    }
  }

  /**
   * Returns how many queued faults have not been used yet.
   *
   * @return the count
   */
  public int pendingFaults() {
    synchronized (lock) {
      return faults.size();
    }
  }

  @Nullable Fault takeFault(String method, String path) {
    synchronized (lock) {
      Iterator<PendingFault> it = faults.iterator();
      while (it.hasNext()) {
        PendingFault pending = it.next();
        if ((pending.method == null || pending.method.equals(method))
            && (pending.pathPrefix == null || path.startsWith(pending.pathPrefix))) {
          it.remove();
          return pending.fault;
        }
      }
      return null;
    }
  }

  void record(RecordedRequest request) {
    requests.accept(request);
  }

  // ------------------------------------------------------------------ webhooks

  /**
   * Returns every webhook delivery attempted so far, in order (redeliveries and forgeries
   * included).
   *
   * @return a snapshot
   */
  public List<WebhookDelivery> deliveries() {
    return deliveries.all();
  }

  /**
   * Waits for a delivery that matches, e.g. {@code d -> d.event().equals("call.ended")}.
   *
   * @param condition the condition
   * @param timeout how long to wait
   * @return the first matching delivery, once its answer has been recorded
   * @throws AssertionError if none is made in time
   */
  public WebhookDelivery awaitDelivery(
      Predicate<? super WebhookDelivery> condition, Duration timeout) {
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(timeout, "timeout");
    return deliveries.await(WebhookDelivery.class, condition, timeout);
  }

  /**
   * Sends a delivery again exactly as it was sent (same body, timestamp and signature), as Ultravox
   * does when it retries or duplicates a webhook, and waits for the answer.
   *
   * @param delivery a delivery of this fake
   * @return the new delivery, recorded too
   * @throws IllegalStateException if the fake is not running
   */
  public WebhookDelivery redeliver(WebhookDelivery delivery) {
    Objects.requireNonNull(delivery, "delivery");
    return awaitWebhookTask(
        () ->
            post(
                delivery.webhookId(),
                delivery.url(),
                delivery.event(),
                delivery.callId(),
                delivery.body(),
                delivery.timestamp(),
                delivery.signature(),
                delivery.genuine()));
  }

  /**
   * Sends a forged copy of a delivery: the same body with a fresh timestamp, signed with a key that
   * is not one of the webhook's secrets. A receiver must reject it. Waits for the answer.
   *
   * @param delivery a delivery of this fake
   * @return the forged delivery, recorded with {@link WebhookDelivery#genuine()} false
   * @throws IllegalStateException if the fake is not running
   */
  public WebhookDelivery forge(WebhookDelivery delivery) {
    Objects.requireNonNull(delivery, "delivery");
    return awaitWebhookTask(
        () -> {
          String timestamp = WEBHOOK_TIMESTAMP.format(clock.instant());
          String signature = sign("forged-" + delivery.webhookId(), delivery.body(), timestamp);
          return post(
              delivery.webhookId(),
              delivery.url(),
              delivery.event(),
              delivery.callId(),
              delivery.body(),
              timestamp,
              signature,
              false);
        });
  }

  /** Queues the deliveries of an event for a call, in order with earlier ones. */
  void emit(String event, FakeUltravoxCall call) {
    ObjectNode payload = JSON.createObjectNode();
    payload.put("event", event);
    payload.set("call", call.json());
    String body;
    try {
      body = JSON.writeValueAsString(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    List<StoredWebhook> targets = new ArrayList<>();
    synchronized (lock) {
      for (StoredWebhook hook : webhooks.values()) {
        boolean wanted = false;
        for (JsonNode e : hook.json.path("events")) {
          wanted |= e.asText().equals(event);
        }
        JsonNode scope = hook.json.path("agentId");
        if (wanted
            && (scope.isNull()
                || scope.isMissingNode()
                || scope.asText().equals(call.agentId().orElse("")))) {
          targets.add(hook);
        }
      }
    }
    for (StoredWebhook hook : targets) {
      executeWebhookTask(
          () -> {
            String timestamp = WEBHOOK_TIMESTAMP.format(clock.instant());
            StringBuilder signature = new StringBuilder();
            for (String secret : hook.secrets()) {
              signature
                  .append(signature.length() == 0 ? "" : ",")
                  .append(sign(secret, body, timestamp));
            }
            WebhookDelivery delivery =
                post(
                    hook.id(),
                    hook.url(),
                    event,
                    call.callId(),
                    body,
                    timestamp,
                    signature.toString(),
                    true);
            if (!delivery.successful()) {
              synchronized (lock) {
                hook.json
                    .withArray("recentFailures")
                    .addObject()
                    .put("timestamp", UltravoxApi.timestamp(delivery.at()))
                    .put(
                        "failure",
                        delivery.status() == 0
                            ? "request failed: " + delivery.error()
                            : "HTTP " + delivery.status());
              }
            }
          });
    }
  }

  static String sign(String secret, String body, String timestamp) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(body.getBytes(StandardCharsets.UTF_8));
      mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(mac.doFinal());
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  private WebhookDelivery post(
      String webhookId,
      String url,
      String event,
      String callId,
      String body,
      String timestamp,
      String signature,
      boolean genuine) {
    OkHttpClient client;
    synchronized (lock) {
      client = webhookClient;
    }
    int status = 0;
    String error = null;
    if (client == null) {
      error = "the fake is not running";
    } else {
      Request request =
          new Request.Builder()
              .url(url)
              .header("User-Agent", "FakeUltravox")
              .header("X-Ultravox-Webhook-Timestamp", timestamp)
              .header("X-Ultravox-Webhook-Signature", signature)
              .post(RequestBody.create(body.getBytes(StandardCharsets.UTF_8), JSON_TYPE))
              .build();
      try (Response response = client.newCall(request).execute()) {
        status = response.code();
      } catch (IOException | RuntimeException e) {
        error = e.toString();
      }
    }
    WebhookDelivery delivery =
        new WebhookDelivery(
            webhookId,
            url,
            event,
            callId,
            body,
            timestamp,
            signature,
            genuine,
            status,
            error,
            clock.instant());
    deliveries.accept(delivery);
    return delivery;
  }

  private void executeWebhookTask(Runnable task) {
    ExecutorService executor;
    synchronized (lock) {
      executor = webhookExecutor;
    }
    if (executor == null) {
      return;
    }
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      // closing: no more webhooks
    }
  }

  private WebhookDelivery awaitWebhookTask(Callable<WebhookDelivery> task) {
    ExecutorService executor;
    synchronized (lock) {
      executor = webhookExecutor;
    }
    if (executor == null) {
      throw new IllegalStateException("the FakeUltravox is not running");
    }
    try {
      return executor.submit(task).get(webhookTimeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("the FakeUltravox is closed", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the webhook could not be sent", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the webhook was not sent in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Ends live calls (their sockets close with code 1001, end reason {@code system_error}, no more
   * webhooks), stops listening, and stops every thread the fake started, joined before returning.
   * Idempotent.
   */
  @Override
  public void close() {
    MockWebServer mock;
    ScheduledThreadPoolExecutor executor;
    ThreadPoolExecutor hooks;
    OkHttpClient client;
    List<FakeUltravoxCall> all;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      mock = server;
      executor = scheduler;
      hooks = webhookExecutor;
      client = webhookClient;
      all = List.copyOf(calls.values());
    }
    if (hooks != null) {
      hooks.shutdownNow();
    }
    if (executor != null) {
      try {
        executor
            .submit(
                () -> {
                  for (FakeUltravoxCall call : all) {
                    CallSession session = call.session();
                    if (session != null) {
                      session.shutdown();
                    }
                  }
                })
            .get(5, TimeUnit.SECONDS);
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
    sockets.closeAll();
    if (client != null) {
      client.connectionPool().evictAll();
    }
    try {
      if (executor != null) {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
      }
      if (hooks != null) {
        hooks.awaitTermination(5, TimeUnit.SECONDS);
      }
      // a terminated pool's worker can still be unwinding; close() promises the threads are gone
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "FakeUltravox{"
          + (server == null ? "not started" : "port " + server.getPort())
          + (closed ? ", closed" : "")
          + ", "
          + agents.size()
          + " agents, "
          + calls.size()
          + " calls}";
    }
  }

  // ------------------------------------------------------------------ for the API and sessions

  long nextSequence() {
    synchronized (lock) {
      return ++sequence;
    }
  }

  void callCreated(FakeUltravoxCall call) {
    synchronized (lock) {
      calls.put(call.callId(), call);
      lock.notifyAll();
    }
    emit("call.started", call);
    Duration joinTimeout = call.joinTimeout();
    schedule(
        () -> {
          // a session that is still connecting (attached, not yet open) counts as joining
          if (call.joinable() && call.ended("unjoined", clock.instant())) {
            emit("call.ended", call);
          }
        },
        joinTimeout.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  boolean isClosed() {
    synchronized (lock) {
      return closed;
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

  /** Runs a task on the scheduler thread and waits for its result. */
  <T> T control(Callable<T> task) {
    ScheduledThreadPoolExecutor executor = executor();
    if (executor == null) {
      throw new IllegalStateException("the FakeUltravox is not running");
    }
    Future<T> future;
    try {
      future = executor.submit(task);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("the FakeUltravox is closed", e);
    }
    try {
      return future.get(CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the fake did not run the control within " + CONTROL_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
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

  int port() {
    synchronized (lock) {
      if (server == null) {
        throw new IllegalStateException("call start() first");
      }
      return server.getPort();
    }
  }

  private void waitOn(long deadline, java.util.function.Supplier<String> failure) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new AssertionError(failure.get());
    }
    try {
      TimeUnit.NANOSECONDS.timedWait(lock, left);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }

  // ------------------------------------------------------------------ public value types

  /**
   * Configures a {@link FakeUltravox}. Not thread-safe; each {@link #build()} makes an independent
   * fake with its own copy of the script.
   */
  public static final class Builder {
    private String apiKey = DEFAULT_API_KEY;
    private final List<AgentReply> replies = new ArrayList<>();
    private final List<String> transcripts = new ArrayList<>();
    private AgentReply greeting =
        AgentReply.say("Hello! How can I help you today?", Duration.ofMillis(1200));
    private AgentReply fallbackReply = AgentReply.say("Okay.", Duration.ofMillis(600));
    private Set<Integer> sampleRates = new TreeSet<>(DEFAULT_SAMPLE_RATES);
    private double vadThreshold = 500;
    private Clock clock = Clock.systemUTC();
    private Duration webhookTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * Sets the API key clients must send.
     *
     * @param apiKey not blank; default {@link #DEFAULT_API_KEY}
     * @return this builder
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      return this;
    }

    /**
     * Appends a reply to the script: each time the agent answers a user turn (on any call of this
     * fake) it uses the next one.
     *
     * @param reply the reply
     * @return this builder
     */
    public Builder reply(AgentReply reply) {
      replies.add(Objects.requireNonNull(reply, "reply"));
      return this;
    }

    /**
     * Sets the reply used once the script is exhausted.
     *
     * @param reply the reply; default {@code AgentReply.say("Okay.", Duration.ofMillis(600))}
     * @return this builder
     */
    public Builder fallbackReply(AgentReply reply) {
      this.fallbackReply = Objects.requireNonNull(reply, "reply");
      return this;
    }

    /**
     * Sets what the agent says first when it speaks first (the default), unless the call's {@code
     * firstSpeakerSettings.agent.text} gives a text (then spoken at {@link
     * AgentReply#MILLIS_PER_WORD} per word). A tool call or hang-up in it is ignored.
     *
     * @param greeting the greeting; default "Hello! How can I help you today?" lasting 1.2 s
     * @return this builder
     */
    public Builder greeting(AgentReply greeting) {
      this.greeting = Objects.requireNonNull(greeting, "greeting");
      return this;
    }

    /**
     * Appends what the user is transcribed as saying: each detected user turn consumes the next one
     * (then {@link #DEFAULT_USER_TRANSCRIPT}).
     *
     * @param transcript the text
     * @return this builder
     */
    public Builder userTranscript(String transcript) {
      transcripts.add(Objects.requireNonNull(transcript, "transcript"));
      return this;
    }

    /**
     * Sets the sample rates the {@code serverWebSocket} medium accepts for {@code inputSampleRate}
     * and {@code outputSampleRate}; others are refused with 400 naming the field. UNCERTAIN: which
     * rates Ultravox accepts (8000 in particular) is not documented, so tests can make the fake
     * refuse 8000 to exercise a client's fallback.
     *
     * @param rates one or more rates from 8000 to 48000 Hz; default {@link #DEFAULT_SAMPLE_RATES}
     * @return this builder
     */
    public Builder acceptedSampleRates(int... rates) {
      Objects.requireNonNull(rates, "rates");
      Set<Integer> set = new TreeSet<>();
      for (int rate : rates) {
        set.add(rate);
      }
      this.sampleRates = set;
      return this;
    }

    /**
     * Sets the energy threshold of the speech detector: the RMS of a 20 ms frame of received audio,
     * in linear 16-bit units, above which the frame counts as speech.
     *
     * @param threshold from 0 to 32767; default 500
     * @return this builder
     */
    public Builder vadThreshold(double threshold) {
      this.vadThreshold = threshold;
      return this;
    }

    /**
     * Sets the clock for timestamps in JSON, records and webhooks. Pacing and timeouts always run
     * on real time.
     *
     * @param clock the clock; default {@link Clock#systemUTC()}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how long a webhook POST may take.
     *
     * @param timeout positive; default 10 s
     * @return this builder
     */
    public Builder webhookTimeout(Duration timeout) {
      this.webhookTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Builds the fake, not yet started.
     *
     * @return a new fake
     * @throws IllegalArgumentException naming the setting that is bad
     */
    public FakeUltravox build() {
      if (apiKey.isBlank()) {
        throw new IllegalArgumentException("apiKey must not be blank");
      }
      if (sampleRates.isEmpty()) {
        throw new IllegalArgumentException("acceptedSampleRates needs at least one rate");
      }
      for (int rate : sampleRates) {
        if (rate < 8000 || rate > 48000) {
          throw new IllegalArgumentException(
              "acceptedSampleRates must be from 8000 to 48000 Hz, got " + rate);
        }
      }
      if (!(vadThreshold >= 0 && vadThreshold <= 32767)) {
        throw new IllegalArgumentException(
            "vadThreshold must be from 0 to 32767, got " + vadThreshold);
      }
      if (webhookTimeout.isNegative() || webhookTimeout.isZero()) {
        throw new IllegalArgumentException(
            "webhookTimeout must be positive, got " + webhookTimeout);
      }
      if (greeting.text().isEmpty()) {
        throw new IllegalArgumentException("greeting must say something");
      }
      return new FakeUltravox(this);
    }
  }

  /**
   * What the fake does to a request it has been told to fail; queue one with {@link
   * FakeUltravox#failNext}. Immutable and thread-safe.
   *
   * <pre>{@code
   * fake.failNext("GET", "/api/agents", Fault.status(429).retryAfter(Duration.ofSeconds(1)));
   * fake.failNext("POST", "/api/agents/", Fault.disconnectAfterRequest());
   * }</pre>
   */
  public static final class Fault {
    enum Kind {
      STATUS,
      NO_RESPONSE,
      DISCONNECT_AFTER_REQUEST
    }

    final Kind kind;
    final int status;
    final String detail;
    final @Nullable Duration retryAfter;

    private Fault(Kind kind, int status, String detail, @Nullable Duration retryAfter) {
      this.kind = kind;
      this.status = status;
      this.detail = detail;
      this.retryAfter = retryAfter;
    }

    /**
     * Answers with an HTTP error and a {@code {"detail": "..."}} body without acting on the
     * request: 429 "Request was throttled.", 500 "A server error occurred.", others "HTTP n".
     *
     * @param status 400 to 599
     * @return the fault
     */
    public static Fault status(int status) {
      if (status < 400 || status > 599) {
        throw new IllegalArgumentException("a fault status is 400 to 599, got " + status);
      }
      String detail =
          switch (status) {
            case 429 -> "Request was throttled.";
            case 500 -> "A server error occurred.";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "HTTP " + status;
          };
      return new Fault(Kind.STATUS, status, detail, null);
    }

    /**
     * Reads the request, does not act on it and never answers: the client waits until its own
     * timeout ({@link FakeUltravox#close()} releases the connection).
     *
     * @return the fault
     */
    public static Fault noResponse() {
      return new Fault(Kind.NO_RESPONSE, 0, "no response", null);
    }

    /**
     * Acts on the request as usual (a create really creates), then closes the connection without a
     * response, as when a connection breaks after the service acted.
     *
     * @return the fault
     */
    public static Fault disconnectAfterRequest() {
      return new Fault(Kind.DISCONNECT_AFTER_REQUEST, 0, "disconnect", null);
    }

    /**
     * Returns this status fault with a {@code Retry-After} header (whole seconds, rounded up); a
     * 429's detail then says when, as Django REST framework words it.
     *
     * @param delay not negative
     * @return a new fault
     * @throws IllegalStateException if this is not a {@link #status} fault
     */
    public Fault retryAfter(Duration delay) {
      Objects.requireNonNull(delay, "delay");
      if (kind != Kind.STATUS) {
        throw new IllegalStateException("retryAfter applies to Fault.status(..) only, not " + this);
      }
      if (delay.isNegative()) {
        throw new IllegalArgumentException("retryAfter must not be negative, got " + delay);
      }
      String text =
          status == 429
              ? "Request was throttled. Expected available in " + seconds(delay) + " seconds."
              : detail;
      return new Fault(kind, status, text, delay);
    }

    static long seconds(Duration delay) {
      return (delay.toMillis() + 999) / 1000;
    }

    @Override
    public String toString() {
      return switch (kind) {
        case STATUS ->
            "Fault.status("
                + status
                + (retryAfter == null ? "" : ", Retry-After " + retryAfter)
                + ")";
        case NO_RESPONSE -> "Fault.noResponse()";
        case DISCONNECT_AFTER_REQUEST -> "Fault.disconnectAfterRequest()";
      };
    }
  }

  /**
   * One HTTP request the fake received. Immutable and thread-safe.
   *
   * @param method the method, upper case
   * @param path the path without the query string, as sent
   * @param query the query parameters, decoded
   * @param headers the headers except {@code X-API-Key}, names case-insensitive
   * @param body the body as UTF-8 text
   * @param status the status answered (101 for an accepted WebSocket upgrade, 0 when a fault gave
   *     no response)
   * @param at when it arrived, by the fake's clock
   */
  public record RecordedRequest(
      String method,
      String path,
      Map<String, List<String>> query,
      Map<String, List<String>> headers,
      String body,
      int status,
      Instant at) {
    /** Copies the maps; header names become case-insensitive. */
    public RecordedRequest {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(body, "body");
      Objects.requireNonNull(at, "at");
      Map<String, List<String>> q = new LinkedHashMap<>();
      query.forEach((k, v) -> q.put(k, List.copyOf(v)));
      query = Collections.unmodifiableMap(q);
      Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      headers.forEach((k, v) -> h.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
      h.replaceAll((k, v) -> List.copyOf(v));
      headers = Collections.unmodifiableMap(h);
    }

    /**
     * Returns the first value of a header.
     *
     * @param name case-insensitive
     * @return the value, or empty
     */
    public Optional<String> header(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /**
     * Returns the first value of a query parameter.
     *
     * @param name the name
     * @return the value, or empty
     */
    public Optional<String> queryParameter(String name) {
      List<String> values = query.get(name);
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /**
     * Parses the body as JSON.
     *
     * @return the JSON, or a missing node if the body is not JSON
     */
    public JsonNode json() {
      try {
        JsonNode node = JSON.readTree(body);
        return node == null ? MissingNode.getInstance() : node;
      } catch (JsonProcessingException e) {
        return MissingNode.getInstance();
      }
    }
  }

  /**
   * One webhook POST the fake made. Immutable and thread-safe.
   *
   * <pre>{@code
   * WebhookDelivery ended = fake.awaitDelivery(d -> d.event().equals("call.ended"), timeout);
   * assertThat(ended.status()).isEqualTo(204);
   * fake.redeliver(ended); // the same bytes again
   * }</pre>
   *
   * @param webhookId the webhook it was for
   * @param url where it was POSTed
   * @param event e.g. {@code call.ended}
   * @param callId the call it is about
   * @param body the exact body sent
   * @param timestamp the {@code X-Ultravox-Webhook-Timestamp} sent
   * @param signature the {@code X-Ultravox-Webhook-Signature} sent
   * @param genuine false for a {@link FakeUltravox#forge forged} delivery
   * @param status the HTTP status answered, 0 if the POST failed
   * @param error why the POST failed, or null
   * @param at when it was answered, by the fake's clock
   */
  public record WebhookDelivery(
      String webhookId,
      String url,
      String event,
      String callId,
      String body,
      String timestamp,
      String signature,
      boolean genuine,
      int status,
      @Nullable String error,
      Instant at) {
    /** Checks the components. */
    public WebhookDelivery {
      Objects.requireNonNull(webhookId, "webhookId");
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(event, "event");
      Objects.requireNonNull(callId, "callId");
      Objects.requireNonNull(body, "body");
      Objects.requireNonNull(timestamp, "timestamp");
      Objects.requireNonNull(signature, "signature");
      Objects.requireNonNull(at, "at");
    }

    /**
     * Tells whether the receiver answered 2xx.
     *
     * @return true for success
     */
    public boolean successful() {
      return status >= 200 && status < 300;
    }

    /** Leaves the signature out: it is derived from a secret. */
    @Override
    public String toString() {
      return "WebhookDelivery{"
          + event
          + " of call "
          + callId
          + " to "
          + url
          + (genuine ? "" : " (forged)")
          + ", status "
          + status
          + (error == null ? "" : ", " + error)
          + "}";
    }
  }
}
