package dev.switchboard.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavTest {

  @Test
  void writesAndReadsBackEveryEncoding(@TempDir Path dir) throws IOException {
    for (AudioFormat format :
        new AudioFormat[] {
          AudioFormat.PCMU_8K,
          AudioFormat.PCMA_8K,
          AudioFormat.PCM16_24K,
          AudioFormat.of(AudioFormat.Encoding.PCM16LE, 48000, 2)
        }) {
      byte[] data = new byte[format.bytesPerFrame() * 101];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) (i * 7);
      }
      Path file = dir.resolve(format.encoding() + ".wav");
      Wav.of(format, data).write(file);
      Wav back = Wav.read(file);
      assertThat(back.format()).isEqualTo(format);
      assertThat(back.bytes()).isEqualTo(data);
    }
  }

  @Test
  void theHeaderIsTheStandardFortyFourBytes() {
    byte[] file = Wav.of(AudioFormat.PCMU_8K, new byte[160]).toFileBytes();
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(file).hasSize(44 + 160);
    assertThat(new String(file, 0, 4, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("RIFF");
    assertThat(b.getShort(20)).isEqualTo((short) 7); // μ-law
    assertThat(b.getInt(24)).isEqualTo(8000);
    assertThat(b.getInt(40)).isEqualTo(160);
  }

  @Test
  void skipsUnknownChunks() throws IOException {
    byte[] plain = Wav.of(AudioFormat.PCM16_16K, new byte[] {1, 0, 2, 0}).toFileBytes();
    // Insert a LIST chunk of 5 bytes (odd, so padded to 6) between fmt and data.
    ByteBuffer withList = ByteBuffer.allocate(plain.length + 14).order(ByteOrder.LITTLE_ENDIAN);
    withList.put(plain, 0, 36).put("LIST".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    withList.putInt(5).put(new byte[6]).put(plain, 36, plain.length - 36);
    Wav wav = Wav.read(new ByteArrayInputStream(withList.array()));
    assertThat(wav.bytes()).containsExactly(1, 0, 2, 0);
  }

  @Test
  void rejectsWhatIsNotASupportedWav() {
    assertThatThrownBy(() -> Wav.read(new ByteArrayInputStream(new byte[] {1, 2, 3})))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("not a WAV file");
    byte[] floatWav = Wav.of(AudioFormat.PCM16_8K, new byte[4]).toFileBytes();
    floatWav[20] = 3; // IEEE float
    assertThatThrownBy(() -> Wav.read(new ByteArrayInputStream(floatWav)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("unsupported WAV encoding: format tag 3");
    assertThatThrownBy(() -> Wav.of(AudioFormat.PCM16_8K, new byte[3]))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("even byte count");
  }

  @Test
  void dataIsCopiedAndReadOnly() {
    byte[] data = {1, 2};
    Wav wav = Wav.of(AudioFormat.PCMU_8K, data);
    data[0] = 9;
    assertThat(wav.bytes()).containsExactly(1, 2);
    assertThat(wav.data().isReadOnly()).isTrue();
    assertThat(wav).isEqualTo(Wav.of(AudioFormat.PCMU_8K, new byte[] {1, 2}));
  }
}
