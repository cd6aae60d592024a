package dev.switchboard.codec;

import java.util.Objects;

/**
 * ITU-T G.711 μ-law and A-law, bit-exact with the reference behaviour (Sun's public-domain {@code
 * g711.c}, CPython's {@code audioop}): μ-law encodes the top 14 bits of a 16-bit sample, A-law the
 * top 13. Thread-safe; every method is static and allocation-free.
 *
 * <pre>{@code
 * byte[] ulaw = new byte[160];
 * short[] pcm = new short[160];
 * G711.decodeUlaw(ulaw, 0, pcm, 0, 160);   // 20 ms from the phone
 * G711.encodeUlaw(pcm, 0, ulaw, 0, 160);   // and back
 * }</pre>
 *
 * <p>The bulk methods read {@code count} samples from the source and write {@code count} samples to
 * the destination; the caller owns both arrays, and nothing is retained after the call returns.
 * They may overlap only if they are different arrays (μ-law/A-law bytes and PCM shorts always are).
 */
public final class G711 {
  /** Silence in μ-law: the code for sample 0. */
  public static final byte ULAW_SILENCE = (byte) 0xFF;

  /** Silence in A-law: the code for sample 0. */
  public static final byte ALAW_SILENCE = (byte) 0xD5;

  private static final short[] ULAW_TO_LINEAR = new short[256];
  private static final short[] ALAW_TO_LINEAR = new short[256];
  // Encoders are tables over the bits G.711 keeps: 14 for μ-law (16 KiB), 13 for A-law (8 KiB).
  // A table lookup is cheaper than the segment search and both fit in L1.
  private static final byte[] LINEAR14_TO_ULAW = new byte[1 << 14];
  private static final byte[] LINEAR13_TO_ALAW = new byte[1 << 13];

  static {
    for (int code = 0; code < 256; code++) {
      ULAW_TO_LINEAR[code] = (short) ulawDecode(code);
      ALAW_TO_LINEAR[code] = (short) alawDecode(code);
    }
    for (int v = -(1 << 13); v < (1 << 13); v++) {
      LINEAR14_TO_ULAW[v & 0x3FFF] = (byte) ulawEncode14(v);
    }
    for (int v = -(1 << 12); v < (1 << 12); v++) {
      LINEAR13_TO_ALAW[v & 0x1FFF] = (byte) alawEncode13(v);
    }
  }

  private G711() {}

  /**
   * Decodes one μ-law code.
   *
   * @param code the code; only the low 8 bits are used
   * @return the linear 16-bit sample
   */
  public static short ulawToLinear(int code) {
    return ULAW_TO_LINEAR[code & 0xFF];
  }

  /**
   * Decodes one A-law code.
   *
   * @param code the code; only the low 8 bits are used
   * @return the linear 16-bit sample
   */
  public static short alawToLinear(int code) {
    return ALAW_TO_LINEAR[code & 0xFF];
  }

  /**
   * Encodes one 16-bit sample as μ-law.
   *
   * @param sample the linear sample
   * @return the μ-law code
   */
  public static byte linearToUlaw(short sample) {
    return LINEAR14_TO_ULAW[(sample >> 2) & 0x3FFF];
  }

  /**
   * Encodes one 16-bit sample as A-law.
   *
   * @param sample the linear sample
   * @return the A-law code
   */
  public static byte linearToAlaw(short sample) {
    return LINEAR13_TO_ALAW[(sample >> 3) & 0x1FFF];
  }

  /**
   * Decodes {@code count} μ-law codes into 16-bit samples.
   *
   * @param src μ-law codes
   * @param srcOff index of the first code
   * @param dst receives the samples
   * @param dstOff index of the first sample written
   * @param count number of samples
   * @throws IndexOutOfBoundsException if either range is outside its array
   */
  public static void decodeUlaw(byte[] src, int srcOff, short[] dst, int dstOff, int count) {
    checkRanges(src.length, srcOff, dst.length, dstOff, count);
    short[] table = ULAW_TO_LINEAR;
    for (int i = 0; i < count; i++) {
      dst[dstOff + i] = table[src[srcOff + i] & 0xFF];
    }
  }

