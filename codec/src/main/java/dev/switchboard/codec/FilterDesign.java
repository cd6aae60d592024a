package dev.switchboard.codec;

/**
 * The anti-aliasing / anti-imaging low-pass filter of each pair of supported rates, at the rate
 * both divide (their least common multiple). The taps are equiripple designs from {@link
 * FilterTables} (see {@code codec/tools/design-filters.py} for why and how): flat within ±0.3 dB to
 * 85% of the lower rate's Nyquist frequency (7 kHz of 8 kHz for 16 &harr; 48 kHz) and at least 84
 * dB down from 115% of it (9 kHz for 16 &harr; 48 kHz), with a delay of at most 1.375 ms.
 */
final class FilterDesign {
  private FilterDesign() {}

  /**
   * Returns the whole symmetric filter for a pair of rates (in either direction), scaled to a DC
   * gain of {@code gain}, or null if the pair has none.
   */
  static double[] taps(int rateA, int rateB, double gain) {
    float[] half = half(Math.min(rateA, rateB), Math.max(rateA, rateB));
    if (half == null) {
      return null;
    }
    int n = 2 * half.length - 1;
    double[] h = new double[n];
    for (int i = 0; i < half.length; i++) {
      h[i] = half[i] * gain;
      h[n - 1 - i] = h[i];
    }
    return h;
  }

  private static float[] half(int low, int high) {
    return switch (low + "/" + high) {
      case "8000/16000" -> FilterTables.HALF_8K_16K;
      case "8000/24000" -> FilterTables.HALF_8K_24K;
      case "8000/48000" -> FilterTables.HALF_8K_48K;
      case "16000/24000" -> FilterTables.HALF_16K_24K;
      case "16000/48000" -> FilterTables.HALF_16K_48K;
      case "24000/48000" -> FilterTables.HALF_24K_48K;
      default -> null;
    };
  }
}
