package dev.switchboard.testing.internal;

import dev.switchboard.codec.AudioFormat;

/**
 * Synthesizes speech-like audio: a 200 Hz harmonic tone (five harmonics falling as 1/k) whose
 * amplitude swells and fades about four times a second like syllables, never dropping below about
 * -30 dBFS RMS in any 20 ms frame, so a voice-activity detector on the far side calls all of it
 * speech. Deterministic: the same length and format always give the same bytes. Not API. Stateless
 * and thread-safe.
 */
public final class VoiceSynth {
  private static final double F0 = 200.0;
  private static final int HARMONICS = 5;
  private static final double PEAK = 9000.0;
  private static final double SYLLABLES_PER_SECOND = 4.0;
  private static final double FADE_SECONDS = 0.010;

  private VoiceSynth() {}

  /**
   * Returns speech-like audio of exactly {@code bytes} bytes in a mono format.
   *
   * @param format the format (μ-law, A-law or PCM16LE, any rate)
   * @param bytes how many bytes; a trailing partial sample is zero
   * @return the audio
   */
  public static byte[] speech(AudioFormat format, int bytes) {
    int rate = format.sampleRate();
    int count = bytes / format.encoding().bytesPerSample();
    short[] samples = new short[count];
    double norm = 0;
    for (int k = 1; k <= HARMONICS; k++) {
      norm += 1.0 / k;
    }
    double total = count / (double) rate;
    for (int i = 0; i < count; i++) {
      double t = i / (double) rate;
      double tone = 0;
      for (int k = 1; k <= HARMONICS; k++) {
        tone += Math.sin(2 * Math.PI * F0 * k * t) / k;
      }
      double syllable = Math.abs(Math.sin(Math.PI * SYLLABLES_PER_SECOND * t));
      double envelope = 0.4 + 0.6 * syllable;
      double fade = Math.min(1.0, Math.min(t, total - t) / FADE_SECONDS);
      samples[i] = (short) Math.round(PEAK * envelope * Math.max(0, fade) * tone / norm);
    }
    byte[] encoded = SpeechDetector.encode(format, samples);
    if (encoded.length == bytes) {
      return encoded;
    }
    byte[] exact = new byte[bytes];
    System.arraycopy(encoded, 0, exact, 0, Math.min(bytes, encoded.length));
    return exact;
  }
}
