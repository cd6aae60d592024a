package dev.switchboard.testing.openai;

/**
 * Synthesizes speech-like audio: a 200 Hz harmonic tone (five harmonics falling as 1/k) whose
 * amplitude swells and fades about four times a second like syllables, never dropping below about
 * -30 dBFS RMS in any 20 ms frame, so a voice-activity detector on the far side calls all of it
 * speech. Deterministic: the same duration and format always give the same bytes.
 */
final class VoiceSynth {
  private static final double F0 = 200.0;
  private static final int HARMONICS = 5;
  private static final double PEAK = 9000.0;
  private static final double SYLLABLES_PER_SECOND = 4.0;
  private static final double FADE_SECONDS = 0.010;

  private VoiceSynth() {}

  static byte[] speech(AudioSpec spec, int bytes) {
    int count = bytes / spec.bytesPerSample;
    short[] samples = new short[count];
    double norm = 0;
    for (int k = 1; k <= HARMONICS; k++) {
      norm += 1.0 / k;
    }
    double total = count / (double) spec.rate;
    for (int i = 0; i < count; i++) {
      double t = i / (double) spec.rate;
      double tone = 0;
      for (int k = 1; k <= HARMONICS; k++) {
        tone += Math.sin(2 * Math.PI * F0 * k * t) / k;
      }
      double syllable = Math.abs(Math.sin(Math.PI * SYLLABLES_PER_SECOND * t));
      double envelope = 0.4 + 0.6 * syllable;
      double fade = Math.min(1.0, Math.min(t, total - t) / FADE_SECONDS);
      samples[i] = (short) Math.round(PEAK * envelope * Math.max(0, fade) * tone / norm);
    }
    byte[] encoded = spec.encode(samples);
    if (encoded.length == bytes) {
      return encoded;
    }
    byte[] exact = new byte[bytes];
    System.arraycopy(encoded, 0, exact, 0, Math.min(bytes, encoded.length));
    return exact;
  }
}
