package dev.switchboard.codec;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * Cuts audio arriving in pieces of any size into frames of a fixed duration (20 ms by default, the
 * size Twilio Media Streams send and expect). Confined: one thread at a time.
 *
 * <pre>{@code
 * Reframer framer = Reframer.create(AudioFormat.PCMU_8K);      // 160-byte frames
 * framer.push(chunk, 0, chunk.length, (frame, off, len) -> send(frame, off, len));
 * framer.flush((frame, off, len) -> send(frame, off, len));    // the last, shorter frame
 * }</pre>
 *
 * <h2>Buffers</h2>
 *
 * A frame handed to the {@link FrameSink} is valid only during that call: it is either a slice of
 * the caller's input array (whole frames are passed without copying when nothing is pending) or the
 * reframer's own buffer, which the next frame overwrites. A sink that keeps a frame must copy it.
 * Pieces need not be whole samples: a PCM16 sample split across two pushes is joined.
 */
public final class Reframer {
  /** Receives frames. */
  @FunctionalInterface
  public interface FrameSink {
    /**
     * Takes one frame; the bytes are valid only during this call.
     *
     * @param frame the array holding the frame
     * @param offset index of the frame's first byte
     * @param length the frame's byte count: {@link #frameBytes()}, or less for a flushed remainder
     */
    void accept(byte[] frame, int offset, int length);
  }

  private final AudioFormat format;
  private final int frameBytes;
  private final byte[] pending;
  private int pendingLength;

  private Reframer(AudioFormat format, int frameBytes) {
    this.format = format;
    this.frameBytes = frameBytes;
    this.pending = new byte[frameBytes];
  }

  /**
   * Returns a reframer that makes 20 ms frames.
   *
   * @param format the audio's format
   * @return a new reframer
   */
  public static Reframer create(AudioFormat format) {
    return create(format, Duration.ofMillis(20));
  }

  /**
   * Returns a reframer that makes frames of the given duration.
   *
   * @param format the audio's format
   * @param frameDuration a positive duration that is a whole number of samples at the format's rate
   * @return a new reframer
   * @throws CodecException if the duration is not a whole number of samples
   * @throws IllegalArgumentException if the duration is not positive
   */
  public static Reframer create(AudioFormat format, Duration frameDuration) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(frameDuration, "frameDuration");
    if (frameDuration.isNegative() || frameDuration.isZero()) {
      throw new IllegalArgumentException("frameDuration must be positive, got " + frameDuration);
    }
    return new Reframer(format, format.bytesPer(frameDuration));
  }

  /**
   * Returns the format.
   *
   * @return the audio's format
   */
  public AudioFormat format() {
    return format;
  }

  /**
   * Returns the size of a whole frame.
   *
   * @return bytes per frame
   */
  public int frameBytes() {
    return frameBytes;
  }

  /**
   * Returns the bytes held back, waiting for the rest of their frame.
   *
   * @return 0 to {@code frameBytes() - 1}
   */
  public int pending() {
    return pendingLength;
  }

  /**
   * Adds audio and hands every frame it completes to {@code sink}, in order.
   *
   * @param src the audio
   * @param off index of the first byte
   * @param len byte count, zero or more
   * @param sink receives whole frames
   * @return the number of frames handed to {@code sink}
   * @throws IndexOutOfBoundsException if the range is outside {@code src}
   */
  public int push(byte[] src, int off, int len, FrameSink sink) {
    Objects.checkFromIndexSize(off, len, src.length);
    Objects.requireNonNull(sink, "sink");
    int frames = 0;
    int end = off + len;
    if (pendingLength > 0) {
      int take = Math.min(frameBytes - pendingLength, len);
      System.arraycopy(src, off, pending, pendingLength, take);
      pendingLength += take;
      off += take;
      if (pendingLength < frameBytes) {
        return 0;
      }
      pendingLength = 0;
      sink.accept(pending, 0, frameBytes);
      frames++;
    }
    for (; end - off >= frameBytes; off += frameBytes) {
      sink.accept(src, off, frameBytes);
      frames++;
    }
    System.arraycopy(src, off, pending, 0, end - off);
    pendingLength = end - off;
    return frames;
  }

  /**
   * Ends the stream: hands the held-back bytes, if any, to {@code sink} as one shorter frame, and
   * empties the reframer.
   *
   * @param sink receives the remainder
   * @return true if a frame was handed over
   * @throws CodecException if the held-back bytes end in the middle of a sample; nothing is handed
   *     over or dropped then
   */
  public boolean flush(FrameSink sink) {
    return flush(sink, false);
  }

  /**
   * Ends the stream: pads the held-back bytes, if any, with silence to a whole frame, hands it to
   * {@code sink}, and empties the reframer.
   *
   * @param sink receives the padded frame
   * @return true if a frame was handed over
   * @throws CodecException if the held-back bytes end in the middle of a sample; nothing is handed
   *     over or dropped then
   */
  public boolean flushPadded(FrameSink sink) {
    return flush(sink, true);
  }

  private boolean flush(FrameSink sink, boolean pad) {
    Objects.requireNonNull(sink, "sink");
    if (pendingLength == 0) {
      return false;
    }
    if (pendingLength % format.bytesPerFrame() != 0) {
      throw new CodecException(
          "the stream ends mid-sample: "
              + pendingLength
              + " bytes are held back but "
              + format
              + " samples take "
              + format.bytesPerFrame()
              + " bytes");
    }
    int length = pendingLength;
    if (pad) {
      Arrays.fill(pending, length, frameBytes, format.encoding().silence());
      length = frameBytes;
    }
    pendingLength = 0;
    sink.accept(pending, 0, length);
    return true;
  }

  /** Drops the held-back bytes. */
  public void reset() {
    pendingLength = 0;
  }

  @Override
  public String toString() {
    return "Reframer[" + format + ", " + frameBytes + " bytes per frame]";
  }
}
