package dev.switchboard.testing.openai;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.G711;
import java.time.Duration;

/** The GA audio formats the fake understands, with the arithmetic the protocol needs. */
enum AudioSpec {
  PCM24K("audio/pcm", AudioFormat.PCM16_24K),
  PCMU("audio/pcmu", AudioFormat.PCMU_8K),
  PCMA("audio/pcma", AudioFormat.PCMA_8K);

  static final int FRAME_MILLIS = 20;

  final String type;
  final int rate;
  final int bytesPerSample;
  final AudioFormat format;

  AudioSpec(String type, AudioFormat format) {
    this.type = type;
    this.rate = format.sampleRate();
    this.bytesPerSample = format.encoding().bytesPerSample();
    this.format = format;
  }

  static AudioSpec ofType(String type) {
    for (AudioSpec spec : values()) {
      if (spec.type.equals(type)) {
        return spec;
      }
    }
    throw new IllegalArgumentException(type);
  }

  int bytesPerMilli() {
    return rate / 1000 * bytesPerSample;
  }

  int frameBytes() {
    return FRAME_MILLIS * bytesPerMilli();
  }

  /** Whole milliseconds in this many bytes, rounded down. */
  long millisOf(long bytes) {
    return bytes / bytesPerMilli();
  }

  int bytesFor(Duration duration) {
    long samples = Math.round(duration.toNanos() * (double) rate / 1_000_000_000L);
    return Math.toIntExact(samples * bytesPerSample);
  }

  ObjectNode json() {
    ObjectNode format = JsonNodeFactory.instance.objectNode().put("type", type);
    if (this == PCM24K) {
      format.put("rate", rate);
    }
    return format;
  }

  /** Decodes whole samples to linear PCM16. */
  short[] decode(byte[] src, int offset, int length) {
    int samples = length / bytesPerSample;
    short[] out = new short[samples];
    switch (this) {
      case PCMU -> G711.decodeUlaw(src, offset, out, 0, samples);
      case PCMA -> G711.decodeAlaw(src, offset, out, 0, samples);
      case PCM24K -> {
        for (int i = 0; i < samples; i++) {
          int lo = src[offset + 2 * i] & 0xFF;
          int hi = src[offset + 2 * i + 1];
          out[i] = (short) (hi << 8 | lo);
        }
      }
    }
    return out;
  }

  byte[] encode(short[] samples) {
    byte[] out = new byte[samples.length * bytesPerSample];
    switch (this) {
      case PCMU -> G711.encodeUlaw(samples, 0, out, 0, samples.length);
      case PCMA -> G711.encodeAlaw(samples, 0, out, 0, samples.length);
      case PCM24K -> {
        for (int i = 0; i < samples.length; i++) {
          out[2 * i] = (byte) samples[i];
          out[2 * i + 1] = (byte) (samples[i] >> 8);
        }
      }
    }
    return out;
  }
}
