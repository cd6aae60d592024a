package dev.switchboard.testing.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.CodecException;
import dev.switchboard.codec.G711;
import dev.switchboard.codec.Wav;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallerAudioTest {
  private static final byte SILENCE = (byte) 0xFF;

  /** Reads {@code frames} frames from a fresh cursor, concatenated. */
  private static byte[] read(CallerAudio audio, int frames) {
    CallerAudio.Cursor cursor = audio.cursor();
    byte[] out = new byte[frames * CallerAudio.FRAME_BYTES];
    byte[] frame = new byte[CallerAudio.FRAME_BYTES];
    for (int i = 0; i < frames; i++) {
      cursor.next(frame);
      System.arraycopy(frame, 0, out, i * CallerAudio.FRAME_BYTES, frame.length);
    }
    return out;
  }

  private static byte[] bytes(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i + seed);
    }
    return bytes;
  }

  @Test
  void silenceIsEndlessUlawSilence() {
    assertThat(read(CallerAudio.silence(), 5)).containsOnly(SILENCE);
    assertThat(CallerAudio.silence().duration()).isEmpty();
  }

  @Test
  void ulawPlaysOnceThenPadsWithSilence() {
    byte[] speech = bytes(200, 1);

    byte[] out = read(CallerAudio.ulaw(speech), 3);

    assertThat(Arrays.copyOf(out, 200)).isEqualTo(speech);
    assertThat(Arrays.copyOfRange(out, 200, 480)).containsOnly(SILENCE);
    assertThat(CallerAudio.ulaw(speech).duration()).contains(Duration.ofMillis(25));
  }

  @Test
  void loopingRepeatsWithoutAGap() {
    byte[] speech = bytes(100, 7);

    byte[] out = read(CallerAudio.ulaw(speech).looping(), 2);

    for (int i = 0; i < out.length; i++) {
      assertThat(out[i]).isEqualTo(speech[i % 100]);
    }
    assertThat(CallerAudio.ulaw(speech).looping().duration()).isEmpty();
  }

  @Test
  void followedByPlaysOneAfterTheOther() {
    byte[] a = bytes(170, 0);
    byte[] b = bytes(30, 50);

    CallerAudio both = CallerAudio.silence(Duration.ofMillis(10)).followedBy(CallerAudio.ulaw(a));
    byte[] out = read(both.followedBy(CallerAudio.ulaw(b)), 3);

    assertThat(Arrays.copyOf(out, 80)).containsOnly(SILENCE);
    assertThat(Arrays.copyOfRange(out, 80, 250)).isEqualTo(a);
    assertThat(Arrays.copyOfRange(out, 250, 280)).isEqualTo(b);
    assertThat(Arrays.copyOfRange(out, 280, 480)).containsOnly(SILENCE);
    assertThatThrownBy(() -> CallerAudio.silence().followedBy(CallerAudio.ulaw(a)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("never ends");
  }

  @Test
  void followedByALoopKeepsTheLoopToTheSecondPart() {
    byte[] out =
        read(
            CallerAudio.ulaw(bytes(10, 100)).followedBy(CallerAudio.ulaw(bytes(4, 0)).looping()),
            1);

    assertThat(Arrays.copyOf(out, 10)).isEqualTo(bytes(10, 100));
    for (int i = 10; i < out.length; i++) {
      assertThat(out[i]).isEqualTo((byte) ((i - 10) % 4));
    }
  }

  @Test
  void toneIsAudibleAndGeneratorIsEncodedSampleBySample() {
    byte[] tone = read(CallerAudio.tone(440, 0.5), 5);
    int peak = 0;
    for (byte b : tone) {
      peak = Math.max(peak, Math.abs(G711.ulawToLinear(b)));
    }
    assertThat(peak).isBetween(14_000, 17_000);

    byte[] ramp = read(CallerAudio.generator(i -> (short) (i * 10)), 1);
    for (int i = 0; i < ramp.length; i++) {
      assertThat(ramp[i]).isEqualTo(G711.linearToUlaw((short) (i * 10)));
    }
    assertThatThrownBy(() -> CallerAudio.tone(5000, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CallerAudio.tone(440, 2)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void eachCursorStartsFromTheBeginning() {
    CallerAudio audio = CallerAudio.ulaw(bytes(320, 3));

    assertThat(read(audio, 1)).isEqualTo(read(audio, 1));
  }

  @Test
  void wavIsConvertedTo8kUlaw(@TempDir Path dir) throws Exception {
    Path ulaw8k = dir.resolve("ulaw.wav");
    Wav.of(AudioFormat.PCMU_8K, bytes(800, 9)).write(ulaw8k);
    assertThat(Arrays.copyOf(read(CallerAudio.wav(ulaw8k), 5), 800)).isEqualTo(bytes(800, 9));

    Path pcm16k = dir.resolve("pcm16k.wav");
    byte[] pcm = new byte[16_000 * 2]; // 1 s of 16 kHz PCM16
    for (int i = 0; i < 16_000; i++) {
      short sample = (short) (8000 * Math.sin(2 * Math.PI * 300 * i / 16_000.0));
      pcm[2 * i] = (byte) sample;
      pcm[2 * i + 1] = (byte) (sample >> 8);
    }
    Wav.of(AudioFormat.PCM16_16K, pcm).write(pcm16k);
    Duration duration = CallerAudio.wav(pcm16k).duration().orElseThrow();
    assertThat(duration).isBetween(Duration.ofMillis(1000), Duration.ofMillis(1050));

    Path stereo = dir.resolve("stereo.wav");
    Wav.of(AudioFormat.of(AudioFormat.Encoding.PCM16LE, 8000, 2), new byte[8000 * 4]).write(stereo);
    CallerAudio mixed = CallerAudio.wav(stereo);
    assertThat(mixed.duration()).contains(Duration.ofSeconds(1));
    assertThat(read(mixed, 2)).containsOnly(SILENCE);
  }

  @Test
  void wavFailuresNameTheProblem(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> CallerAudio.wav(dir.resolve("missing.wav")))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("missing.wav");
    Path notWav = dir.resolve("not.wav");
    java.nio.file.Files.writeString(notWav, "hello");
    assertThatThrownBy(() -> CallerAudio.wav(notWav)).isInstanceOf(CodecException.class);
  }
}
