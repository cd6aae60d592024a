package dev.switchboard.codec;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * A streaming polyphase windowed-sinc resampler for mono 16-bit audio between 8, 16, 24 and 48 kHz.
 * Confined: one thread at a time.
 *
 * <pre>{@code
 * Resampler up = Resampler.create(8000, 24000);
 * short[] out = new short[up.outputLength(160)];     // 480
 * int written = up.process(frame, 0, 160, out, 0);   // every 20 ms
 * ...
 * short[] tail = new short[up.flushLength()];        // at end of stream
 * up.flush(tail, 0);
 * }</pre>
 *
 * <h2>Streaming</h2>
 *
 * The filter state is carried from call to call, so a signal fed in pieces of any sizes (one
 * sample, 160, 480, a random mix) produces output bit-identical to the same signal fed at once,
 * with no clicks at piece boundaries. Every input sample produces its share of output at once:
 * after {@code n} input samples in total, exactly {@code ceil(n * outputRate / inputRate)} output
 * samples have been returned. Nothing is buffered beyond the filter's own history.
 *
 * <h2>Delay and the end of the stream</h2>
 *
 * The filters are linear-phase FIRs, so every frequency is delayed by the same {@link #delay()}:
 * 1.25 to 1.375 ms where 8 kHz is involved, at most 0.8125 ms otherwise. The first {@link
 * #delaySamples()} output samples are the filter's ramp-up. To get the last input's delayed tail
 * out at the end of a stream, call {@link #flush(short[], int)}: it feeds the filter silence for
 * the delay, writes the tail and resets the resampler for a new stream. Dropping the first {@code
 * delaySamples()} samples of the output (including the flush) gives the resampled signal aligned
 * with its input.
 *
 * <h2>Quality</h2>
 *
 * Where 8 kHz is involved the 0-3.4 kHz band is flat within ±0.5 dB, and images (up-sampling) or
 * aliases (down-sampling) of content at or above 4.6 kHz are at least 80 dB down; between 16 and 48
 * kHz the band is 0-7 kHz and the rejection from 9 kHz. 16 &harr; 24 kHz and 24 &harr; 48 kHz use
 * the same proportions of the lower Nyquist frequency (85% and 115%). Output is rounded to the
 * nearest integer (ties to even) and saturated to the 16-bit range.
 *
 * <h2>Buffers</h2>
 *
 * The caller owns the input and output arrays; the resampler reads and writes them only during the
 * call and keeps no reference. It allocates its state once, in {@link #create(int, int)}, and
 * nothing per call.
 */
public final class Resampler {
  private static final int[] SUPPORTED_RATES = {8000, 16000, 24000, 48000};

  /** Input samples handled per internal pass; longer input is processed in several passes. */
  private static final int BLOCK = 960;

  /** 1.5 * 2^23: adding it rounds a float to an integer held in the low mantissa bits. */
  private static final float ROUNDING = 12582912f;

  private static final int ROUNDING_BITS = Float.floatToRawIntBits(ROUNDING);

  private final int inputRate;
  private final int outputRate;

  /** Interpolation factor L: output samples per {@code down} input samples. */
  private final int up;

  /** Decimation factor M. */
  private final int down;

  /** Group delay in output samples. */
  private final int delaySamples;

  /** Silent input samples that push the whole delayed tail out; zeros, never written. */
  private final short[] flushInput;

  /** coef[r][i]: the tap of output phase r applied to input slice i. */
  private final float[][] coef;

  /** Slice i is input stream sliceStream[i] from index q + sliceOffset[i]. */
  private final int[] sliceStream;

  private final int[] sliceOffset;

  /** Input de-interleaved by residue mod {@code down}: streams[c][i - base] = x[down*i + c]. */
  private final float[][] streams;

  /** Per-phase accumulators for one pass. */
  private final float[][] acc;

  /** Scratch: four input slices. */
  private final float[][] slices;

  /** The most negative tap offset, i.e. how much history a stream must keep. */
  private final int minOffset;

  private long consumed;
  private long produced;

  /** Stream index stored at position 0 of every stream array. */
  private long base;

  private Resampler(int inputRate, int outputRate) {
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    int gcd = gcd(inputRate, outputRate);
    this.up = outputRate / gcd;
    this.down = inputRate / gcd;
    if (up == 1 && down == 1) {
      delaySamples = 0;
      flushInput = new short[0];
      coef = null;
      sliceStream = null;
      sliceOffset = null;
      streams = null;
      acc = null;
      slices = null;
      minOffset = 0;
      return;
    }
    double[] h = FilterDesign.taps(inputRate, outputRate, up);
    int groupDelay = (h.length - 1) / 2; // at the filter rate; a multiple of up * down
    this.delaySamples = groupDelay / down;
    this.flushInput = new short[groupDelay / up];

    // Output j = up*q + r is the sum over taps k of h[phase_r + up*k] * x[down*q + first_r - k],
    // where phase_r = r*down mod up and first_r = floor(r*down / up). Index the input by
    // v = first_r - k, relative to down*q: one slice of input per v serves every phase.
    int[] first = new int[up];
    int vMax = 0;
    int vMin = 0;
    for (int r = 0; r < up; r++) {
      first[r] = (r * down) / up;
      int count = (h.length - (r * down) % up + up - 1) / up;
      vMax = Math.max(vMax, first[r]);
      vMin = Math.min(vMin, first[r] - (count - 1));
    }
    int sliceCount = vMax - vMin + 1;
    sliceCount += (4 - sliceCount % 4) % 4; // whole groups of four; the extra taps are zero
    coef = new float[up][sliceCount];
    sliceStream = new int[sliceCount];
    sliceOffset = new int[sliceCount];
    int lowestOffset = 0;
    for (int i = 0; i < sliceCount; i++) {
      int v = vMax - i;
      sliceStream[i] = Math.floorMod(v, down);
      sliceOffset[i] = Math.floorDiv(v, down);
      lowestOffset = Math.min(lowestOffset, sliceOffset[i]);
      for (int r = 0; r < up; r++) {
        int tap = (r * down) % up + up * (first[r] - v);
        coef[r][i] = tap >= 0 && tap < h.length ? (float) h[tap] : 0f;
      }
    }
    this.minOffset = lowestOffset;
    int capacity = (1 - minOffset) + BLOCK / down + 4;
    streams = new float[down][capacity];
    int span = BLOCK / down + 2;
    acc = new float[up][span];
    this.slices = new float[4][span];
    reset();
  }

  /**
   * Returns a resampler between two of the supported rates (8000, 16000, 24000, 48000 Hz). Equal
   * rates give a resampler that copies.
   *
   * @param inputRate the rate of the audio fed in, in Hz
   * @param outputRate the rate of the audio produced, in Hz
   * @return a new resampler, ready for a stream
   * @throws CodecException if either rate is not supported
   */
  public static Resampler create(int inputRate, int outputRate) {
    if (!isSupported(inputRate) || !isSupported(outputRate)) {
      throw new CodecException(
          "no resampler from "
              + inputRate
              + " Hz to "
              + outputRate
              + " Hz; supported rates are 8000, 16000, 24000 and 48000 Hz");
    }
    return new Resampler(inputRate, outputRate);
  }

  /**
   * Tells whether {@link #create(int, int)} accepts a rate.
   *
   * @param rate a sample rate in Hz
   * @return true for 8000, 16000, 24000 and 48000
   */
  public static boolean isSupported(int rate) {
    for (int supported : SUPPORTED_RATES) {
      if (rate == supported) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the input rate.
   *
   * @return Hz
   */
  public int inputRate() {
    return inputRate;
  }

  /**
   * Returns the output rate.
   *
   * @return Hz
   */
  public int outputRate() {
    return outputRate;
  }

  /**
   * Returns the filter's delay in output samples: the length of the ramp-up at the start.
   *
   * @return the delay, 0 when the rates are equal
   */
  public int delaySamples() {
    return delaySamples;
  }

  /**
   * Returns the filter's delay (the same at every frequency).
   *
   * @return the delay, at most 1.375 ms
   */
  public Duration delay() {
    return Duration.ofNanos(delaySamples * 1_000_000_000L / outputRate);
  }

  /**
   * Returns exactly how many samples the next {@link #process} call writes for the given input.
   *
   * @param inputLength input samples
   * @return output samples
   */
  public int outputLength(int inputLength) {
    if (inputLength < 0) {
      throw new IllegalArgumentException("inputLength must not be negative, got " + inputLength);
    }
    return (int) (outputsAfter(consumed + inputLength) - produced);
  }

  /**
   * Resamples {@code inLen} samples and writes {@link #outputLength(int) outputLength(inLen)}
   * samples.
   *
   * @param in input samples
   * @param inOff index of the first input sample
   * @param inLen number of input samples, zero or more
   * @param out receives the output
   * @param outOff index of the first output sample written
   * @return the number of samples written
   * @throws IndexOutOfBoundsException if the input range is outside {@code in} or the output does
   *     not fit in {@code out}; nothing is consumed then
   */
  public int process(short[] in, int inOff, int inLen, short[] out, int outOff) {
    Objects.checkFromIndexSize(inOff, inLen, in.length);
    int needed = outputLength(inLen);
    Buffers.requireRoom(needed, outOff, out.length, "samples");
    if (coef == null) {
      System.arraycopy(in, inOff, out, outOff, inLen);
      consumed += inLen;
      produced += inLen;
      return inLen;
    }
    int written = 0;
    for (int done = 0; done < inLen; ) {
      int pass = Math.min(BLOCK, inLen - done);
      written += pass(in, inOff + done, pass, out, outOff + written);
      done += pass;
    }
    return written;
  }

  /**
   * Returns how many samples {@link #flush(short[], int)} will write.
   *
   * @return output samples
   */
  public int flushLength() {
    return outputLength(flushInput.length);
  }

  /**
   * Ends the stream: writes the delayed tail of the input ({@link #flushLength()} samples, the
   * filter's response to silence after the last input) and resets the resampler.
   *
   * @param out receives the tail
   * @param outOff index of the first sample written
   * @return the number of samples written
   * @throws IndexOutOfBoundsException if the tail does not fit in {@code out}
   */
  public int flush(short[] out, int outOff) {
    int written = process(flushInput, 0, flushInput.length, out, outOff);
    reset();
    return written;
  }

  /** Forgets the stream: clears the filter history as if no sample had been fed. */
  public void reset() {
    consumed = 0;
    produced = 0;
    if (streams == null) {
      return;
    }
    // Stream index minOffset - 1 is the oldest history any tap can read; before the first sample
    // the history is silence.
    base = minOffset - 1L;
    for (float[] stream : streams) {
      Arrays.fill(stream, 0f);
    }
  }

  /** Total outputs owed after {@code inputs} input samples: ceil(inputs * up / down). */
  private long outputsAfter(long inputs) {
    return Math.floorDiv(inputs * up + down - 1, down);
  }

  /** Appends at most BLOCK input samples and writes every output they complete. */
  private int pass(short[] in, int inOff, int inLen, short[] out, int outOff) {
    long total = consumed + inLen;
    long streamEnd = Math.floorDiv(total + down - 1, down); // exclusive, longest stream
    if (streamEnd - base > streams[0].length) {
      compact();
    }
    append(in, inOff, inLen);
    consumed = total;
    long end = outputsAfter(total);
    int count = (int) (end - produced);
    // Every phase is computed over the same run of q, so the input slices serve them all; the
    // few outputs in that run not yet due, or already written, are computed and not written.
    long firstQ = Math.floorDiv(produced, up);
    long lastQ = Math.floorDiv(end - 1, up);
    int n = (int) Math.max(0, lastQ - firstQ + 1);
    filter(firstQ, n);
    write(firstQ, n, out, outOff, end);
    produced = end;
    return count;
  }

  private void append(short[] in, int inOff, int inLen) {
    int p = 0;
    long a = consumed;
    // Until the next sample belongs to stream 0, then whole rounds of `down` samples, then the
    // rest.
    for (; p < inLen && a % down != 0; p++, a++) {
      streams[(int) (a % down)][(int) (a / down - base)] = in[inOff + p];
    }
    int at = (int) (a / down - base);
    int rounds = (inLen - p) / down;
    int from = inOff + p;
    // One sequential pass over the input, specialised for the common factors: a loop whose stride
    // the JIT knows runs about twice as fast as a strided loop per stream.
    switch (down) {
      case 1 -> {
        float[] s0 = streams[0];
        for (int i = 0; i < rounds; i++) {
          s0[at + i] = in[from + i];
        }
      }
      case 2 -> {
        float[] s0 = streams[0];
        float[] s1 = streams[1];
        for (int i = 0; i < rounds; i++) {
          s0[at + i] = in[from + 2 * i];
          s1[at + i] = in[from + 2 * i + 1];
        }
      }
      case 3 -> {
        float[] s0 = streams[0];
        float[] s1 = streams[1];
        float[] s2 = streams[2];
        for (int i = 0; i < rounds; i++) {
          s0[at + i] = in[from + 3 * i];
          s1[at + i] = in[from + 3 * i + 1];
          s2[at + i] = in[from + 3 * i + 2];
        }
      }
      default -> {
        for (int i = 0; i < rounds; i++) {
          for (int c = 0; c < down; c++) {
            streams[c][at + i] = in[from + down * i + c];
          }
        }
      }
    }
    p += rounds * down;
    a += (long) rounds * down;
    for (; p < inLen; p++, a++) {
      streams[(int) (a % down)][(int) (a / down - base)] = in[inOff + p];
    }
  }

  /** Drops history no future output can read, so the next pass fits. */
  private void compact() {
    long keepFrom = Math.floorDiv(produced, up) + minOffset - 1;
    int shift = (int) (keepFrom - base);
    if (shift <= 0) {
      return;
    }
    for (float[] stream : streams) {
      System.arraycopy(stream, shift, stream, 0, stream.length - shift);
    }
    base = keepFrom;
  }

  private void filter(long firstQ, int n) {
    float[] t0 = slices[0];
    float[] t1 = slices[1];
    float[] t2 = slices[2];
    float[] t3 = slices[3];
    int start = (int) (firstQ - base);
    // Each slice of input is first copied to an array of its own, so that every array in the
    // multiply-add loop is indexed by u alone: HotSpot C2 (JDK 17) vectorises such a loop, but not
    // one that stores a[u] and loads s[o + u], since a and s might be the same array. Four slices
    // per sweep quarter the loads and stores of a[]. Each output's sum is taken tap by tap in one
    // fixed order, so results do not depend on how the input was chunked.
    for (int i = 0; i < sliceStream.length; i += 4) {
      System.arraycopy(streams[sliceStream[i]], start + sliceOffset[i], t0, 0, n);
      System.arraycopy(streams[sliceStream[i + 1]], start + sliceOffset[i + 1], t1, 0, n);
      System.arraycopy(streams[sliceStream[i + 2]], start + sliceOffset[i + 2], t2, 0, n);
      System.arraycopy(streams[sliceStream[i + 3]], start + sliceOffset[i + 3], t3, 0, n);
      for (int r = 0; r < up; r++) {
        float[] g = coef[r];
        float g0 = g[i];
        float g1 = g[i + 1];
        float g2 = g[i + 2];
        float g3 = g[i + 3];
        float[] a = acc[r];
        if (i == 0) {
          for (int u = 0; u < n; u++) {
            a[u] = g0 * t0[u] + g1 * t1[u] + g2 * t2[u] + g3 * t3[u];
          }
        } else {
          for (int u = 0; u < n; u++) {
            a[u] = a[u] + g0 * t0[u] + g1 * t1[u] + g2 * t2[u] + g3 * t3[u];
          }
        }
      }
    }
  }

  /** Writes the due outputs, j in [produced, end), of the run of q starting at firstQ. */
  private void write(long firstQ, int n, short[] out, int outOff, long end) {
    for (int r = 0; r < up; r++) {
      float[] a = acc[r];
      long j = up * firstQ + r;
      int u = 0;
      if (j < produced) {
        u = 1;
        j += up;
      }
      int limit = (int) Math.min(n, u + Math.max(0, Math.floorDiv(end - 1 - j, up) + 1));
      int at = outOff + (int) (j - produced);
      for (; u < limit; u++, at += up) {
        // Round half to even by adding 1.5 * 2^23, which leaves the integer in the low mantissa
        // bits (exact for |x| < 2^22), then saturate: far cheaper than Math.round here.
        int v = Float.floatToRawIntBits(a[u] + ROUNDING) - ROUNDING_BITS;
        out[at] = (short) Math.max(-32768, Math.min(32767, v));
      }
    }
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  @Override
  public String toString() {
    return "Resampler[" + inputRate + " Hz -> " + outputRate + " Hz, delay " + delay() + "]";
  }
}
