package dev.switchboard.core.voice;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A call's live, bidirectional audio: what the caller says arrives at the {@link Listener}; what is
 * sent is played to the caller. Marks sent after audio come back when that audio has played; {@link
 * #clear()} drops audio queued at the phone (barge-in). Thread-safe; sends never block.
 *
 * <pre>{@code
 * stream.setListener(new MediaStream.Listener() {
 *   public void onAudio(AudioChunk audio) { agent.sendAudio(audio); }
 *   public void onMark(String name) { ledger.played(name); }
 * });
 * stream.sendAudio(reply);
 * stream.sendMark("r1-7");
 * }</pre>
 *
 * <p>Lifecycle: a stream is open from its start until the call ends, the provider stops it, or
 * {@link #close()} leaves it (the call then goes on to whatever follows the stream, or ends). The
 * listener's {@link Listener#onClosed} is called exactly once. A call can have several streams in
 * turn.
 */
public interface MediaStream {
  /**
   * Returns the stream's id.
   *
   * @return the provider's stream id (Twilio's StreamSid)
   */
  String id();

  /**
   * Returns the id of the call the stream belongs to.
   *
   * @return the call id
   */
  String callId();

  /**
   * Returns the format of the audio in both directions.
   *
   * @return e.g. {@link AudioFormat#PCMU_8K} for Twilio
   */
  AudioFormat format();

  /**
   * Returns the custom parameters the stream was opened with (authentication tokens removed).
   *
   * @return an unmodifiable map
   */
  Map<String, String> parameters();

  /**
   * Sets the listener (replacing any previous one). Audio that arrives before a listener is set is
   * dropped.
   *
   * @param listener the listener
   */
  void setListener(Listener listener);

  /**
   * Queues audio to play to the caller. The backend frames it as its protocol needs.
   *
   * @param audio audio in {@link #format()}
   * @return true if queued; false if the stream is closed or its send queue is full
   * @throws dev.switchboard.codec.CodecException if the audio is not in the stream's format
   */
  boolean sendAudio(AudioChunk audio);

  /**
   * Queues a mark: its name comes back to {@link Listener#onMark} once the audio sent before it has
   * played, or has been cleared.
   *
   * @param name the mark's name
   * @return true if queued; false if the stream is closed or its send queue is full
   */
  boolean sendMark(String name);

  /**
   * Drops the audio queued at the phone and not yet played; pending marks come back at once.
   *
   * @return true if sent; false if the stream is closed
   */
  boolean clear();

  /**
   * Tells whether the stream is open.
   *
   * @return true until it closes
   */
  boolean isOpen();

  /**
   * Leaves the stream (idempotent). The call continues with what follows the stream, or ends.
   *
   * @return completes when the stream has closed
   */
  CompletableFuture<Void> close();

  /**
   * Receives a stream's inbound events, one at a time and in order, never concurrently. Callbacks
   * run on a media thread and must return quickly: hand blocking work to an executor.
   */
  interface Listener {
    /** A listener that ignores everything. */
    Listener NONE = new Listener() {};

    /**
     * Audio from the caller arrived (typically 20 ms).
     *
     * @param audio the audio, in the stream's format
     */
    default void onAudio(AudioChunk audio) {}

    /**
     * A mark came back: the audio sent before it has played, or was cleared.
     *
     * @param name the mark's name
     */
    default void onMark(String name) {}

    /**
     * The caller pressed a key.
     *
     * @param digit {@code 0}-{@code 9}, {@code *} or {@code #}
     */
    default void onDtmf(String digit) {}

    /**
     * The stream closed. Called exactly once, last.
     *
     * @param reason why
     */
    default void onClosed(CloseReason reason) {}
  }
}
