package dev.switchboard.codec;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Converts a stream of audio from one {@link AudioFormat} to another: decode, resample, encode.
 * Confined: one thread at a time (one transcoder per stream and direction, since it carries the
 * resampler's state).
 *
 * <pre>{@code
 * Transcoder toAgent = Transcoder.create(AudioFormat.PCMU_8K, AudioFormat.PCM16_24K);
 * byte[] pcm = new byte[toAgent.outputLength(160)];          // 960 bytes
 * int n = toAgent.transcode(ulawFrame, 0, 160, pcm, 0);
 * }</pre>
 *
 * <p>When both formats are equal the transcoder is a {@linkplain #isPassThrough() pass-through}:
 * {@link #transcode(ByteBuffer)} returns its argument itself, without copying. Between formats of
 * different rates the output lags the input by the resampler's {@link #delayFrames() delay}; {@link
 * #flush(byte[], int)} writes the delayed tail at the end of the stream. Only mono audio can change
 * rate; formats with several channels can change encoding but must keep their channel count.
 *
 * <h2>Buffers</h2>
 *
 * The array form writes into the caller's array and keeps no reference to either array. {@link
 * #transcode(ByteBuffer)} returns a buffer owned by the transcoder (except on pass-through), valid
 * until the next call on it. Scratch space is allocated in {@link #create}; {@code
 * transcode(ByteBuffer)} grows its output buffer only when given more input than ever before.
 */
public final class Transcoder {
  /** Samples handled per internal pass. */
  private static final int CHUNK = 960;

  private final AudioFormat from;
  private final AudioFormat to;
  private final Resampler resampler;
  private final boolean passThrough;
  private final short[] decoded;
  private final short[] resampled;
  private byte[] bufferIn = new byte[0];
  private byte[] bufferOut = new byte[0];
  private ByteBuffer bufferOutView = ByteBuffer.wrap(bufferOut);

  private Transcoder(AudioFormat from, AudioFormat to) {
    this.from = from;
    this.to = to;
    this.passThrough = from.equals(to);
    this.resampler =
        from.sampleRate() == to.sampleRate()
            ? null
            : Resampler.create(from.sampleRate(), to.sampleRate());
    this.decoded = new short[CHUNK * from.channels()];
    // A pass of CHUNK inputs yields ceil(CHUNK * out / in) outputs, plus one for rounding.
    this.resampled =
        resampler == null
            ? decoded
            : new short[(int) ((long) CHUNK * to.sampleRate() / from.sampleRate()) + 2];
  }

  /**
   * Returns a transcoder between two formats.
   *
   * @param from the format of the audio fed in
   * @param to the format of the audio produced
   * @return a new transcoder, ready for a stream
   * @throws CodecException if the channel counts differ, if multi-channel audio would need
   *     resampling, or if no resampler joins the two rates
   */
  public static Transcoder create(AudioFormat from, AudioFormat to) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (from.channels() != to.channels()) {
      throw new CodecException(
          "mismatched channels: cannot transcode " + from + " to " + to + "; mix or split first");
    }
    if (from.sampleRate() != to.sampleRate()) {
      if (from.channels() != 1) {
        throw new CodecException(
            "only mono audio can be resampled; cannot transcode " + from + " to " + to);
      }
      if (!Resampler.isSupported(from.sampleRate()) || !Resampler.isSupported(to.sampleRate())) {
        throw new CodecException(
            "unsupported ratio: cannot resample "
                + from
                + " to "
                + to
                + "; supported rates are 8000, 16000, 24000 and 48000 Hz");
      }
    }
    return new Transcoder(from, to);
  }

  /**
   * Returns the input format.
   *
   * @return the format fed in
   */
  public AudioFormat from() {
    return from;
  }

  /**
   * Returns the output format.
   *
   * @return the format produced
   */
  public AudioFormat to() {
    return to;
  }

  /**
   * Tells whether the formats are equal, so audio passes through untouched.
   *
   * @return true for a pass-through
   */
  public boolean isPassThrough() {
    return passThrough;
  }

  /**
   * Returns the delay the resampler adds, in output sample frames (0 without resampling).
   *
   * @return the delay
   */
  public int delayFrames() {
    return resampler == null ? 0 : resampler.delaySamples();
  }

  /**
   * Returns exactly how many bytes the next {@code transcode} call writes for the given input.
   *
   * @param inputBytes input byte count, whole sample frames of the input format
   * @return output byte count
   * @throws CodecException if the count is not whole sample frames (an odd count for PCM16)
   */
  public int outputLength(int inputBytes) {
    from.requireWholeFrames(inputBytes);
    int frames = inputBytes / from.bytesPerFrame();
    int outFrames = resampler == null ? frames : resampler.outputLength(frames);
    return outFrames * to.bytesPerFrame();
  }

  /**
   * Transcodes {@code len} bytes and writes {@link #outputLength(int) outputLength(len)} bytes.
   *
   * @param src input audio
   * @param srcOff index of the first input byte
   * @param len input byte count, whole sample frames of the input format
   * @param dst receives the output
   * @param dstOff index of the first output byte written
   * @return the number of bytes written
   * @throws CodecException if {@code len} is not whole sample frames (an odd count for PCM16);
   *     nothing is consumed then
   * @throws IndexOutOfBoundsException if the input range is outside {@code src} or the output does
   *     not fit in {@code dst}; nothing is consumed then
   */
  public int transcode(byte[] src, int srcOff, int len, byte[] dst, int dstOff) {
    Objects.checkFromIndexSize(srcOff, len, src.length);
    int needed = outputLength(len);
    Buffers.requireRoom(needed, dstOff, dst.length, "bytes");
    if (passThrough) {
      System.arraycopy(src, srcOff, dst, dstOff, len);
      return len;
    }
    int inFrameBytes = from.bytesPerFrame();
    int chunkBytes = CHUNK * inFrameBytes;
    int written = 0;
    for (int done = 0; done < len; ) {
      int bytes = Math.min(chunkBytes, len - done);
      written += convert(src, srcOff + done, bytes / inFrameBytes, dst, dstOff + written);
      done += bytes;
    }
    return written;
  }

  /**
   * Transcodes the remaining bytes of {@code src} (which is left at its limit). On a pass-through
   * returns {@code src} itself, untouched and uncopied; otherwise returns a buffer owned by this
   * transcoder holding the output, valid until the next call on this transcoder.
   *
   * @param src input audio, whole sample frames of the input format
   * @return the output audio, from position 0 to its limit
   * @throws CodecException if the remaining bytes are not whole sample frames
   */
  public ByteBuffer transcode(ByteBuffer src) {
    Objects.requireNonNull(src, "src");
    if (passThrough) {
      return src;
    }
    int len = src.remaining();
    int needed = outputLength(len);
    if (bufferOut.length < needed) {
      bufferOut = new byte[needed];
      bufferOutView = ByteBuffer.wrap(bufferOut);
    }
    int written;
    if (src.hasArray()) {
      written = transcode(src.array(), src.arrayOffset() + src.position(), len, bufferOut, 0);
    } else {
      if (bufferIn.length < len) {
        bufferIn = new byte[len];
      }
      src.duplicate().get(bufferIn, 0, len);
      written = transcode(bufferIn, 0, len, bufferOut, 0);
    }
    src.position(src.limit());
    bufferOutView.clear().limit(written);
    return bufferOutView;
  }

  /**
   * Returns how many bytes {@link #flush(byte[], int)} will write.
   *
   * @return output byte count, 0 without resampling
   */
  public int flushLength() {
    return resampler == null ? 0 : resampler.flushLength() * to.bytesPerFrame();
  }

  /**
   * Ends the stream: writes the resampler's delayed tail ({@link #flushLength()} bytes) and resets
   * the transcoder for a new stream.
   *
   * @param dst receives the tail
   * @param dstOff index of the first byte written
   * @return the number of bytes written
   * @throws IndexOutOfBoundsException if the tail does not fit in {@code dst}
   */
  public int flush(byte[] dst, int dstOff) {
    if (resampler == null) {
      return 0;
    }
    int frames = resampler.flushLength();
    Objects.checkFromIndexSize(dstOff, frames * to.bytesPerFrame(), dst.length);
    resampler.flush(resampled, 0);
    encode(resampled, frames, dst, dstOff);
    return frames * to.bytesPerFrame();
  }

  /** Forgets the stream's state (the resampler's history). */
  public void reset() {
    if (resampler != null) {
      resampler.reset();
    }
  }

  private int convert(byte[] src, int srcOff, int frames, byte[] dst, int dstOff) {
    int samples = frames * from.channels();
    decode(src, srcOff, samples);
    int outSamples = samples;
    if (resampler != null) {
      outSamples = resampler.process(decoded, 0, samples, resampled, 0);
    }
    encode(resampled, outSamples, dst, dstOff);
    return outSamples * to.encoding().bytesPerSample();
  }

  private void decode(byte[] src, int srcOff, int samples) {
    switch (from.encoding()) {
      case PCMU -> G711.decodeUlaw(src, srcOff, decoded, 0, samples);
      case PCMA -> G711.decodeAlaw(src, srcOff, decoded, 0, samples);
      case PCM16LE -> Pcm16.toSamples(src, srcOff, decoded, 0, samples);
    }
  }

  private void encode(short[] samples, int count, byte[] dst, int dstOff) {
    switch (to.encoding()) {
      case PCMU -> G711.encodeUlaw(samples, 0, dst, dstOff, count);
      case PCMA -> G711.encodeAlaw(samples, 0, dst, dstOff, count);
      case PCM16LE -> Pcm16.toBytes(samples, 0, dst, dstOff, count);
    }
  }

  @Override
  public String toString() {
    return "Transcoder[" + from + " -> " + to + (passThrough ? ", pass-through]" : "]");
  }
}
