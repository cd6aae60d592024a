/**
 * Telephony audio without dependencies: the {@link dev.switchboard.codec.AudioFormat} value, G.711
 * μ-law and A-law ({@link dev.switchboard.codec.G711}), PCM16 helpers ({@link
 * dev.switchboard.codec.Pcm16}), a streaming polyphase resampler between 8, 16, 24 and 48 kHz
 * ({@link dev.switchboard.codec.Resampler}), a format-to-format {@link
 * dev.switchboard.codec.Transcoder}, a fixed-duration {@link dev.switchboard.codec.Reframer} and
 * WAV file reading and writing ({@link dev.switchboard.codec.Wav}).
 *
 * <p>Every argument is non-null unless documented otherwise. Hot paths write into caller-supplied
 * arrays and allocate nothing per call; each method documents who owns which buffer. Stateful
 * objects ({@code Resampler}, {@code Transcoder}, {@code Reframer}) are confined to one thread at a
 * time; the static methods and {@code AudioFormat} are thread-safe. Bad input raises a {@link
 * dev.switchboard.codec.CodecException} (or, for misuse of offsets and lengths, an {@link
 * java.lang.IndexOutOfBoundsException}) naming what is wrong.
 */
package dev.switchboard.codec;
