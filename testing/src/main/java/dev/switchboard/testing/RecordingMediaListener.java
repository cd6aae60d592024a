package dev.switchboard.testing;

import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.voice.MediaStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;

/**
 * A {@link MediaStream.Listener} that records what a stream delivers: audio, marks, DTMF and the
 * close, and counts closes so a test can check there was exactly one. Thread-safe.
 *
 * <pre>{@code
 * RecordingMediaListener media = new RecordingMediaListener();
 * stream.setListener(media);
 * media.awaitMark("r1-3");
 * media.awaitClosed();
 * }</pre>
 */
public final class RecordingMediaListener implements MediaStream.Listener {
  /** One thing the stream delivered. */
  public sealed interface Event {
    /**
     * Audio arrived.
     *
     * @param audio the audio
     */
    record Audio(AudioChunk audio) implements Event {}

    /**
     * A mark came back.
     *
     * @param name its name
     */
    record Mark(String name) implements Event {}

    /**
     * A key was pressed.
     *
     * @param digit the digit
     */
    record Dtmf(String digit) implements Event {}

    /**
     * The stream closed.
     *
     * @param reason why
     */
    record Closed(CloseReason reason) implements Event {}
  }

  private final Recorder<Event> events = new Recorder<>();

  /** Creates an empty listener. */
  public RecordingMediaListener() {}

  @Override
  public void onAudio(AudioChunk audio) {
    events.accept(new Event.Audio(audio));
  }

  @Override
  public void onMark(String name) {
    events.accept(new Event.Mark(name));
  }

  @Override
  public void onDtmf(String digit) {
    events.accept(new Event.Dtmf(digit));
  }

  @Override
  public void onClosed(CloseReason reason) {
    events.accept(new Event.Closed(reason));
  }

  /**
   * Returns everything delivered, in order.
   *
   * @return a snapshot
   */
  public List<Event> events() {
    return events.all();
  }

  /**
   * Returns the audio received so far, concatenated.
   *
   * @return the bytes
   */
  public byte[] audio() {
    return concatenate(events.all());
  }

  private static byte[] concatenate(List<Event> delivered) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Event e : delivered) {
      if (e instanceof Event.Audio a) {
        byte[] b = new byte[a.audio().size()];
        a.audio().copyTo(b, 0);
        out.writeBytes(b);
      }
    }
    return out.toByteArray();
  }

  /**
   * Waits until at least {@code bytes} bytes of audio have arrived.
   *
   * @param bytes how many
   * @param timeout how long to wait
   * @throws AssertionError if they do not
   */
  public void awaitAudioBytes(int bytes, Duration timeout) {
    events.awaitAll(
        delivered -> concatenate(delivered).length >= bytes,
        "at least " + bytes + " bytes of audio",
        timeout);
  }

  /**
   * Waits for a mark to come back.
   *
   * @param name the mark's name
   * @return the event
   */
  public Event.Mark awaitMark(String name) {
    return events.await(Event.Mark.class, m -> m.name().equals(name));
  }

  /**
   * Waits for a key press.
   *
   * @param digit the digit
   * @return the event
   */
  public Event.Dtmf awaitDtmf(String digit) {
    return events.await(Event.Dtmf.class, d -> d.digit().equals(digit));
  }

  /**
   * Waits for the stream to close.
   *
   * @return why it closed
   */
  public CloseReason awaitClosed() {
    return events.await(Event.Closed.class).reason();
  }

  /**
   * Returns how many times {@code onClosed} was called; the contract says at most once.
   *
   * @return the count
   */
  public int closeCount() {
    return events.all(Event.Closed.class).size();
  }
}
