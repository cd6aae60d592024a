package dev.switchboard.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hot paths allocate nothing per frame: measured with the JVM's per-thread byte counter. */
class AllocationTest {
  private static final int FRAMES = 2000;
  private static com.sun.management.ThreadMXBean threads;

  @BeforeAll
  static void counter() {
    threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
    threads.setThreadAllocatedMemoryEnabled(true);
  }

  /** Bytes allocated by this thread while running {@code frame} FRAMES times. */
  private static long allocatedBy(Runnable frame) {
    frame.run(); // first call outside the count: lazy class initialisation is not per frame
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < FRAMES; i++) {
      frame.run();
    }
    return threads.getCurrentThreadAllocatedBytes() - before;
  }

  @Test
  void g711AndPcm16AllocateNothing() {
    byte[] codes = new byte[160];
    short[] samples = new short[160];
    byte[] pcm = new byte[320];
    long bytes =
        allocatedBy(
            () -> {
              G711.decodeUlaw(codes, 0, samples, 0, 160);
              G711.encodeAlaw(samples, 0, codes, 0, 160);
              Pcm16.toBytes(samples, 0, pcm, 0, 160);
              Pcm16.toSamples(pcm, 0, samples, 0, 160);
            });
    assertThat(bytes).isLessThan(FRAMES); // a single allocation per frame would be ≥ 16 × FRAMES
  }

  @Test
  void resamplingAFrameAllocatesNothing() {
    Resampler up = Resampler.create(8000, 24000);
    Resampler down = Resampler.create(24000, 8000);
    short[] in = Signals.sine(700, 8000, 9000, 160);
    short[] mid = new short[482];
    short[] out = new short[162];
    long bytes =
        allocatedBy(
            () -> {
              int n = up.process(in, 0, 160, mid, 0);
              down.process(mid, 0, n, out, 0);
            });
    assertThat(bytes).isLessThan(FRAMES);
  }

  @Test
  void transcodingAndReframingAFrameAllocateNothing() {
    Transcoder toAgent = Transcoder.create(AudioFormat.PCMU_8K, AudioFormat.PCM16_24K);
    Transcoder toPhone = Transcoder.create(AudioFormat.PCM16_24K, AudioFormat.PCMU_8K);
    Reframer framer = Reframer.create(AudioFormat.PCMU_8K);
    Reframer.FrameSink sink = (frame, off, len) -> {};
    byte[] ulaw = new byte[160];
    byte[] pcm = new byte[962];
    ByteBuffer pcmBuffer = ByteBuffer.wrap(new byte[960]);
    long bytes =
        allocatedBy(
            () -> {
              toAgent.transcode(ulaw, 0, 160, pcm, 0);
              pcmBuffer.clear();
              ByteBuffer phone = toPhone.transcode(pcmBuffer);
              framer.push(phone.array(), phone.arrayOffset(), phone.remaining(), sink);
            });
    assertThat(bytes).isLessThan(FRAMES);
  }
}
