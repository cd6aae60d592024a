package dev.switchboard.benchmarks;

import dev.switchboard.codec.Resampler;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Streaming resampling of one 20 ms frame, each direction; the filter state carries over. */
@State(Scope.Thread)
public class ResamplerBenchmark extends FrameBenchmark {
  /** Input and output rate, "in:out". */
  @Param({"8000:24000", "24000:8000", "8000:16000", "16000:8000", "16000:48000", "48000:16000"})
  public String rates;

  private Resampler resampler;
  private short[] frame;
  private short[] out;

  /** Builds the resampler and a 20 ms input frame of speech-like noise. */
  @Setup
  public void setUp() {
    String[] parts = rates.split(":");
    int in = Integer.parseInt(parts[0]);
    int outRate = Integer.parseInt(parts[1]);
    resampler = Resampler.create(in, outRate);
    frame = new short[in / 50];
    Random random = new Random(42);
    for (int i = 0; i < frame.length; i++) {
      frame[i] = (short) (random.nextGaussian() * 4000);
    }
    out = new short[outRate / 50 + 2];
  }

  /**
   * Resamples one frame.
   *
   * @return the output, so the work is not eliminated
   */
  @Benchmark
  public short[] frame() {
    resampler.process(frame, 0, frame.length, out, 0);
    return out;
  }
}
