package dev.switchboard.benchmarks;

import dev.switchboard.codec.G711;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** G.711 decode and encode of one 20 ms frame (160 samples at 8 kHz). */
@State(Scope.Thread)
public class G711Benchmark extends FrameBenchmark {
  private static final int FRAME = 160;

  private final byte[] codes = new byte[FRAME];
  private final short[] samples = new short[FRAME];
  private final short[] decoded = new short[FRAME];
  private final byte[] encoded = new byte[FRAME];

  /** Fills the frame with speech-level noise and its G.711 codes. */
  @Setup
  public void setUp() {
    Random random = new Random(42);
    for (int i = 0; i < FRAME; i++) {
      samples[i] = (short) (random.nextGaussian() * 4000);
    }
    G711.encodeUlaw(samples, 0, codes, 0, FRAME);
  }

  /**
   * Decodes a μ-law frame.
   *
   * @return the samples, so the work is not eliminated
   */
  @Benchmark
  public short[] ulawDecode() {
    G711.decodeUlaw(codes, 0, decoded, 0, FRAME);
    return decoded;
  }

  /**
   * Encodes a μ-law frame.
   *
   * @return the codes
   */
  @Benchmark
  public byte[] ulawEncode() {
    G711.encodeUlaw(samples, 0, encoded, 0, FRAME);
    return encoded;
  }

  /**
   * Decodes an A-law frame.
   *
   * @return the samples
   */
  @Benchmark
  public short[] alawDecode() {
    G711.decodeAlaw(codes, 0, decoded, 0, FRAME);
    return decoded;
  }

  /**
   * Encodes an A-law frame.
   *
   * @return the codes
   */
  @Benchmark
  public byte[] alawEncode() {
    G711.encodeAlaw(samples, 0, encoded, 0, FRAME);
    return encoded;
  }
}
