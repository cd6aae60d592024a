package dev.switchboard.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Twilio's side of one call's Media Stream, made light enough to run a thousand in one JVM: the
 * same messages as {@code TwilioCallSimulator} ({@code connected}, {@code start} with the stream
 * token, a {@code media} frame of 160 μ-law bytes every 20 ms, {@code stop}), playback of what the
 * endpoint sends at real time (8 bytes per ms) with marks echoed once the audio before them has
 * played, and {@code clear} honoured. Unlike the simulator it records nothing but counters and
 * latencies, uses the JDK's WebSocket client (one selector thread and a small shared pool for all
 * calls) and a shared {@link Pacer} instead of a thread per call.
 *
 * <p>Threading: the pacer thread sends media and echoes marks; the client's threads deliver what
 * the endpoint sends, one message at a time per call. Sends are serialised per call because the JDK
 * WebSocket allows one outstanding send.
 */
final class LoadCaller implements Pacer.Ticker, WebSocket.Listener {
  private static final int FRAME_BYTES = 160;
  private static final long NANOS_PER_BYTE = 125_000L;

  private final String accountSid;
  private final String callSid;
  private final String streamSid;
  private final String token;
  private final byte[] frame;
  private final boolean stamped;
  private final Pacer pacer;
  private final LoadMetrics metrics;
  final FrameLog up = new FrameLog(); // caller -> agent; the agent side records arrivals
  private final FrameLog down; // agent -> caller; shared with the agent side, which sends

  private final Object sendLock = new Object();
  private final ArrayDeque<String> queue = new ArrayDeque<>(); // guarded by sendLock
  private boolean sending; // guarded by sendLock
  private long sequence; // guarded by sendLock
  private long chunk; // pacer thread only

  private volatile WebSocket ws;
  private volatile boolean open;
  private volatile boolean mediaStarted;
  private final StringBuilder partial = new StringBuilder(); // listener threads, serially
  private long playEnd; // listener threads, serially

  LoadCaller(
      String accountSid,
      String callSid,
      String token,
      boolean stamped,
      FrameLog down,
      Pacer pacer,
      LoadMetrics metrics) {
    this.accountSid = accountSid;
    this.callSid = callSid;
    this.streamSid = "MZ" + callSid.substring(2);
    this.token = token;
    this.frame = Base64.getDecoder().decode(tonePayload());
    this.stamped = stamped;
    this.down = down;
    this.pacer = pacer;
    this.metrics = metrics;
  }

  /** A frame of a 440 Hz tone at speech level, as base64 μ-law (the content does not matter). */
  static String tonePayload() {
    byte[] ulaw = new byte[FRAME_BYTES];
    short[] pcm = new short[FRAME_BYTES];
    for (int i = 0; i < FRAME_BYTES; i++) {
      pcm[i] = (short) (4000 * Math.sin(2 * Math.PI * 440 * i / 8000.0));
    }
    dev.switchboard.codec.G711.encodeUlaw(pcm, 0, ulaw, 0, FRAME_BYTES);
    return Base64.getEncoder().encodeToString(ulaw);
  }

  String callSid() {
    return callSid;
  }

  /** The agent → caller log, written by the agent side. */
  FrameLog down() {
    return down;
  }

  /**
   * Opens the socket and sends {@code connected} and {@code start}; media starts with the pacer.
   */
  CompletableFuture<Void> connect(HttpClient client, URI mediaUrl) {
    return client
        .newWebSocketBuilder()
        .connectTimeout(java.time.Duration.ofSeconds(10))
        .buildAsync(mediaUrl, this)
        .thenAccept(
            w -> {
              ws = w;
              open = true;
              send("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}");
              send(
                  "{\"event\":\"start\",\"sequenceNumber\":\""
                      + nextSequence()
                      + "\",\"streamSid\":\""
                      + streamSid
                      + "\",\"start\":{\"accountSid\":\""
                      + accountSid
                      + "\",\"streamSid\":\""
                      + streamSid
                      + "\",\"callSid\":\""
                      + callSid
                      + "\",\"tracks\":[\"inbound\"],\"customParameters\":{\"switchboard_token\":\""
                      + token
                      + "\"},\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,"
                      + "\"channels\":1}}}");
            });
  }

