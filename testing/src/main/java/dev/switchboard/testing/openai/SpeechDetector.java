package dev.switchboard.testing.openai;

/**
 * Energy voice-activity detection over 20 ms frames of input audio, on the input stream's own clock
 * (frames received, not wall time): speech starts when the RMS of the decoded samples exceeds the
 * threshold for {@link #MIN_SPEECH_FRAMES} frames in a row (reported at the first loud frame) and
 * stops after {@code silenceMillis} of frames at or below it (reported at the end of the last loud
 * frame). Confined to the server's scheduler thread.
 */
final class SpeechDetector {
  static final int MIN_SPEECH_FRAMES = 3;

  interface Events {
    void speechStarted(long audioStartMs);

    void speechStopped(long audioEndMs);
  }

  private AudioSpec spec;
  private byte[] partial;
  private int partialLength;
  private long frames;
  private boolean speaking;
  private int loudRun;
  private long loudStart;
  private int quietRun;
  private long quietStart;

  SpeechDetector(AudioSpec spec) {
    this.spec = spec;
    this.partial = new byte[spec.frameBytes()];
  }

  /** Milliseconds of input received so far, in whole frames. */
  long clockMillis() {
    return frames * AudioSpec.FRAME_MILLIS;
  }

  boolean speaking() {
    return speaking;
  }

  /** Follows a change of input format; a partial frame in the old format is dropped. */
  void format(AudioSpec next) {
    if (next != spec) {
      spec = next;
      partial = new byte[next.frameBytes()];
      partialLength = 0;
    }
  }

  /** Forgets any speech in progress (after a clear or a manual commit), keeping the clock. */
  void resetSpeech() {
    speaking = false;
    loudRun = 0;
    quietRun = 0;
  }

  void feed(byte[] audio, boolean detect, double threshold, int silenceMillis, Events events) {
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
        long frameStart = frames * AudioSpec.FRAME_MILLIS;
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
    if (quietRun * AudioSpec.FRAME_MILLIS >= Math.max(AudioSpec.FRAME_MILLIS, silenceMillis)) {
      speaking = false;
      loudRun = 0;
      quietRun = 0;
      events.speechStopped(quietStart);
    }
  }

  private double rms(byte[] frame) {
    short[] samples = spec.decode(frame, 0, frame.length);
    double sum = 0;
    for (short s : samples) {
      sum += (double) s * s;
    }
    return samples.length == 0 ? 0 : Math.sqrt(sum / samples.length);
  }
}
