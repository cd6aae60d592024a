package dev.switchboard.core;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.CodecException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A piece of audio in a known format, held as raw bytes, as base64 text, or both. Telephony and
 * agent protocols carry audio as base64 in JSON; a chunk made from base64 is decoded only if
 * someone asks for its bytes, so audio passing between two base64 protocols in the same format
 * (Twilio μ-law to OpenAI {@code audio/pcmu}) is never decoded. Immutable and thread-safe.
 *
 * <pre>{@code
 * AudioChunk in = AudioChunk.ofBase64(AudioFormat.PCMU_8K, media.payload());
 * agent.sendAudio(in);                     // forwards in.base64(), no decoding
 * ByteBuffer pcm = in.data();              // decoded once, on first use
 * }</pre>
 *
 * <p>Ownership: {@link #wrap} takes the caller's array without copying; the caller must not change
 * it afterwards. {@link #of} copies.
 */
public final class AudioChunk {
  private final AudioFormat format;
  private final int size;
  private volatile byte @Nullable [] bytes;
  private volatile @Nullable String base64;

  private AudioChunk(
      AudioFormat format, int size, byte @Nullable [] bytes, @Nullable String base64) {
    this.format = format;
    this.size = size;
    this.bytes = bytes;
    this.base64 = base64;
  }

  /**
   * Returns a chunk holding a copy of the given bytes.
   *
   * @param format the audio's format
   * @param data whole sample frames of that format
   * @return the chunk
   * @throws CodecException if the data is not whole sample frames
   */
  public static AudioChunk of(AudioFormat format, byte[] data) {
    return wrap(format, data.clone());
  }

  /**
   * Returns a chunk over the given array, without copying it. The caller must not modify the array
   * afterwards.
   *
   * @param format the audio's format
   * @param data whole sample frames of that format
   * @return the chunk
   * @throws CodecException if the data is not whole sample frames
   */
  public static AudioChunk wrap(AudioFormat format, byte[] data) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(data, "data");
    format.durationOf(data.length); // validates whole frames
    return new AudioChunk(format, data.length, data, null);
  }

  /**
   * Returns a chunk holding base64 text, decoded lazily.
   *
   * @param format the audio's format
   * @param base64 standard base64 (RFC 4648, with padding) of whole sample frames
   * @return the chunk
   * @throws CodecException if the text is not well-formed base64 or not whole sample frames
   */
  public static AudioChunk ofBase64(AudioFormat format, String base64) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(base64, "base64");
    int size = decodedLength(base64);
    format.durationOf(size);
    return new AudioChunk(format, size, null, base64);
  }

  /** The decoded length of standard padded base64, checking its shape without decoding. */
  private static int decodedLength(String text) {
    int n = text.length();
    if (n % 4 != 0) {
      throw new CodecException("malformed base64 audio: length " + n + " is not a multiple of 4");
    }
    if (n == 0) {
      return 0;
    }
    int padding = text.charAt(n - 1) == '=' ? (text.charAt(n - 2) == '=' ? 2 : 1) : 0;
    return n / 4 * 3 - padding;
  }

  /**
   * Returns the audio's format.
   *
   * @return the format
   */
  public AudioFormat format() {
    return format;
  }

  /**
   * Returns the number of audio bytes (decoded).
   *
   * @return the byte count
   */
  public int size() {
    return size;
  }

  /**
   * Returns how long the chunk plays.
   *
   * @return the duration
   */
  public Duration duration() {
    return format.durationOf(size);
  }

  /**
   * Returns the audio bytes as a read-only buffer, decoding base64 on first use.
   *
   * @return a new read-only view
   * @throws CodecException if the base64 text holds characters outside the alphabet
   */
  public ByteBuffer data() {
    return ByteBuffer.wrap(bytes()).asReadOnlyBuffer();
  }

  /**
   * Copies the audio bytes into an array.
   *
   * @param dst the destination
   * @param offset where the first byte goes
   * @return the number of bytes copied ({@link #size()})
   */
  public int copyTo(byte[] dst, int offset) {
    byte[] b = bytes();
    System.arraycopy(b, 0, dst, offset, b.length);
    return b.length;
  }

  private byte[] bytes() {
    byte[] b = bytes;
    if (b == null) {
      try {
        b = Base64.getDecoder().decode(Objects.requireNonNull(base64));
      } catch (IllegalArgumentException e) {
        throw new CodecException("malformed base64 audio: " + e.getMessage(), e);
      }
      bytes = b;
    }
    return b;
  }

  /**
   * Returns the audio as standard base64, encoding on first use.
   *
   * @return the base64 text
   */
  public String base64() {
    String s = base64;
    if (s == null) {
      s = Base64.getEncoder().encodeToString(Objects.requireNonNull(bytes));
      base64 = s;
    }
    return s;
  }

  @Override
  public String toString() {
    return "AudioChunk[" + format + ", " + size + " bytes]";
  }
}
