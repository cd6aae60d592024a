package dev.switchboard.examples;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.G711;
import dev.switchboard.codec.Transcoder;
import dev.switchboard.codec.Wav;
import dev.switchboard.testing.twilio.CallerAudio;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A caller who speaks when told to: silence until {@link #say(byte[])} queues a clip, which then
 * goes out in the next 20 ms frame the phone sends. It lets a program react to what the caller
 * hears ("interrupt 700 ms into the answer") instead of guessing a timeline in advance.
 *
 * <pre>{@code
 * LiveCaller caller = new LiveCaller();
 * LocalCall call = agent.placeCall(caller.audio(), Pacing.REALTIME);
 * caller.say(LiveCaller.clip("caller-1.wav")).join(); // returns when the clip has been sent
 * }</pre>
 *
 * <p>Thread-safe. One instance per simulated phone: its {@link #audio()} keeps the position in the
 * clips, so it is not the pure function {@link CallerAudio#generator} usually asks for.
 */
public final class LiveCaller {
  private final Object lock = new Object();
  private final ArrayDeque<Clip> queue = new ArrayDeque<>(); // guarded by lock
  private Clip current; // guarded by lock
  private int position; // guarded by lock

  private record Clip(byte[] ulaw, CompletableFuture<Void> done) {}

  /**
   * Returns the audio to give the phone.
   *
   * @return endless audio: the queued clips, silence in between
   */
  public CallerAudio audio() {
    return CallerAudio.generator(index -> next());
  }

  /**
   * Queues a clip to be said after whatever is being said now.
   *
   * @param ulaw 8 kHz μ-law
   * @return completes when the last byte has been sent to the phone line
   */
  public CompletableFuture<Void> say(byte[] ulaw) {
    Objects.requireNonNull(ulaw, "ulaw");
    Clip clip = new Clip(ulaw.clone(), new CompletableFuture<>());
    synchronized (lock) {
      queue.add(clip);
    }
    return clip.done();
  }

  /**
   * Tells whether a clip is being sent or waiting.
   *
   * @return true while speaking
   */
  public boolean speaking() {
    synchronized (lock) {
      return current != null || !queue.isEmpty();
    }
  }

  private short next() {
    CompletableFuture<Void> finished = null;
    short sample;
    synchronized (lock) {
      if (current == null) {
        current = queue.poll();
        position = 0;
      }
      if (current == null) {
        return 0;
      }
      sample = G711.ulawToLinear(current.ulaw()[position++]);
      if (position >= current.ulaw().length) {
        finished = current.done();
        current = null;
      }
    }
    if (finished != null) {
      finished.complete(null);
    }
    return sample;
  }

  /**
   * Loads one of the committed speech clips of this package as 8 kHz μ-law.
   *
   * @param name e.g. {@code "caller-1.wav"}
   * @return the audio
   * @throws UncheckedIOException if it cannot be read
   */
  public static byte[] clip(String name) {
    try (InputStream in = LiveCaller.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new UncheckedIOException(
            new IOException("no resource " + name + " next to LiveCaller"));
      }
      Wav wav = Wav.read(in);
      if (wav.format().equals(AudioFormat.PCMU_8K)) {
        return wav.bytes();
      }
      Transcoder transcoder = Transcoder.create(wav.format(), AudioFormat.PCMU_8K);
      byte[] data = wav.bytes();
      byte[] out = new byte[transcoder.outputLength(data.length) + transcoder.flushLength()];
      int n = transcoder.transcode(data, 0, data.length, out, 0);
      n += transcoder.flush(out, n);
      return Arrays.copyOf(out, n);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Removes the quiet start of a clip, so that the caller's voice starts with the clip.
   *
   * @param ulaw 8 kHz μ-law
   * @return the clip from its first sample louder than about -40 dBFS
   */
  public static byte[] trimSilence(byte[] ulaw) {
    int start = 0;
    while (start < ulaw.length && Math.abs(G711.ulawToLinear(ulaw[start])) < 330) {
      start++;
    }
    return Arrays.copyOfRange(ulaw, start, ulaw.length);
  }

  /**
   * A steady tone, e.g. a caller whose voice is easy to recognise in tests.
   *
   * @param hz the frequency, below 4000
   * @param amplitude the peak, 0 to 1
   * @param duration how long
   * @return 8 kHz μ-law
   */
  public static byte[] tone(double hz, double amplitude, Duration duration) {
    int samples = (int) (duration.toNanos() / 125_000L);
    byte[] ulaw = new byte[samples];
    for (int i = 0; i < samples; i++) {
      double value = amplitude * Short.MAX_VALUE * Math.sin(2 * Math.PI * hz * i / 8000.0);
      ulaw[i] = G711.linearToUlaw((short) Math.round(value));
    }
    return ulaw;
  }
}
