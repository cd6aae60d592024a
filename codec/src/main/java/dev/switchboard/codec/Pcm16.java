package dev.switchboard.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Conversions between signed 16-bit little-endian PCM bytes and {@code short} samples. Thread-safe;
 * every method is static and allocation-free. The caller owns both arrays and nothing is retained
 * after a call returns.
 *
 * <pre>{@code
 * short[] samples = new short[480];
 * Pcm16.toSamples(bytes, 0, samples, 0, 480);   // 960 bytes of PCM16LE in
 * Pcm16.toBytes(samples, 0, bytes, 0, 480);     // and out again
 * }</pre>
 */
public final class Pcm16 {
  private static final VarHandle SHORT_LE =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

  private Pcm16() {}

  /**
   * Reads {@code count} little-endian samples ({@code 2 * count} bytes).
   *
   * @param src PCM16LE bytes
   * @param srcOff index of the first byte
   * @param dst receives the samples
   * @param dstOff index of the first sample written
   * @param count number of samples
   * @throws IndexOutOfBoundsException if either range is outside its array
   */
  public static void toSamples(byte[] src, int srcOff, short[] dst, int dstOff, int count) {
    checkRanges(src.length, srcOff, dst.length, dstOff, count);
    for (int i = 0; i < count; i++) {
      dst[dstOff + i] = (short) SHORT_LE.get(src, srcOff + 2 * i);
    }
  }

  /**
   * Writes {@code count} samples as little-endian bytes ({@code 2 * count} bytes).
   *
   * @param src samples
   * @param srcOff index of the first sample
   * @param dst receives PCM16LE bytes
   * @param dstOff index of the first byte written
   * @param count number of samples
   * @throws IndexOutOfBoundsException if either range is outside its array
   */
  public static void toBytes(short[] src, int srcOff, byte[] dst, int dstOff, int count) {
    Objects.checkFromIndexSize(srcOff, count, src.length);
    Objects.checkFromIndexSize(dstOff, Math.multiplyExact(count, 2), dst.length);
    for (int i = 0; i < count; i++) {
      SHORT_LE.set(dst, dstOff + 2 * i, src[srcOff + i]);
    }
  }

  /**
   * Returns the sample at a byte offset.
   *
   * @param src PCM16LE bytes
   * @param byteOffset index of the sample's low byte
   * @return the sample
   */
  public static short sampleAt(byte[] src, int byteOffset) {
    return (short) SHORT_LE.get(src, byteOffset);
  }

  private static void checkRanges(int srcLength, int srcOff, int dstLength, int dstOff, int n) {
    Objects.checkFromIndexSize(srcOff, Math.multiplyExact(n, 2), srcLength);
    Objects.checkFromIndexSize(dstOff, n, dstLength);
  }
}
