package dev.switchboard.codec;

import java.time.Duration;
import java.util.Objects;

/**
 * The shape of a raw audio stream: sample encoding, sample rate and channel count. Immutable and
 * thread-safe.
 *
 * <p>Multi-channel audio is interleaved (one sample of each channel per sample frame). The
 * constants cover the formats the supported providers speak:
 *
 * <pre>{@code
 * AudioFormat phone = AudioFormat.PCMU_8K;       // Twilio Media Streams, OpenAI "audio/pcmu"
 * AudioFormat realtime = AudioFormat.PCM16_24K;  // OpenAI "audio/pcm"
 * int bytes = phone.bytesPer(Duration.ofMillis(20));  // 160
 * }</pre>
 *
 * @param encoding how each sample is stored
 * @param sampleRate sample frames per second, positive
 * @param channels interleaved channels, 1 to 8
 */
public record AudioFormat(Encoding encoding, int sampleRate, int channels) {

  /** 8 kHz mono G.711 μ-law: the telephone network's format and Twilio Media Streams'. */
  public static final AudioFormat PCMU_8K = new AudioFormat(Encoding.PCMU, 8000, 1);

  /** 8 kHz mono G.711 A-law. */
  public static final AudioFormat PCMA_8K = new AudioFormat(Encoding.PCMA, 8000, 1);

  /** 8 kHz mono signed 16-bit little-endian PCM. */
  public static final AudioFormat PCM16_8K = new AudioFormat(Encoding.PCM16LE, 8000, 1);

  /** 16 kHz mono signed 16-bit little-endian PCM (wideband). */
  public static final AudioFormat PCM16_16K = new AudioFormat(Encoding.PCM16LE, 16000, 1);

  /** 24 kHz mono signed 16-bit little-endian PCM (OpenAI Realtime {@code audio/pcm}). */
  public static final AudioFormat PCM16_24K = new AudioFormat(Encoding.PCM16LE, 24000, 1);

  /** 48 kHz mono signed 16-bit little-endian PCM. */
  public static final AudioFormat PCM16_48K = new AudioFormat(Encoding.PCM16LE, 48000, 1);

  /** How a sample is stored. */
  public enum Encoding {
    /** G.711 μ-law, one byte per sample. */
    PCMU(1, G711.ULAW_SILENCE),
    /** G.711 A-law, one byte per sample. */
    PCMA(1, G711.ALAW_SILENCE),
    /** Signed 16-bit linear PCM, little-endian, two bytes per sample. */
    PCM16LE(2, (byte) 0);

    private final int bytesPerSample;
    private final byte silence;

    Encoding(int bytesPerSample, byte silence) {
      this.bytesPerSample = bytesPerSample;
      this.silence = silence;
    }

    /**
     * Returns the byte that, repeated, encodes silence.
     *
     * @return 0xFF for μ-law, 0xD5 for A-law, 0 for PCM16
     */
    public byte silence() {
      return silence;
    }

    /**
     * Returns the bytes one sample of one channel takes.
     *
     * @return 1 for G.711, 2 for PCM16
     */
    public int bytesPerSample() {
      return bytesPerSample;
    }
  }

  /**
   * Validates the components.
   *
   * @throws NullPointerException if {@code encoding} is null
   * @throws IllegalArgumentException if the rate is not positive or channels are not 1 to 8
   */
  public AudioFormat {
    Objects.requireNonNull(encoding, "encoding");
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate must be positive, got " + sampleRate);
    }
    if (channels < 1 || channels > 8) {
      throw new IllegalArgumentException("channels must be between 1 and 8, got " + channels);
    }
  }

  /**
   * Returns a format; the same as the constructor.
   *
   * @param encoding how each sample is stored
   * @param sampleRate sample frames per second
   * @param channels interleaved channels
   * @return the format
   */
  public static AudioFormat of(Encoding encoding, int sampleRate, int channels) {
    return new AudioFormat(encoding, sampleRate, channels);
  }

  /**
   * Returns the bytes one sample frame (one sample of every channel) takes.
   *
   * @return bytes per sample times channels
   */
  public int bytesPerFrame() {
    return encoding.bytesPerSample * channels;
  }

  /**
   * Returns how many sample frames the given duration holds.
   *
   * @param duration a non-negative duration
   * @return the number of sample frames
   * @throws CodecException if the duration is not a whole number of sample frames at this rate
   */
  public int samplesPer(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative, got " + duration);
    }
    long nanosTimesRate = Math.multiplyExact(duration.toNanos(), (long) sampleRate);
    if (nanosTimesRate % 1_000_000_000L != 0) {
      throw new CodecException(
          duration + " is not a whole number of samples at " + sampleRate + " Hz");
    }
    return Math.toIntExact(nanosTimesRate / 1_000_000_000L);
  }

  /**
   * Returns how many bytes of this format the given duration takes.
   *
   * @param duration a non-negative duration that is a whole number of sample frames
   * @return the byte count
   * @throws CodecException if the duration is not a whole number of sample frames at this rate
   */
  public int bytesPer(Duration duration) {
    return Math.multiplyExact(samplesPer(duration), bytesPerFrame());
  }

  /**
   * Returns how long the given number of bytes of this format plays.
   *
   * @param bytes a byte count, a multiple of {@link #bytesPerFrame()}
   * @return the play time
   * @throws CodecException if {@code bytes} is negative or not whole sample frames
   */
  public Duration durationOf(long bytes) {
    requireWholeFrames(bytes);
    long frames = bytes / bytesPerFrame();
    return Duration.ofNanos(Math.multiplyExact(frames, 1_000_000_000L) / sampleRate);
  }

  /**
   * Checks that a byte count is a whole number of sample frames of this format.
   *
   * @param bytes the byte count
   * @throws CodecException naming the count and the frame size if it is not
   */
  void requireWholeFrames(long bytes) {
    if (bytes < 0) {
      throw new CodecException("byte count must not be negative, got " + bytes);
    }
    if (bytes % bytesPerFrame() != 0) {
      String what =
          encoding == Encoding.PCM16LE && channels == 1
              ? "PCM16LE audio must have an even byte count"
              : this + " audio must come in whole sample frames of " + bytesPerFrame() + " bytes";
      throw new CodecException(what + ", got " + bytes + " bytes");
    }
  }

  @Override
  public String toString() {
    return encoding + "/" + sampleRate + "Hz/" + (channels == 1 ? "mono" : channels + "ch");
  }
}
