package dev.switchboard.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A WAV file's audio: its format and its sample data. Immutable and thread-safe.
 *
 * <pre>{@code
 * Wav wav = Wav.read(Path.of("greeting.wav"));     // PCM16, μ-law or A-law
 * Transcoder toPhone = Transcoder.create(wav.format(), AudioFormat.PCMU_8K);
 * Wav.of(AudioFormat.PCMU_8K, ulawBytes).write(Path.of("out.wav"));
 * }</pre>
 *
 * <p>Reads RIFF/WAVE files holding 16-bit PCM (format tag 1), A-law (6) or μ-law (7), also inside
 * {@code WAVE_FORMAT_EXTENSIBLE}; other chunks are skipped. Writes the plain (non-extensible) form.
 *
 * @param format the audio's format
 * @param data the sample data (a read-only view; each call returns an independent view)
 */
public record Wav(AudioFormat format, ByteBuffer data) {
  private static final int TAG_PCM = 1;
  private static final int TAG_ALAW = 6;
  private static final int TAG_ULAW = 7;
  private static final int TAG_EXTENSIBLE = 0xFFFE;

  /**
   * Copies the data and validates it.
   *
   * @throws CodecException if the data is not whole sample frames of {@code format}
   */
  public Wav {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(data, "data");
    format.requireWholeFrames(data.remaining());
    ByteBuffer copy = ByteBuffer.allocate(data.remaining());
    copy.put(data.duplicate()).flip();
    data = copy.asReadOnlyBuffer();
  }

  /**
   * Returns a WAV of a copy of the given bytes.
   *
   * @param format the audio's format
   * @param data sample data, whole sample frames
   * @return the WAV
   */
  public static Wav of(AudioFormat format, byte[] data) {
    return new Wav(format, ByteBuffer.wrap(data));
  }

  @Override
  public ByteBuffer data() {
    return data.duplicate();
  }

  /**
   * Returns a copy of the sample data.
   *
   * @return a new array
   */
  public byte[] bytes() {
    byte[] out = new byte[data.remaining()];
    data.duplicate().get(out);
    return out;
  }

  /**
   * Reads a WAV file.
   *
   * @param path the file
   * @return its audio
   * @throws IOException if the file cannot be read
   * @throws CodecException if it is not a WAV file of a supported encoding
   */
  public static Wav read(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      return read(in);
    }
  }

  /**
   * Reads a WAV file from a stream (to its end; the stream is not closed).
   *
   * @param in the stream
   * @return its audio
   * @throws IOException if the stream cannot be read
   * @throws CodecException if it is not a WAV file of a supported encoding
   */
  public static Wav read(InputStream in) throws IOException {
    ByteBuffer file = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
    if (file.remaining() < 12 || file.getInt(0) != 0x46464952 || file.getInt(8) != 0x45564157) {
      throw new CodecException("not a WAV file: no RIFF/WAVE header");
    }
    file.position(12);
    AudioFormat format = null;
    while (file.remaining() >= 8) {
      int id = file.getInt();
      long size = Integer.toUnsignedLong(file.getInt());
      int start = file.position();
      if (size > file.remaining()) {
        if (id == 0x61746164 && format != null) {
          size = file.remaining(); // a streamed file whose data size was never filled in
        } else {
          throw new CodecException("truncated WAV file: chunk of " + size + " bytes runs past end");
        }
      }
      if (id == 0x20746d66) { // "fmt "
        format = parseFormat(file.slice().order(ByteOrder.LITTLE_ENDIAN).limit((int) size));
      } else if (id == 0x61746164) { // "data"
        if (format == null) {
          throw new CodecException("malformed WAV file: data chunk before fmt chunk");
        }
        long whole = size - size % format.bytesPerFrame();
        return new Wav(format, file.slice().limit((int) whole));
      }
      file.position((int) Math.min(file.limit(), start + size + (size & 1)));
    }
    throw new CodecException("malformed WAV file: no data chunk");
  }

  private static AudioFormat parseFormat(ByteBuffer fmt) {
    if (fmt.remaining() < 16) {
      throw new CodecException("malformed WAV file: fmt chunk of " + fmt.remaining() + " bytes");
    }
    int tag = Short.toUnsignedInt(fmt.getShort(0));
    int channels = Short.toUnsignedInt(fmt.getShort(2));
    int rate = fmt.getInt(4);
    int bits = Short.toUnsignedInt(fmt.getShort(14));
    if (tag == TAG_EXTENSIBLE && fmt.remaining() >= 26) {
      tag = Short.toUnsignedInt(fmt.getShort(24));
    }
    AudioFormat.Encoding encoding;
    if (tag == TAG_PCM && bits == 16) {
      encoding = AudioFormat.Encoding.PCM16LE;
    } else if (tag == TAG_ULAW && bits == 8) {
      encoding = AudioFormat.Encoding.PCMU;
    } else if (tag == TAG_ALAW && bits == 8) {
      encoding = AudioFormat.Encoding.PCMA;
    } else {
      throw new CodecException(
          "unsupported WAV encoding: format tag "
              + tag
              + " with "
              + bits
              + " bits per sample; supported are 16-bit PCM, 8-bit mu-law and 8-bit A-law");
    }
    try {
      return new AudioFormat(encoding, rate, channels);
    } catch (IllegalArgumentException e) {
      throw new CodecException("unsupported WAV format: " + e.getMessage(), e);
    }
  }

  /**
   * Writes this audio as a WAV file, replacing any existing file.
   *
   * @param path the file
   * @throws IOException if the file cannot be written
   */
  public void write(Path path) throws IOException {
    try (OutputStream out = Files.newOutputStream(path)) {
      writeTo(out);
    }
  }

  /**
   * Writes this audio as a WAV file to a stream (which is not closed).
   *
   * @param out the stream
   * @throws IOException if the stream cannot be written
   */
  public void writeTo(OutputStream out) throws IOException {
    int dataSize = data.remaining();
    int tag =
        switch (format.encoding()) {
          case PCM16LE -> TAG_PCM;
          case PCMA -> TAG_ALAW;
          case PCMU -> TAG_ULAW;
        };
    ByteBuffer header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(0x46464952).putInt(36 + dataSize + (dataSize & 1)).putInt(0x45564157);
    header.putInt(0x20746d66).putInt(16);
    header.putShort((short) tag).putShort((short) format.channels());
    header.putInt(format.sampleRate()).putInt(format.sampleRate() * format.bytesPerFrame());
    header.putShort((short) format.bytesPerFrame());
    header.putShort((short) (8 * format.encoding().bytesPerSample()));
    header.putInt(0x61746164).putInt(dataSize);
    out.write(header.array());
    out.write(bytes());
    if ((dataSize & 1) != 0) {
      out.write(0);
    }
  }

  /**
   * Returns this audio as the bytes of a WAV file.
   *
   * @return a new array
   */
  public byte[] toFileBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(44 + data.remaining());
    try {
      writeTo(out);
    } catch (IOException e) {
      throw new AssertionError("a ByteArrayOutputStream does not fail", e);
    }
    return out.toByteArray();
  }

  @Override
  public String toString() {
    return "Wav[" + format + ", " + format.durationOf(data.remaining()).toMillis() + " ms]";
  }
}
