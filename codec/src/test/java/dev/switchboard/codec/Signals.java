package dev.switchboard.codec;

/** Test signals and a narrow-band level meter. */
final class Signals {
  private Signals() {}

  /** A sine of the given frequency and peak amplitude, rounded to 16 bits. */
  static short[] sine(double frequency, int rate, double amplitude, int samples) {
    short[] out = new short[samples];
    double step = 2 * Math.PI * frequency / rate;
    for (int i = 0; i < samples; i++) {
      out[i] = (short) Math.round(amplitude * Math.sin(step * i));
    }
    return out;
  }

  /**
   * The peak amplitude of the component at {@code frequency} in {@code x[from, to)}: a DFT at that
   * one frequency under a 4-term Blackman-Harris window (side lobes 92 dB down), normalised so a
   * sine of amplitude A reads A. Components more than 4 / (to - from) * rate away do not leak in.
   */
  static double amplitudeAt(short[] x, int from, int to, double frequency, int rate) {
    int n = to - from;
    double re = 0;
    double im = 0;
    double windowSum = 0;
    // Rotate a phasor instead of calling sin/cos per sample; renormalise to stop drift.
    double c = Math.cos(2 * Math.PI * frequency / rate);
    double s = Math.sin(2 * Math.PI * frequency / rate);
    double pr = 1;
    double pi = 0;
    for (int i = 0; i < n; i++) {
      double t = 2 * Math.PI * i / (n - 1);
      double w =
          0.35875 - 0.48829 * Math.cos(t) + 0.14128 * Math.cos(2 * t) - 0.01168 * Math.cos(3 * t);
      windowSum += w;
      double v = w * x[from + i];
      re += v * pr;
      im += v * pi;
      double nr = pr * c - pi * s;
      pi = pr * s + pi * c;
      pr = nr;
      if ((i & 1023) == 0) {
        double norm = Math.hypot(pr, pi);
        pr /= norm;
        pi /= norm;
      }
    }
    return 2 * Math.hypot(re, im) / windowSum;
  }

  static double db(double ratio) {
    return 20 * Math.log10(ratio);
  }

  /** Folds a frequency at some rate into the 0..rate/2 band of a signal sampled at {@code rate}. */
  static double fold(double frequency, int rate) {
    double f = frequency % rate;
    if (f < 0) {
      f += rate;
    }
    return f > rate / 2.0 ? rate - f : f;
  }
}
