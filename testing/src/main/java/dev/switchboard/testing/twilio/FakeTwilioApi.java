package dev.switchboard.testing.twilio;

import dev.switchboard.testing.Recorder;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import mockwebserver3.MockWebServer;
import org.jspecify.annotations.Nullable;

/**
 * A fake of Twilio's Voice REST API and of the webhooks Twilio sends, for tests: it answers {@code
 * POST/GET /2010-04-01/Accounts/{AccountSid}/Calls...json} and {@code GET
 * /2010-04-01/Accounts/{AccountSid}.json} with the JSON Twilio sends (snake_case, RFC 2822 dates,
 * lower-case status values, Twilio's error JSON), so the Twilio Java SDK and plain HTTP clients
 * work against it; it records every request and call, injects faults into chosen requests, and
 * sends status callbacks, answering-machine results, stream events and inbound-call webhooks signed
 * with {@code X-Twilio-Signature} exactly as Twilio signs them.
 *
 * <pre>{@code
 * try (FakeTwilioApi api = FakeTwilioApi.builder().build()) {
 *   api.start();
 *   // point the code under test at api.baseUrl() with api.accountSid() / api.authToken()
 *   api.failNext("POST", api.callsPath(), Fault.status(429).retryAfter(Duration.ofSeconds(2)));
 *   String sid = backend.dial(...);                   // retried after the 429
 *   assertThat(api.callCount()).isEqualTo(1);
 *   api.setCallStatus(sid, "in-progress");
 *   api.sendStatusCallback(sid, "completed");          // signed POST to the call's StatusCallback
 * }
 * }</pre>
 *
 * <p><b>REST behaviour.</b> Every request needs HTTP Basic auth with the account SID and auth
 * token, or with an API key SID and secret from {@link Builder#apiKey} (else 401, code 20003); the
 * account SID in the path must be this fake's (else 404, code 20404). A create needs {@code To},
 * {@code From} and exactly one of {@code Url}, {@code Twiml}, {@code ApplicationSid} (stricter than
 * Twilio, which ignores {@code Twiml} next to {@code Url}); it answers 201 with a call in status
 * {@code queued}, direction {@code outbound-api}. An update takes {@code Status=completed} (hang
 * up: the call becomes {@code completed}), {@code Status=canceled} (a {@code queued} or {@code
 * ringing} call becomes {@code canceled}, an {@code in-progress} one is left alone), {@code Twiml}
 * or {@code Url} (a redirect, kept in {@link FakeCall#twimlHistory()} or {@link
 * FakeCall#urlHistory()}) and {@code StatusCallback}; changing a call that has ended answers 404
 * with code 20404, as Twilio does. Validation errors answer 400 with codes chosen to match Twilio's
 * where known and plausible otherwise: 21201 (no {@code To}), 21213 (no {@code From}), 21205 (no or
 * several of {@code Url}/{@code Twiml}/{@code ApplicationSid}, or a {@code Url} that is not an
 * absolute http(s) URL), 32018 ({@code Twiml} over 4000 characters), 20001 (an unknown {@code
 * Status}). Anything else answers 404 with code 20404. The fake moves a call only when told: by an
 * update, {@link #setCallStatus} or {@link #sendStatusCallback}.
 *
 * <p><b>Faults.</b> {@link #failNext(Fault)} queues a {@link Fault} for the next request, or with
 * {@link #failNext(String, String, Fault)} for the next request whose method and path match; queued
 * faults are used in order, each once.
 *
 * <p><b>Webhooks.</b> The {@code send…} methods and {@link #placeInboundCall} POST a form to the
 * application with {@code java.net.http.HttpClient}, signed per {@link TwilioSignatures} over the
 * exact target URL with this fake's auth token, wait for the answer and return it as a {@link
 * CallbackResponse}; a transport failure throws {@link UncheckedIOException}. They always use POST,
 * whatever {@code StatusCallbackMethod} says.
 *
 * <p><b>Threading and lifecycle.</b> Thread-safe: requests are served on MockWebServer's threads
 * while a test inspects and sends from its own. {@link #start()} once, then {@link #close()}
 * (idempotent); a stalled {@link Fault#noResponse()} connection is released by {@code close()}.
 * Inspection and webhook methods work before {@code start()} and after {@code close()}.
 */
public final class FakeTwilioApi implements AutoCloseable {
  /** The account SID used unless {@link Builder#accountSid} sets another. */
  public static final String DEFAULT_ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";

  /** The auth token used unless {@link Builder#authToken} sets another. */
  public static final String DEFAULT_AUTH_TOKEN = "f4ce70c0de0f4ce70c0de0f4ce70c0de";

  /** The API version in every path and in {@code api_version}/{@code ApiVersion}. */
  public static final String API_VERSION = "2010-04-01";

  /** The answering-machine detection results Twilio reports in {@code AnsweredBy}. */
  static final Set<String> ANSWERED_BY =
      Set.of(
          "human",
          "machine_start",
          "machine_end_beep",
          "machine_end_silence",
          "machine_end_other",
          "fax",
          "unknown");

