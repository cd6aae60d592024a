package dev.switchboard.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AudioFormatTest {

  @Test
  void twentyMillisecondsOfEachProviderFormat() {
    Duration frame = Duration.ofMillis(20);
    assertThat(AudioFormat.PCMU_8K.bytesPer(frame)).isEqualTo(160);
    assertThat(AudioFormat.PCMA_8K.bytesPer(frame)).isEqualTo(160);
    assertThat(AudioFormat.PCM16_8K.bytesPer(frame)).isEqualTo(320);
    assertThat(AudioFormat.PCM16_16K.bytesPer(frame)).isEqualTo(640);
    assertThat(AudioFormat.PCM16_24K.bytesPer(frame)).isEqualTo(960);
    assertThat(AudioFormat.PCM16_48K.bytesPer(frame)).isEqualTo(1920);
    assertThat(AudioFormat.PCM16_24K.durationOf(960)).isEqualTo(frame);
  }

  @Test
  void invalidComponentsAreRejectedByName() {
    assertThatThrownBy(() -> AudioFormat.of(AudioFormat.Encoding.PCMU, 0, 1))
        .hasMessageContaining("sampleRate must be positive, got 0");
    assertThatThrownBy(() -> AudioFormat.of(AudioFormat.Encoding.PCMU, 8000, 9))
        .hasMessageContaining("channels must be between 1 and 8, got 9");
    assertThatThrownBy(() -> AudioFormat.of(null, 8000, 1)).hasMessageContaining("encoding");
  }

  @Test
  void byteCountsMustBeWholeSampleFrames() {
    assertThatThrownBy(() -> AudioFormat.PCM16_8K.durationOf(3))
        .isInstanceOf(CodecException.class)
        .hasMessage("PCM16LE audio must have an even byte count, got 3 bytes");
  }

  @Test
  void valuesCompareByComponents() {
    assertThat(AudioFormat.of(AudioFormat.Encoding.PCMU, 8000, 1)).isEqualTo(AudioFormat.PCMU_8K);
    assertThat(AudioFormat.PCMU_8K.toString()).isEqualTo("PCMU/8000Hz/mono");
    assertThat(AudioFormat.Encoding.PCMA.silence()).isEqualTo(G711.ALAW_SILENCE);
  }
}
