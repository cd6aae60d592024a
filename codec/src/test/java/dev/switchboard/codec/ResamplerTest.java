package dev.switchboard.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResamplerTest {
  private static final int[] RATES = {8000, 16000, 24000, 48000};
  private static final double AMPLITUDE = 16000;

  /** Every ordered pair of different supported rates. */
  static Stream<Arguments> pairs() {
    List<Arguments> pairs = new ArrayList<>();
    for (int in : RATES) {
      for (int out : RATES) {
        if (in != out) {
          pairs.add(Arguments.of(in, out));
        }
      }
    }
    return pairs.stream();
  }

  /** The pass-band edge the issue sets for a pair: 3.4 kHz with 8 kHz, 7 kHz for 16/48 kHz. */
  private static double passEdge(int in, int out) {
    int low = Math.min(in, out);
    int high = Math.max(in, out);
    if (low == 8000) {
      return 3400;
    }
    if (low == 16000 && high == 48000) {
      return 7000;
    }
    return 0.85 * low / 2; // 16/24 and 24/48: the same proportion of the lower Nyquist frequency
  }

  /** The edge from which images and aliases must be 80 dB down: 4.6 kHz, 9 kHz for 16/48 kHz. */
  private static double stopEdge(int in, int out) {
    int low = Math.min(in, out);
    int high = Math.max(in, out);
    if (low == 8000) {
      return 4600;
    }
    if (low == 16000 && high == 48000) {
      return 9000;
    }
    return 1.15 * low / 2;
  }

  /** Resamples a tone and returns the steady-state output: ramp-up and tail excluded. */
  private static short[] resampleTone(int in, int out, double frequency) {
    Resampler resampler = Resampler.create(in, out);
    short[] input = Signals.sine(frequency, in, AMPLITUDE, in / 2); // 500 ms
    short[] output = new short[resampler.outputLength(input.length)];
    resampler.process(input, 0, input.length, output, 0);
    int skip = out / 100; // 10 ms, well past the filter's ramp-up
    return Arrays.copyOfRange(output, skip, output.length);
  }

  @ParameterizedTest(name = "{0} Hz -> {1} Hz")
  @MethodSource("pairs")
  void passBandIsFlatWithinHalfADecibel(int in, int out) {
    double edge = passEdge(in, out);
    double worst = 0;
    for (double f = 50; f <= edge; f += 50) {
      short[] y = resampleTone(in, out, f);
      double gain = Signals.db(Signals.amplitudeAt(y, 0, y.length, f, out) / AMPLITUDE);
      assertThat(gain).as("gain at %.0f Hz", f).isBetween(-0.5, 0.5);
      worst = Math.max(worst, Math.abs(gain));
    }
    assertThat(worst).as("worst pass-band deviation, dB").isLessThan(0.5);
  }

  @ParameterizedTest(name = "{0} Hz -> {1} Hz")
  @MethodSource("pairs")
  void imagesOfPassBandContentAreAtLeast80DbDown(int in, int out) {
    // Up-sampling makes images of a tone f at k * in ± f (k = 1.. at the filter rate), which land
    // in the output band wherever they fold to; the filter must have removed them.
    double edge = passEdge(in, out);
    int filterRate = lcm(in, out);
    for (double f = 50; f <= edge; f += 50) {
      short[] y = resampleTone(in, out, f);
      for (int k = 1; k * in <= filterRate; k++) {
        for (double image : new double[] {k * in - f, k * in + f}) {
          double at = Signals.fold(image, out);
          if (image >= filterRate || Math.abs(at - f) < 20) {
            continue; // folded back onto the tone itself: that is the tone
          }
          double level = Signals.db(Signals.amplitudeAt(y, 0, y.length, at, out) / AMPLITUDE);
          assertThat(level).as("image of %.0f Hz at %.0f Hz", f, at).isLessThan(-80);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} Hz -> {1} Hz")
  @MethodSource("pairs")
  void contentAboveTheStopEdgeIsAtLeast80DbDown(int in, int out) {
    // Down-sampling: a tone at or above the stop edge must not alias into the output band. Up-
    // sampling: nothing in the input is above the output's band except images, covered above; a
    // tone in the input's own stop region (above the stop edge, below in/2) must still be removed.
    double stop = stopEdge(in, out);
    double top = in / 2.0 - 25;
    if (stop > top) {
      return; // 8 kHz input: no content above 4 kHz exists to remove
    }
    for (double f = stop; f <= top; f += 50) {
      short[] y = resampleTone(in, out, f);
      double at = Signals.fold(f, out);
      double level = Signals.db(Signals.amplitudeAt(y, 0, y.length, at, out) / AMPLITUDE);
      assertThat(level).as("%.0f Hz arriving at %.0f Hz", f, at).isLessThan(-80);
    }
  }

  @ParameterizedTest(name = "{0} Hz -> {1} Hz")
  @MethodSource("pairs")
  void delayIsAtMost2point5MsAndMatchesTheReportedDelay(int in, int out) {
    Resampler resampler = Resampler.create(in, out);
    short[] impulse = new short[in / 10];
    int at = 240; // a multiple of every decimation factor
    impulse[at] = 20000;
    short[] y = new short[resampler.outputLength(impulse.length)];
    resampler.process(impulse, 0, impulse.length, y, 0);
    int peak = 0;
    for (int i = 1; i < y.length; i++) {
      if (Math.abs(y[i]) > Math.abs(y[peak])) {
        peak = i;
      }
    }
    long expected = (long) at * out / in;
    assertThat(peak - expected).isEqualTo(resampler.delaySamples());
    assertThat(resampler.delay()).isLessThanOrEqualTo(Duration.ofNanos(2_500_000));
    assertThat(resampler.delay())
        .isEqualTo(Duration.ofNanos(resampler.delaySamples() * 1_000_000_000L / out));
  }

  @ParameterizedTest(name = "{0} Hz -> {1} Hz")
  @MethodSource("pairs")
  void chunkedInputGivesBitIdenticalOutput(int in, int out) {
    Random random = new Random(in * 31L + out);
    short[] signal = new short[in * 3 / 10]; // 300 ms of noise plus tones, some clipping
    for (int i = 0; i < signal.length; i++) {
      double v =
          9000 * Math.sin(i * 0.05) + 7000 * Math.sin(i * 1.3) + random.nextGaussian() * 6000;
      signal[i] = (short) Math.max(-32768, Math.min(32767, Math.round(v * 1.6)));
    }
    short[] whole = feed(Resampler.create(in, out), signal, new int[] {signal.length});
    int frame = in / 50;
    for (int[] chunks :
        List.of(
            new int[] {1},
            new int[] {frame},
            new int[] {480},
            new int[] {7, 1, 333, 2, frame, 1500},
            randomChunks(random))) {
      assertThat(feed(Resampler.create(in, out), signal, chunks))
          .as("chunks %s", Arrays.toString(chunks))
          .isEqualTo(whole);
    }
  }

  @Test
  void outputCountFollowsTheRatioExactlyWhateverTheChunking() {
    Resampler resampler = Resampler.create(24000, 16000);
    short[] in = new short[7];
    short[] out = new short[16];
    long total = 0;
    for (int n = 1; n <= 200; n++) {
      int expected = resampler.outputLength(7);
      assertThat(resampler.process(in, 0, 7, out, 0)).isEqualTo(expected);
      total += expected;
      assertThat(total).isEqualTo((n * 7L * 16000 + 23999) / 24000);
    }
  }

  @Test
  void flushWritesTheDelayedTailSoTheAlignedOutputHasTheInputsLength() {
    Resampler resampler = Resampler.create(8000, 24000);
    short[] tone = Signals.sine(1000, 8000, AMPLITUDE, 160);
    short[] out = new short[480 + resampler.flushLength()];
    int written = resampler.process(tone, 0, 160, out, 0);
    assertThat(resampler.flushLength()).isEqualTo(resampler.delaySamples());
    written += resampler.flush(out, written);
    assertThat(written).isEqualTo(480 + resampler.delaySamples());
    // Without the ramp-up the output is the tone at 24 kHz, sample for sample, up to the end.
    short[] aligned = Arrays.copyOfRange(out, resampler.delaySamples(), written);
    short[] ideal = Signals.sine(1000, 24000, AMPLITUDE, 480);
    for (int i = 60; i < 420; i++) {
      assertThat(Math.abs(aligned[i] - ideal[i])).as("sample %d", i).isLessThan(160);
    }
  }

  @Test
  void flushResetsForANewStream() {
    Resampler resampler = Resampler.create(16000, 8000);
    short[] tone = Signals.sine(1000, 16000, AMPLITUDE, 320);
    short[] first = new short[resampler.outputLength(320)];
    resampler.process(tone, 0, 320, first, 0);
    resampler.flush(new short[resampler.flushLength()], 0);
    short[] again = new short[resampler.outputLength(320)];
    resampler.process(tone, 0, 320, again, 0);
    assertThat(again).isEqualTo(first);
  }

  @Test
  void resetForgetsTheHistory() {
    Resampler fresh = Resampler.create(48000, 16000);
    Resampler used = Resampler.create(48000, 16000);
    short[] noise = new short[1000];
    Random random = new Random(7);
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (short) (random.nextInt(40000) - 20000);
    }
    used.process(noise, 0, 999, new short[400], 0);
    used.reset();
    assertThat(feed(used, noise, new int[] {1000})).isEqualTo(feed(fresh, noise, new int[] {1000}));
  }

  @Test
  void equalRatesCopy() {
    Resampler copy = Resampler.create(16000, 16000);
    short[] in = {1, -2, 3};
    short[] out = new short[3];
    assertThat(copy.process(in, 0, 3, out, 0)).isEqualTo(3);
    assertThat(out).containsExactly(1, -2, 3);
    assertThat(copy.delaySamples()).isZero();
    assertThat(copy.flushLength()).isZero();
  }

  @Test
  void unsupportedRatesAreRejectedByName() {
    assertThatThrownBy(() -> Resampler.create(44100, 8000))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("44100 Hz")
        .hasMessageContaining("supported rates are 8000, 16000, 24000 and 48000 Hz");
    assertThatThrownBy(() -> Resampler.create(8000, 11025))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("11025 Hz");
  }

  @Test
  void anOutputArrayTooSmallIsRejectedBeforeAnythingIsConsumed() {
    Resampler resampler = Resampler.create(8000, 16000);
    short[] in = Signals.sine(440, 8000, AMPLITUDE, 160);
    assertThatThrownBy(() -> resampler.process(in, 0, 160, new short[319], 0))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("needs 320 samples");
    short[] out = new short[320];
    resampler.process(in, 0, 160, out, 0);
    short[] fresh = new short[320];
    Resampler.create(8000, 16000).process(in, 0, 160, fresh, 0);
    assertThat(out).isEqualTo(fresh);
  }

  private static short[] feed(Resampler resampler, short[] signal, int[] chunkPattern) {
    short[] out =
        new short
            [(int) ((long) signal.length * resampler.outputRate() / resampler.inputRate())
                + 8
                + resampler.flushLength()];
    int written = 0;
    int pos = 0;
    for (int c = 0; pos < signal.length; c++) {
      int n = Math.min(chunkPattern[c % chunkPattern.length], signal.length - pos);
      written += resampler.process(signal, pos, n, out, written);
      pos += n;
    }
    written += resampler.flush(out, written);
    return Arrays.copyOf(out, written);
  }

  private static int[] randomChunks(Random random) {
    int[] chunks = new int[50];
    for (int i = 0; i < chunks.length; i++) {
      chunks[i] = 1 + random.nextInt(1200);
    }
    return chunks;
  }

  private static int lcm(int a, int b) {
    int x = a;
    int y = b;
    while (y != 0) {
      int t = x % y;
      x = y;
      y = t;
    }
    return a / x * b;
  }
}