  private static final Set<String> CALLBACK_STATUSES =
      Set.of(
          "queued",
          "initiated",
          "ringing",
          "in-progress",
          "completed",
          "busy",
          "failed",
          "no-answer",
          "canceled");

  private static final Set<String> STREAM_EVENTS =
      Set.of("stream-started", "stream-stopped", "stream-error");

  /** RFC 2822 as Twilio writes it and as the SDK's {@code DateConverter} parses it. */
  static final DateTimeFormatter RFC_2822 =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US)
          .withZone(ZoneOffset.UTC);

  private static final Duration DEFAULT_AMD_DURATION = Duration.ofMillis(2400);

  private final String accountSid;
  private final String authToken;
  private final Map<String, String> apiKeys;
  private final Clock clock;
  private final Duration callbackTimeout;
  private final HttpClient httpClient;
  private final Recorder<RecordedRequest> requests = new Recorder<>();

  /** Guards calls, faults and the server; notified on every change of a call. */
  final Object lock = new Object();

  /** Guarded by lock; in creation order. */
  final Map<String, FakeCallState> calls = new LinkedHashMap<>();

  private final ArrayDeque<PendingFault> faults = new ArrayDeque<>();
  private @Nullable MockWebServer server;
  private boolean closed;

  private FakeTwilioApi(Builder builder) {
    this.accountSid = builder.accountSid;
    this.authToken = builder.authToken;
    this.apiKeys = Map.copyOf(builder.apiKeys);
    this.clock = builder.clock;
    this.callbackTimeout = builder.callbackTimeout;
    this.httpClient =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(builder.callbackTimeout)
            .build();
  }

  /**
   * Returns a builder with the default account SID, auth token and system clock.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts serving on {@code 127.0.0.1} at an ephemeral port.
   *
   * @throws IllegalStateException if already started or closed
   * @throws UncheckedIOException if the port cannot be opened
   */
  public void start() {
    synchronized (lock) {
      if (server != null || closed) {
        throw new IllegalStateException("a FakeTwilioApi starts once; it is " + state());
      }
      MockWebServer mock = new MockWebServer();
      mock.setDispatcher(new FakeTwilioApiDispatcher(this));
      try {
        mock.start(InetAddress.getByName("127.0.0.1"), 0);
      } catch (IOException e) {
        throw new UncheckedIOException("FakeTwilioApi could not listen on 127.0.0.1", e);
      }
      server = mock;
    }
  }

  /**
   * Returns where the fake listens, e.g. {@code http://127.0.0.1:54321}; requests go to {@code
   * baseUrl() + "/2010-04-01/Accounts/" + accountSid() + "/Calls.json"}.
   *
   * @return the base URL, without a trailing slash
   * @throws IllegalStateException before {@link #start()}
   */
  public URI baseUrl() {
    synchronized (lock) {
      if (server == null) {
        throw new IllegalStateException("call start() before baseUrl()");
      }
      return URI.create("http://127.0.0.1:" + server.getPort());
    }
  }

  /**
   * Returns the account SID requests must use (Basic auth user and path).
   *
   * @return {@code AC} and 32 hex digits
   */
  public String accountSid() {
    return accountSid;
  }

  /**
   * Returns the auth token: the Basic auth password, and the key every webhook is signed with.
   *
   * @return the token
   */
  public String authToken() {
    return authToken;
  }

  /**
   * Returns the path prefix of the call resources, {@code /2010-04-01/Accounts/{AccountSid}/Calls},
   * which matches both creates ({@code .../Calls.json}) and updates ({@code .../Calls/CA….json}) in
   * {@link #failNext(String, String, Fault)}.
   *
   * @return the prefix
   */
  public String callsPath() {
    return "/" + API_VERSION + "/Accounts/" + accountSid + "/Calls";
  }

  /**
   * Returns the path of one call resource, {@code
   * /2010-04-01/Accounts/{AccountSid}/Calls/{sid}.json}.
   *
   * @param callSid the call
   * @return the path
   */
  public String callPath(String callSid) {
    Objects.requireNonNull(callSid, "callSid");
    return callsPath() + "/" + callSid + ".json";
  }

  // ---------------------------------------------------------------- inspection

  /**
   * Returns every request received so far, in arrival order, including refused and faulted ones. A
   * request is recorded once it has been acted on (a create has created its call) and before its
   * response is written.
   *
   * @return an immutable snapshot
   */
  public List<RecordedRequest> requests() {
    return requests.all();
  }

  /**
   * Waits for a request that matches, returning at once if one already arrived.
   *
   * @param condition what to wait for, e.g. {@code r -> r.method().equals("POST")}
   * @param timeout how long to wait
   * @return the first matching request
   * @throws AssertionError if none arrives in time, listing what did
   */
  public RecordedRequest awaitRequest(
      Predicate<? super RecordedRequest> condition, Duration timeout) {
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(timeout, "timeout");
    return requests.await(RecordedRequest.class, condition, timeout);
  }

  /**
   * Returns a snapshot of one call.
   *
   * @param sid the call SID
   * @return the call as it is now
   * @throws IllegalArgumentException if the fake has no such call
   */
  public FakeCall call(String sid) {
    Objects.requireNonNull(sid, "sid");
    synchronized (lock) {
      return existing(sid).snapshot();
    }
  }

  /**
   * Returns snapshots of all calls, outbound and inbound, in creation order.
   *
   * @return an immutable list
   */
  public List<FakeCall> calls() {
    synchronized (lock) {
      return calls.values().stream().map(FakeCallState::snapshot).toList();
    }
  }

  /**
   * Returns how many calls exist, outbound and inbound; a create that was answered by a fault other
   * than {@link Fault#disconnectAfterRequest()} created none.
   *
   * @return the count
   */
  public int callCount() {
    synchronized (lock) {
      return calls.size();
    }
  }

  /**
   * Waits until some call satisfies a condition, e.g. until a hang-up arrived.
   *
   * @param condition tested on a fresh snapshot of each call whenever a call changes
   * @param timeout how long to wait
   * @return the first call, in creation order, that satisfies it
   * @throws AssertionError if none does in time, listing the calls
   */
  public FakeCall awaitCall(Predicate<? super FakeCall> condition, Duration timeout) {
    Objects.requireNonNull(condition, "condition");
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        for (FakeCallState state : calls.values()) {
          FakeCall snapshot = state.snapshot();
          if (condition.test(snapshot)) {
            return snapshot;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "no call satisfied the condition within " + timeout + "; calls: " + calls());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for a call", e);
        }
      }
    }
  }

  /**
   * Moves a call to a status, as Twilio would as the call progresses (e.g. {@code ringing}, then
   * {@code in-progress} when answered), without sending a callback; see {@link #sendStatusCallback}
   * to do both. Sets the start time on the first {@code in-progress} and the end time on an ending
   * status.
   *
   * @param sid the call
   * @param status a resource status: {@code queued}, {@code ringing}, {@code in-progress}, {@code
   *     completed}, {@code busy}, {@code failed}, {@code no-answer} or {@code canceled}
   * @throws IllegalArgumentException for an unknown call or status
   */
  public void setCallStatus(String sid, String status) {
    Objects.requireNonNull(sid, "sid");
    Objects.requireNonNull(status, "status");
    if (!FakeCallState.RESOURCE_STATUSES.contains(status)) {
      throw new IllegalArgumentException(
          "not a call status: "
              + status
              + "; use one of "
              + new TreeSet<>(FakeCallState.RESOURCE_STATUSES));
    }
    synchronized (lock) {
      existing(sid).moveTo(status, now());
      lock.notifyAll();
    }
  }

  // ---------------------------------------------------------------- faults

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
   * {@code failNext("POST", api.callsPath(), Fault.status(503))}; other requests pass it by.
   *
   * @param method the HTTP method, case-insensitive
   * @param pathPrefix the start of the path, e.g. {@link #callsPath()} or {@link #callPath}
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

  /** Removes and returns the first queued fault that matches, or null. */
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

  // ---------------------------------------------------------------- webhooks

  /**
   * Moves a call to a status and POSTs the status callback to the call's {@code StatusCallback}
   * URL, with {@code CallSid}, {@code AccountSid}, {@code From}, {@code To}, {@code CallStatus},
   * {@code Direction}, {@code ApiVersion}, {@code Caller}, {@code Called}, {@code Timestamp} (RFC
   * 2822), {@code CallbackSource=call-progress-events}, {@code SequenceNumber} (per call, from 0),
   * on ending statuses {@code CallDuration} (and {@code Duration} in minutes for {@code
   * completed}), and {@code AnsweredBy} once known. The call's status changes before the POST, so
   * the application sees it when it asks. {@code initiated} leaves the resource status alone.
   *
   * @param callSid the call
   * @param callStatus {@code initiated}, {@code ringing}, {@code in-progress} (Twilio's {@code
   *     answered} event), {@code completed}, {@code busy}, {@code failed}, {@code no-answer},
   *     {@code canceled} (or {@code queued})
   * @return the application's answer
   * @throws IllegalArgumentException for an unknown call or status
   * @throws IllegalStateException if the call was created without a {@code StatusCallback}
   */
  public CallbackResponse sendStatusCallback(String callSid, String callStatus) {
    return sendStatusCallback(callSid, callStatus, null, Map.of(), true);
  }

  /**
   * Like {@link #sendStatusCallback(String, String)}, to an explicit URL (e.g. for an inbound call,
   * whose callback is configured on the phone number) and with extra parameters that are added to,
   * or replace, the standard ones (e.g. {@code SipResponseCode}).
   *
   * @param callSid the call
   * @param callStatus the status, as for {@link #sendStatusCallback(String, String)}
   * @param url where to POST, signed exactly as given
   * @param extraParams more parameters
   * @return the application's answer
   */
  public CallbackResponse sendStatusCallback(
      String callSid, String callStatus, URI url, Map<String, String> extraParams) {
    Objects.requireNonNull(url, "url");
    return sendStatusCallback(callSid, callStatus, url, extraParams, true);
  }

  /**
   * Sends what {@link #sendStatusCallback(String, String)} would, with an {@code
   * X-Twilio-Signature} that is well-formed but computed with the wrong key, as a forger would; a
   * correct application refuses it. The call's status and sequence number are not changed.
   *
   * @param callSid the call
   * @param callStatus the status claimed
   * @return the application's answer
   */
  public CallbackResponse sendForgedStatusCallback(String callSid, String callStatus) {
    return sendStatusCallback(callSid, callStatus, null, Map.of(), false);
  }

  private CallbackResponse sendStatusCallback(
      String callSid,
      String callStatus,
      @Nullable URI explicitUrl,
      Map<String, String> extraParams,
      boolean genuine) {
    Objects.requireNonNull(callSid, "callSid");
    Objects.requireNonNull(callStatus, "callStatus");
    Objects.requireNonNull(extraParams, "extraParams");
    if (!CALLBACK_STATUSES.contains(callStatus)) {
      throw new IllegalArgumentException(
          "not a callback status: "
              + callStatus
              + "; use one of "
              + new TreeSet<>(CALLBACK_STATUSES));
    }
    String url;
    Map<String, String> params = new LinkedHashMap<>();
    synchronized (lock) {
      FakeCallState call = existing(callSid);
      if (explicitUrl != null) {
        url = explicitUrl.toString();
      } else if (call.statusCallback != null) {
        url = call.statusCallback;
      } else {
        throw new IllegalStateException(
            "call "
                + callSid
                + " has no StatusCallback URL; create it with one or pass the URL explicitly");
      }
      Instant now = now();
      int sequence = call.nextSequenceNumber;
      if (genuine) {
        call.nextSequenceNumber++;
        if (!callStatus.equals("initiated")) {
          call.moveTo(callStatus, now);
        }
        lock.notifyAll();
      }
      params.put("CallSid", call.sid);
      params.put("AccountSid", call.accountSid);
      params.put("From", call.from);
      params.put("To", call.to);
      params.put("CallStatus", callStatus);
      params.put("Direction", call.direction);
      params.put("ApiVersion", API_VERSION);
      params.put("Caller", call.from);
      params.put("Called", call.to);
      params.put("Timestamp", RFC_2822.format(now));
      params.put("CallbackSource", "call-progress-events");
      params.put("SequenceNumber", Integer.toString(sequence));
      if (FakeCallState.TERMINAL.contains(callStatus)) {
        Long seconds = genuine ? call.durationSeconds() : null;
        long duration = seconds == null ? 0 : seconds;
        params.put("CallDuration", Long.toString(duration));
        if (callStatus.equals("completed")) {
          params.put("Duration", Long.toString((duration + 59) / 60));
        }
      }
      if (call.answeredBy != null) {
        params.put("AnsweredBy", call.answeredBy);
      }
    }
    params.putAll(extraParams);
    return post(url, params, genuine);
  }

  /**
   * Records an answering-machine detection result on a call and POSTs it to the call's {@code
   * AsyncAmdStatusCallback}, with {@code CallSid}, {@code AccountSid}, {@code AnsweredBy} and
   * {@code MachineDetectionDuration} (2400 ms).
   *
   * @param callSid the call
   * @param answeredBy {@code human}, {@code machine_start}, {@code machine_end_beep}, {@code
   *     machine_end_silence}, {@code machine_end_other}, {@code fax} or {@code unknown}
   * @return the application's answer
   * @throws IllegalArgumentException for an unknown call or result
   * @throws IllegalStateException if the call was created without {@code AsyncAmdStatusCallback}
   */
  public CallbackResponse sendAmdResult(String callSid, String answeredBy) {
    return sendAmdResult(callSid, answeredBy, DEFAULT_AMD_DURATION);
  }

  /**
   * Like {@link #sendAmdResult(String, String)}, reporting how long detection took.
   *
   * @param callSid the call
   * @param answeredBy the result
   * @param detectionDuration sent as {@code MachineDetectionDuration} in milliseconds
   * @return the application's answer
   */
  public CallbackResponse sendAmdResult(
      String callSid, String answeredBy, Duration detectionDuration) {
    Objects.requireNonNull(callSid, "callSid");
    Objects.requireNonNull(answeredBy, "answeredBy");
    Objects.requireNonNull(detectionDuration, "detectionDuration");
    if (!ANSWERED_BY.contains(answeredBy)) {
      throw new IllegalArgumentException(
          "not an AnsweredBy value: " + answeredBy + "; use one of " + new TreeSet<>(ANSWERED_BY));
    }
    String url;
    Map<String, String> params = new LinkedHashMap<>();
    synchronized (lock) {
      FakeCallState call = existing(callSid);
      if (call.asyncAmdStatusCallback == null) {
        throw new IllegalStateException(
            "call " + callSid + " was created without an AsyncAmdStatusCallback URL");
      }
      url = call.asyncAmdStatusCallback;
      call.answeredBy = answeredBy;
      call.dateUpdated = now();
      lock.notifyAll();
      params.put("CallSid", call.sid);
      params.put("AccountSid", call.accountSid);
      params.put("AnsweredBy", answeredBy);
      params.put("MachineDetectionDuration", Long.toString(detectionDuration.toMillis()));
    }
    return post(url, params, true);
  }

  /**
   * POSTs a Media Streams status callback (what Twilio sends to a {@code <Stream statusCallback>}):
   * {@code AccountSid}, {@code CallSid}, {@code StreamSid}, {@code StreamName} (the stream SID, as
   * for an unnamed stream), {@code StreamEvent} and {@code Timestamp} (ISO-8601; Twilio's exact
   * format here is not documented).
   *
   * @param url the stream's status callback URL
   * @param callSid the call (need not be known to the fake)
   * @param streamSid the stream, {@code MZ…}
   * @param streamEvent {@code stream-started}, {@code stream-stopped} or {@code stream-error}
   * @return the application's answer
   */
  public CallbackResponse sendStreamStatus(
      URI url, String callSid, String streamSid, String streamEvent) {
    return sendStreamStatus(url, callSid, streamSid, streamEvent, Map.of());
  }

  /**
   * Like {@link #sendStreamStatus(URI, String, String, String)} with extra parameters that are
   * added to, or replace, the standard ones (e.g. {@code StreamName}, or {@code StreamError} with
   * {@code stream-error}).
   *
   * @param url the stream's status callback URL
   * @param callSid the call
   * @param streamSid the stream
   * @param streamEvent the event
   * @param extraParams more parameters
   * @return the application's answer
   */
  public CallbackResponse sendStreamStatus(
      URI url,
      String callSid,
      String streamSid,
      String streamEvent,
      Map<String, String> extraParams) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(callSid, "callSid");
    Objects.requireNonNull(streamSid, "streamSid");
    Objects.requireNonNull(streamEvent, "streamEvent");
    Objects.requireNonNull(extraParams, "extraParams");
    if (!STREAM_EVENTS.contains(streamEvent)) {
      throw new IllegalArgumentException(
          "not a stream event: " + streamEvent + "; use one of " + new TreeSet<>(STREAM_EVENTS));
    }
    Map<String, String> params = new LinkedHashMap<>();
    params.put("AccountSid", accountSid);
    params.put("CallSid", callSid);
    params.put("StreamSid", streamSid);
    params.put("StreamName", streamSid);
    params.put("StreamEvent", streamEvent);
    params.put("Timestamp", DateTimeFormatter.ISO_INSTANT.format(now()));
    params.putAll(extraParams);
    return post(url.toString(), params, true);
  }

  /**
   * Simulates a phone call arriving at a number whose voice URL is {@code voiceUrl}: creates an
   * inbound call (status {@code ringing}, direction {@code inbound}), POSTs the voice webhook with
   * {@code CallSid}, {@code AccountSid}, {@code From}, {@code To}, {@code CallStatus=ringing},
   * {@code Direction=inbound}, {@code ApiVersion}, {@code Caller}, {@code Called}, and keeps a 2xx
   * answer's body in the call's {@link FakeCall#twimlHistory()}.
   *
   * @param voiceUrl the number's "a call comes in" URL
   * @param from the caller
   * @param to the called Twilio number
   * @return the new call's SID and the application's answer (normally TwiML)
   */
  public InboundCall placeInboundCall(URI voiceUrl, String from, String to) {
    return placeInboundCall(voiceUrl, from, to, Map.of());
  }

  /**
   * Like {@link #placeInboundCall(URI, String, String)} with extra webhook parameters that are
   * added to, or replace, the standard ones (e.g. {@code CallerName}, {@code ToCountry}).
   *
   * @param voiceUrl the number's voice URL
   * @param from the caller
   * @param to the called number
   * @param extraParams more parameters
   * @return the new call's SID and the application's answer
   */
  public InboundCall placeInboundCall(
      URI voiceUrl, String from, String to, Map<String, String> extraParams) {
    Objects.requireNonNull(voiceUrl, "voiceUrl");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(extraParams, "extraParams");
    String sid = newSid("CA");
    Map<String, String> params = new LinkedHashMap<>();
    params.put("CallSid", sid);
    params.put("AccountSid", accountSid);
    params.put("From", from);
    params.put("To", to);
    params.put("CallStatus", "ringing");
    params.put("Direction", "inbound");
    params.put("ApiVersion", API_VERSION);
    params.put("Caller", from);
    params.put("Called", to);
    params.putAll(extraParams);
    synchronized (lock) {
      FakeCallState call =
          new FakeCallState(sid, accountSid, "inbound", "ringing", multi(params), now());
      call.urls.add(voiceUrl.toString());
      calls.put(sid, call);
      lock.notifyAll();
    }
    CallbackResponse response = post(voiceUrl.toString(), params, true);
    if (response.successful() && !response.body().isBlank()) {
      synchronized (lock) {
        FakeCallState call = calls.get(sid);
        if (call != null) {
          call.twiml.add(response.body());
          lock.notifyAll();
        }
      }
    }
    return new InboundCall(sid, response);
  }

  /**
   * POSTs any form to the application, signed as Twilio signs webhooks.
   *
   * @param url where to POST, signed exactly as given
   * @param params the form parameters
   * @return the application's answer
   */
  public CallbackResponse sendWebhook(URI url, Map<String, String> params) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(params, "params");
    return post(url.toString(), new LinkedHashMap<>(params), true);
  }

  private CallbackResponse post(String url, Map<String, String> params, boolean genuine) {
    String signature =
        TwilioSignatures.signSingle(genuine ? authToken : authToken + "-forged", url, params);
    StringBuilder form = new StringBuilder();
    params.forEach(
        (name, value) -> {
          if (form.length() > 0) {
            form.append('&');
          }
          form.append(URLEncoder.encode(name, StandardCharsets.UTF_8))
              .append('=')
              .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(callbackTimeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("User-Agent", "TwilioProxy/1.1")
            .header(TwilioSignatures.HEADER, signature)
            .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
            .build();
    try {
      HttpResponse<String> response =
          httpClient.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new CallbackResponse(
          response.statusCode(),
          response.body(),
          response.headers().firstValue("Content-Type").orElse(""));
    } catch (IOException e) {
      throw new UncheckedIOException("webhook POST to " + url + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(
          new InterruptedIOException("interrupted during webhook POST to " + url));
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Stops serving and releases stalled connections. Idempotent. */
  @Override
  public void close() {
    MockWebServer toClose;
    synchronized (lock) {
      closed = true;
      toClose = server;
    }
    if (toClose != null) {
      toClose.close();
    }
  }

  @Override
  public String toString() {
    return "FakeTwilioApi[" + accountSid + ", " + state() + "]";
  }

  private String state() {
    synchronized (lock) {
      if (closed) {
        return "closed";
      }
      return server == null ? "not started" : "serving on port " + server.getPort();
    }
  }

  // ---------------------------------------------------------------- for the dispatcher

  Instant now() {
    return clock.instant();
  }

  void record(RecordedRequest request) {
    requests.accept(request);
  }

  /** Whether Basic auth user and password are the account's or an API key's. */
  boolean authorized(String user, String password) {
    if (constantTimeEquals(user, accountSid) && constantTimeEquals(password, authToken)) {
      return true;
    }
    String secret = apiKeys.get(user);
    return secret != null && constantTimeEquals(password, secret);
  }

  private static boolean constantTimeEquals(String a, String b) {
    return java.security.MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  static String newSid(String prefix) {
    return prefix + UUID.randomUUID().toString().replace("-", "");
  }

  /** The caller holds lock. */
  private FakeCallState existing(String sid) {
    FakeCallState call = calls.get(sid);
    if (call == null) {
      throw new IllegalArgumentException(
          "the fake has no call " + sid + "; it has " + calls.keySet());
    }
    return call;
  }

  private static Map<String, List<String>> multi(Map<String, String> single) {
    Map<String, List<String>> multi = new LinkedHashMap<>();
    single.forEach((name, value) -> multi.put(name, List.of(value)));
    return multi;
  }

  private record PendingFault(@Nullable String method, @Nullable String pathPrefix, Fault fault) {}

  // ---------------------------------------------------------------- public value types

  /**
   * Configures a {@link FakeTwilioApi}. Not thread-safe; use from one thread.
   *
   * <pre>{@code
   * FakeTwilioApi api = FakeTwilioApi.builder()
   *     .accountSid("AC0123456789abcdef0123456789abcdef")
   *     .authToken("secret")
   *     .apiKey("SK0123456789abcdef0123456789abcdef", "key-secret")
   *     .clock(ControllableClock.create())
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private static final Pattern ACCOUNT_SID = Pattern.compile("AC[0-9a-fA-F]{32}");

    private String accountSid = DEFAULT_ACCOUNT_SID;
    private String authToken = DEFAULT_AUTH_TOKEN;
    private final Map<String, String> apiKeys = new LinkedHashMap<>();
    private Clock clock = Clock.systemUTC();
    private Duration callbackTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * Sets the account SID (default {@link #DEFAULT_ACCOUNT_SID}).
     *
     * @param accountSid {@code AC} and 32 hex digits
     * @return this builder
     */
    public Builder accountSid(String accountSid) {
      this.accountSid = Objects.requireNonNull(accountSid, "accountSid");
      return this;
    }

    /**
     * Sets the auth token (default {@link #DEFAULT_AUTH_TOKEN}): the Basic auth password and the
     * webhook signing key.
     *
     * @param authToken the token, not blank
     * @return this builder
     */
    public Builder authToken(String authToken) {
      this.authToken = Objects.requireNonNull(authToken, "authToken");
      return this;
    }

    /**
     * Also accepts Basic auth with an API key (user = key SID, password = secret); repeatable.
     *
     * @param sid the key SID, {@code SK…}
     * @param secret the key secret, not blank
     * @return this builder
     */
    public Builder apiKey(String sid, String secret) {
      Objects.requireNonNull(sid, "sid");
      Objects.requireNonNull(secret, "secret");
      apiKeys.put(sid, secret);
      return this;
    }

    /**
     * Sets the clock for dates in responses and webhook timestamps (default system UTC).
     *
     * @param clock the clock, e.g. a {@link dev.switchboard.testing.ControllableClock}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how long a webhook POST may take to connect and to be answered (default 10 s).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder callbackTimeout(Duration timeout) {
      this.callbackTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Builds the fake, not yet started.
     *
     * @return the fake
     * @throws IllegalArgumentException naming the bad setting
     */
    public FakeTwilioApi build() {
      if (!ACCOUNT_SID.matcher(accountSid).matches()) {
        throw new IllegalArgumentException(
            "accountSid must be AC followed by 32 hex digits, got " + accountSid);
      }
      if (authToken.isBlank()) {
        throw new IllegalArgumentException("authToken must not be blank");
      }
      for (Map.Entry<String, String> key : apiKeys.entrySet()) {
        if (!key.getKey().startsWith("SK") || key.getKey().length() < 3) {
          throw new IllegalArgumentException("apiKey SID must start with SK, got " + key.getKey());
        }
        if (key.getValue().isBlank()) {
          throw new IllegalArgumentException("apiKey " + key.getKey() + " has a blank secret");
        }
      }
      if (callbackTimeout.isNegative() || callbackTimeout.isZero()) {
        throw new IllegalArgumentException(
            "callbackTimeout must be positive, got " + callbackTimeout);
      }
      return new FakeTwilioApi(this);
    }
  }

  /**
   * What the fake does to a request it has been told to fail; queue one with {@link
   * FakeTwilioApi#failNext}. Immutable and thread-safe.
   *
   * <pre>{@code
   * api.failNext(Fault.status(429).retryAfter(Duration.ofSeconds(2)));
   * api.failNext("POST", api.callsPath(), Fault.disconnectAfterRequest());
   * }</pre>
   *
   * <p>Note that the Twilio Java SDK itself re-sends a request answered with a 5xx up to twice (100
   * ms apart) before giving up, so one {@code status(500)} is invisible to code using it.
   */
  public static final class Fault {
    enum Kind {
      STATUS,
      NO_RESPONSE,
      DISCONNECT_AFTER_REQUEST
    }

    final Kind kind;
    final int status;
    final int code;
    final String message;
    final @Nullable Duration retryAfter;

    private Fault(Kind kind, int status, int code, String message, @Nullable Duration retryAfter) {
      this.kind = kind;
      this.status = status;
      this.code = code;
      this.message = message;
      this.retryAfter = retryAfter;
    }

    /**
     * Answers with an HTTP error and Twilio's error JSON, without acting on the request: 429 with
     * code 20429 "Too Many Requests", 500 with 20500, 503 with 20503, any other status with code
     * 20000 + status.
     *
     * @param status 400 to 599
     * @return the fault
     */
    public static Fault status(int status) {
      if (status < 400 || status > 599) {
        throw new IllegalArgumentException("a fault status is 400 to 599, got " + status);
      }
      String message =
          switch (status) {
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "HTTP " + status;
          };
      return new Fault(Kind.STATUS, status, 20000 + status, message, null);
    }

    /**
     * Reads the request, does not act on it and never answers: the client waits until its read
     * timeout (implemented with mockwebserver3's {@code SocketEffect.Stall}; {@link
     * FakeTwilioApi#close()} releases the connection).
     *
     * @return the fault
     */
    public static Fault noResponse() {
      return new Fault(Kind.NO_RESPONSE, 0, 0, "no response", null);
    }

    /**
     * Reads the whole request and acts on it as usual (a create really creates the call, as Twilio
     * may have done before a connection broke), then closes the connection without a response
     * (mockwebserver3's {@code SocketEffect.CloseSocket} at response start). A client that then
     * re-sends a create makes a second call, which {@link FakeTwilioApi#callCount()} shows.
     *
     * @return the fault
     */
    public static Fault disconnectAfterRequest() {
      return new Fault(Kind.DISCONNECT_AFTER_REQUEST, 0, 0, "disconnect", null);
    }

    /**
     * Returns this status fault with a {@code Retry-After} header (whole seconds, rounded up).
     *
     * @param delay not negative
     * @return a new fault
     * @throws IllegalStateException if this is not a {@link #status} fault
     */
    public Fault retryAfter(Duration delay) {
      Objects.requireNonNull(delay, "delay");
      requireStatus("retryAfter");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("retryAfter must not be negative, got " + delay);
      }
      return new Fault(kind, status, code, message, delay);
    }

    /**
     * Returns this status fault with another Twilio error code in the body.
     *
     * @param code e.g. 20003
     * @return a new fault
     * @throws IllegalStateException if this is not a {@link #status} fault
     */
    public Fault errorCode(int code) {
      requireStatus("errorCode");
      return new Fault(kind, status, code, message, retryAfter);
    }

    /**
     * Returns this status fault with another error message in the body.
     *
     * @param message the message
     * @return a new fault
     * @throws IllegalStateException if this is not a {@link #status} fault
     */
    public Fault message(String message) {
      Objects.requireNonNull(message, "message");
      requireStatus("message");
      return new Fault(kind, status, code, message, retryAfter);
    }

    private void requireStatus(String what) {
      if (kind != Kind.STATUS) {
        throw new IllegalStateException(what + " applies to Fault.status(..) only, not " + this);
      }
    }

    @Override
    public String toString() {
      return switch (kind) {
        case STATUS ->
            "Fault.status("
                + status
                + ", code "
                + code
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
   * <pre>{@code
   * RecordedRequest create = api.awaitRequest(
   *     r -> r.method().equals("POST") && r.path().endsWith("/Calls.json"), Duration.ofSeconds(5));
   * assertThat(create.paramValues("StatusCallbackEvent")).contains("answered");
   * }</pre>
   *
   * @param method the HTTP method, upper case
   * @param path the path, without the query string, as sent (still percent-encoded)
   * @param query the query parameters, decoded
   * @param params the form parameters of the body, decoded, repeated names with all their values
   * @param headers the headers, names looked up case-insensitively
   * @param body the raw body as UTF-8 text
   * @param time when it arrived, by the fake's clock
   */
  public record RecordedRequest(
      String method,
      String path,
      Map<String, List<String>> query,
      Map<String, List<String>> params,
      Map<String, List<String>> headers,
      String body,
      Instant time) {

    /** Copies every map and list; header names become case-insensitive. */
    public RecordedRequest {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(body, "body");
      Objects.requireNonNull(time, "time");
      query = immutable(query);
      params = immutable(params);
      Map<String, List<String>> caseless = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      headers.forEach(
          (name, values) -> caseless.computeIfAbsent(name, k -> new ArrayList<>()).addAll(values));
      caseless.replaceAll((name, values) -> List.copyOf(values));
      headers = Collections.unmodifiableMap(caseless);
    }

    /**
     * Returns the first value of a form parameter.
     *
     * @param name the name, case-sensitive
     * @return the value, or empty if absent
     */
    public Optional<String> param(String name) {
      List<String> values = params.get(name);
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /**
     * Returns every value of a form parameter, in order (e.g. {@code StatusCallbackEvent}).
     *
     * @param name the name, case-sensitive
     * @return the values, empty if absent
     */
    public List<String> paramValues(String name) {
      return params.getOrDefault(name, List.of());
    }

    /**
     * Returns the first value of a header.
     *
     * @param name the name, case-insensitive
     * @return the value, or empty if absent
     */
    public Optional<String> header(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    static Map<String, List<String>> immutable(Map<String, List<String>> map) {
      Map<String, List<String>> copy = new LinkedHashMap<>();
      map.forEach((name, values) -> copy.put(name, List.copyOf(values)));
      return Collections.unmodifiableMap(copy);
    }
  }

  /**
   * The application's answer to a webhook the fake sent. Immutable and thread-safe.
   *
   * <pre>{@code
   * CallbackResponse response = api.sendStatusCallback(sid, "completed");
   * assertThat(response.status()).isEqualTo(204);
   * }</pre>
   *
   * @param status the HTTP status
   * @param body the body as text (empty if none)
   * @param contentType the {@code Content-Type} header, empty if absent
   */
  public record CallbackResponse(int status, String body, String contentType) {
    /** Checks the components. */
    public CallbackResponse {
      Objects.requireNonNull(body, "body");
      Objects.requireNonNull(contentType, "contentType");
    }

    /**
     * Returns whether the status is 2xx.
     *
     * @return true for success
     */
    public boolean successful() {
      return status >= 200 && status < 300;
    }
  }

  /**
   * The result of {@link FakeTwilioApi#placeInboundCall}: the new call's SID and the voice
   * webhook's answer. Immutable and thread-safe.
   *
   * <pre>{@code
   * InboundCall inbound = api.placeInboundCall(voiceUrl, "+14155550100", "+14155550199");
   * assertThat(inbound.response().body()).contains("<Connect>");
   * }</pre>
   *
   * @param callSid the inbound call's SID
   * @param response the application's answer
   */
  public record InboundCall(String callSid, CallbackResponse response) {
    /** Checks the components. */
    public InboundCall {
      Objects.requireNonNull(callSid, "callSid");
      Objects.requireNonNull(response, "response");
    }
  }
}