  /** Starts sending the caller's audio, one frame per 20 ms (once; later calls do nothing). */
  void startMedia() {
    if (!mediaStarted) {
      mediaStarted = true;
      pacer.add(this);
    }
  }

  boolean mediaStarted() {
    return mediaStarted;
  }

  private long nextSequence() {
    synchronized (sendLock) {
      return ++sequence;
    }
  }

  @Override
  public void tick(long now) {
    if (!open) {
      return;
    }
    long n = ++chunk;
    long seq = up.sending(now);
    Json.stamp(frame, seq);
    String payload = Base64.getEncoder().encodeToString(frame);
    String text =
        "{\"event\":\"media\",\"sequenceNumber\":\""
            + nextSequence()
            + "\",\"streamSid\":\""
            + streamSid
            + "\",\"media\":{\"track\":\"inbound\",\"chunk\":\""
            + n
            + "\",\"timestamp\":\""
            + (n - 1) * 20
            + "\",\"payload\":\""
            + payload
            + "\"}}";
    metrics.callerFramesSent.increment();
    send(text);
  }

  private void send(String text) {
    WebSocket w = ws;
    synchronized (sendLock) {
      if (sending) {
        queue.add(text);
        return;
      }
      sending = true;
    }
    w.sendText(text, true).whenComplete((x, e) -> sendNext(w, e));
  }

  private void sendNext(WebSocket w, Throwable error) {
    if (error != null) {
      open = false;
      return;
    }
    String next;
    synchronized (sendLock) {
      next = queue.poll();
      if (next == null) {
        sending = false;
        return;
      }
    }
    w.sendText(next, true).whenComplete((x, e) -> sendNext(w, e));
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    if (!last) {
      partial.append(data);
    } else if (partial.length() > 0) {
      partial.append(data);
      String text = partial.toString();
      partial.setLength(0);
      handle(text);
    } else {
      handle(data.toString());
    }
    webSocket.request(1);
    return null;
  }

  private void handle(String text) {
    long now = System.nanoTime();
    String event = Json.string(text, "event");
    if ("media".equals(event)) {
      int bytes = Json.base64Length(text, "payload");
      if (bytes > 0) {
        int frames =
            stamped && bytes == FRAME_BYTES
                ? down.receivedStamped(Json.sequence(text, "payload"), now, metrics.toCaller)
                : down.received(bytes, FRAME_BYTES, now, metrics.toCaller);
        metrics.callerFramesReceived.add(frames);
        playEnd = Math.max(playEnd, now) + bytes * NANOS_PER_BYTE;
      }
    } else if ("mark".equals(event)) {
      String name = Json.string(text, "name");
      metrics.marksReceived.increment();
      long due = Math.max(playEnd, now);
      pacer.at(due, () -> echo(name));
    } else if ("clear".equals(event)) {
      metrics.clearsReceived.increment();
      playEnd = now;
    }
  }

  private void echo(String name) {
    if (!open || name == null) {
      return;
    }
    metrics.marksEchoed.increment();
    send(
        "{\"event\":\"mark\",\"sequenceNumber\":\""
            + nextSequence()
            + "\",\"streamSid\":\""
            + streamSid
            + "\",\"mark\":{\"name\":\""
            + name
            + "\"}}");
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    open = false;
    pacer.remove(this);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    open = false;
    pacer.remove(this);
  }

  boolean isOpen() {
    return open;
  }

  /** Hangs up like Twilio: {@code stop}, then a normal close. */
  void hangUp() {
    pacer.remove(this);
    WebSocket w = ws;
    if (w == null || !open) {
      return;
    }
    send(
        "{\"event\":\"stop\",\"sequenceNumber\":\""
            + nextSequence()
            + "\",\"streamSid\":\""
            + streamSid
            + "\",\"stop\":{\"accountSid\":\""
            + accountSid
            + "\",\"callSid\":\""
            + callSid
            + "\"}}");
    open = false;
    try {
      w.sendClose(1000, "call ended").get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      w.abort();
    }
  }
}
