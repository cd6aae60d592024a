package dev.switchboard.core.bridge;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.testsupport.MutableClock;
import dev.switchboard.core.voice.MediaStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A media stream that behaves like a phone: it records what is sent, plays queued audio in real
 * time on a {@link MutableClock} the test advances with {@link #play}, echoes each mark once the
 * audio before it has played, and on {@code clear} drops the queue and holds the pending marks for
 * {@link #deliverClearEchoes()} (Twilio echoes them at once, and they do not mean "played").
 */
final class ScriptedMediaStream implements MediaStream {
  private final String id;
  private final AudioFormat format;
  private final MutableClock clock;
  private volatile Listener listener = Listener.NONE;
  private volatile boolean open = true;
  final List<Object> sent = new ArrayList<>();
  final List<AudioChunk> audio = new ArrayList<>();
  final List<String> marks = new ArrayList<>();
  private final ArrayDeque<Object> queue = new ArrayDeque<>(); // long[]{remainingUs} or String
  private final List<String> clearedMarks = new ArrayList<>();
  long playedUs;
  int clears;

  ScriptedMediaStream(String id, AudioFormat format, MutableClock clock) {
    this.id = id;
    this.format = format;
    this.clock = clock;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String callId() {
    return "CA1";
  }

  @Override
  public AudioFormat format() {
    return format;
  }

  @Override
  public Map<String, String> parameters() {
    return Map.of();
  }

  @Override
  public void setListener(Listener listener) {
    this.listener = listener;
  }

  Listener listener() {
    return listener;
  }

  @Override
  public synchronized boolean sendAudio(AudioChunk chunk) {
    if (!open) {
      return false;
    }
    sent.add(chunk);
    audio.add(chunk);
    queue.add(new long[] {Clips.micros(chunk)});
    return true;
  }

  @Override
  public synchronized boolean sendMark(String name) {
    if (!open) {
      return false;
    }
    sent.add("mark:" + name);
    marks.add(name);
    queue.add(name);
    return true;
  }

  @Override
  public synchronized boolean clear() {
    sent.add("clear");
    clears++;
    for (Object o : queue) {
      if (o instanceof String name) {
        clearedMarks.add(name);
      }
    }
    queue.clear();
    return open;
  }

  /** Echoes the marks a clear released, as Twilio does right after a clear. */
  void deliverClearEchoes() {
    List<String> names;
    synchronized (this) {
      names = List.copyOf(clearedMarks);
      clearedMarks.clear();
    }
    names.forEach(listener::onMark);
  }

  /** Plays for a while: advances the clock, consuming queued audio and echoing reached marks. */
  void play(Duration duration) {
    long budget = duration.toNanos() / 1000;
    while (true) {
      String echo = null;
      synchronized (this) {
        Object head = queue.peek();
        if (head == null) {
          break;
        }
        if (head instanceof String name) {
          queue.poll();
          echo = name;
        } else {
          long[] remaining = (long[]) head;
          long take = Math.min(remaining[0], budget);
          remaining[0] -= take;
          budget -= take;
          playedUs += take;
          clock.advance(Duration.ofNanos(take * 1000));
          if (remaining[0] > 0) {
            return;
          }
          queue.poll();
          continue;
        }
      }
      listener.onMark(echo);
    }
    clock.advance(Duration.ofNanos(budget * 1000));
  }

  /** Plays everything queued. */
  void playAll() {
    play(Duration.ofHours(1));
  }

  void callerSays(AudioChunk chunk) {
    listener.onAudio(chunk);
  }

  void closeFromRemote(CloseReason reason) {
    open = false;
    listener.onClosed(reason);
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public CompletableFuture<Void> close() {
    open = false;
    return CompletableFuture.completedFuture(null);
  }
}
