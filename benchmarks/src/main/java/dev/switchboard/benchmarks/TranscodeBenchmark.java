package dev.switchboard.benchmarks;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.G711;
import dev.switchboard.codec.Pcm16;
import dev.switchboard.codec.Transcoder;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The full phone ↔ agent transcode of one 20 ms frame: μ-law 8 kHz bytes to PCM16 24 kHz bytes
 * (decode, resample, serialise) and back (parse, resample, encode).
 */
@State(Scope.Thread)
public class TranscodeBenchmark extends FrameBenchmark {
  private final Transcoder toAgent = Transcoder.create(AudioFormat.PCMU_8K, AudioFormat.PCM16_24K);
  private final Transcoder toPhone = Transcoder.create(AudioFormat.PCM16_24K, AudioFormat.PCMU_8K);
  private final byte[] ulawFrame = new byte[160];
  private final byte[] pcmFrame = new byte[960];
  private final byte[] pcmOut = new byte[962];
  private final byte[] ulawOut = new byte[161];

  /** Fills both frames with speech-level noise. */
  @Setup
  public void setUp() {
    Random random = new Random(42);
    short[] samples = new short[480];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (short) (random.nextGaussian() * 4000);
    }
    Pcm16.toBytes(samples, 0, pcmFrame, 0, 480);
    G711.encodeUlaw(samples, 0, ulawFrame, 0, 160);
  }

  /**
   * Phone to agent: μ-law 8 kHz to PCM16 24 kHz.
   *
   * @return the output
   */
  @Benchmark
  public byte[] ulaw8kToPcm24k() {
    toAgent.transcode(ulawFrame, 0, 160, pcmOut, 0);
    return pcmOut;
  }

  /**
   * Agent to phone: PCM16 24 kHz to μ-law 8 kHz.
   *
   * @return the output
   */
  @Benchmark
  public byte[] pcm24kToUlaw8k() {
    toPhone.transcode(pcmFrame, 0, 960, ulawOut, 0);
    return ulawOut;
  }
}