  /**
   * Decodes {@code count} A-law codes into 16-bit samples.
   *
   * @param src A-law codes
   * @param srcOff index of the first code
   * @param dst receives the samples
   * @param dstOff index of the first sample written
   * @param count number of samples
   * @throws IndexOutOfBoundsException if either range is outside its array
   */
  public static void decodeAlaw(byte[] src, int srcOff, short[] dst, int dstOff, int count) {
    checkRanges(src.length, srcOff, dst.length, dstOff, count);
    short[] table = ALAW_TO_LINEAR;
    for (int i = 0; i < count; i++) {
      dst[dstOff + i] = table[src[srcOff + i] & 0xFF];
    }
  }

  /**
   * Encodes {@code count} 16-bit samples as μ-law.
   *
   * @param src linear samples
   * @param srcOff index of the first sample
   * @param dst receives the codes
   * @param dstOff index of the first code written
   * @param count number of samples
   * @throws IndexOutOfBoundsException if either range is outside its array
   */
  public static void encodeUlaw(short[] src, int srcOff, byte[] dst, int dstOff, int count) {
    checkRanges(src.length, srcOff, dst.length, dstOff, count);
    byte[] table = LINEAR14_TO_ULAW;
    for (int i = 0; i < count; i++) {
      dst[dstOff + i] = table[(src[srcOff + i] >> 2) & 0x3FFF];
    }
  }

  /**
   * Encodes {@code count} 16-bit samples as A-law.
   *
   * @param src linear samples
   * @param srcOff index of the first sample
   * @param dst receives the codes
   * @param dstOff index of the first code written
   * @param count number of samples
   * @throws IndexOutOfBoundsException if either range is outside its array
   */
  public static void encodeAlaw(short[] src, int srcOff, byte[] dst, int dstOff, int count) {
    checkRanges(src.length, srcOff, dst.length, dstOff, count);
    byte[] table = LINEAR13_TO_ALAW;
    for (int i = 0; i < count; i++) {
      dst[dstOff + i] = table[(src[srcOff + i] >> 3) & 0x1FFF];
    }
  }

  static void checkRanges(int srcLength, int srcOff, int dstLength, int dstOff, int count) {
    Objects.checkFromIndexSize(srcOff, count, srcLength);
    Objects.checkFromIndexSize(dstOff, count, dstLength);
  }

  // The reference algorithms, run once to fill the tables. Segment s ends at 2^(6+s)-1 for
  // μ-law (after the bias of 33 is added) and at 2^(5+s)-1 for A-law.

  private static int ulawDecode(int code) {
    int u = ~code & 0xFF;
    int t = ((u & 0x0F) << 3) + 0x84;
    t <<= (u & 0x70) >> 4;
    return (u & 0x80) != 0 ? 0x84 - t : t - 0x84;
  }

  private static int alawDecode(int code) {
    int a = (code ^ 0x55) & 0xFF;
    int t = (a & 0x0F) << 4;
    int segment = (a & 0x70) >> 4;
    if (segment == 0) {
      t += 8;
    } else {
      t = (t + 0x108) << (segment - 1);
    }
    return (a & 0x80) != 0 ? t : -t;
  }

  /** Encodes a 14-bit sample (-8192..8191). */
  private static int ulawEncode14(int value) {
    int mask;
    if (value < 0) {
      value = -value;
      mask = 0x7F;
    } else {
      mask = 0xFF;
    }
    value = Math.min(value, 8159) + 33; // clip, then add the bias (0x84 >> 2)
    int segment = segment(value, 0x3F);
    if (segment >= 8) {
      return 0x7F ^ mask;
    }
    return ((segment << 4) | ((value >> (segment + 1)) & 0x0F)) ^ mask;
  }

  /** Encodes a 13-bit sample (-4096..4095). */
  private static int alawEncode13(int value) {
    int mask;
    if (value >= 0) {
      mask = 0xD5;
    } else {
      mask = 0x55;
      value = -value - 1;
    }
    int segment = segment(value, 0x1F);
    if (segment >= 8) {
      return 0x7F ^ mask;
    }
    int code = segment << 4;
    code |= segment < 2 ? (value >> 1) & 0x0F : (value >> segment) & 0x0F;
    return code ^ mask;
  }

  /** Returns the first segment s whose end point (firstEnd << s | low bits) is at least value. */
  private static int segment(int value, int firstEnd) {
    int segment = 0;
    int end = firstEnd;
    while (segment < 8 && value > end) {
      segment++;
      end = (end << 1) | 1;
    }
    return segment;
  }
}
