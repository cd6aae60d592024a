package dev.switchboard.core.bridge;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.Transcoder;
import dev.switchboard.codec.Wav;
import dev.switchboard.core.AudioChunk;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The bundled audio clips, cut into 100 ms chunks per stream format on first use. Thread-safe. */
final class Clips {
  static final String APOLOGY = "apology.wav";
  static final String ONE_MOMENT = "one-moment.wav";

  private static final long CHUNK_MS = 100;
  private final Map<String, List<AudioChunk>> cache = new ConcurrentHashMap<>();

  /** Returns the clip in the given format (cached). */
  List<AudioChunk> get(String clip, AudioFormat format) {
    return cache.computeIfAbsent(clip + "@" + format, k -> load(clip, format));
  }

  private static List<AudioChunk> load(String clip, AudioFormat format) {
    Wav wav;
    try (InputStream in = Clips.class.getResourceAsStream(clip)) {
      if (in == null) {
        throw new IllegalStateException("bundled clip " + clip + " is missing from the classpath");
      }
      wav = Wav.read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bundled clip " + clip, e);
    }
    byte[] src = wav.bytes();
    byte[] pcm = src;
    if (!wav.format().equals(format)) {
      Transcoder t = Transcoder.create(wav.format(), format);
      byte[] out = new byte[t.outputLength(src.length) + t.flushLength()];
      int n = t.transcode(src, 0, src.length, out, 0);
      byte[] tail = new byte[t.flushLength()];
      int m = t.flush(tail, 0);
      System.arraycopy(tail, 0, out, n, m);
      pcm = java.util.Arrays.copyOf(out, n + m);
    }
    int step = (int) (format.bytesPerFrame() * (long) format.sampleRate() * CHUNK_MS / 1000);
    List<AudioChunk> chunks = new ArrayList<>(pcm.length / step + 1);
    for (int off = 0; off < pcm.length; off += step) {
      int len = Math.min(step, pcm.length - off);
      chunks.add(AudioChunk.wrap(format, java.util.Arrays.copyOfRange(pcm, off, off + len)));
    }
    return List.copyOf(chunks);
  }

  /** Returns the total play time of a clip, in milliseconds. */
  static long durationMs(List<AudioChunk> clip) {
    long us = 0;
    for (AudioChunk c : clip) {
      us += micros(c);
    }
    return us / 1000;
  }

  /** Returns a chunk's play time in microseconds, without allocating. */
  static long micros(AudioChunk chunk) {
    AudioFormat f = chunk.format();
    return chunk.size() * 1_000_000L / ((long) f.sampleRate() * f.bytesPerFrame());
  }
}
