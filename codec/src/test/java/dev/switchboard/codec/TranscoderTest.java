package dev.switchboard.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TranscoderTest {

  @Test
  void equalFormatsPassTheBufferThroughWithoutCopying() {
    Transcoder same = Transcoder.create(AudioFormat.PCMU_8K, AudioFormat.PCMU_8K);
    assertThat(same.isPassThrough()).isTrue();
    ByteBuffer frame = ByteBuffer.wrap(new byte[160]);
    assertThat(same.transcode(frame)).isSameAs(frame);
    assertThat(frame.remaining()).isEqualTo(160);
    byte[] out = new byte[3];
    assertThat(same.transcode(new byte[] {1, 2, 3}, 0, 3, out, 0)).isEqualTo(3);
    assertThat(out).containsExactly(1, 2, 3);
  }

  @Test
  void ulawToPcm16AtTheSameRateIsTheG711Decoder() {
    Transcoder decode = Transcoder.create(AudioFormat.PCMU_8K, AudioFormat.PCM16_8K);
    byte[] codes = new byte[256];
    for (int i = 0; i < 256; i++) {
      codes[i] = (byte) i;
    }
    byte[] pcm = new byte[decode.outputLength(256)];
    assertThat(decode.transcode(codes, 0, 256, pcm, 0)).isEqualTo(512);
    for (int i = 0; i < 256; i++) {
      assertThat(Pcm16.sampleAt(pcm, 2 * i)).isEqualTo(G711.ulawToLinear(i));
    }
    assertThat(decode.flushLength()).isZero();
  }

  @Test
  void ulawToAlawGoesThroughLinear() {
    Transcoder transcoder = Transcoder.create(AudioFormat.PCMU_8K, AudioFormat.PCMA_8K);
    byte[] out = new byte[1];
    for (int code = 0; code < 256; code++) {
      transcoder.transcode(new byte[] {(byte) code}, 0, 1, out, 0);
      assertThat(out[0]).isEqualTo(G711.linearToAlaw(G711.ulawToLinear(code)));
    }
  }

  @Test
  void phoneToRealtimeChainsDecodeAndResampleStatefully() {
    short[] tone = Signals.sine(440, 8000, 12000, 800);
    byte[] ulaw = new byte[800];
    G711.encodeUlaw(tone, 0, ulaw, 0, 800);

    short[] decoded = new short[800];
    G711.decodeUlaw(ulaw, 0, decoded, 0, 800);
    Resampler resampler = Resampler.create(8000, 24000);
    short[] expected = new short[2400 + resampler.flushLength()];
    int n = resampler.process(decoded, 0, 800, expected, 0);
    n += resampler.flush(expected, n);

    Transcoder transcoder = Transcoder.create(AudioFormat.PCMU_8K, AudioFormat.PCM16_24K);
    byte[] out = new byte[2 * n];
    int written = 0;
    for (int off = 0; off < 800; off += 160) { // 20 ms frames, as the phone sends them
      written += transcoder.transcode(ulaw, off, 160, out, written);
    }
    written += transcoder.flush(out, written);
    assertThat(written).isEqualTo(2 * n);
    for (int i = 0; i < n; i++) {
      assertThat(Pcm16.sampleAt(out, 2 * i)).as("sample %d", i).isEqualTo(expected[i]);
    }
  }

  @Test
  void aRoundTripThroughThePhoneKeepsSpeechBandAudio() {
    Transcoder toPhone = Transcoder.create(AudioFormat.PCM16_24K, AudioFormat.PCMU_8K);
    Transcoder fromPhone = Transcoder.create(AudioFormat.PCMU_8K, AudioFormat.PCM16_24K);
    short[] tone = Signals.sine(1000, 24000, 10000, 24000);
    byte[] pcm = new byte[48000];
    Pcm16.toBytes(tone, 0, pcm, 0, 24000);
    byte[] ulaw = new byte[8000];
    byte[] back = new byte[48000];
    int phoneBytes = 0;
    int backBytes = 0;
    for (int off = 0; off < pcm.length; off += 960) {
      int n = toPhone.transcode(pcm, off, 960, ulaw, phoneBytes);
      backBytes += fromPhone.transcode(ulaw, phoneBytes, n, back, backBytes);
      phoneBytes += n;
    }
    assertThat(phoneBytes).isEqualTo(8000);
    short[] y = new short[backBytes / 2];
    Pcm16.toSamples(back, 0, y, 0, y.length);
    int skip = 2400;
    double level = Signals.amplitudeAt(y, skip, y.length, 1000, 24000);
    assertThat(Signals.db(level / 10000)).isBetween(-0.5, 0.5);
    // Everything else is μ-law quantisation noise, about 38 dB below the tone.
    double noise = 0;
    int delay = toPhone.delayFrames() * 3 + fromPhone.delayFrames();
    short[] ideal = Signals.sine(1000, 24000, 10000, y.length + delay);
    for (int i = skip; i < y.length; i++) {
      double e = y[i] - ideal[i - delay];
      noise += e * e;
    }
    double noiseRms = Math.sqrt(noise / (y.length - skip));
    assertThat(Signals.db(noiseRms / (10000 / Math.sqrt(2)))).isLessThan(-30);
  }

  @Test
  void oddPcm16ByteCountsAreRejectedByName() {
    Transcoder transcoder = Transcoder.create(AudioFormat.PCM16_24K, AudioFormat.PCMU_8K);
    assertThatThrownBy(() -> transcoder.transcode(new byte[961], 0, 961, new byte[400], 0))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("even byte count")
        .hasMessageContaining("961");
    assertThatThrownBy(() -> transcoder.outputLength(3)).isInstanceOf(CodecException.class);
  }

  @Test
  void mismatchedChannelsAreRejectedByName() {
    AudioFormat stereo = AudioFormat.of(AudioFormat.Encoding.PCM16LE, 8000, 2);
    assertThatThrownBy(() -> Transcoder.create(stereo, AudioFormat.PCMU_8K))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("mismatched channels");
  }

  @Test
  void stereoCanChangeEncodingButNotRate() {
    AudioFormat stereoPcm = AudioFormat.of(AudioFormat.Encoding.PCM16LE, 8000, 2);
    AudioFormat stereoUlaw = AudioFormat.of(AudioFormat.Encoding.PCMU, 8000, 2);
    Transcoder transcoder = Transcoder.create(stereoPcm, stereoUlaw);
    byte[] pcm = new byte[8];
    Pcm16.toBytes(new short[] {1000, -1000, 2000, -2000}, 0, pcm, 0, 4);
    byte[] out = new byte[4];
    assertThat(transcoder.transcode(pcm, 0, 8, out, 0)).isEqualTo(4);
    assertThat(out[1]).isEqualTo(G711.linearToUlaw((short) -1000));
    assertThatThrownBy(() -> transcoder.transcode(pcm, 0, 6, out, 0))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("whole sample frames of 4 bytes");
    AudioFormat stereo16k = AudioFormat.of(AudioFormat.Encoding.PCM16LE, 16000, 2);
    assertThatThrownBy(() -> Transcoder.create(stereoPcm, stereo16k))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("only mono audio can be resampled");
  }

  @Test
  void unsupportedRatiosAreRejectedByName() {
    AudioFormat cd = AudioFormat.of(AudioFormat.Encoding.PCM16LE, 44100, 1);
    assertThatThrownBy(() -> Transcoder.create(cd, AudioFormat.PCMU_8K))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("unsupported ratio")
        .hasMessageContaining("44100");
  }

  @Test
  void byteBufferFormReturnsItsOwnBufferValidUntilTheNextCall() {
    Transcoder transcoder = Transcoder.create(AudioFormat.PCM16_16K, AudioFormat.PCMU_8K);
    ByteBuffer direct = ByteBuffer.allocateDirect(640);
    short[] tone = Signals.sine(500, 16000, 8000, 320);
    byte[] pcm = new byte[640];
    Pcm16.toBytes(tone, 0, pcm, 0, 320);
    direct.put(pcm).flip();
    ByteBuffer out = transcoder.transcode(direct);
    assertThat(direct.hasRemaining()).isFalse();
    assertThat(out.remaining()).isEqualTo(160);
    byte[] viaBuffer = new byte[160];
    out.get(viaBuffer);

    byte[] viaArray = new byte[160];
    Transcoder.create(AudioFormat.PCM16_16K, AudioFormat.PCMU_8K)
        .transcode(pcm, 0, 640, viaArray, 0);
    assertThat(viaBuffer).isEqualTo(viaArray);
  }

  @Test
  void outputLengthIsExactForEveryCall() {
    Transcoder transcoder = Transcoder.create(AudioFormat.PCM16_48K, AudioFormat.PCM16_16K);
    byte[] in = new byte[2 * 1000];
    byte[] out = new byte[2000];
    for (int len : new int[] {2, 4, 6, 1998, 2000, 10}) {
      int expected = transcoder.outputLength(len);
      assertThat(transcoder.transcode(in, 0, len, out, 0)).isEqualTo(expected);
    }
    assertThat(Arrays.copyOf(out, 4)).containsOnly(0);
  }
}
