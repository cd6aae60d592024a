package dev.switchboard.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReframerTest {
  private final List<byte[]> frames = new ArrayList<>();
  private final Reframer.FrameSink collect =
      (frame, off, len) -> frames.add(Arrays.copyOfRange(frame, off, off + len));

  @Test
  void piecesOfAnySizeBecomeWholeTwentyMillisecondFramesInOrder() {
    Reframer framer = Reframer.create(AudioFormat.PCMU_8K);
    assertThat(framer.frameBytes()).isEqualTo(160);
    byte[] audio = new byte[160 * 25 + 37];
    new Random(1).nextBytes(audio);
    Random sizes = new Random(2);
    for (int off = 0; off < audio.length; ) {
      int n = Math.min(1 + sizes.nextInt(400), audio.length - off);
      framer.push(audio, off, n, collect);
      off += n;
    }
    assertThat(frames).hasSize(25).allSatisfy(f -> assertThat(f).hasSize(160));
    assertThat(framer.pending()).isEqualTo(37);
    assertThat(framer.flush(collect)).isTrue();
    assertThat(frames).hasSize(26);
    assertThat(frames.get(25)).hasSize(37);
    assertThat(concat(frames)).isEqualTo(audio);
    assertThat(framer.flush(collect)).isFalse();
  }

  @Test
  void wholeFramesArePassedAsSlicesOfTheInputWithoutCopying() {
    Reframer framer = Reframer.create(AudioFormat.PCM16_24K);
    byte[] audio = new byte[960 * 2];
    List<byte[]> arrays = new ArrayList<>();
    framer.push(audio, 0, audio.length, (frame, off, len) -> arrays.add(frame));
    assertThat(arrays).hasSize(2).allSatisfy(a -> assertThat(a).isSameAs(audio));
  }

  @Test
  void aSampleSplitAcrossPiecesIsJoined() {
    Reframer framer = Reframer.create(AudioFormat.PCM16_8K, Duration.ofMillis(10));
    byte[] audio = new byte[160];
    new Random(3).nextBytes(audio);
    framer.push(audio, 0, 81, collect);
    framer.push(audio, 81, 79, collect);
    assertThat(frames).hasSize(1);
    assertThat(frames.get(0)).isEqualTo(audio);
  }

  @Test
  void flushPaddedFillsTheLastFrameWithSilence() {
    Reframer framer = Reframer.create(AudioFormat.PCMU_8K);
    framer.push(new byte[] {1, 2, 3}, 0, 3, collect);
    assertThat(framer.flushPadded(collect)).isTrue();
    assertThat(frames.get(0)).hasSize(160).startsWith(1, 2, 3);
    assertThat(Arrays.copyOfRange(frames.get(0), 3, 160)).containsOnly(G711.ULAW_SILENCE);
  }

  @Test
  void aStreamEndingMidSampleIsReportedAndKeepsItsBytes() {
    Reframer framer = Reframer.create(AudioFormat.PCM16_16K);
    framer.push(new byte[3], 0, 3, collect);
    assertThatThrownBy(() -> framer.flush(collect))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("mid-sample")
        .hasMessageContaining("3 bytes");
    assertThat(framer.pending()).isEqualTo(3);
    framer.push(new byte[1], 0, 1, collect);
    assertThat(framer.flush(collect)).isTrue();
    assertThat(frames.get(0)).hasSize(4);
  }

  @Test
  void aDurationThatIsNotWholeSamplesIsRejected() {
    assertThatThrownBy(() -> Reframer.create(AudioFormat.PCMU_8K, Duration.ofNanos(100_001)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("whole number of samples");
    assertThatThrownBy(() -> Reframer.create(AudioFormat.PCMU_8K, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive");
  }

  private static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }
}
