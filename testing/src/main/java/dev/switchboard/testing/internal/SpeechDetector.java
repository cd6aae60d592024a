package dev.switchboard.testing.internal;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.G711;
import dev.switchboard.codec.Pcm16;
import java.util.Objects;

/**
 * Energy voice-activity detection over 20 ms frames of received audio, on the input stream's own
 * clock (frames received, not wall time): speech starts when the RMS of the decoded samples exceeds
 * the threshold for {@link #MIN_SPEECH_FRAMES} frames in a row (reported at the first loud frame)
 * and stops after {@code silenceMillis} of frames at or below it (reported at the end of the last
 * loud frame). Works on mono μ-law, A-law or PCM16LE at any sample rate. Not API. Confined: one
 * thread at a time.
 */
public final class SpeechDetector {
  /** The length of one analysed frame. */
  public static final int FRAME_MILLIS = 20;

  /** How many loud frames in a row start speech. */
  public static final int MIN_SPEECH_FRAMES = 3;

  /** Receives what the detector finds. */
  public interface Events {
    /**
     * Speech started.
     *
     * @param audioStartMs the start of the first loud frame, on the input clock
     */
    void speechStarted(long audioStartMs);

    /**
     * Speech stopped.
     *
     * @param audioEndMs the end of the last loud frame, on the input clock
     */
    void speechStopped(long audioEndMs);
  }

  private AudioFormat format;
  private byte[] partial;
  private int partialLength;
  private long frames;
  private boolean speaking;
  private int loudRun;
  private long loudStart;
  private int quietRun;
  private long quietStart;

  /**
   * Creates a detector for a mono input format.
   *
   * @param format the format of the audio that will be fed
   */
  public SpeechDetector(AudioFormat format) {
    this.format = Objects.requireNonNull(format, "format");
    this.partial = new byte[frameBytes(format)];
  }

  /**
   * Returns the bytes of one 20 ms frame of a format (rounded down to whole samples).
   *
   * @param format the format
   * @return the frame size in bytes
   */
  public static int frameBytes(AudioFormat format) {
    return Math.max(1, format.sampleRate() * FRAME_MILLIS / 1000) * format.bytesPerFrame();
  }

  /**
   * Returns how much input has been analysed, in whole frames.
   *
   * @return milliseconds of input received so far
   */
  public long clockMillis() {
    return frames * FRAME_MILLIS;
  }

  /**
   * Tells whether speech is in progress.
   *
   * @return true between a start and its stop
   */
  public boolean speaking() {
    return speaking;
  }

  /**
   * Follows a change of input format; a partial frame in the old format is dropped.
   *
   * @param next the new format
   */
  public void format(AudioFormat next) {
    if (!next.equals(format)) {
      format = next;
      partial = new byte[frameBytes(next)];
      partialLength = 0;
    }
  }

  /** Forgets any speech in progress (after a clear or a manual commit), keeping the clock. */
  public void resetSpeech() {
    speaking = false;
    loudRun = 0;
    quietRun = 0;
  }

  /**
   * Analyses received audio; frames may span calls.
   *
   * @param audio the bytes, in the detector's format
   * @param detect whether to detect speech (false: only the clock advances)
   * @param threshold the RMS, in linear 16-bit units, above which a frame is loud
   * @param silenceMillis how long quiet must last to stop speech
   * @param events told of starts and stops, on this thread
   */
  public void feed(
      byte[] audio, boolean detect, double threshold, int silenceMillis, Events events) {
    int frameBytes = partial.length;
    int offset = 0;
    while (offset < audio.length) {
      int take = Math.min(frameBytes - partialLength, audio.length - offset);
      System.arraycopy(audio, offset, partial, partialLength, take);
      partialLength += take;
      offset += take;
      if (partialLength == frameBytes) {
        partialLength = 0;
        boolean loud = rms(partial) > threshold;
        long frameStart = frames * FRAME_MILLIS;
        frames++;
        if (detect) {
          step(loud, frameStart, silenceMillis, events);
        } else {
          resetSpeech();
        }
      }
    }
  }

  private void step(boolean loud, long frameStart, int silenceMillis, Events events) {
    if (!speaking) {
      if (loud) {
        if (loudRun == 0) {
          loudStart = frameStart;
        }
        loudRun++;
        if (loudRun >= MIN_SPEECH_FRAMES) {
          speaking = true;
          quietRun = 0;
          events.speechStarted(loudStart);
        }
      } else {
        loudRun = 0;
      }
      return;
    }
    if (loud) {
      quietRun = 0;
      return;
    }
    if (quietRun == 0) {
      quietStart = frameStart;
    }
    quietRun++;
    if (quietRun * FRAME_MILLIS >= Math.max(FRAME_MILLIS, silenceMillis)) {
      speaking = false;
      loudRun = 0;
      quietRun = 0;
      events.speechStopped(quietStart);
    }
  }

  private double rms(byte[] frame) {
    short[] samples = decode(format, frame, 0, frame.length);
    double sum = 0;
    for (short s : samples) {
      sum += (double) s * s;
    }
    return samples.length == 0 ? 0 : Math.sqrt(sum / samples.length);
  }

  /**
   * Decodes whole samples of a format to linear PCM16.
   *
   * @param format the format
   * @param src the bytes
   * @param offset where to start
   * @param length how many bytes (a partial sample at the end is ignored)
   * @return the samples
   */
  public static short[] decode(AudioFormat format, byte[] src, int offset, int length) {
    int count = length / format.encoding().bytesPerSample();
    short[] out = new short[count];
    switch (format.encoding()) {
      case PCMU -> G711.decodeUlaw(src, offset, out, 0, count);
      case PCMA -> G711.decodeAlaw(src, offset, out, 0, count);
      case PCM16LE -> Pcm16.toSamples(src, offset, out, 0, count);
    }
    return out;
  }

  /**
   * Encodes linear PCM16 samples in a format.
   *
   * @param format the format
   * @param samples the samples
   * @return the bytes
   */
  public static byte[] encode(AudioFormat format, short[] samples) {
    byte[] out = new byte[samples.length * format.encoding().bytesPerSample()];
    switch (format.encoding()) {
      case PCMU -> G711.encodeUlaw(samples, 0, out, 0, samples.length);
      case PCMA -> G711.encodeAlaw(samples, 0, out, 0, samples.length);
      case PCM16LE -> Pcm16.toBytes(samples, 0, out, 0, samples.length);
    }
    return out;
  }
}
