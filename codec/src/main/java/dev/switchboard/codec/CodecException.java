package dev.switchboard.codec;

/**
 * Audio that cannot be processed as asked: an unsupported conversion (a sample-rate ratio the
 * resampler does not implement, a channel-count change), input whose size does not fit its format
 * (an odd byte count for PCM16), or a malformed WAV file. The message names the problem and the
 * offending value.
 *
 * <p>It extends {@link IllegalArgumentException} because every case is an argument the caller can
 * check before calling. The codec module has no dependencies, so this type is not part of {@code
 * core}'s {@code SwitchboardException} tree; {@code core} wraps it where it crosses into that API.
 */
public final class CodecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with the given message.
   *
   * @param message what is wrong, with the offending value
   */
  public CodecException(String message) {
    super(message);
  }

  /**
   * Creates an exception with the given message and cause.
   *
   * @param message what is wrong, with the offending value
   * @param cause the underlying failure
   */
  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
