package dev.switchboard.testing.twilio;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.CodecException;
import dev.switchboard.codec.G711;
import dev.switchboard.codec.Pcm16;
import dev.switchboard.codec.Transcoder;
import dev.switchboard.codec.Wav;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the caller says on a {@link TwilioCallSimulator}'s call: a source of consecutive 20 ms
 * frames of 8 kHz μ-law (160 bytes each), as Twilio sends them in {@code media} messages.
 *
 * <pre>{@code
 * CallerAudio hello = CallerAudio.wav(Path.of("src/test/resources/hello.wav"));
 * TwilioCallSimulator sim = TwilioCallSimulator.builder(mediaUrl)
 *     .callerAudio(CallerAudio.silence(Duration.ofMillis(500)).followedBy(hello))
 *     .build();
 * }</pre>
 *
 * <p>Sources are either endless ({@link #silence()}, {@link #tone}, {@link #generator}) or finite
 * ({@link #ulaw(byte[])}, {@link #wav(Path)}, {@link #silence(Duration)} and sequences of them
 * built with {@link #followedBy}). When a finite source runs out the caller falls silent (μ-law
 * {@code 0xFF}) for the rest of the call, padding the last frame, unless it was made {@link
 * #looping()}, in which case it starts over without a gap.
 *
 * <p>Immutable and thread-safe: a {@code CallerAudio} is a recipe, and each simulator that uses it
 * reads it from the start with its own cursor, so one instance can serve many simulators. A {@link
 * SampleGenerator} is called by the simulator's threads, one call at a time per simulator.
 */
public final class CallerAudio {
  /** The size of one frame: 20 ms of 8 kHz μ-law. */
  public static final int FRAME_BYTES = 160;

  private static final int SAMPLE_RATE = 8000;

  /**
   * Computes the caller's audio one 8 kHz sample at a time, as signed 16-bit PCM (the simulator
   * encodes it to μ-law). It should be a pure function of the index: every simulator starts again
   * from index 0, and calls may come from different threads (one at a time).
   */
  @FunctionalInterface
  public interface SampleGenerator {
    /**
     * Returns one sample.
     *
     * @param index the sample's position in the call's audio, from 0 (8000 per second)
     * @return the sample, signed 16-bit linear PCM
     */
    short sample(long index);
  }

  /** A finite stretch of μ-law, or an endless generator; only the last segment may be endless. */
  private record Segment(byte[] ulaw, @Nullable SampleGenerator generator) {
    boolean endless() {
      return generator != null;
    }
  }

  private final List<Segment> segments;
  private final boolean looping;
  private final String description;

  private CallerAudio(List<Segment> segments, boolean looping, String description) {
    this.segments = List.copyOf(segments);
    this.looping = looping;
    this.description = description;
  }

  /**
   * Silence for the whole call.
   *
   * @return endless μ-law silence ({@code 0xFF})
   */
  public static CallerAudio silence() {
    return generated(index -> 0, "silence");
  }

  /**
   * Silence for a while, then whatever {@link #followedBy follows} (or silence anyway).
   *
   * @param duration how long, a whole number of 8 kHz samples (whole milliseconds always are)
   * @return finite silence
   * @throws IllegalArgumentException if the duration is negative or not a whole number of samples
   */
  public static CallerAudio silence(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    int bytes;
    try {
      bytes = AudioFormat.PCMU_8K.bytesPer(duration);
    } catch (CodecException | ArithmeticException e) {
      throw new IllegalArgumentException("silence(" + duration + "): " + e.getMessage(), e);
    }
    byte[] ulaw = new byte[bytes];
    Arrays.fill(ulaw, G711.ULAW_SILENCE);
    return finite(ulaw, "silence(" + duration.toMillis() + " ms)");
  }

  /**
   * A steady sine tone for the whole call, e.g. to trip a voice activity detector.
   *
   * @param hz the frequency, above 0 and below 4000 (the Nyquist limit at 8 kHz)
   * @param amplitude the peak as a fraction of full scale, 0 to 1 (0.1 is a quiet voice, 0.5 loud)
   * @return an endless tone
   * @throws IllegalArgumentException if a value is out of range
   */
  public static CallerAudio tone(double hz, double amplitude) {
    if (!(hz > 0 && hz < SAMPLE_RATE / 2.0)) {
      throw new IllegalArgumentException("hz must be above 0 and below 4000, got " + hz);
    }
    if (!(amplitude >= 0 && amplitude <= 1)) {
      throw new IllegalArgumentException("amplitude must be between 0 and 1, got " + amplitude);
    }
    double step = 2 * Math.PI * hz / SAMPLE_RATE;
    double peak = amplitude * Short.MAX_VALUE;
    return generated(
        index -> (short) Math.round(peak * Math.sin(step * index)),
        "tone(" + hz + " Hz, " + amplitude + ")");
  }

  /**
   * Audio computed sample by sample, for the whole call.
   *
   * <pre>{@code
   * // a 440 Hz beep in the first half of every second
   * CallerAudio beeps = CallerAudio.generator(
   *     i -> i % 8000 < 4000 ? (short) (8000 * Math.sin(2 * Math.PI * 440 * i / 8000.0)) : 0);
   * }</pre>
   *
   * @param generator computes each 8 kHz PCM16 sample from its index
   * @return endless generated audio
   */
  public static CallerAudio generator(SampleGenerator generator) {
    Objects.requireNonNull(generator, "generator");
    return generated(generator, "generator(...)");
  }

  /**
   * Raw 8 kHz μ-law bytes (no header), then silence.
   *
   * @param ulaw the audio, copied; any length (the last frame is padded with silence)
   * @return finite audio
   */
  public static CallerAudio ulaw(byte[] ulaw) {
    Objects.requireNonNull(ulaw, "ulaw");
    return finite(ulaw.clone(), "ulaw(" + ulaw.length / 8 + " ms)");
  }

  /**
   * A WAV file, then silence. The file is read now and converted to 8 kHz μ-law: 16-bit PCM, μ-law
   * or A-law at 8, 16, 24 or 48 kHz; several channels are mixed down to mono.
   *
   * @param path the file
   * @return finite audio
   * @throws UncheckedIOException if the file cannot be read
   * @throws CodecException if it is not a WAV file or its format is not supported (the message says
   *     which)
   */
  public static CallerAudio wav(Path path) {
    Objects.requireNonNull(path, "path");
    Wav wav;
    try {
      wav = Wav.read(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read WAV file " + path + ": " + e.getMessage(), e);
    }
    return finite(toUlaw(wav), "wav(" + path.getFileName() + ")");
  }

  /**
   * Plays this audio, then {@code next}.
   *
   * @param next what follows
   * @return the sequence; endless if {@code next} is
   * @throws IllegalStateException if this audio never ends (it is endless or looping)
   */
  public CallerAudio followedBy(CallerAudio next) {
    Objects.requireNonNull(next, "next");
    if (duration().isEmpty()) {
      throw new IllegalStateException(
          this + " never ends, so nothing can follow it; use a finite source before followedBy");
    }
    List<Segment> joined = new ArrayList<>(segments);
    if (next.looping) {
      // Keep the loop confined to `next` by expanding it into an endless generator.
      byte[] loop = next.concatenated();
      joined.add(new Segment(new byte[0], i -> G711.ulawToLinear(loop[(int) (i % loop.length)])));
    } else {
      joined.addAll(next.segments);
    }
    return new CallerAudio(joined, false, description + ".followedBy(" + next + ")");
  }

  /**
   * Repeats this finite audio for the whole call, without a gap. Endless audio is returned as is.
   *
   * @return the looping audio
   */
  public CallerAudio looping() {
    if (duration().isEmpty() || concatenated().length == 0) {
      return this;
    }
    return new CallerAudio(segments, true, description + ".looping()");
  }

  /**
   * Returns how long this audio lasts before silence takes over.
   *
   * @return the length of finite audio; empty for endless or looping audio
   */
  public Optional<Duration> duration() {
    if (looping) {
      return Optional.empty();
    }
    long bytes = 0;
    for (Segment segment : segments) {
      if (segment.endless()) {
        return Optional.empty();
      }
      bytes += segment.ulaw().length;
    }
    return Optional.of(Duration.ofNanos(bytes * 125_000L));
  }

  /** Opens a cursor at the start of the audio; one per simulator. */
  Cursor cursor() {
    return new Cursor();
  }

  @Override
  public String toString() {
    return "CallerAudio." + description;
  }

  private static CallerAudio generated(SampleGenerator generator, String description) {
    return new CallerAudio(List.of(new Segment(new byte[0], generator)), false, description);
  }

  private static CallerAudio finite(byte[] ulaw, String description) {
    return new CallerAudio(List.of(new Segment(ulaw, null)), false, description);
  }

  private byte[] concatenated() {
    int length = 0;
    for (Segment segment : segments) {
      length += segment.ulaw().length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (Segment segment : segments) {
      System.arraycopy(segment.ulaw(), 0, all, at, segment.ulaw().length);
      at += segment.ulaw().length;
    }
    return all;
  }

  private static byte[] toUlaw(Wav wav) {
    AudioFormat format = wav.format();
    byte[] data = wav.bytes();
    if (format.channels() > 1) {
      data = mixDown(format, data);
      format = AudioFormat.of(AudioFormat.Encoding.PCM16LE, format.sampleRate(), 1);
    }
    Transcoder transcoder = Transcoder.create(format, AudioFormat.PCMU_8K);
    byte[] out = new byte[transcoder.outputLength(data.length) + transcoder.flushLength()];
    int written = transcoder.transcode(data, 0, data.length, out, 0);
    written += transcoder.flush(out, written);
    return written == out.length ? out : Arrays.copyOf(out, written);
  }

  /** Decodes interleaved audio to PCM16 and averages the channels into mono PCM16. */
  private static byte[] mixDown(AudioFormat format, byte[] data) {
    AudioFormat pcm =
        AudioFormat.of(AudioFormat.Encoding.PCM16LE, format.sampleRate(), format.channels());
    byte[] decoded = new byte[Transcoder.create(format, pcm).outputLength(data.length)];
    Transcoder.create(format, pcm).transcode(data, 0, data.length, decoded, 0);
    int channels = format.channels();
    int frames = decoded.length / (2 * channels);
    short[] interleaved = new short[frames * channels];
    Pcm16.toSamples(decoded, 0, interleaved, 0, interleaved.length);
    short[] mono = new short[frames];
    for (int f = 0; f < frames; f++) {
      int sum = 0;
      for (int c = 0; c < channels; c++) {
        sum += interleaved[f * channels + c];
      }
      mono[f] = (short) (sum / channels);
    }
    byte[] out = new byte[frames * 2];
    Pcm16.toBytes(mono, 0, out, 0, frames);
    return out;
  }

  /** Reads the audio frame by frame. Confined: used by one thread at a time. */
  final class Cursor {
    private int segment;
    private long position; // byte index in a finite segment, sample index in a generator

    private Cursor() {}

    /** Fills {@code frame} with the next {@link #FRAME_BYTES} bytes. */
    void next(byte[] frame) {
      int filled = 0;
      while (filled < frame.length) {
        if (segment >= segments.size()) {
          if (looping) {
            segment = 0;
            position = 0;
            continue;
          }
          Arrays.fill(frame, filled, frame.length, G711.ULAW_SILENCE);
          return;
        }
        Segment current = segments.get(segment);
        SampleGenerator generator = current.generator();
        if (generator != null) {
          for (; filled < frame.length; filled++) {
            frame[filled] = G711.linearToUlaw(generator.sample(position++));
          }
          return;
        }
        byte[] ulaw = current.ulaw();
        int n = (int) Math.min(frame.length - filled, ulaw.length - position);
        System.arraycopy(ulaw, (int) position, frame, filled, n);
        filled += n;
        position += n;
        if (position >= ulaw.length) {
          segment++;
          position = 0;
        }
      }
    }
  }
}
