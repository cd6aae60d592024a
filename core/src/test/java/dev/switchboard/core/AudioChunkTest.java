package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.CodecException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class AudioChunkTest {

  @Test
  void base64IsPassedThroughUntouchedAndDecodedOnlyOnDemand() {
    byte[] frame = new byte[160];
    frame[3] = 42;
    String text = Base64.getEncoder().encodeToString(frame);
    AudioChunk chunk = AudioChunk.ofBase64(AudioFormat.PCMU_8K, text);
    assertThat(chunk.base64()).isSameAs(text);
    assertThat(chunk.size()).isEqualTo(160);
    assertThat(chunk.duration()).isEqualTo(Duration.ofMillis(20));
    ByteBuffer data = chunk.data();
    assertThat(data.isReadOnly()).isTrue();
    assertThat(data.get(3)).isEqualTo((byte) 42);
  }

  @Test
  void bytesAreEncodedToBase64OnDemand() {
    byte[] pcm = {1, 0, 2, 0};
    AudioChunk chunk = AudioChunk.of(AudioFormat.PCM16_24K, pcm);
    pcm[0] = 9; // of() copied
    assertThat(chunk.base64())
        .isEqualTo(Base64.getEncoder().encodeToString(new byte[] {1, 0, 2, 0}));
    byte[] out = new byte[6];
    assertThat(chunk.copyTo(out, 2)).isEqualTo(4);
    assertThat(out).containsExactly(0, 0, 1, 0, 2, 0);
  }

  @Test
  void malformedOrPartialAudioIsRejectedByName() {
    assertThatThrownBy(() -> AudioChunk.ofBase64(AudioFormat.PCMU_8K, "abc"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("not a multiple of 4");
    assertThatThrownBy(() -> AudioChunk.wrap(AudioFormat.PCM16_8K, new byte[3]))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("even byte count");
    AudioChunk bad = AudioChunk.ofBase64(AudioFormat.PCMU_8K, "ab*d");
    assertThatThrownBy(bad::data)
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("malformed base64");
  }
}
