package dev.switchboard.voice.twilio.internal;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.CodecException;
import dev.switchboard.codec.Reframer;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.telemetry.LogContext;
import dev.switchboard.core.voice.MediaStream;
import dev.switchboard.core.webhook.WebSocketChannel;
import dev.switchboard.core.webhook.WebSocketListener;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not API. One Twilio Media Streams WebSocket connection: reads Twilio's frames (see {@link
 * MediaFrames}), authenticates the stream at {@code start} through its {@link Host}, and, once
 * started, is the call's {@link MediaStream}. Thread-safe; the WebSocket callbacks are serial (the
 * host guarantees it) and listener callbacks are made from them, never under a lock.
 *
 * <p>Reactions to bad input, per connection (other connections are never affected):
 *
 * <ul>
 *   <li>a frame over {@link #MAX_FRAME_CHARS} characters: closed with 1009;
 *   <li>malformed JSON, a known event missing its fields, or a media payload that is not base64:
 *       counted and dropped; the {@value #MAX_MALFORMED}th such frame closes the stream (1008);
 *   <li>an unknown event: counted and ignored;
 *   <li>{@code media} before {@code start}, or a second {@code start}: closed (1008);
 *   <li>a {@code start} without a valid, unused token for its call: closed (1008) before any audio
 *       is delivered, and reported to the host as a rejection;
 *   <li>a binary frame: refused by the WebSocket host (1003), reported as an error close.
 * </ul>
 */
public final class TwilioMediaStream implements MediaStream, WebSocketListener {
  private static final Logger log = LoggerFactory.getLogger(TwilioMediaStream.class);

  /** The largest text frame accepted; Twilio's frames are well under 1 KiB. */
  public static final int MAX_FRAME_CHARS = 16 * 1024;

  /** How many unreadable frames a stream tolerates before it is closed. */
  public static final int MAX_MALFORMED = 10;

  private static final int FRAME_BYTES = 160;

  /** What a stream needs from the backend. Called from the stream's WebSocket callbacks. */
  public interface Host {
    /**
     * A stream presented its {@code start}: authenticate it.
     *
     * @param stream the stream, not yet started
     * @param start the start frame
     * @return null to accept, or the reason to refuse it (the stream is then closed with 1008)
     */
    @Nullable String authenticate(TwilioMediaStream stream, MediaFrames.Start start);

    /**
     * An authenticated stream started: attach it to its call. Called before any media of the stream
     * is delivered.
     *
     * @param stream the stream, open
     */
    void onStarted(TwilioMediaStream stream);

    /**
     * Twilio sent {@code stop}: why did the stream stop?
     *
     * @param stream the stream
     * @return the reason to report
     */
    CloseReason stopReason(TwilioMediaStream stream);

    /**
     * A started stream's caller pressed a key.
     *
     * @param stream the stream
     * @param digit the key
     */
    void onDtmf(TwilioMediaStream stream, String digit);

    /**
     * A started stream closed (exactly once).
     *
     * @param stream the stream
     * @param reason why
     */
    void onClosed(TwilioMediaStream stream, CloseReason reason);
  }

  private final WebSocketChannel channel;
  private final Host host;
  private final String remoteAddress;
  private final Object sendLock = new Object();
  private final Reframer reframer = Reframer.create(AudioFormat.PCMU_8K); // guarded by sendLock
  private final byte[] carry = new byte[FRAME_BYTES]; // guarded by sendLock
  private final AtomicBoolean finished = new AtomicBoolean();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final AtomicLong unknownEvents = new AtomicLong();
  private final AtomicLong malformedFrames = new AtomicLong();
  private final AtomicLong invalidPayloads = new AtomicLong();
  private final AtomicLong framesReceived = new AtomicLong();

  private volatile Listener listener = Listener.NONE;
  private volatile boolean started;
  private volatile String streamSid = "";
  private volatile MediaFrames.Writer frames = new MediaFrames.Writer("");
  private volatile String callSid = "";
  private volatile Map<String, String> parameters = Map.of();
  // Why we are closing the socket ourselves; the host's onClose then reports it.
  private volatile @Nullable CloseReason closingReason;
  private int malformedInARow; // WebSocket callbacks only

  /**
   * Creates a stream for a new connection.
   *
   * @param channel the connection
   * @param host the backend
   * @param remoteAddress the peer, for logs
   */
  public TwilioMediaStream(WebSocketChannel channel, Host host, String remoteAddress) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.host = Objects.requireNonNull(host, "host");
    this.remoteAddress = remoteAddress;
  }

  // ---- WebSocketListener (serial) ----

  @Override
  public void onText(String text) {
    if (finished.get() || closingReason != null) {
      return;
    }
    framesReceived.incrementAndGet();
    if (text.length() > MAX_FRAME_CHARS) {
      shut(1009, CloseReason.of(CloseReason.Code.ERROR, "frame too large"));
      return;
    }
    MediaFrames.Inbound frame = MediaFrames.parse(text);
    if (frame instanceof MediaFrames.Media media) {
      onMedia(media);
    } else if (frame instanceof MediaFrames.Start start) {
      onStart(start);
    } else if (frame instanceof MediaFrames.Mark mark) {
      if (started) {
        deliver(() -> listener.onMark(mark.name()), "onMark");
      } else {
        unknownEvents.incrementAndGet();
      }
    } else if (frame instanceof MediaFrames.Dtmf dtmf) {
      if (started) {
        deliver(() -> listener.onDtmf(dtmf.digit()), "onDtmf");
        host.onDtmf(this, dtmf.digit());
      } else {
        unknownEvents.incrementAndGet();
      }
    } else if (frame instanceof MediaFrames.Stop) {
      if (started) {
        CloseReason reason = host.stopReason(this);
        finish(reason);
        closeSocket(1000, "stream stopped");
      } else {
        shut(1000, CloseReason.of(CloseReason.Code.REMOTE, "stopped before start"));
      }
    } else if (frame instanceof MediaFrames.Unknown unknown) {
      long n = unknownEvents.incrementAndGet();
      if (n == 1 || n % 100 == 0) {
        log.debug(
            "media stream {}: ignoring unknown event '{}' ({} so far)", id(), unknown.event(), n);
      }
    } else if (frame instanceof MediaFrames.Malformed malformed) {
      malformed(malformed.reason());
    }
    // connected: nothing to do
  }

  @Override
  public void onClose(int code, String reason) {
    CloseReason ours = closingReason;
    CloseReason r;
    if (ours != null) {
      r = ours;
    } else if (code == 1000 || code == 1001) {
      r = CloseReason.of(CloseReason.Code.REMOTE, "closed by Twilio (" + code + ")");
    } else if (code == 1006) {
      r = CloseReason.of(CloseReason.Code.CONNECTION_LOST, "connection dropped");
    } else if (code == 1003) {
      r = CloseReason.of(CloseReason.Code.ERROR, "binary frame refused (1003)");
    } else if (code == 1009) {
      r = CloseReason.of(CloseReason.Code.ERROR, "frame too large (1009)");
    } else {
      r = CloseReason.of(CloseReason.Code.ERROR, "closed with " + code + " " + clip(reason));
    }
    if (!started && ours == null) {
      log.info(
          "media connection {} from {} closed before start: {}",
          channel.id(),
          remoteAddress,
          r.detail());
    }
    finish(r);
  }

  private void onStart(MediaFrames.Start start) {
    if (started) {
      shut(1008, CloseReason.of(CloseReason.Code.ERROR, "duplicate start"));
      return;
    }
    String refusal = host.authenticate(this, start);
    if (refusal != null) {
      shut(1008, CloseReason.of(CloseReason.Code.REJECTED, refusal));
      return;
    }
    Map<String, String> params = new LinkedHashMap<>(start.customParameters());
    params.remove(TwimlFactory.TOKEN_PARAMETER);
    this.parameters = Map.copyOf(params);
    this.streamSid = start.streamSid();
    this.frames = new MediaFrames.Writer(start.streamSid());
    this.callSid = start.callSid();
    this.started = true;
    host.onStarted(this);
  }

  private void onMedia(MediaFrames.Media media) {
    if (!started) {
      shut(1008, CloseReason.of(CloseReason.Code.ERROR, "media before start"));
      return;
    }
    if (!MediaFrames.isBase64(media.payload())) {
      invalidPayloads.incrementAndGet();
      malformed("media payload is not base64");
      return;
    }
    malformedInARow = 0;
    Listener l = listener;
    if (l == Listener.NONE) {
      return;
    }
    AudioChunk chunk;
    try {
      chunk = AudioChunk.ofBase64(AudioFormat.PCMU_8K, media.payload());
    } catch (CodecException e) {
      invalidPayloads.incrementAndGet();
      malformed("media payload is not audio");
      return;
    }
    deliver(() -> l.onAudio(chunk), "onAudio");
  }

  private void malformed(String reason) {
    long n = malformedFrames.incrementAndGet();
    if (n == 1 || n % 50 == 0) {
      log.debug(
          "media connection {}: dropping malformed frame: {} ({} so far)", channel.id(), reason, n);
    }
    if (++malformedInARow >= MAX_MALFORMED) {
      shut(1008, CloseReason.of(CloseReason.Code.ERROR, "too many malformed frames"));
    }
  }

  private void deliver(Runnable callback, String what) {
    try (LogContext ignored = callSid.isEmpty() ? null : LogContext.call(callSid)) {
      callback.run();
    } catch (RuntimeException e) {
      log.warn("media stream {}: listener {} threw; ignored", id(), what, e);
    }
  }

  /** Closes the socket ourselves with a code, and reports {@code reason} when it has closed. */
  private void shut(int code, CloseReason reason) {
    if (closingReason == null) {
      closingReason = reason;
    }
    if (reason.isError()) {
      log.info(
          "media connection {} from {}{} closed: {}",
          channel.id(),
          remoteAddress,
          callSid.isEmpty() ? "" : " (call " + callSid + ")",
          reason.detail());
    }
    closeSocket(code, reason.detail());
  }

  private void closeSocket(int code, String reason) {
    try {
      channel.close(code, reason);
    } catch (RuntimeException e) {
      log.debug("media connection {}: close failed: {}", channel.id(), e.toString());
    }
  }

  private void finish(CloseReason reason) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    synchronized (sendLock) {
      reframer.reset();
    }
    if (started) {
      deliver(() -> listener.onClosed(reason), "onClosed");
      try {
        host.onClosed(this, reason);
      } catch (RuntimeException e) {
        log.warn("media stream {}: close handling failed", id(), e);
      }
    }
    closed.complete(null);
  }

  /**
   * Ends the stream because its call ended or the backend stops: closes the socket (1000) and
   * reports {@code reason}.
   *
   * @param reason the reason to report
   */
  public void end(CloseReason reason) {
    if (finished.get()) {
      return;
    }
    if (closingReason == null) {
      closingReason = reason;
    }
    closeSocket(1000, reason.detail());
  }

  // ---- MediaStream ----

  @Override
  public String id() {
    return streamSid;
  }

  @Override
  public String callId() {
    return callSid;
  }

  @Override
  public AudioFormat format() {
    return AudioFormat.PCMU_8K;
  }

  @Override
  public Map<String, String> parameters() {
    return parameters;
  }

  @Override
  public void setListener(Listener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  @Override
  public boolean sendAudio(AudioChunk audio) {
    Objects.requireNonNull(audio, "audio");
    if (!AudioFormat.PCMU_8K.equals(audio.format())) {
      throw new CodecException(
          "a Twilio media stream plays " + AudioFormat.PCMU_8K + ", got " + audio.format());
    }
    synchronized (sendLock) {
      if (!isOpen()) {
        return false;
      }
      if (audio.size() == 0) {
        return true;
      }
      if (reframer.pending() == 0 && audio.size() == FRAME_BYTES) {
        return channel.send(frames.media(audio.base64())); // no decoding
      }
      byte[] bytes = new byte[audio.size()];
      audio.copyTo(bytes, 0);
      boolean[] ok = {true};
      reframer.push(
          bytes, 0, bytes.length, (frame, off, len) -> ok[0] &= sendFrame(frame, off, len));
      return ok[0];
    }
  }

  private boolean sendFrame(byte[] frame, int off, int len) {
    System.arraycopy(frame, off, carry, 0, len);
    String b64 =
        Base64.getEncoder()
            .encodeToString(len == carry.length ? carry : java.util.Arrays.copyOf(carry, len));
    return channel.send(frames.media(b64));
  }

  @Override
  public boolean sendMark(String name) {
    Objects.requireNonNull(name, "name");
    synchronized (sendLock) {
      if (!isOpen()) {
        return false;
      }
      boolean[] ok = {true};
      reframer.flush((frame, off, len) -> ok[0] &= sendFrame(frame, off, len));
      return channel.send(frames.mark(name)) && ok[0];
    }
  }

  @Override
  public boolean clear() {
    synchronized (sendLock) {
      reframer.reset();
      if (!isOpen()) {
        return false;
      }
      return channel.send(frames.clear());
    }
  }

  @Override
  public boolean isOpen() {
    return started && !finished.get() && closingReason == null && channel.isOpen();
  }

  @Override
  public CompletableFuture<Void> close() {
    if (!finished.get()) {
      if (closingReason == null) {
        closingReason = CloseReason.of(CloseReason.Code.NORMAL, "closed by the application");
      }
      closeSocket(1000, "closed by the application");
    }
    return closed.copy().completeOnTimeout(null, 5, TimeUnit.SECONDS);
  }

  // ---- diagnostics ----

  /**
   * Returns whether the stream was accepted.
   *
   * @return true after a valid start
   */
  public boolean started() {
    return started;
  }

  /**
   * Returns the number of frames with an unknown event, or a known one out of place, ignored.
   *
   * @return the count
   */
  public long unknownEvents() {
    return unknownEvents.get();
  }

  /**
   * Returns the number of unreadable frames dropped (including bad payloads).
   *
   * @return the count
   */
  public long malformedFrames() {
    return malformedFrames.get();
  }

  /**
   * Returns the number of media frames dropped because their payload was not base64 audio.
   *
   * @return the count
   */
  public long invalidPayloads() {
    return invalidPayloads.get();
  }

  /**
   * Returns the peer's address.
   *
   * @return the address
   */
  public String remoteAddress() {
    return remoteAddress;
  }

  private static String clip(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60);
  }

  @Override
  public String toString() {
    return "TwilioMediaStream[" + (streamSid.isEmpty() ? channel.id() : streamSid) + "]";
  }
}
